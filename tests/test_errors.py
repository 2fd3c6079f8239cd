import pickle

import pytest

from cocamonitor.errors import (
    CocamonitorError,
    InputError,
    SchemaError,
    UnknownNameError,
    suggest,
)


def test_message_has_where_and_hint():
    err = InputError("negative area -3", where="areas.csv row 4, column 'area'", hint="areas must be > 0")
    assert str(err) == "areas.csv row 4, column 'area': negative area -3; areas must be > 0"


def test_hierarchy_subclasses_builtins():
    assert issubclass(SchemaError, InputError)
    assert issubclass(InputError, ValueError)
    assert issubclass(UnknownNameError, LookupError)
    assert issubclass(InputError, CocamonitorError)


def test_pickle_roundtrip_keeps_fields():
    err = SchemaError("missing column 'stratum'", where="s.csv", hint="add it")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is SchemaError
    assert (back.message, back.where, back.hint) == (err.message, err.where, err.hint)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("coca-nacional", "did you mean: coca-national"),
        ("zzz", "valid: a, b, c"),
    ],
)
def test_suggest(value, expected):
    choices = ["coca-national", "coca-municipal"] if value != "zzz" else ["c", "b", "a"]
    assert suggest(value, choices).startswith(expected)
