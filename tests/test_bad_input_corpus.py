"""The bad-input corpus (issue 17): every command, fed what a new user or an attacker would type.

Each case runs in-process through :func:`cocamonitor.cli.main` with ``--store`` and asserts:
exit 2 with exactly one ``error:`` line on stderr (what, where, how to fix; no traceback), or
exit 0 where the input is in fact valid; nothing recorded in the store and nothing left in the
case's output folder when the command failed. A handful of cases that need a real process
(closed or full stdout, a broken pipe, a locked store) run as subprocesses at the end.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from cocamonitor.messages import collect_untranslated

ROOT = Path(__file__).resolve().parents[1]
EX = ROOT / "src" / "cocamonitor" / "data" / "examples"
SAMPLE = str(EX / "olofsson2013_sample.csv")
AREAS = str(EX / "olofsson2013_areas.csv")
MAP = str(EX / "coca_map.tif")
REF = str(EX / "coca_reference.tif")

GOOD_SERIES = "year,value\n2010,10.6\n2011,10.4\n2012,11.8\n2013,11.0\n2014,11.7\n2015,12.0\n"

#: bad text files: name -> bytes
TEXT_FILES: dict[str, bytes] = {
    "empty.csv": b"",
    "blank_lines.csv": b"\n\n\n",
    "header_only.csv": b"stratum,reference_class\n",
    "dup.csv": b"stratum,reference_class,stratum\n1,1,1\n",
    "utf16.csv": "stratum,reference_class\n1,1\n".encode("utf-16"),
    "utf16le.csv": "stratum,reference_class\n1,1\n".encode("utf-16-le"),
    "latin1.csv": "stratum,reference_class,año\n1,1,ñandú\n".encode("latin-1"),
    "gzip.csv": gzip.compress(b"stratum,reference_class\n1,1\n"),
    "xlsx.csv": b"PK\x03\x04" + bytes(200),
    "binary.csv": bytes(range(256)) * 4,
    "ragged.csv": b"stratum,reference_class\n1,1,7,8\n2,1\n",
    "quote.csv": b'stratum,reference_class\n"1,1\n2,1\n',
    "nul.csv": b"stratum,reference_class\n1,\x001\n",
    "huge_field.csv": b"year,value\n2010," + b"9" * 2_000_000 + b"\n2011,2\n2012,3\n",
    "huge_text.csv": b"year,value\n2010,x" + b"y" * 2_000_000 + b"\n2011,2\n2012,3\n",
    # series
    "s_bigyear.csv": b"year,value\n2010,10\n99999999999,12\n2012,13\n",
    "s_fracyear.csv": b"year,value\n2010.5,10\n2011,12\n2012,13\n2013,14\n",
    "s_negyear.csv": b"year,value\n-5,10\n2011,12\n2012,13\n2013,14\n",
    "s_dupyear.csv": b"year,value\n2010,10\n2010,12\n2012,13\n2013,14\n",
    "s_nan.csv": b"year,value\n2010,10\n2011,\n2012,13\n2013,14\n",
    "s_text.csv": b"year,value\n2010,10\n2011,ten\n2012,13\n2013,14\n",
    "s_short.csv": b"year,value\n2010,10\n2011,12\n",
    "s_inf.csv": b"year,value\n2010,10\n2011,inf\n2012,13\n2013,14\n",
    "s_negse.csv": b"year,value,se\n2010,10,1\n2011,12,-1\n2012,13,1\n2013,14,1\n",
    "s_gap.csv": b"year,value\n2010,10\n2011,12\n2015,13\n2016,14\n",
    "s_novalue.csv": b"year,amount\n2010,10\n2011,12\n2012,13\n",
    "s_mixed.csv": b"year,value\n2010,\"1.088,5\"\n2011,1088.5\n2012,13\n",
    "s_ambiguous.csv": b"year,value\n2010,1.088\n2011,2.345\n2012,3.456\n",
    "s_bom.csv": b"\xef\xbb\xbf" + GOOD_SERIES.encode(),
    "s_semicolon.csv": GOOD_SERIES.replace(",", ";").encode(),
    "s_crlf.csv": GOOD_SERIES.replace("\n", "\r\n").encode(),
    "s_props.csv": b"year,value\n2010,0.007\n2011,0.295\n2012,0.698\n2013,0.5\n",
    "s_good.csv": GOOD_SERIES.encode(),
    # areas for production
    "a_noarea.csv": b"region,hectares\nNorte,100\n",
    "a_neg.csv": b"region,area_ha\nNorte,-100\n",
    "a_blank.csv": b"region,area_ha\n,100\n",
    "a_dupregion.csv": b"region,area_ha\nNorte,100\nNorte,200\n",
    "a_text.csv": b"region,area_ha\nNorte,lots\n",
    # strata areas for area estimate
    "sa_neg.csv": b"stratum,area\n1,-22353\n2,1122543\n3,18105\n4,610\n",
    "sa_missing.csv": b"stratum,area\n1,22353\n",
    "sa_text.csv": b"stratum,area\n1,many\n2,1122543\n3,18105\n4,610\n",
    "sa_nocol.csv": b"stratum,size\n1,22353\n",
    # samples
    "sm_nocol.csv": b"stratum,label\n1,1\n",
    "sm_blank.csv": b"stratum,reference_class\n1,\n1,1\n",
    "sm_unknown.csv": b"stratum,reference_class\n99,1\n99,0\n",
    # TOML and JSON
    "bad.toml": b"[chain\nleaf = ",
    "latin1.toml": "# año\nname = 'ñ'\n".encode("latin-1"),
    "empty.toml": b"",
    "wrong.toml": b"[landscape]\nsize = 'big'\n",
    "negsize.toml": b"[landscape]\nsize = -3\n",
    "bad.json": b"{not json",
    # imagery: training points, a parquet file that is not stac-geoparquet, a JSON that is not STAC
    "points.csv": b"x,y,reference_class\n5000005,1849995,1\n5000015,1849995,0\n",
    "items.parquet": b"PAR1" + bytes(64) + b"PAR1",
    "not_stac.json": b'{"type": "Feature", "id": "x"}',
    "list.json": b"[1, 2, 3]",
    "utf16.json": '{"a": 1}'.encode("utf-16"),
    "empty.json": b"",
    "targets_bad.csv": b"year,indicator,target\n2024,no_such_indicator,5\n",
    "targets_text.csv": b"year,indicator,target\n2024,labs_per_1000_ha_coca,many\n",
    "zones.csv": b"id,name\n1,a\n",
    "not_a_tif.tif": b"this is not a GeoTIFF\n",
}


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    for name, data in TEXT_FILES.items():
        (root / name).write_bytes(data)
    (root / "folder.csv").mkdir()
    import rasterio
    from rasterio.transform import from_origin

    profile = dict(driver="GTiff", width=8, height=8, count=1, crs="EPSG:9377",
                   transform=from_origin(4_800_000, 2_000_000, 10, 10))
    with rasterio.open(root / "nodata.tif", "w", dtype="uint8", nodata=255, **profile) as dst:
        dst.write(np.full((1, 8, 8), 255, np.uint8))
    with rasterio.open(root / "float.tif", "w", dtype="float32", **profile) as dst:
        dst.write(np.full((1, 8, 8), 0.5, np.float32))
    with rasterio.open(root / "nocrs.tif", "w", driver="GTiff", width=8, height=8, count=1,
                       dtype="uint8", transform=from_origin(0, 80, 10, 10)) as dst:
        dst.write(np.ones((1, 8, 8), np.uint8))
    return root


F = "{f}/"  # the folder of the bad files
OUT = "{o}/"  # the case's own (empty) output folder

# (id, args, expected exit code)
CASES: list[tuple[str, tuple[str, ...], int]] = []


def case(cid: str, *args: str, code: int = 2) -> None:
    CASES.append((cid, args, code))


# --- every reader of a CSV, fed every kind of bad file -----------------------------------------
BAD_CSVS = ["empty.csv", "blank_lines.csv", "dup.csv", "utf16.csv", "utf16le.csv", "latin1.csv", "gzip.csv",
            "xlsx.csv", "binary.csv", "ragged.csv", "quote.csv", "nul.csv", "folder.csv", "missing.csv"]
READERS = {
    "area-sample": ("area", "estimate", "--strata-areas", AREAS, "--sample"),
    "area-strata": ("area", "estimate", "--sample", SAMPLE, "--strata-areas"),
    "prod-areas": ("production", "estimate", "--draws", "200", "--sensitivity-draws", "0", "--areas"),
    "trend-file": ("trend", "test", "--file"),
    "ind-targets": ("indicators", "show", "--targets"),
    "label-sample": ("area", "label", "--reference", REF, "--out", OUT + "l.csv", "--sample"),
}
for rid, prefix in READERS.items():
    for bad in BAD_CSVS:
        case(f"{rid}-{bad}", *prefix, F + bad)

# --- series files ------------------------------------------------------------------------------
for name in ["s_bigyear", "s_fracyear", "s_negyear", "s_dupyear", "s_nan", "s_text", "s_short", "s_inf",
             "s_negse", "s_gap", "s_novalue", "s_mixed", "s_ambiguous", "huge_field", "huge_text"]:
    case(f"trend-test-{name}", "trend", "test", "--file", F + name + ".csv")
for name in ["s_bom", "s_semicolon", "s_crlf", "s_props", "s_good"]:
    case(f"trend-test-{name}", "trend", "test", "--file", F + name + ".csv", "--format", "json", code=0)
case("trend-test-plot-proc", "trend", "test", "--file", F + "s_good.csv", "--plot", "/proc/t.png")
case("trend-test-plot-ext", "trend", "test", "--file", F + "s_good.csv", "--plot", OUT + "t.docx")
case("trend-test-plot-folder", "trend", "test", "--file", F + "s_good.csv", "--plot", F + "folder.csv")
case("trend-test-alpha", "trend", "test", "--file", F + "s_good.csv", "--alpha", "1.5")
case("trend-test-alpha0", "trend", "test", "--file", F + "s_good.csv", "--alpha", "0")
case("trend-test-conf", "trend", "test", "--file", F + "s_good.csv", "--confidence", "1")
case("trend-test-years", "trend", "test", "--years", "2030-2040")
case("trend-test-years-text", "trend", "test", "--years", "last decade")
case("trend-test-years-reversed", "trend", "test", "--years", "2020-2010")
case("trend-test-source", "trend", "test", "--source", "cia")
case("trend-test-metric", "trend", "test", "--metric", "price")
case("trend-test-dataset", "trend", "test", "--dataset", "coca-nacional")
case("trend-test-muni", "trend", "test", "--municipality", "Atlantis")
case("trend-test-file-and-source", "trend", "test", "--file", F + "s_good.csv", "--municipality", "Tibú")

# --- trend change / compare / panel -----------------------------------------------------------
case("change-overflow", "trend", "change", "--a", "1e308,1e308", "--b", "1e308,1e308")
case("change-same-year", "trend", "change", "--from", "2020", "--to", "2020")
case("change-no-year", "trend", "change", "--from", "1990", "--to", "2020")
case("change-only-a", "trend", "change", "--a", "100,5")
case("change-text", "trend", "change", "--a", "lots", "--b", "100,5")
case("change-three", "trend", "change", "--a", "1,2,3", "--b", "100,5")
case("change-nan", "trend", "change", "--a", "nan,1", "--b", "100,5")
case("change-inf", "trend", "change", "--a", "inf,1", "--b", "100,5")
case("change-negse", "trend", "change", "--a", "100,-1", "--b", "100,5")
case("change-corr", "trend", "change", "--a", "100,1", "--b", "100,5", "--correlation", "2")
case("change-both", "trend", "change", "--a", "100,1", "--b", "100,5", "--from", "2020", "--to", "2021")
case("change-badjson", "trend", "change", "--a", F + "bad.json", "--b", "100,5")
case("change-listjson", "trend", "change", "--a", F + "list.json", "--b", "100,5")
case("change-utf16json", "trend", "change", "--a", F + "utf16.json", "--b", "100,5")
case("change-emptyjson", "trend", "change", "--a", F + "empty.json", "--b", "100,5")
case("change-missingjson", "trend", "change", "--a", F + "nope.json", "--b", "100,5")
case("change-relerr", "trend", "change", "--from", "2020", "--to", "2021", "--rel-error", "x,y")
case("change-relerr-se", "trend", "change", "--a", "100,1", "--b", "100,5", "--rel-error", "0.1")
case("change-ok", "trend", "change", "--a", "100,10", "--b", "150,12", "--format", "json", code=0)
case("compare-sources", "trend", "compare", "--sources", "unodc,cia")
case("compare-years", "trend", "compare", "--years", "1800-1810")
case("compare-relerr", "trend", "compare", "--rel-error", "-0.1")
case("panel-fdr", "trend", "panel", "--fdr", "2")
case("panel-level", "trend", "panel", "--level", "galaxy")
case("panel-department", "trend", "panel", "--department", "Narnia")
case("panel-years", "trend", "panel", "--years", "2030-2031")

# --- releases of the national figures (--as-of, --vintage) and production scenarios -----------
for cid, cmd in {"data-show": ("data", "show", "coca-national"), "trend-test": ("trend", "test"),
                 "trend-compare": ("trend", "compare"), "trend-change": ("trend", "change", "--from", "2019",
                                                                          "--to", "2020"),
                 "prod-explain": ("production", "explain")}.items():
    case(f"{cid}-asof-text", *cmd, "--as-of", "30/06/2021")
    case(f"{cid}-asof-impossible", *cmd, "--as-of", "2021-02-30")
    case(f"{cid}-asof-early", *cmd, "--as-of", "1990-01-01")
    case(f"{cid}-vintage", *cmd, "--vintage", "newest")
    case(f"{cid}-vintage-no-date", *cmd, "--vintage", "as-of")
case("data-show-asof-other", "data", "show", "labs", "--as-of", "2021-06-30")
case("data-show-all-vintages-other", "data", "show", "labs", "--all-vintages")
case("data-show-asof-ok", "data", "show", "coca-national", "--as-of", "2021-06-30", "--format", "json", code=0)
case("trend-test-asof-municipal", "trend", "test", "--dataset", "coca-municipal", "--as-of", "2021-06-30")
case("report-asof", "report", "--year", "2024", "--out", OUT + "r", "--as-of", "yesterday")
PROD_YEAR = ("production", "estimate", "--draws", "200", "--sensitivity-draws", "0")
case("prod-scenario", *PROD_YEAR, "--year", "2024", "--scenario", "optimistic")
case("prod-scenario-no-year", *PROD_YEAR, "--scenario", "implied")
case("prod-year-preset", *PROD_YEAR, "--year", "2024", "--preset", "unodc-2019")
case("prod-year-independent", *PROD_YEAR, "--year", "2024", "--independent")
case("prod-year-outside", *PROD_YEAR, "--year", "1990")
case("prod-year-asof", *PROD_YEAR, "--year", "2024", "--as-of", "2024-13-01")
case("prod-year-plot-no-sens", *PROD_YEAR, "--year", "2024", "--plot", OUT + "s.png")
case("prod-year-ok", *PROD_YEAR, "--year", "2024", "--format", "json", code=0)

# --- area -------------------------------------------------------------------------------------
case("area-both", "area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS, "--map", MAP)
case("area-neither", "area", "estimate", "--sample", SAMPLE)
case("area-crs-ignored", "area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS,
     "--equal-area-crs", "EPSG:99999")
case("area-crs-bad", "area", "estimate", "--sample", SAMPLE, "--map", MAP, "--equal-area-crs", "EPSG:99999")
case("area-conf", "area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS, "--confidence", "95")
case("area-by", "area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS, "--by", "nothing")
case("area-method", "area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS, "--method", "magic")
case("area-collapse", "area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS, "--collapse-strata", "1")
case("area-collapse-unknown", "area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS,
     "--collapse-variance", "9=8")
case("area-plot-proc", "area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS, "--plot", "/proc/p.png")
case("area-plot-ext", "area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS, "--plot", OUT + "p.gif")
case("area-sa-neg", "area", "estimate", "--sample", SAMPLE, "--strata-areas", F + "sa_neg.csv")
case("area-sa-missing", "area", "estimate", "--sample", SAMPLE, "--strata-areas", F + "sa_missing.csv")
case("area-sa-text", "area", "estimate", "--sample", SAMPLE, "--strata-areas", F + "sa_text.csv")
case("area-sa-nocol", "area", "estimate", "--sample", SAMPLE, "--strata-areas", F + "sa_nocol.csv")
case("area-sm-nocol", "area", "estimate", "--sample", F + "sm_nocol.csv", "--strata-areas", AREAS)
case("area-sm-blank", "area", "estimate", "--sample", F + "sm_blank.csv", "--strata-areas", AREAS)
case("area-sm-unknown", "area", "estimate", "--sample", F + "sm_unknown.csv", "--strata-areas", AREAS)
case("area-map-text", "area", "estimate", "--sample", SAMPLE, "--map", F + "not_a_tif.tif")
case("area-map-csv", "area", "estimate", "--sample", SAMPLE, "--map", AREAS)
case("area-map-nodata", "area", "estimate", "--sample", SAMPLE, "--map", F + "nodata.tif")
case("area-ok", "area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS, "--format", "json", code=0)
case("design-nodata", "area", "design", "--map", F + "nodata.tif", "--n", "50", "--out", OUT + "s.gpkg")
case("design-float", "area", "design", "--map", F + "float.tif", "--n", "50", "--out", OUT + "s.gpkg")
case("design-nocrs", "area", "design", "--map", F + "nocrs.tif", "--n", "50", "--out", OUT + "s.gpkg")
case("design-text", "area", "design", "--map", F + "not_a_tif.tif", "--n", "50", "--out", OUT + "s.gpkg")
case("design-neg-n", "area", "design", "--map", MAP, "--n", "-5", "--out", OUT + "s.gpkg")
case("design-zero-n", "area", "design", "--map", MAP, "--n", "0", "--out", OUT + "s.gpkg")
case("design-no-n", "area", "design", "--map", MAP, "--out", OUT + "s.gpkg")
case("design-target-no-ua", "area", "design", "--map", MAP, "--target-se", "0.01", "--out", OUT + "s.gpkg")
case("design-target-neg", "area", "design", "--map", MAP, "--target-se", "-1", "--users-accuracy", "1=0.8,0=0.9",
     "--out", OUT + "s.gpkg")
case("design-ua-bad", "area", "design", "--map", MAP, "--target-se", "0.01", "--users-accuracy", "1=2",
     "--out", OUT + "s.gpkg")
case("design-ua-text", "area", "design", "--map", MAP, "--target-se", "0.01", "--users-accuracy", "garbage",
     "--out", OUT + "s.gpkg")
case("design-classes", "area", "design", "--map", MAP, "--n", "50", "--classes", "7,8", "--out", OUT + "s.gpkg")
case("design-floor", "area", "design", "--map", MAP, "--n", "50", "--floor", "-1", "--out", OUT + "s.gpkg")
case("design-seed", "area", "design", "--map", MAP, "--n", "50", "--seed", "-3", "--out", OUT + "s.gpkg")
case("design-out-proc", "area", "design", "--map", MAP, "--n", "50", "--out", "/proc/s.gpkg")
case("design-out-file-as-folder", "area", "design", "--map", MAP, "--n", "50", "--out", F + "s_good.csv/x.gpkg")
case("label-ref-text", "area", "label", "--sample", SAMPLE, "--reference", F + "not_a_tif.tif", "--out", OUT + "l.csv")
case("label-out-proc", "area", "label", "--sample", SAMPLE, "--reference", REF, "--out", "/proc/l.csv")

# --- production -------------------------------------------------------------------------------
P = ("production", "estimate", "--draws", "200", "--sensitivity-draws", "0")
case("prod-params-dir", *P, "--params", "/tmp")
case("prod-params-missing", *P, "--params", F + "nope.toml")
case("prod-params-bad", *P, "--params", F + "bad.toml")
case("prod-params-latin1", *P, "--params", F + "latin1.toml")
case("prod-params-empty", *P, "--params", F + "empty.toml")
case("prod-params-binary", *P, "--params", F + "binary.csv")
case("prod-params-and-preset", *P, "--params", F + "bad.toml", "--preset", "unodc-2020")
case("prod-preset", *P, "--preset", "unodc-1999")
case("prod-draws-huge", "production", "estimate", "--draws", "100000000000")
case("prod-sens-huge", "production", "estimate", "--sensitivity-draws", "10000000000")
case("prod-draws-one", "production", "estimate", "--draws", "1")
case("prod-draws-text", "production", "estimate", "--draws", "many")
case("prod-conf", *P, "--confidence", "1.5")
case("prod-seed", *P, "--seed", "-1")
case("prod-plot-nosens", *P, "--plot", OUT + "s.png")
case("prod-plot-ext", "production", "estimate", "--plot", OUT + "s.txt")
case("prod-areas-noarea", *P, "--areas", F + "a_noarea.csv")
case("prod-areas-neg", *P, "--areas", F + "a_neg.csv")
case("prod-areas-blank", *P, "--areas", F + "a_blank.csv")
case("prod-areas-dup", *P, "--areas", F + "a_dupregion.csv")
case("prod-areas-text", *P, "--areas", F + "a_text.csv")
case("prod-areas-json", *P, "--areas", F + "bad.json")
case("prod-areas-listjson", *P, "--areas", F + "list.json")
case("prod-area-unit", *P, "--area-unit", "acres")
case("prod-ok", *P, "--format", "json", "--seed", "1", code=0)
case("presets-unknown", "production", "presets", "unodc-1999")
case("explain-series", "production", "explain", "--series", "unodc")
case("explain-series-unknown", "production", "explain", "--series", "unodc,cia")
case("explain-years", "production", "explain", "--years", "1900-1901")
case("explain-plot", "production", "explain", "--plot", "/proc/e.png")
case("yields-series", "production", "yields", "--series", "cia")

# --- zonal and grid ---------------------------------------------------------------------------
case("zonal-no-zones", "zonal", "--raster", MAP)
case("zonal-zones-csv", "zonal", "--raster", MAP, "--zones", F + "zones.csv", "--id-field", "id")
case("zonal-zones-missing", "zonal", "--raster", MAP, "--zones", F + "nope.gpkg", "--id-field", "id")
case("zonal-raster-text", "zonal", "--raster", F + "not_a_tif.tif", "--municipalities")
case("zonal-raster-missing", "zonal", "--raster", F + "nope.tif", "--municipalities")
case("zonal-engine", "zonal", "--raster", MAP, "--municipalities", "--engine", "gpu")
case("zonal-workers", "zonal", "--raster", MAP, "--municipalities", "--workers", "0")
case("zonal-out-proc", "zonal", "--raster", MAP, "--municipalities", "--out", "/proc/z.csv")
case("zonal-grid", "zonal", "--raster", MAP, "--grid", "-5")
case("zonal-crs", "zonal", "--raster", MAP, "--municipalities", "--equal-area-crs", "EPSG:4326")
case("grid-density-none", "grid", "density")
case("grid-density-years", "grid", "density", "--raster", MAP, "--years", "2019,2020")
case("grid-density-text", "grid", "density", "--raster", F + "not_a_tif.tif", "--years", "2019")
case("grid-density-cell", "grid", "density", "--raster", MAP, "--years", "2019", "--cell", "-1")
case("grid-permanence-density", "grid", "permanence", "--density", F + "not_a_tif.tif")
case("grid-permanence-recent", "grid", "permanence", "--raster", MAP, "--years", "2019", "--recent", "0")
case("grid-hotspots-alpha", "grid", "hotspots", "--raster", MAP, "--years", "2019", "--alpha", "3")
case("grid-hotspots-perm", "grid", "hotspots", "--raster", MAP, "--years", "2019", "--permutations", "-1")
case("grid-out-proc", "grid", "density", "--raster", MAP, "--years", "2019", "--out-tif", "/proc/d.tif")

# --- simulate -----------------------------------------------------------------------------------
case("sim-size-huge", "simulate", "run", "--size", "30000", "--out", OUT + "sim")
case("sim-size-small", "simulate", "run", "--size", "3", "--out", OUT + "sim")
case("sim-years", "simulate", "run", "--years", "soon", "--out", OUT + "sim")
case("sim-config-missing", "simulate", "run", "--config", F + "nope.toml", "--out", OUT + "sim")
case("sim-config-bad", "simulate", "run", "--config", F + "bad.toml", "--out", OUT + "sim")
case("sim-config-latin1", "simulate", "run", "--config", F + "latin1.toml", "--out", OUT + "sim")
case("sim-config-wrong", "simulate", "run", "--config", F + "wrong.toml", "--out", OUT + "sim")
case("sim-config-negsize", "simulate", "run", "--config", F + "negsize.toml", "--out", OUT + "sim")
case("sim-config-dir", "simulate", "run", "--config", F + "folder.csv", "--out", OUT + "sim")
case("sim-out-file", "simulate", "run", "--out", F + "s_good.csv")
case("sim-seed", "simulate", "run", "--seed", "-1", "--out", OUT + "sim")
case("sim-compare-reps", "simulate", "compare", "--replicates", "0")
case("sim-compare-years", "simulate", "compare", "--years", "2020")
case("sim-compare-plot", "simulate", "compare", "--plot", OUT + "c.html")
case("sim-compare-size", "simulate", "compare", "--size", "30000")
case("sim-compare-classified-budget", "simulate", "compare", "--size", "200", "--years", "2020-2021",
     "--replicates", "1", "--classified", "--budget", "21")
case("sim-experiment-size", "simulate", "experiment", "--size", "30000", "--out", OUT + "x")
case("sim-experiment-reps", "simulate", "experiment", "--replicates", "0", "--out", OUT + "x")
case("sim-experiment-lang", "simulate", "experiment", "--lang", "fr", "--out", OUT + "x")
case("sim-experiment-config", "simulate", "experiment", "--config", F + "bad.toml", "--out", OUT + "x")

# --- data, territory, indicators, report, serve, demo, store ----------------------------------
case("data-show-unknown", "data", "show", "coca-nacional")
case("data-show-year", "data", "show", "coca-municipal", "--year", "3000")
case("data-show-dept", "data", "show", "coca-municipal", "--department", "Narnia")
case("data-show-limit", "data", "show", "coca-municipal", "--limit", "-1")
case("data-show-format", "data", "show", "coca-national", "--format", "xml")
case("data-show-ok", "data", "show", "coca-national", "--format", "csv", code=0)
case("data-list-ok", "data", "list", "--format", "json", code=0)
case("import-mindefensa-binary", "--data-dir", OUT + "d", "data", "import", "mindefensa", F + "binary.csv")
case("import-mindefensa-missing", "--data-dir", OUT + "d", "data", "import", "mindefensa", F + "nope.xlsx")
case("import-mindefensa-zip", "--data-dir", OUT + "d", "data", "import", "mindefensa", F + "xlsx.csv")
case("import-results-latin1", "--data-dir", OUT + "d", "data", "import", "results", F + "latin1.csv")
case("import-results-dup", "--data-dir", OUT + "d", "data", "import", "results", F + "dup.csv")
case("import-results-utf16", "--data-dir", OUT + "d", "data", "import", "results", F + "utf16.csv")
case("territory-empty", "territory", "find", "")
case("territory-none", "territory", "find", "zzzzzzzzzz")
case("territory-long", "territory", "find", "x" * 100_000)
case("territory-ok", "territory", "find", "tibu", code=0)
case("ind-years", "indicators", "show", "--years", "3000-3001")
case("ind-by", "indicators", "show", "--by", "planet")
case("ind-indicator", "indicators", "show", "--indicator", "happiness")
case("ind-min", "indicators", "show", "--min-coca-ha", "-5")
case("ind-targets-bad", "indicators", "show", "--targets", F + "targets_bad.csv")
case("ind-targets-text", "indicators", "show", "--targets", F + "targets_text.csv")
case("ind-list-ok", "indicators", "list", "--format", "json", code=0)
case("report-year", "report", "--year", "1900", "--out", OUT + "r")
case("report-lang", "report", "--lang", "fr", "--out", OUT + "r")
case("report-out-proc", "report", "--out", "/proc/r")
case("report-out-file", "report", "--out", F + "s_good.csv")
case("report-targets", "report", "--targets", F + "targets_bad.csv", "--out", OUT + "r")
case("report-maps", "report", "--maps", "--map-raster", F + "not_a_tif.tif", "--out", OUT + "r")
case("serve-lang", "serve", "--lang", "fr")
case("serve-port", "serve", "--port", "0")
case("serve-port-big", "serve", "--port", "70000")
case("demo-lang", "demo", "--lang", "fr", "--out", OUT + "d")
case("demo-year", "demo", "--year", "1900", "--out", OUT + "d")
case("store-show", "store", "show", "1")
case("store-runs", "store", "runs")
case("store-query", "store", "query", "SELECT 1")
case("store-show-text", "store", "show", "first")

# --- commands merged late (evaluate, imagery, territories, grid import): a usage error each ------
case("import-simci-grid-binary", "--data-dir", OUT + "d", "data", "import", "simci-grid", F + "binary.csv")
case("usage-territories-add", "territories", "add", "--no-such-option")
case("usage-territories-list", "territories", "list", "--no-such-option")
case("usage-territories-coca", "territories", "coca", "--no-such-option")
case("usage-forest", "forest", "--no-such-option")
case("usage-evaluate-did", "evaluate", "did", "--no-such-option")
case("usage-evaluate-bacon", "evaluate", "bacon", "--no-such-option")
case("usage-evaluate-synth", "evaluate", "synth", "--no-such-option")
case("usage-map-synthetic", "map", "synthetic", "--no-such-option")
case("usage-map-train", "map", "train", "--no-such-option")
case("usage-map-predict", "map", "predict", "--no-such-option")
case("usage-map-strata", "map", "strata", "--no-such-option")
MAP_TRAIN = ("map", "train", "--training", F + "points.csv", "--reference-date", "2021-12-31", "--out", OUT + "m")
case("map-train-parquet", *MAP_TRAIN, "--catalog", F + "items.parquet")
case("map-train-not-stac", *MAP_TRAIN, "--catalog", F + "not_stac.json")
case("map-train-catalog-missing", *MAP_TRAIN, "--catalog", F + "nope.json")
case("map-train-cloud-max", *MAP_TRAIN, "--catalog", F + "nope.json", "--cloud-band", "CLD", "--cloud-max", "0")
case("map-train-cloud-max-text", *MAP_TRAIN, "--catalog", F + "nope.json", "--cloud-max", "a lot")
case("map-train-date", "map", "train", "--training", F + "points.csv", "--reference-date", "31/12/2021",
     "--catalog", F + "nope.json", "--out", OUT + "m")
MAP_PREDICT = ("map", "predict", "--catalog", F + "nope.json", "--model", F + "folder.csv", "--out", OUT + "p")
case("map-predict-scheduler", *MAP_PREDICT, "--scheduler", "tcp://127.0.0.1:1")
case("map-predict-engine", *MAP_PREDICT, "--engine", "spark")
case("map-predict-no-model", *MAP_PREDICT)
case("map-synthetic-haze", "map", "synthetic", "--out", OUT + "s", "--haze", "2")

# --- the command line itself --------------------------------------------------------------------
case("cli-unknown-command", "estimate")
case("cli-unknown-option", "area", "estimate", "--samples", SAMPLE)
case("cli-missing-value", "area", "estimate", "--sample")
case("cli-format", "trend", "test", "--format", "xml")
case("cli-store-dir", "--store", F + "folder.csv", "trend", "test")
case("cli-store-csv", "--store", F + "s_good.csv", "trend", "test")
case("cli-long-arg", "data", "show", "z" * 1_000_000)


def _fill(args: tuple[str, ...], files: Path, out: Path) -> list[str]:
    return [a.replace("{f}", str(files)).replace("{o}", str(out)) for a in args]


@pytest.mark.parametrize(("args", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_leaves_nothing(run_cli, files, tmp_path, args, code):
    out = tmp_path / "out"
    out.mkdir()
    store = tmp_path / "store.duckdb"
    argv = _fill(args, files, out)
    if argv[0] != "--store":
        argv = ["--store", str(store), *argv]
    # every error the CLI prints must also have its Spanish (cocamonitor --lang es)
    with collect_untranslated("es") as untranslated:
        res = run_cli(*argv)
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout, res.stderr[-3000:]
    assert res.exit_code == code, (res.exit_code, res.stderr[-2000:])
    assert not untranslated, f"not in the Spanish catalogue (data/errors_es.toml): {untranslated}"
    if code == 2:
        lines = res.stderr.splitlines()
        assert len(lines) == 1, res.stderr[-3000:]
        assert lines[0].startswith("error: ") and len(lines[0]) <= 2001, lines[0][:300]
        assert not store.exists(), "a failed command recorded its run"
        assert list(out.iterdir()) == [], f"partial output left: {list(out.iterdir())}"
    assert sorted(p.name for p in files.iterdir()) == sorted([*TEXT_FILES, "folder.csv", "nodata.tif",
                                                              "float.tif", "nocrs.tif"])


def test_the_corpus_is_large_and_covers_every_command():
    assert len(CASES) >= 150
    import typer.main
    from typer import _click as click

    from cocamonitor.cli import app

    def names(cmd, prefix=()):
        if not hasattr(cmd, "list_commands"):
            yield " ".join(prefix)
            return
        ctx = click.Context(cmd)
        for n in cmd.list_commands(ctx):
            yield from names(cmd.get_command(ctx, n), (*prefix, n))

    covered = set()
    for _, args, _ in CASES:
        words = list(args)
        while words and words[0] in ("--data-dir", "--store"):
            words = words[2:]
        words = [w for w in words[:3] if not w.startswith("-")]
        covered |= {" ".join(words[:k]) for k in (1, 2, 3)}
    missing = [c for c in names(typer.main.get_command(app)) if c not in covered]
    assert not missing, missing


# --- through a real process: stdout closed, full, cut by its reader; a locked store -----------

def _cocamonitor(*args: str, **kw) -> subprocess.CompletedProcess:
    code = "import sys; from cocamonitor.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, *args], text=True, capture_output=True,
                          timeout=300, **kw)


AREA = ("area", "estimate", "--sample", SAMPLE, "--strata-areas", AREAS, "--format", "json")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_or_closed_stdout_records_nothing(tmp_path):
    store = tmp_path / "s.duckdb"
    with open("/dev/full", "w") as full:
        code = "import sys; from cocamonitor.cli import main; sys.exit(main(sys.argv[1:]))"
        res = subprocess.run([sys.executable, "-c", code, "--store", str(store), *AREA], stdout=full,
                             stderr=subprocess.PIPE, text=True, timeout=300)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "cannot write the output" in res.stderr
    closed = subprocess.run(f'"{sys.executable}" -c "{code}" --store {store} {" ".join(AREA)} >&-',
                            shell=True, stderr=subprocess.PIPE, text=True, timeout=300)
    assert closed.returncode == 2 and closed.stderr.startswith("error: standard output is closed")
    assert not store.exists()


def test_a_broken_pipe_stops_quietly_and_records_nothing(tmp_path):
    store = tmp_path / "s.duckdb"
    code = "import sys; from cocamonitor.cli import main; sys.exit(main(sys.argv[1:]))"
    res = subprocess.run(f'"{sys.executable}" -c "{code}" --store {store} data show coca-municipal '
                         f'--format csv | head -1; echo "rc=${{PIPESTATUS[0]}}"', shell=True,
                         executable="/bin/bash", capture_output=True, text=True, timeout=300)
    assert res.stdout.splitlines()[0].startswith("divipola,")
    assert res.stdout.splitlines()[-1] == "rc=141" and res.stderr == ""


def test_a_locked_store_is_its_own_exit_code_before_any_work(tmp_path, monkeypatch):
    store = tmp_path / "s.duckdb"
    from cocamonitor.store import open_store

    open_store(store).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, duckdb
            con = duckdb.connect({str(store)!r})
            print("locked", flush=True)
            sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        env = {**os.environ, "COCAMONITOR_STORE": str(store)}
        code = ("import sys; import cocamonitor.store as s; s.LOCK_WAIT_S = 0.2; "
                "from cocamonitor.cli import main; sys.exit(main(sys.argv[1:]))")
        out = tmp_path / "o"
        res = subprocess.run([sys.executable, "-c", code, "simulate", "run", "--out", str(out)],
                             capture_output=True, text=True, timeout=300, env=env)
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    assert res.returncode == 75, res.stderr
    line = res.stderr.strip()
    assert line.count("\n") == 0 and "locked by another process" in line
    assert f"PID {holder.pid}" in line and "program " in line
    assert not out.exists()  # refused before the simulation, not after it
