from cocamonitor import __version__


def test_version(run_cli):
    res = run_cli("--version")
    assert res.exit_code == 0
    assert res.stdout.strip() == f"cocamonitor {__version__}"


def test_unknown_command_exits_2_without_traceback(run_cli):
    res = run_cli("no-such-command")
    assert res.exit_code == 2
    assert "Traceback" not in res.stderr + res.stdout


def test_usage_errors_are_one_error_line(run_cli):
    cases = {
        ("report", "--year", "abc"): ("'--year'", "cocamonitor report --help"),
        ("report",): ("Missing option '--year'", "cocamonitor report --help"),
        ("data", "show", "labs", "--format", "xml"): ("'xml'", "cocamonitor data show --help"),
        ("data", "no-such"): ("no-such", "cocamonitor data --help"),
        ("--no-such-option",): ("--no-such-option", "cocamonitor --help"),
    }
    for args, (named, helpcmd) in cases.items():
        res = run_cli(*args)
        assert res.exit_code == 2, args
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, res.stderr)
        assert named in lines[0] and f"`{helpcmd}`" in lines[0], lines[0]
        assert res.stdout == ""


def test_group_without_command_prints_help_and_no_empty_error(run_cli):
    res = run_cli("data")
    assert res.exit_code == 2
    assert "error" not in res.stderr


def test_help_of_foundation_and_report_commands_shows_a_runnable_example(run_cli, tmp_path, monkeypatch):
    import re
    import shlex

    monkeypatch.chdir(tmp_path)
    for cmd in (["data", "list"], ["data", "show"], ["territory", "find"], ["demo"], ["report"],
                ["serve"]):
        res = run_cli(*cmd, "--help")
        assert res.exit_code == 0
        text = " ".join(res.stdout.split())
        m = re.search(r"(?:Example: |e\.g\. `)(cocamonitor [^`╭]*?)\s*(?:`|, then|╭)", text)
        assert m and m.group(1).startswith("cocamonitor " + " ".join(cmd)), (cmd, text[:300])
        if cmd[0] in ("data", "territory"):  # quick to run: the example really works
            args = shlex.split(m.group(1))[1:]
            ran = run_cli(*args)
            assert ran.exit_code == 0 and ran.stdout.strip(), (args, ran.stderr)
