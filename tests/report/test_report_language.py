"""The Spanish edition as a reader sees it in the browser: Spanish words, Spanish numbers.

Chromium renders each edition; the visible text (prose, tables, notes and the text plotly drew
in the charts) is collected, leaving out what is not the report's own prose: quotations from
English sources (``<q lang="en">``), citations (``<cite>``), code and file names
(``<code>``, ``translate="no"``) and proper names marked ``lang="en"``. The English edition
is the control: the same check finds its English.
"""

import re

import pytest

from cocamonitor.report.browser import find_chromium, render_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(find_chromium() is None, reason="chromium not installed "
                       "(make test installs it via scripts/ensure_browser.sh)"),
]

#: visible text nodes outside quotations, citations, code and foreign proper names
VISIBLE_TEXT = """(() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walk.nextNode())) {
    const el = node.parentElement;
    if (!el || el.closest('script, style, cite, q, code, [translate="no"]')) continue;
    const tagged = el.closest('[lang]');
    if (tagged && tagged.getAttribute('lang') !== document.documentElement.lang) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  return out;
})()"""

#: English words that are not Spanish words (nor parts of Spanish words once split on \\W)
ENGLISH = set("""
the of and with by from as reported survey surveys published data compiled hand public web
pages government open record seizures seized ministry defence defense events is are was were
not this that which for on at to be it its or only see note notes includes located lower upper
bound change year years hectares tonnes labs spraying sprayed destroyed estimate source sources
municipality municipalities department departments trend increasing decreasing production
cocaine map download release releases revised between than more less there their about
""".split())


def _english_words(lines):
    hits = {}
    for line in lines:
        words = {w for w in re.findall(r"\w+", line) if w.lower() in ENGLISH}
        if words:
            hits[line[:160]] = sorted(words)
    return hits


@pytest.fixture(scope="module")
def visible(report_files, tmp_path_factory):
    out = {}
    for lang in ("es", "en"):
        shot = tmp_path_factory.mktemp("lang") / f"{lang}.png"
        run = render_page(report_files(lang).html, shot, steps=[("text", VISIBLE_TEXT)],
                          width=1280, height=900, timeout=90, full_page=False)
        assert run.ready, run.console
        out[lang] = run.values["text"]
    return out


def test_spanish_edition_has_no_english_outside_citations(visible):
    assert len(visible["es"]) > 300  # the whole report was read, charts included
    assert _english_words(visible["es"]) == {}


def test_the_check_finds_english_in_the_english_edition(visible):
    """Control: the same word list finds plenty in the English edition."""
    assert len(_english_words(visible["en"])) > 50


def test_spanish_edition_groups_thousands_with_a_point(visible):
    text = "\n".join(visible["es"])
    # no bare count of five or more digits, and no "33770 eventos" style count
    assert re.findall(r"(?<![\w.,/-])\d{5,}(?![\w/-]|[.,]\d)", text) == []
    assert re.findall(r"\b\d{4} (?:eventos|filas|ha)\b", text) == []
    assert re.search(r"\b\d{1,3}\.\d{3} ha\b", text)  # "230.028 ha"
