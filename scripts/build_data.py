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
}

# National series: which vintage is "preferred" where the raw table keeps several for one
# (source, metric, year). The rule is "latest published vintage"; each choice says why.
PREFERRED_VINTAGE = {
    ("UNODC/SIMCI", "cocaine_production_potential", 2005): (
        680.0,
        "later vintage (UNODC 2012 survey) than the 640 t fact sheet",
    ),
    ("UNODC/SIMCI", "cocaine_production_potential", 2015): (649.0, "revised value published with the 2016 survey"),
    ("US Government (ONDCP/INCSR/CNC)", "cocaine_production_potential_pure", 2011): (
        190.0,
        "INCSR 2014 revision of the 195 t ONDCP 2012 release",
    ),
    ("US Government (ONDCP/INCSR/CNC)", "cocaine_production_potential_pure", 2016): (
        772.0,
        "ONDCP June 2018 release, later than INCSR March 2018 (710 t)",
    ),
    ("US Government (ONDCP/INCSR/CNC)", "cocaine_production_potential_pure", 2017): (
        900.0,
        "ONDCP June 2019 revision of the 921 t June 2018 release",
    ),
}
SOURCE_KEYS = {
    "UNODC/SIMCI": "unodc",
    "US Government (ONDCP/INCSR/CNC)": "us",
    "Government of Colombia (as reported)": "gov-co",
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


def build_national(raw: Path) -> pd.DataFrame:
    df = pd.read_csv(raw / RAW_FILES["national"])
    unknown = set(df["source"]) - set(SOURCE_KEYS)
    if unknown:
        raise SystemExit(f"unknown sources in national series: {unknown}")
    df.insert(1, "source_key", df["source"].map(SOURCE_KEYS))
    df["preferred"] = True
    df["vintage_note"] = ""
    dup = df.duplicated(["source", "metric", "year"], keep=False)
    for key, grp in df[dup].groupby(["source", "metric", "year"]):
        if key not in PREFERRED_VINTAGE:
            raise SystemExit(f"several vintages for {key} and no rule says which is preferred")
        value, why = PREFERRED_VINTAGE[key]
        chosen = grp.index[grp["value"] == value]
        if len(chosen) != 1:
            raise SystemExit(f"preferred value {value} not found once for {key}")
        df.loc[grp.index, "preferred"] = False
        df.loc[chosen, "preferred"] = True
        df.loc[grp.index, "vintage_note"] = why
    return df.sort_values(["source_key", "metric", "year", "preferred"]).reset_index(drop=True)


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
    reg["zona_futuro"] = pd.NA  # membership not found in any public source consulted (SOURCES.md §7)
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
    expected = {"ha": {"HECTAREA"}, "count": {"UNIDAD"}}[unit]
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
            "Área nacional de coca y producción potencial de cocaína: series de UNODC/SIMCI y del Gobierno de EE. UU.",
            "Las versiones revisadas son filas aparte; la columna 'preferred' marca la versión más reciente por fuente, métrica y año (el motivo está en 'vintage_note'). "
            "Falta el área de EE. UU. para 2002, 2005, 2006, 2009, 2022 y 2023. La metodología de producción de UNODC cambió con el tiempo. La cifra de UNODC de 2010 es preliminar, anunciada por un ministro.",
        ),
        "territories": (
            "Registro DIVIPOLA de departamentos y municipios con límites simplificados y pertenencia a los PDET",
            "Límites de 2018 (no reflejan cambios posteriores de la DIVIPOLA). Límites simplificados a 250 m en EPSG:9377 para mapas; no sirven para áreas precisas (area_km2 es el atributo AREA del DANE). "
            "Nombres llevados a mayúsculas iniciales desde los nombres en mayúsculas del DANE. population_2018 es el conteo del CNPV 2018 antes del ajuste por omisión. zona_futuro está vacía: no se encontró en fuentes públicas qué municipios forman las Zonas Futuro.",
        ),
        "pdet": (
            "Los 170 municipios PDET (Decreto 893 de 2017) y sus 16 subregiones",
            "Transcripción secundaria; nombres de subregión como en la fuente (p. ej. 'Sierra Nevada-Perijá'). No se cotejó con el texto del decreto.",
        ),
        "zonas-futuro": (
            "Las cinco Zonas Futuro (ZEII, Decreto 2278 de 2019)",
            "Solo los nombres de las zonas (y los parques de Chiribiquete). FALTA LA LISTA DE MUNICIPIOS: con los datos incluidos no se puede agregar por Zonas Futuro.",
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
            "title": "National coca area and potential cocaine production: UNODC/SIMCI and US government series",
            "publisher": "UNODC/SIMCI; US Government (ONDCP/INCSR/CNC); Government of Colombia (as reported)",
            "original_source": "each row cites its page (column 'citation'); mostly news reports about the UNODC and ONDCP releases",
            "obtained_from": "compiled by hand from public web pages (shared/data/raw/national/coca_national_series.csv)",
            "retrieved": "2026",
            "licence": "facts from public releases",
            "caveats": (
                "Revised vintages are separate rows; column 'preferred' marks the latest vintage per source, metric and year (reason in 'vintage_note'). "
                "US area missing for 2002, 2005, 2006, 2009, 2022, 2023. UNODC production methodology changed over time. The 2010 UNODC value is a preliminary ministerial figure."
            ),
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
                "Names title-cased from DANE's upper-case names. population_2018 is the CNPV 2018 count before omission adjustment. zona_futuro is empty: municipality membership of the Zonas Futuro was not found in public sources."
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
            "caveats": "Only zone names (and parks for Chiribiquete). MUNICIPALITY MEMBERSHIP IS MISSING: aggregation to Zonas Futuro is not possible with bundled data.",
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
    for row in rows:
        row["title_es"], row["caveats_es"] = spanish[row["dataset"]]
    prov = pd.DataFrame(rows)
    prov["raw_sha256"] = [
        sha256(raw / RAW_FILES["coca"]),
        sha256(raw / RAW_FILES["national"]),
        sha256(raw / RAW_FILES["topo"]),
        sha256(raw / RAW_FILES["pdet"]),
        sha256(raw / RAW_FILES["zf"]),
        sha256(raw / RAW_FILES["spraying"]),
        sha256(raw / RAW_FILES["labs"]),
    ]
    return prov


def build(raw: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    coca, conventions = build_coca_municipal(raw)
    coca.to_csv(out / "coca_municipal.csv", index=False, float_format="%.2f", lineterminator="\n")
    build_national(raw).to_csv(out / "coca_national.csv", index=False, lineterminator="\n")
    reg, mun_b, dep_b = build_territories(raw)
    reg.to_csv(out / "territories.csv", index=False, lineterminator="\n")
    mun_b.to_parquet(out / "municipalities.parquet", index=False, compression="zstd")
    dep_b.to_parquet(out / "departments.parquet", index=False, compression="zstd")
    pd.read_csv(raw / RAW_FILES["zf"]).to_csv(out / "zonas_futuro.csv", index=False, lineterminator="\n")
    notes = {}
    for key, unit in (("spraying", "ha"), ("labs", "count")):
        table, notes[key] = _aggregate_events(raw, key, unit)
        table.to_csv(out / f"{key}.csv", index=False, lineterminator="\n")
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
