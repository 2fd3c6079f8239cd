"""Build the bundled datasets in src/cocamonitor/data/ from the raw files in ../shared/data/raw/.

Re-runnable and deterministic: running it twice gives byte-identical outputs. Usage, from the
project root::

    .venv/bin/python scripts/build_data.py [--raw ../shared/data/raw] [--check]

``--check`` rebuilds into a temporary folder and fails if anything differs from what is committed.
Every output is listed with its publisher, source and caveats in ``provenance.csv``.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import re
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from cocamonitor.io.tables import parse_decimal_column  # noqa: E402
from cocamonitor.territory import spanish_title  # noqa: E402

OUT = ROOT / "src" / "cocamonitor" / "data"

RAW_FILES = {
    "coca": "coca_municipal/odc_simci_coca_ha_municipal_2001_2024_acs4-3wgp.csv",
    "national": "national/coca_national_series.csv",
    "topo": "boundaries/colombia_mgn2018_mpios_dptos_topo.json",
    "pdet": "territorial/pdet_170_municipios.csv",
    "zf": "territorial/zonas_futuro_zones.csv",
    "spraying": "counternarcotics/mindefensa_aspersion_2003_2015.csv",
    "labs": "counternarcotics/mindefensa_destruccion_infraestructuras_2010_2024.csv",
    "heroin": "counternarcotics/mindefensa_incautacion_heroina_2010_2024.csv",
    "odc": "national/odc_national_series_1999_2018.csv",
    "population": "population/dane_population_municipal_2012_2024.csv",
    "zf_catatumbo": "territorial/zonas_futuro_municipios_catatumbo.csv",
}

# Methodology breaks in the national series, recorded as data with the release that made them.
# kind "coverage": the survey itself changed (area surveyed), so years either side never compare;
# kind "revision": a release applied a new method from `year` on, so a series that takes the years
# either side from releases on different sides of it is broken there. Each row names the raw row
# (source, metric, year, released) whose publication documents the change.
METHOD_BREAKS = [
    ("US Government (ONDCP/INCSR/CNC)", "coca_area", 2005, "coverage", "2006-04-14",
     "survey area 81 % larger than in 2004", "área de muestreo 81 % mayor que en 2004"),
    ("US Government (ONDCP/INCSR/CNC)", "coca_area", 2006, "coverage", "2007-06-04",
     "survey area 19 % larger than in 2005", "área de muestreo 19 % mayor que en 2005"),
    ("US Government (ONDCP/INCSR/CNC)", "cocaine_production_potential_pure", 2007, "revision", "2008-09-10",
     "new productivity data, series back-cast", "nuevos datos de productividad, serie recalculada hacia atrás"),
    ("US Government (ONDCP/INCSR/CNC)", "cocaine_production_potential_pure", 2011, "revision", "2013-07-09",
     "9 Jul 2013 release cut 2011 (195 to 190 t) and started a revised series",
     "la publicación del 9 jul 2013 redujo 2011 (de 195 a 190 t) e inició una serie revisada"),
    ("US Government (ONDCP/INCSR/CNC)", "cocaine_production_potential_pure", 2008, "revision", "2017-03-14",
     "2008-2014 series revised up (14 Mar 2017 table)", "serie 2008-2014 revisada al alza (tabla del 14 mar 2017)"),
]
SOURCE_KEYS = {
    "UNODC/SIMCI": "unodc",
    "US Government (ONDCP/INCSR/CNC)": "us",
    "Government of Colombia (as reported)": "gov-co",
    "US Government (as reported)": "us-reported",
}
PERU_CODE = "6040101"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_coca_municipal(raw: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Wide SIMCI table -> long (divipola, year, hectares); blank stays NaN ("no coca reported")."""
    path = raw / RAW_FILES["coca"]
    wide = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    years = [c for c in wide.columns if c.isdigit()]
    conventions = {}
    for y in years:
        wide[y], conventions[y] = parse_decimal_column(wide[y], column=y, source=path.name)
    wide["divipola"] = wide["CODMPIO"].str.zfill(5)
    if wide["divipola"].duplicated().any():
        raise SystemExit(f"{path.name}: duplicated CODMPIO")
    long = wide.melt(id_vars=["divipola"], value_vars=years, var_name="year", value_name="hectares")
    long["year"] = long["year"].astype(int)
    long = long.sort_values(["divipola", "year"]).reset_index(drop=True)
    return long[["divipola", "year", "hectares"]], conventions


