"""Fixtures of the report tests: the bundled inputs and one report per language.

Writing a report takes a few seconds, so each language is written once per test session and
shared between pytest-xdist workers (a file lock in the session's shared temporary folder
decides who writes it; the others reuse it).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest

#: The year the number tests check (the UNODC 2022 survey has published facts to compare with).
YEAR = 2022


@pytest.fixture(scope="session")
def year() -> int:
    return YEAR


@pytest.fixture(scope="session")
def inputs():
    from cocamonitor.report import ReportInputs

    return ReportInputs.from_datasets(maps=True)


@pytest.fixture(scope="session")
def report_data(inputs):
    from cocamonitor.report import build_report_data
    from cocamonitor.report.sections import extra_sections

    return build_report_data(YEAR, inputs, extras=extra_sections(YEAR, inputs))


@contextlib.contextmanager
def _locked(path: Path):
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no sharing, each worker writes its own
        yield
        return
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory, request) -> Path:
    root = tmp_path_factory.getbasetemp()
    if hasattr(request.config, "workerinput"):  # a pytest-xdist worker: share with the others
        root = root.parent
    path = root / "cocamonitor-report-cache"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(scope="session")
def report_files(inputs, report_data, shared_dir):
    """``report_files(lang)`` -> ReportFiles of the YEAR report, written once per session."""
    from cocamonitor.report import make_report
    from cocamonitor.report.render import ReportFiles

    cache: dict = {}

    def get(lang: str):
        if lang in cache:
            return cache[lang]
        out = shared_dir / f"report-{YEAR}-{lang}"
        done = shared_dir / f"report-{YEAR}-{lang}.json"
        with _locked(shared_dir / f"{lang}.lock"):
            if done.exists():
                d = json.loads(done.read_text())
                files = ReportFiles(
                    Path(d["out_dir"]), Path(d["html"]), tuple(map(Path, d["csv"])),
                    tuple(map(Path, d["png"])), d["summary"], d["lang"],
                )
            else:
                files = make_report(YEAR, lang, out, inputs=inputs, data=report_data)
                done.write_text(json.dumps(files.to_dict()))
        cache[lang] = files
        return files

    return get


@pytest.fixture(scope="session")
def reports(report_files) -> dict:
    """``{"en": ReportFiles, "es": ReportFiles}``."""
    return {lang: report_files(lang) for lang in ("en", "es")}
