import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from cocamonitor import userdata
from cocamonitor.errors import InputError, UnknownNameError


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "data"


def _src(tmp_path, text="x\n1\n"):
    path = tmp_path / "src.csv"
    path.write_text(text)
    return path


def test_store_and_read_back_with_provenance(tmp_path, folder):
    src = _src(tmp_path)
    e = userdata.store_table(pd.DataFrame({"v": [1.5, 2.5]}), name="t", kind="k", source=src, data_dir=folder)
    assert e.rows == 2 and e.source_sha256 == userdata.file_sha256(src) and e.file == "t.parquet"
    assert userdata.read_table("t", data_dir=folder)["v"].tolist() == [1.5, 2.5]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["entries"]["t"]["kind"] == "k"


def test_same_file_twice_changes_nothing(tmp_path, folder):
    src = _src(tmp_path)
    a = userdata.store_table(pd.DataFrame({"v": [1]}), name="t", kind="k", source=src, data_dir=folder)
    mtime = (folder / "t.parquet").stat().st_mtime_ns
    b = userdata.store_table(pd.DataFrame({"v": [1]}), name="t", kind="k", source=src, data_dir=folder)
    assert a == b and (folder / "t.parquet").stat().st_mtime_ns == mtime


def test_newer_file_replaces(tmp_path, folder):
    userdata.store_table(pd.DataFrame({"v": [1]}), name="t", kind="k", source=_src(tmp_path), data_dir=folder)
    e = userdata.store_table(
        pd.DataFrame({"v": [1, 2, 3]}), name="t", kind="k", source=_src(tmp_path, "x\n2\n"), data_dir=folder
    )
    assert e.rows == 3 and len(userdata.read_table("t", data_dir=folder)) == 3
    assert len(userdata.entries(data_dir=folder)) == 1


def test_failed_write_leaves_previous_version(tmp_path, folder):
    userdata.store_table(pd.DataFrame({"v": [1]}), name="t", kind="k", source=_src(tmp_path), data_dir=folder)

    class Boom(pd.DataFrame):
        def to_parquet(self, *a, **k):
            with open(a[0], "wb") as fh:
                fh.write(b"half")
            raise OSError("disk full")

    with pytest.raises(OSError):
        userdata.store_table(Boom({"v": [9]}), name="t", kind="k", source=_src(tmp_path, "y\n"), data_dir=folder)
    assert userdata.read_table("t", data_dir=folder)["v"].tolist() == [1]
    assert not list(folder.glob(".*.tmp"))


def test_kill_during_write_keeps_previous(tmp_path, folder):
    userdata.store_table(pd.DataFrame({"v": [1]}), name="t", kind="k", source=_src(tmp_path), data_dir=folder)
    src2 = _src(tmp_path, "z\n")
    code = (
        "import os, pandas as pd\n"
        "from cocamonitor import userdata\n"
        "orig = pd.DataFrame.to_parquet\n"
        "def die(self, path, *a, **k):\n"
        "    orig(self, path, *a, **k); os._exit(9)\n"
        "pd.DataFrame.to_parquet = die\n"
        f"userdata.store_table(pd.DataFrame({{'v': [5]}}), name='t', kind='k', source={str(src2)!r}, "
        f"data_dir={str(folder)!r})\n"
    )
    rc = subprocess.run([sys.executable, "-c", code]).returncode
    assert rc == 9
    assert userdata.read_table("t", data_dir=folder)["v"].tolist() == [1]
    userdata.store_table(pd.DataFrame({"v": [5]}), name="t", kind="k", source=src2, data_dir=folder)
    assert not list(folder.glob(".*.tmp"))


def test_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv("COCAMONITOR_DATA_DIR", str(tmp_path / "env"))
    assert userdata.resolve(create=False) == tmp_path / "env"
    userdata.set_default(tmp_path / "opt")
    try:
        assert userdata.resolve(create=False) == tmp_path / "opt"
        assert userdata.resolve(tmp_path / "arg", create=False) == tmp_path / "arg"
    finally:
        userdata.set_default(None)
    monkeypatch.delenv("COCAMONITOR_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert userdata.resolve(create=False) == tmp_path / "xdg" / "cocamonitor" / "data"


def test_bad_folder_and_names(tmp_path, folder):
    f = tmp_path / "afile"
    f.write_text("")
    with pytest.raises(InputError, match="is a file"):
        userdata.resolve(f)
    with pytest.raises(InputError, match="not allowed"):
        userdata.store_table(pd.DataFrame(), name="../x", kind="k", source=_src(tmp_path), data_dir=folder)
    with pytest.raises(UnknownNameError, match="none yet"):
        userdata.entry("nope", data_dir=folder)
    (folder).mkdir(exist_ok=True)
    (folder / "manifest.json").write_text("{broken")
    with pytest.raises(InputError, match="not a readable manifest"):
        userdata.entries(data_dir=folder)


def test_remove(tmp_path, folder):
    userdata.store_table(pd.DataFrame({"v": [1]}), name="t", kind="k", source=_src(tmp_path), data_dir=folder)
    userdata.remove("t", data_dir=folder)
    assert userdata.entries(data_dir=folder) == [] and not (folder / "t.parquet").exists()


def test_cli_data_dir_option_sets_default(tmp_path):
    code = (
        "from cocamonitor.cli import main; from cocamonitor import userdata\n"
        f"main(['--data-dir', {str(tmp_path / 'cli')!r}, 'data', 'list', '--format', 'json'])\n"
        "print(userdata.resolve(create=False))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ})
    assert out.stdout.strip().splitlines()[-1] == str(tmp_path / "cli")
