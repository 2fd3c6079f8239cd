"""Charts: PNG through matplotlib, self-contained HTML through plotly, bad suffix refused."""

from __future__ import annotations

import pandas as pd
import pytest

from cocamonitor.errors import InputError
from cocamonitor.trends import census_sensitivity, change, compare_series, mann_kendall, theil_sen
from cocamonitor.trends.plot import plot_change, plot_comparison, plot_panel, plot_trend


def _cmp():
    a = pd.Series({2001: 1.0, 2002: 2.0, 2003: 1.5, 2004: 3.0})
    b = pd.Series({2001: 2.0, 2002: 2.5, 2003: 3.5, 2004: 3.0})
    return compare_series(a, b, names=("unodc", "us"))


def test_png_and_html(tmp_path):
    yrs, vals = [2019, 2020, 2021, 2022], [1.0, 2.0, 2.5, 4.0]
    png = plot_trend(yrs, vals, tmp_path / "t.png", theil_sen=theil_sen(vals, yrs),
                     mann_kendall=mann_kendall(vals, yrs))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = plot_comparison(_cmp(), tmp_path / "c.html").read_text()
    assert "plotly" in html and 'src="https://cdn' not in html
    assert plot_change(change((1.0, 0.1), (2.0, 0.1)), tmp_path / "d.png").stat().st_size > 0
    assert plot_change(census_sensitivity(1.0, 2.0), tmp_path / "s.html").exists()


def test_panel_chart(tmp_path):
    from cocamonitor.trends import panel_trends

    df = pd.DataFrame({"divipola": ["05001"] * 4 + ["18001"] * 4, "year": [1, 2, 3, 4] * 2,
                       "hectares": [1.0, 2.0, 3.0, 4.0, 4.0, 0.0, 0.0, 0.0]})
    assert plot_panel(panel_trends(df), tmp_path / "p.png").exists()


def test_bad_suffix(tmp_path):
    with pytest.raises(InputError, match=r"\.png, \.svg, \.pdf or \.html"):
        plot_comparison(_cmp(), tmp_path / "c.jpg")


@pytest.mark.parametrize("suffix, magic", [(".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_svg_and_pdf_as_for_every_other_figure(tmp_path, suffix, magic):
    """The same formats as the area, production and simulation figures (was .png/.html only)."""
    out = plot_comparison(_cmp(), tmp_path / f"c{suffix}")
    assert out.read_bytes().startswith(magic)


def test_a_missing_folder_is_created_a_blocked_one_refused(tmp_path):
    assert plot_comparison(_cmp(), tmp_path / "new" / "c.png").exists()
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="cannot write"):
        plot_comparison(_cmp(), tmp_path / "file" / "c.png")
