"""``report --pdf``: the report printed by headless Chromium, A4, numbered pages, fonts embedded."""

import re
import shutil
import subprocess

import pytest

from cocamonitor.report.browser import find_chromium
from cocamonitor.report.pdf import pdf_fonts_embedded, pdf_page_count, print_report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason="chromium not installed "
                       "(make test installs it via scripts/ensure_browser.sh)"),
]


@pytest.fixture(scope="module")
def pdfs(report_files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("pdf")
    return {lang: print_report(report_files(lang).html, folder / f"{lang}.pdf")
            for lang in ("es", "en")}


@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf_has_pages_a4_and_embedded_fonts(pdfs, lang):
    data = pdfs[lang].read_bytes()
    assert data[:5] == b"%PDF-"
    pages = pdf_page_count(data)
    assert pages > 3  # summary + one page per section at least
    boxes = {tuple(round(float(v)) for v in b.split())
             for b in re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", data)}
    assert boxes == {(0, 0, 595, 842)}  # A4 in points
    fonts, embedded = pdf_fonts_embedded(data)
    assert fonts > 0 and embedded == fonts
    if shutil.which("pdffonts"):  # poppler's own reading agrees
        out = subprocess.run(["pdffonts", str(pdfs[lang])], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
        assert out and all(line.split()[-5] == "yes" for line in out), out


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf_pages_are_numbered_and_start_with_contents(pdfs, lang):
    text = subprocess.run(["pdftotext", "-layout", str(pdfs[lang]), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    n = pdf_page_count(pdfs[lang].read_bytes())
    assert f"1 / {n}" in pages[0] and f"{n} / {n}" in pages[n - 1]
    contents = "Contenido" if lang == "es" else "Contents"
    assert contents in pages[0]
    # every section starts a page (print stylesheet), numbered figures
    assert ("Figura 1." if lang == "es" else "Figure 1.") in text
    heads = [p for p in pages if re.match(r"\s*\d\. ", p.split("\n", 1)[0] or p.strip())]
    assert len(heads) >= 4
