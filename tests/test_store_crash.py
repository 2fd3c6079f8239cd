"""Crash tests of the store (issue 17): a process killed inside ``record_run``, after each of its
statements, leaves a store that opens, holds the earlier runs whole and no part of the killed one.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from cocamonitor.store import open_store, tidy_estimates

DOC = {"unit": "ha", "classes": {"coca": {"area": 120.0, "area_se": 10.0, "area_ci": [100.4, 139.6]}},
       "provenance": {"inputs": {"a.csv": "0" * 64}, "parameters": {"confidence": 0.95}, "version": "0.1.0"}}

CHILD = textwrap.dedent("""
    import os, sys
    from cocamonitor.store import open_store
    doc = {doc!r}
    kill_after = int(sys.argv[2])

    class Dying:
        '''The connection, with a process that dies (no cleanup, like kill -9) after N statements.'''
        def __init__(self, con):
            self._con, self._n = con, 0
        def execute(self, *a, **k):
            out = self._con.execute(*a, **k)
            self._n += 1
            if self._n == kill_after:
                os._exit(9)
            return out
        def __getattr__(self, name):
            return getattr(self._con, name)

    with open_store(sys.argv[1]) as st:
        st._con = Dying(st._con)
        st.record_run("area estimate", doc)
    print("finished")
""")

#: statements of one record_run: BEGIN, INSERT runs, INSERT inputs, INSERT estimates, COMMIT
STATEMENTS = 5


def test_a_kill_after_any_statement_of_record_run_loses_only_that_run(tmp_path):
    stores = []
    for k in range(1, STATEMENTS + 2):
        path = tmp_path / f"s{k}.duckdb"
        with open_store(path) as st:
            st.record_run("area estimate", DOC)  # an earlier run that must survive whole
        stores.append(path)
    code = CHILD.format(doc=DOC)
    procs = [subprocess.Popen([sys.executable, "-c", code, str(p), str(k)], stdout=subprocess.PIPE, text=True)
             for k, p in enumerate(stores, start=1)]
    outs = [(p.communicate(timeout=300)[0], p.returncode) for p in procs]
    for k, (path, (_out, rc)) in enumerate(zip(stores, outs, strict=True), start=1):
        with open_store(path, read_only=True) as st:
            runs = st.list_runs()
            counts = st.query("SELECT (SELECT count(*) FROM inputs) AS i, (SELECT count(*) FROM estimates) AS e")
        committed = len(runs) == 2
        if rc == 9 and k < STATEMENTS:  # killed before COMMIT: the run is not there at all
            assert len(runs) == 1, (k, runs)
        assert len(runs) in (1, 2)
        # whatever happened, every run present is whole: its input and all its estimates
        per_run = len(tidy_estimates(DOC))
        assert int(counts["i"][0]) == len(runs) and int(counts["e"][0]) == per_run * len(runs), (k, counts)
        assert committed or rc == 9
    assert outs[-1][0].strip() == "finished" and outs[-1][1] == 0  # k past the last statement: no kill


@pytest.mark.parametrize("kill_at", ["before", "after"])
def test_a_killed_writer_of_the_user_data_folder_leaves_the_old_file_or_the_new_one(tmp_path, kill_at):
    """userdata writes atomically (temporary file, fsync, rename): a kill leaves no torn file."""
    target = tmp_path / "data.csv"
    target.write_text("old\n")
    code = textwrap.dedent(f"""
        import os, sys
        from pathlib import Path
        import cocamonitor.userdata as u
        real = os.replace
        def dying(src, dst, *a, **k):
            if {kill_at!r} == "after":
                real(src, dst, *a, **k)
            os._exit(9)
        os.replace = dying
        with u.atomic_write(Path({str(target)!r})) as tmp:
            tmp.write_bytes(b"new\\n" * 1000)
    """)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 9, res.stderr[-2000:]
    text = target.read_text()
    assert text in ("old\n", "new\n" * 1000)
    assert text == ("old\n" if kill_at == "before" else "new\n" * 1000)
