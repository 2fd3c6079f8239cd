import doctest
import importlib

import pytest

MODULES = [
    "cocamonitor.report.locale",
    "cocamonitor.report.build",
    "cocamonitor.report.figures",
    "cocamonitor.report.maps",
    "cocamonitor.report.render",
    "cocamonitor.report.browser",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
