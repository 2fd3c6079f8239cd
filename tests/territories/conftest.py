"""The CLI's --data-dir sets the process-wide default folder; put it back after each test."""

import pytest


@pytest.fixture(autouse=True)
def _reset_data_dir():
    yield
    from cocamonitor import userdata

    userdata.set_default(None)
