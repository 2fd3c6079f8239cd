from cocamonitor import __version__


def test_version(run_cli):
    res = run_cli("--version")
    assert res.exit_code == 0
    assert res.stdout.strip() == f"cocamonitor {__version__}"


def test_unknown_command_exits_2_without_traceback(run_cli):
    res = run_cli("no-such-command")
    assert res.exit_code == 2
    assert "Traceback" not in res.stderr + res.stdout