def known_from(released: str) -> str:
    """The date from which a release is certainly known: a month or a year counts from its last day."""
    text = str(released).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return pd.Timestamp(text).strftime("%Y-%m-%d")
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return (pd.Timestamp(f"{text}-01") + pd.offsets.MonthEnd(0)).strftime("%Y-%m-%d")
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-12-31"
    raise SystemExit(f"national series: release date {text!r} is not YYYY, YYYY-MM or YYYY-MM-DD")


def build_national(raw: Path) -> pd.DataFrame:
    """Every published figure and release; ``vintage`` numbers the releases of one figure."""
    df = pd.read_csv(raw / RAW_FILES["national"], dtype={"released": str})
    unknown = set(df["source"]) - set(SOURCE_KEYS)
    if unknown:
        raise SystemExit(f"unknown sources in national series: {unknown}")
    if df["publication"].isna().any() or df["seen_via"].isna().any() or df["released"].isna().any():
        raise SystemExit("national series: every row needs released, publication and seen_via")
    df.insert(1, "source_key", df["source"].map(SOURCE_KEYS))
    df["known_from"] = df["released"].map(known_from)
    key = ["source_key", "metric", "year"]
    if df.duplicated([*key, "known_from"]).any():
        raise SystemExit("national series: two releases of one figure on the same date")
    df = df.sort_values([*key, "known_from"]).reset_index(drop=True)
    df["vintage"] = df.groupby(key).cumcount() + 1
    df["vintages"] = df.groupby(key)["vintage"].transform("max")
    df["latest"] = df["vintage"] == df["vintages"]
    cols = ["year", "source_key", "source", "metric", "value", "unit", "released", "known_from", "vintage",
            "vintages", "latest", "publication", "seen_via", "citation", "note"]
    return df[cols]


