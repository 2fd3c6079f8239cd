"""Output paths: folders made on demand, one InputError when they cannot be."""

import pytest

from cocamonitor.errors import InputError
from cocamonitor.io.outputs import output_dir, output_file


def test_missing_folders_are_created(tmp_path):
    assert output_file(tmp_path / "a" / "b" / "t.csv") == tmp_path / "a" / "b" / "t.csv"
    assert (tmp_path / "a" / "b").is_dir()
    assert output_dir(tmp_path / "r" / "s").is_dir()


def test_a_file_where_a_folder_is_needed(tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    with pytest.raises(InputError, match="is a file, not a folder") as e1:
        output_file(f / "t.csv", where="--out")
    with pytest.raises(InputError, match="is a file, not a folder"):
        output_dir(f, where="--out")
    with pytest.raises(InputError, match="cannot write"):
        output_dir(f / "sub")
    assert e1.value.where == "--out"


def test_a_folder_given_as_a_file(tmp_path):
    with pytest.raises(InputError, match="it is a folder"):
        output_file(tmp_path, where="--plot")