def build_breaks(raw: Path, national: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for source, metric, year, kind, released, text, text_es in METHOD_BREAKS:
        hit = national[(national["source"] == source) & (national["metric"] == metric)
                       & (national["released"] == released)]
        if hit.empty:
            raise SystemExit(f"method break {source} {metric} {year}: no release {released} in the national series")
        first = hit.iloc[0]
        rows.append({"source_key": SOURCE_KEYS[source], "metric": metric, "year": year, "kind": kind,
                     "released": released, "known_from": known_from(released), "description": text,
                     "description_es": text_es, "publication": first["publication"], "citation": first["citation"]})
    return pd.DataFrame(rows).sort_values(["source_key", "metric", "year"]).reset_index(drop=True)


def build_odc_national(raw: Path) -> pd.DataFrame:
    df = pd.read_csv(raw / RAW_FILES["odc"], dtype={"substance": str})
    expected = {"coca_area": "ha", "manual_eradication": "ha", "seizures": "kg"}
    bad = df[df["metric"].map(expected) != df["unit"]]
    if not bad.empty:
        raise SystemExit(f"ODC series: unexpected metric/unit {bad.iloc[0].to_dict()}")
    substance = {"Cocaine Hydrochloride": "cocaine_hydrochloride", "Cocaine Paste": "coca_base", "Coca Leaf": "coca_leaf"}
    unknown = set(df["substance"].dropna()) - set(substance)
    if unknown:
        raise SystemExit(f"ODC series: unknown substances {unknown}")
    df["substance"] = df["substance"].map(substance)
    if df.duplicated(["year", "metric", "substance"]).any():
        raise SystemExit("ODC series: duplicated (year, metric, substance)")
    return df.sort_values(["metric", "substance", "year"], na_position="first").reset_index(drop=True)


def build_population(raw: Path) -> pd.DataFrame:
    df = pd.read_csv(raw / RAW_FILES["population"], dtype={"dpmp": str})
    out = pd.DataFrame({
        "divipola": df["dpmp"].str.zfill(5),
        "year": df["ano"].astype(float).astype(int),
        "population": df["total"].round().astype("int64"),
        "men": df["hombres_total"].round().astype("int64"),
        "women": df["mujeres_total"].round().astype("int64"),
    })
    if out.duplicated(["divipola", "year"]).any():
        raise SystemExit("population: duplicated (municipality, year)")
    return out.sort_values(["divipola", "year"]).reset_index(drop=True)


def build_territories(raw: Path) -> tuple[pd.DataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    topo = raw / RAW_FILES["topo"]
    mun = gpd.read_file(topo, layer="MGN_ANM_MPIOS").set_crs("EPSG:4326")
    dep = gpd.read_file(topo, layer="MGN_ANM_DPTOS").set_crs("EPSG:4326")
    mun["divipola"] = mun["MPIO_CDPMP"].astype(str).str.zfill(5)
    mun["department_code"] = mun["DPTO_CCDGO"].astype(str).str.zfill(2)
    dep["department_code"] = dep["DPTO_CCDGO"].astype(str).str.zfill(2)
    dep["department"] = dep["DPTO_CNMBR"].map(spanish_title)
    if mun["divipola"].duplicated().any() or dep["department_code"].duplicated().any():
        raise SystemExit("duplicated codes in the MGN boundaries")

    pdet = pd.read_csv(raw / RAW_FILES["pdet"], dtype=str)
    pdet["divipola"] = pdet["divipola"].str.zfill(5)
    pdet = pdet.rename(columns={"pdet_subregion_src": "pdet_subregion", "codigo_pdet_src": "pdet_code"})

    reg = pd.DataFrame(
        {
            "divipola": mun["divipola"],
            "municipality": mun["MPIO_CNMBR"].map(spanish_title),
            "municipality_official": mun["MPIO_CNMBR"],
            "department_code": mun["department_code"],
        }
    )
    reg = reg.merge(dep[["department_code", "department"]], on="department_code", how="left")
    reg = reg.merge(pdet[["divipola", "pdet_subregion", "pdet_code"]], on="divipola", how="left")
    reg.insert(5, "pdet", reg["pdet_subregion"].notna())
    # Zona Futuro membership: Catatumbo's 8 municipalities (SOURCES.md §11); the other four zones'
    # membership was not found in any public source consulted, so it stays missing (unknown).
    zf = pd.read_csv(raw / RAW_FILES["zf_catatumbo"], dtype=str)
    zf["divipola"] = zf["COD_MPIO"].str.zfill(5)
    if len(zf) != 8 or not set(zf["divipola"]) <= set(reg["divipola"]):
        raise SystemExit("Catatumbo Zona Futuro: expected 8 municipalities with known codes")
    reg["zona_futuro"] = reg["divipola"].map(dict(zip(zf["divipola"], zf["zona_futuro"], strict=True)))
    reg["area_km2"] = (mun["AREA"].astype(float) / 1e6).round(3).to_numpy()
    reg["population_2018"] = mun["STP27_PERS"].astype("int64").to_numpy()
    reg["lon"] = mun["LONGITUD"].astype(float).round(6).to_numpy()
    reg["lat"] = mun["LATITUD"].astype(float).round(6).to_numpy()
    if reg["department"].isna().any() or int(reg["pdet"].sum()) != 170:
        raise SystemExit("registry join failed (department names or PDET count)")
    reg = reg.sort_values("divipola").reset_index(drop=True)

    # Simplified boundaries: simplify in a metric CRS (MAGNA-SIRGAS Origen-Nacional, EPSG:9377),
    # store in EPSG:4326. 250 m tolerance keeps shapes recognisable at national scale.
    def simplify(g: gpd.GeoDataFrame, keep: list[str]) -> gpd.GeoDataFrame:
        out = g[keep + ["geometry"]].to_crs("EPSG:9377")
        out["geometry"] = out.geometry.make_valid().simplify(250, preserve_topology=True)
        out = out.to_crs("EPSG:4326")
        out["geometry"] = out.geometry.set_precision(1e-5)
        return out.sort_values(keep[0]).reset_index(drop=True)

    mun_b = simplify(mun.assign(name=mun["MPIO_CNMBR"].map(spanish_title)), ["divipola", "name", "department_code"])
    dep_b = simplify(dep.assign(name=dep["department"]), ["department_code", "name"])
    return reg, mun_b, dep_b


def _aggregate_events(raw: Path, key: str, unit: str) -> tuple[pd.DataFrame, dict[str, int]]:
    df = pd.read_csv(raw / RAW_FILES[key], dtype=str)
    df["year"] = pd.to_datetime(df["FECHA HECHO"], format="%Y-%m-%d").dt.year
    df["quantity"] = pd.to_numeric(df["CANTIDAD"], errors="raise")
    units = set(df.iloc[:, 6].unique())
    expected = {"ha": {"HECTAREA"}, "count": {"UNIDAD"}, "kg": {"KILOGRAMO"}}[unit]
    if units != expected:
        raise SystemExit(f"{key}: unexpected units {units}")
    peru = df["COD_MUNI"].eq(PERU_CODE)
    unknown = df["COD_MUNI"].isna()
    notes = {"peru_rows": int(peru.sum()), "unlocated_rows": int(unknown.sum()), "rows": len(df)}
    df = df[~peru].copy()
    df["divipola"] = df["COD_MUNI"].str.zfill(5)
    out = (
        df.groupby(["divipola", "year"], dropna=False)
        .agg(quantity=("quantity", "sum"), events=("quantity", "size"))
        .reset_index()
    )
    out["unit"] = unit
    out["quantity"] = out["quantity"].round(4)
    out = out.sort_values(["year", "divipola"], na_position="last").reset_index(drop=True)
    return out[["divipola", "year", "quantity", "unit", "events"]], notes


def _provenance_spanish(comma_years: list[str], ev_notes: dict[str, dict[str, int]]) -> dict[str, tuple[str, str]]:
    """Spanish title and caveats of each dataset (the Spanish report shows these)."""
    return {
        "coca-municipal": (
            "Cultivos de coca detectados por municipio, hectáreas al 31 de diciembre, 2001-2024",
            "Una celda vacía significa que no se detectó coca; el censo cubre todo el país, así que las celdas vacías cuentan como 0 en las sumas, pero se conservan como faltantes (NaN) en la tabla. "
            f"Convención decimal detectada por columna: coma decimal en {', '.join(comma_years)}, punto decimal en las demás. "
            "Versión revisada hasta 2024; las sumas municipales de 2001 y 2009 pueden quedar por debajo de series nacionales posteriores. Solo se listan los 319 municipios con coca en algún año.",
        ),
        "coca-national": (
            "Área nacional de coca y producción potencial de cocaína: series de UNODC/SIMCI y del Gobierno de EE. UU., cada cifra con cada publicación",
            "Una fila por cifra y por publicación: una revisión es una fila nueva (columna vintage, 1 = primera publicación; latest marca la más reciente). "
            "released es la fecha de la publicación; known_from, desde cuándo se conocía con certeza (una fecha solo con mes o año cuenta desde el último día). "
            "publication nombra el documento primario; seen_via dice si la cifra se vio en el texto primario, en una copia fiel o solo en una nota de prensa. "
            "Mezclar publicaciones crea saltos falsos: para tendencias use una sola publicación por año (--vintage). La metodología de producción de UNODC cambió con el tiempo; la de EE. UU. cambió en 2005-2006, 2008, 2013 y 2017 (ver national-breaks). "
            "No se encontró estimación de EE. UU. para 2022-2023.",
        ),
        "national-breaks": (
            "Cambios de metodología en las series nacionales, con la publicación que los introdujo",
            "Compilado aquí a partir de las notas de las publicaciones de la serie nacional. coverage: cambió el área de muestreo (los años a ambos lados nunca son comparables); revision: una publicación aplicó un método nuevo desde ese año.",
        ),
        "odc-national": (
            "Serie nacional del Observatorio de Drogas de Colombia, 1999-2018: área de coca, erradicación manual e incautaciones (clorhidrato de cocaína, base de coca, hoja de coca)",
            "Exportada a una tabla ordenada desde el libro de Excel del ODC en un repositorio público sin licencia declarada; son estadísticas oficiales abiertas. Incautaciones en kilogramos.",
        ),
        "population": (
            "Población municipal proyectada por el DANE, 2012-2024 (serie posterior al censo de 2018)",
            "Proyecciones, no conteos. Sin desagregación urbano/rural. Convertida de un archivo .rds del paquete de R epiCo (licencia MIT).",
        ),
        "heroin-seizures": (
            "Incautaciones de heroína, kilogramos por municipio y año, 2010-2024 (MinDefensa)",
            "{heroin_rows} eventos agregados por municipio y año. Es el único archivo del formato estándar de eventos del Ministerio que se pudo obtener; los demás (erradicación, incautaciones de cocaína, base, insumos) se importan con `cocamonitor data import mindefensa`.",
        ),
        "territories": (
            "Registro DIVIPOLA de departamentos y municipios con límites simplificados y pertenencia a los PDET",
            "Límites de 2018 (no reflejan cambios posteriores de la DIVIPOLA). Límites simplificados a 250 m en EPSG:9377 para mapas; no sirven para áreas precisas (area_km2 es el atributo AREA del DANE). "
            "Nombres llevados a mayúsculas iniciales desde los nombres en mayúsculas del DANE. population_2018 es el conteo del CNPV 2018 antes del ajuste por omisión. zona_futuro: solo se conoce la pertenencia de los 8 municipios de la Zona Futuro del Catatumbo (editorial de La Opinión que cita la Ley 1941/2018 y el Decreto 2278/2019); para las otras cuatro zonas no se encontró en fuentes públicas y queda vacía (desconocida, no 'fuera de zona').",
        ),
        "pdet": (
            "Los 170 municipios PDET (Decreto 893 de 2017) y sus 16 subregiones",
            "Transcripción secundaria; nombres de subregión como en la fuente (p. ej. 'Sierra Nevada-Perijá'). No se cotejó con el texto del decreto.",
        ),
        "zonas-futuro": (
            "Las cinco Zonas Futuro (ZEII, Decreto 2278 de 2019)",
            "Nombres de las cinco zonas (y los parques de Chiribiquete). Municipios: solo se conocen los 8 del Catatumbo (columna zona_futuro de territories); la pertenencia de las otras cuatro zonas no se encontró en fuentes públicas y no se supone.",
        ),
        "spraying": (
            "Aspersión aérea de coca, hectáreas por municipio y año, 2003-2015",
            f"{ev_notes['spraying']['rows']} eventos agregados por municipio y año (columna events). La aspersión aérea terminó en 2015 (datos hasta el 30 de septiembre de 2015). Hectáreas asperjadas no son hectáreas de coca eliminadas.",
        ),
        "labs": (
            "Destrucción de infraestructura para la producción de drogas (laboratorios), número por municipio y año, 2010-2024",
            f"{ev_notes['labs']['rows']} eventos agregados por municipio y año. Sin desagregación por tipo de laboratorio (base de coca, clorhidrato, ...). "
            f"Se descartaron {ev_notes['labs']['peru_rows']} filas ubicadas en Perú; se conserva {ev_notes['labs']['unlocated_rows']} fila sin ubicación, con divipola vacío.",
        ),
    }


def build_provenance(raw: Path, conventions: dict[str, str], ev_notes: dict[str, dict[str, int]]) -> pd.DataFrame:
    comma_years = sorted(y for y, c in conventions.items() if c == "comma")
    rows = [
        {
            "dataset": "coca-municipal",
            "file": "coca_municipal.csv",
            "title": "Coca cultivation detected by municipality, hectares on 31 December, 2001-2024",
            "publisher": "Ministerio de Justicia y del Derecho, Observatorio de Drogas de Colombia (ODC), with SIMCI census data (Government of Colombia and UNODC)",
            "original_source": "https://www.datos.gov.co/d/acs4-3wgp (Detección de Cultivos de Coca (hectáreas))",
            "obtained_from": "github:catherinemelo21-sudo/BI data/Deteccion_Cultivos_Coca_hectareas_20260831.csv @ 9e7df4e6",
            "retrieved": "datos.gov.co download dated 2026-08-31",
            "licence": "datos.gov.co open data",
            "caveats": (
                "A blank cell means no coca was detected; the census covers the whole country, so blanks count as 0 in sums but are kept as missing (NaN) in the table. "
                f"Decimal convention detected per column: comma-decimal in {', '.join(comma_years)}, dot-decimal elsewhere. "
                "Vintage as revised through 2024; 2001 and 2009 municipal sums may be below later national series. Only the 319 municipalities with coca in some year are listed."
            ),
        },
        {
            "dataset": "coca-national",
            "file": "coca_national.csv",
            "title": "National coca area and potential cocaine production: UNODC/SIMCI and US government series, every figure with every release",
            "publisher": "UNODC/SIMCI; US Government (ONDCP/INCSR/CNC); Government of Colombia and US Government (as reported)",
            "original_source": "each row names its primary publication (column 'publication') and the page where the figure was seen (column 'citation')",
            "obtained_from": "compiled by hand from public web pages and archives (shared/data/raw/national/coca_national_series.csv)",
            "retrieved": "2026",
            "licence": "facts from public releases",
            "caveats": (
                "One row per figure and release: a revision is a new row (column 'vintage', 1 = first release; 'latest' marks the newest). "
                "'released' is the publication date; 'known_from' the date from which it was certainly known (a date given only by month or year counts from its last day). "
                "'publication' names the primary document; 'seen_via' says whether the figure was seen in the primary text, a verbatim copy, or only a news report. "
                "Mixing releases creates false jumps: trends take one release per year (--vintage). UNODC's production methodology changed over time; the US series changed method in 2005-2006, 2008, 2013 and 2017 (see national-breaks). "
                "No US estimate for 2022-2023 was found."
            ),
        },
        {
            "dataset": "national-breaks",
            "file": "national_breaks.csv",
            "title": "Methodology breaks in the national series, with the release that made them",
            "publisher": "as in coca-national (each row names its publication)",
            "original_source": "the notes of the national-series releases (shared/data/raw/national/coca_national_series.csv)",
            "obtained_from": "compiled here (scripts/build_data.py, METHOD_BREAKS)",
            "retrieved": "2026",
            "licence": "facts from public releases",
            "caveats": "kind 'coverage': the surveyed area changed, so years either side never compare; kind 'revision': a release applied a new method from that year on.",
        },
        {
            "dataset": "odc-national",
            "file": "odc_national.csv",
            "title": "Observatorio de Drogas de Colombia national series 1999-2018: coca area, manual eradication, seizures (cocaine hydrochloride, coca base, coca leaf)",
            "publisher": "Ministerio de Justicia y del Derecho, Observatorio de Drogas de Colombia (ODC)",
            "original_source": "https://www.minjusticia.gov.co/programas-co/ODC (national statistics)",
            "obtained_from": "github:lgoyenec/project1_lgoyenec data_xls/obs_drug_colombia.xlsx @ d022726, sheets exported to one tidy table",
            "retrieved": "2026",
            "licence": "official open statistics (the repository states no licence)",
            "caveats": "Seizures in kilograms. Coca area 2018 (169,018.19 ha) equals the SIMCI municipal sum; manual eradication 2018 59,978 ha; hydrochloride seized 2017 434,730 kg.",
        },
        {
            "dataset": "population",
            "file": "population.csv",
            "title": "DANE municipal population projections, 2012-2024 (post-2018-census series)",
            "publisher": "DANE, proyecciones de población municipal",
            "original_source": "https://www.dane.gov.co (proyecciones y retroproyecciones de población municipal)",
            "obtained_from": "github:epiverse-trace/epiCo inst/extdata/population_projection_col_2.rds @ 39a45ef (MIT), converted to CSV",
            "retrieved": "2026",
            "licence": "DANE open data; epiCo MIT",
            "caveats": "Projections, not counts. No urban/rural split. National total 48.26 M (2018), 50.41 M (2020).",
        },
        {
            "dataset": "heroin-seizures",
            "file": "heroin_seizures.csv",
            "title": "Heroin seizures, kilograms by municipality and year, 2010-2024",
            "publisher": "Ministerio de Defensa Nacional, 'Información estadística' (published 16 Jan 2025, cut-off 31 Dec 2024)",
            "original_source": "https://www.mindefensa.gov.co/defensa-y-seguridad/datos-y-cifras/informacion-estadistica (published 16 Jan 2025)",
            "obtained_from": "github:FelipeVillota/lucha-drogas data/raw-pub-16-enero-2025/INCAUTACIÓN DE HEROINA.xlsx @ a72b0df",
            "retrieved": "2026",
            "licence": "government open data",
            "caveats": "{heroin_rows} events aggregated to municipality x year. The one file of the Ministry's standard event format that could be obtained; the others (eradication, cocaine, base, precursors) are imported with `cocamonitor data import mindefensa`.",
        },
        {
            "dataset": "territories",
            "file": "territories.csv; municipalities.parquet; departments.parquet",
            "title": "DIVIPOLA registry of departments and municipalities with simplified boundaries, PDET membership",
            "publisher": "DANE, Marco Geoestadístico Nacional 2018 (MGN_ANM_MPIOS / MGN_ANM_DPTOS); TopoJSON by John Guerra",
            "original_source": "https://observablehq.com/@john-guerra/topojson-colombia",
            "obtained_from": "github:jacasta2/colombian_map existing_topojson_map/Colombia_departamentos_municipios_poblacion-topov2.json @ 813b3a0d (MIT)",
            "retrieved": "2026",
            "licence": "DANE open data with attribution; TopoJSON repository MIT",
            "caveats": (
                "2018 boundaries (later DIVIPOLA changes not reflected). Boundaries simplified at 250 m in EPSG:9377 for display; do not use them for precise areas (area_km2 is DANE's AREA attribute). "
                "Names title-cased from DANE's upper-case names. population_2018 is the CNPV 2018 count before omission adjustment. zona_futuro: membership is known only for the 8 municipalities of the Catatumbo Zona Futuro (La Opinión editorial citing Ley 1941/2018 and Decreto 2278/2019); for the other four zones it was not found in public sources and is empty (unknown, not 'outside a zone')."
            ),
        },
        {
            "dataset": "pdet",
            "file": "territories.csv (columns pdet, pdet_subregion, pdet_code)",
            "title": "The 170 PDET municipalities (Decreto 893 de 2017) and their 16 subregions",
            "publisher": "Agencia de Renovación del Territorio (ART), list as transcribed by the ODPI observatory",
            "original_source": "github:odpiobservatorio/odpiobservatorio.github.io GIS/layers/IRV-2022.js @ 23f15186",
            "obtained_from": "DIVIPOLA codes matched here by normalised names against MGN 2018 (170 of 170 matched)",
            "retrieved": "2026",
            "licence": "government open data",
            "caveats": "Secondary transcription; subregion names as in the source (e.g. 'Sierra Nevada-Perijá'). Not checked against the decree text.",
        },
        {
            "dataset": "zonas-futuro",
            "file": "zonas_futuro.csv",
            "title": "The five Zonas Futuro (ZEII, Decreto 2278 de 2019)",
            "publisher": "compiled from press reports (elnuevosiglo.com.co; momento24.co)",
            "original_source": "https://www.elnuevosiglo.com.co/nacion/zonas-futuro-gobierno-selecciono-cinco-regiones",
            "obtained_from": "compiled by hand (shared/data/raw/territorial/zonas_futuro_zones.csv)",
            "retrieved": "2026",
            "licence": "facts from public sources",
            "caveats": "Names of the five zones (and parks for Chiribiquete). Municipalities: only Catatumbo's 8 are known (column zona_futuro of territories); the other four zones' membership was not found in public sources and is never guessed.",
        },
        {
            "dataset": "spraying",
            "file": "spraying.csv",
            "title": "Aerial spraying of coca, hectares by municipality and year, 2003-2015",
            "publisher": "Ministerio de Defensa Nacional, 'Avances en la lucha contra el problema mundial de las drogas' (datos.gov.co uvrw-m4tm)",
            "original_source": "https://www.mindefensa.gov.co/defensa-y-seguridad/datos-y-cifras/informacion-estadistica (published 16 Jan 2025)",
            "obtained_from": "github:FelipeVillota/lucha-drogas data/raw-pub-16-enero-2025/ASPERSION.xlsx @ a72b0df3",
            "retrieved": "2026",
            "licence": "government open data",
            "caveats": f"{ev_notes['spraying']['rows']} events aggregated to municipality x year (column events). Aerial spraying ended in 2015 (data to 30 Sep 2015). Hectares sprayed are not hectares of coca eliminated.",
        },
        {
            "dataset": "labs",
            "file": "labs.csv",
            "title": "Destruction of drug-production infrastructure (labs), count by municipality and year, 2010-2024",
            "publisher": "Ministerio de Defensa Nacional (datos.gov.co s29y-2xjd)",
            "original_source": "https://www.mindefensa.gov.co/defensa-y-seguridad/datos-y-cifras/informacion-estadistica (published 16 Jan 2025)",
            "obtained_from": "github:FelipeVillota/lucha-drogas data/raw-pub-16-enero-2025/DESTRUCCIÓN INFRAESTRUCTURAS PARA LA PRODUCCIÓN DE DROGAS ILÍCITAS.xlsx @ a72b0df3",
            "retrieved": "2026",
            "licence": "government open data",
            "caveats": (
                f"{ev_notes['labs']['rows']} events aggregated to municipality x year. No breakdown by lab type (coca base, hydrochloride, ...). "
                f"{ev_notes['labs']['peru_rows']} rows located in Peru were dropped; {ev_notes['labs']['unlocated_rows']} row without location is kept with an empty divipola."
            ),
        },
    ]
    spanish = _provenance_spanish(comma_years, ev_notes)
    heroin_rows = str(ev_notes["heroin"]["rows"])
    for row in rows:
        row["title_es"], row["caveats_es"] = spanish[row["dataset"]]
        row["caveats"] = row["caveats"].replace("{heroin_rows}", heroin_rows)
        row["caveats_es"] = row["caveats_es"].replace("{heroin_rows}", heroin_rows)
    prov = pd.DataFrame(rows)
    raw_of = {"coca-municipal": ["coca"], "coca-national": ["national"], "national-breaks": ["national"],
              "territories": ["topo", "zf_catatumbo"], "pdet": ["pdet"], "zonas-futuro": ["zf", "zf_catatumbo"],
              "spraying": ["spraying"], "labs": ["labs"], "odc-national": ["odc"], "population": ["population"],
              "heroin-seizures": ["heroin"]}
    prov["raw_sha256"] = [" ".join(sha256(raw / RAW_FILES[k]) for k in raw_of[d]) for d in prov["dataset"]]
    return prov


def build(raw: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    coca, conventions = build_coca_municipal(raw)
    coca.to_csv(out / "coca_municipal.csv", index=False, float_format="%.2f", lineterminator="\n")
    national = build_national(raw)
    national.to_csv(out / "coca_national.csv", index=False, lineterminator="\n")
    build_breaks(raw, national).to_csv(out / "national_breaks.csv", index=False, lineterminator="\n")
    build_odc_national(raw).to_csv(out / "odc_national.csv", index=False, lineterminator="\n")
    build_population(raw).to_csv(out / "population.csv", index=False, lineterminator="\n")
    reg, mun_b, dep_b = build_territories(raw)
    reg.to_csv(out / "territories.csv", index=False, lineterminator="\n")
    mun_b.to_parquet(out / "municipalities.parquet", index=False, compression="zstd")
    dep_b.to_parquet(out / "departments.parquet", index=False, compression="zstd")
    pd.read_csv(raw / RAW_FILES["zf"]).to_csv(out / "zonas_futuro.csv", index=False, lineterminator="\n")
    notes = {}
    for key, unit in (("spraying", "ha"), ("labs", "count"), ("heroin", "kg")):
        table, notes[key] = _aggregate_events(raw, key, unit)
        name = {"heroin": "heroin_seizures"}.get(key, key)
        table.to_csv(out / f"{name}.csv", index=False, lineterminator="\n")
    build_provenance(raw, conventions, notes).to_csv(out / "provenance.csv", index=False, lineterminator="\n")
    missing = sorted(set(coca["divipola"]) - set(reg["divipola"]))
    if missing:
        raise SystemExit(f"coca municipalities missing from the registry: {missing}")
    print(f"built {len(list(out.glob('*.*')))} files in {out}", file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=ROOT.parent / "shared" / "data" / "raw")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="rebuild in a temp dir and compare with --out")
    args = ap.parse_args()
    if not args.raw.exists():
        print(f"raw data folder not found: {args.raw} (pass --raw)", file=sys.stderr)
        return 2
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(args.raw, Path(tmp))
            names = sorted(p.name for p in Path(tmp).iterdir())
            _, mismatch, errors = filecmp.cmpfiles(Path(tmp), args.out, names, shallow=False)
            if mismatch or errors:
                print(f"differs from committed data: {mismatch + errors}", file=sys.stderr)
                return 1
        print("bundled data match a fresh build", file=sys.stderr)
        return 0
    build(args.raw, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
