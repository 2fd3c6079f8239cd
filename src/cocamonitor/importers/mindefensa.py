r"""Import the Ministry of Defence's counternarcotics event files (``cocamonitor data import mindefensa``).

The Ministerio de Defensa Nacional publishes one file per result ("Información estadística"):
manual eradication, seizures of cocaine, coca base, basuco, marijuana, heroin and coca leaf,
liquid and solid precursors, destruction of drug-production facilities (and, until 2015,
aerial spraying). Every file has the same columns, one row per event::

    FECHA HECHO, COD_DEPTO, DEPARTAMENTO, COD_MUNI, MUNICIPIO, CANTIDAD, UNIDADES DE MEDIDA

This module reads such a file (.xlsx, .xls or .csv), tells which result it holds from its name
(or sheet name) and its units, checks every row, converts the quantities to one unit (kg for
masses, L for volumes, ha for areas, a count for facilities) and sums them by municipality and
year. Codes are checked against DIVIPOLA: events the Ministry located abroad (a country code
such as ``8400101`` or ``01-58``, international waters ``1111``) or did not locate
(``SIN ESTABLECER``) are kept with ``divipola`` empty and their ``location`` named, never
dropped; any other code not in DIVIPOLA stops the import.

Nothing is written unless the whole file passes; then :func:`cocamonitor.userdata.store_table`
replaces the previous import of the same result atomically (importing the same file twice
changes nothing).

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> f = d / "INCAUTACION DE HEROINA.csv"
>>> _ = f.write_text(
...     "FECHA HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CANTIDAD,UNIDADES DE MEDIDA\n"
...     "2024-01-05,05,ANTIOQUIA,05001,MEDELLIN,1.5,KILOGRAMO\n"
...     "2024-02-01,05,ANTIOQUIA,05001,MEDELLIN,500,GRAMO\n", encoding="utf-8")
>>> events = read_events(f)
>>> events.result.key, events.table[["divipola", "year", "quantity", "unit", "events"]].to_dict("records")
('heroin_seizures', [{'divipola': '05001', 'year': 2024, 'quantity': 2.0, 'unit': 'kg', 'events': 2}])

"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cocamonitor.errors import DataError, InputError, SchemaError, UnknownNameError, suggest

__all__ = [
    "COLUMNS",
    "PUBLISHER",
    "RESULTS",
    "UNITS",
    "EventTable",
    "MinDefensaResult",
    "dataset_name",
    "import_file",
    "read_events",
    "recognise",
]

PUBLISHER = "Ministerio de Defensa Nacional, Información estadística"
KIND = "mindefensa"

#: The columns of the standard event file (the unit column is spelled both ways).
COLUMNS: tuple[str, ...] = ("FECHA HECHO", "COD_DEPTO", "DEPARTAMENTO", "COD_MUNI", "MUNICIPIO", "CANTIDAD",
                            "UNIDADES DE MEDIDA")
_UNIT_COLUMNS = ("UNIDADES DE MEDIDA", "UNIDAD DE MEDIDA")

#: Unit spellings -> (unit, dimension, factor to the dimension's unit: kg, L, ha, count).
UNITS: dict[str, tuple[str, str, float]] = {
    **dict.fromkeys(("KILOGRAMO", "KILOGRAMOS", "KILO", "KILOS", "KG", "KGS"), ("kg", "mass", 1.0)),
    **dict.fromkeys(("GRAMO", "GRAMOS", "G", "GR", "GRS"), ("g", "mass", 0.001)),
    **dict.fromkeys(("TONELADA", "TONELADAS", "T", "TON", "TONS"), ("t", "mass", 1000.0)),
    **dict.fromkeys(("GALON", "GALONES", "GAL", "GLN"), ("gal", "volume", 3.785411784)),  # US gallon
    **dict.fromkeys(("LITRO", "LITROS", "L", "LT", "LTS"), ("L", "volume", 1.0)),
    **dict.fromkeys(("HECTAREA", "HECTAREAS", "HA", "HAS"), ("ha", "area", 1.0)),
    **dict.fromkeys(("UNIDAD", "UNIDADES", "UND", "UN"), ("count", "count", 1.0)),
}
_BASE_UNIT = {"mass": "kg", "volume": "L", "area": "ha", "count": "count"}


@dataclass(frozen=True)
class MinDefensaResult:
    """One kind of Ministry file.

    Attributes
    ----------
    key : str
        Indicator name (``heroin_seizures``); the imported dataset is ``mindefensa-KEY``.
    title_es, title : str
        What the Ministry calls it, and in English.
    dimension : {"mass", "volume", "area", "count"}
        What its units measure.
    words : tuple of tuple of str
        Word stems that name it in a file or sheet name (every stem of one group must appear).

    """

    key: str
    title_es: str
    title: str
    dimension: str
    words: tuple[tuple[str, ...], ...]

    @property
    def unit(self) -> str:
        """Unit of the imported quantities (kg, L, ha or count)."""
        return _BASE_UNIT[self.dimension]


RESULTS: tuple[MinDefensaResult, ...] = (
    MinDefensaResult("manual_eradication", "ERRADICACIÓN", "Manual eradication of coca", "area",
                     (("ERRADICACION",),)),
    MinDefensaResult("aerial_spraying", "ASPERSIÓN", "Aerial spraying of coca", "area", (("ASPERSION",),)),
    MinDefensaResult("cocaine_seizures", "INCAUTACIÓN DE COCAÍNA", "Cocaine seizures", "mass",
                     (("COCAINA",), ("CLORHIDRATO",))),
    MinDefensaResult("coca_base_seizures", "INCAUTACIÓN DE BASE DE COCA", "Coca base seizures", "mass",
                     (("BASE", "COCA"), ("PASTA", "COCA"))),
    MinDefensaResult("basuco_seizures", "INCAUTACIÓN DE BASUCO", "Basuco seizures", "mass",
                     (("BASUCO",), ("BAZUCO",))),
    MinDefensaResult("marijuana_seizures", "INCAUTACIÓN DE MARIHUANA", "Marijuana seizures", "mass",
                     (("MARIHUANA",), ("MARIGUANA",))),
    MinDefensaResult("heroin_seizures", "INCAUTACIÓN DE HEROÍNA", "Heroin seizures", "mass", (("HEROINA",),)),
    MinDefensaResult("coca_leaf_seizures", "INCAUTACIÓN DE HOJA DE COCA", "Coca leaf seizures", "mass",
                     (("HOJA", "COCA"),)),
    MinDefensaResult("liquid_precursors_seized", "INCAUTACIÓN DE INSUMOS LÍQUIDOS", "Liquid precursors seized",
                     "volume", (("INSUMO", "LIQUIDO"),)),
    MinDefensaResult("solid_precursors_seized", "INCAUTACIÓN DE INSUMOS SÓLIDOS", "Solid precursors seized",
                     "mass", (("INSUMO", "SOLIDO"),)),
    MinDefensaResult("labs_destroyed", "DESTRUCCIÓN DE INFRAESTRUCTURAS", "Drug-production facilities destroyed",
                     "count", (("INFRAESTRUCTURA",), ("LABORATORIO",))),
)
_BY_KEY = {r.key: r for r in RESULTS}

# codes the Ministry uses for places outside Colombia: a country code + 0101 (8400101 = United
# States), "01-" + a country's dialling code (01-58 = Venezuela), 1111 = international waters
_FOREIGN = re.compile(r"^\d{3}0101$|^01-\d{2,3}$|^1111$")
_UNLOCATED = {"", "SIN ESTABLECER", "SIN INFORMACION", "NO REPORTA", "NAN"}


@dataclass(frozen=True)
class EventTable:
    """A Ministry file read, checked and summed by municipality and year.

    Attributes
    ----------
    result : MinDefensaResult
        Which result the file holds.
    table : DataFrame
        ``divipola`` (NA outside Colombia or not located), ``location`` (NA in Colombia, else
        what the file names), ``year``, ``quantity`` (in ``unit``), ``unit``, ``events``.
    source : str
        The file read.
    meta : dict
        Facts kept with the import: result, unit, years, events, total, units found and
        converted, events abroad and without location, sheet, publisher.

    """

    result: MinDefensaResult
    table: pd.DataFrame
    source: str
    meta: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return the table (a copy)."""
        return self.table.copy()


def dataset_name(key: str) -> str:
    """Name of the imported dataset of a result in the user data folder (``mindefensa-KEY``)."""
    return f"{KIND}-{key}"


def _fold(text: object) -> str:
    """Upper case without accents, words separated by single spaces."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9A-Za-z]+", " ", plain).upper().split())


def _fold_series(values: pd.Series) -> pd.Series:
    """:func:`_fold` each distinct value once (a file has few distinct names)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    folded = np.array([_fold(u) for u in uniques] + [""], dtype=object)
    return pd.Series(folded[codes], index=values.index, dtype="string")


def _fold_column(text: object) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", str(text)) if not unicodedata.combining(c))
    return " ".join(plain.upper().split())


def recognise(name: str) -> MinDefensaResult | None:
    """Tell which result a file or sheet name names, or None.

    Each word of the name is compared by its stem (``INFRAESTRUCTURAS`` names
    ``INFRAESTRUCTURA``); when several results match, the one named by more words wins.

    Examples
    --------
    >>> recognise("mindefensa_incautacion_heroina_2010_2024.xlsx").key
    'heroin_seizures'
    >>> recognise("INCAUTACIÓN DE BASE DE COCA.xlsx").key
    'coca_base_seizures'
    >>> recognise("descarga (3).xlsx") is None
    True

    """
    words = _fold(Path(name).stem if "." in name else name).split()
    best: list[tuple[int, MinDefensaResult]] = []
    for result in RESULTS:
        hits = [len(g) for g in result.words if all(any(w.startswith(s) for w in words) for s in g)]
        if hits:
            best.append((max(hits), result))
    if not best:
        return None
    top = max(n for n, _ in best)
    winners = [r for n, r in best if n == top]
    return winners[0] if len(winners) == 1 else None


# --------------------------------------------------------------------------- reading


def _sniff(path: Path) -> str:
    """Return ``xlsx`` or ``csv``, or raise on an empty file, an HTML page or an unknown format."""
    if not path.exists():
        raise InputError(f"file not found: {path}", where=str(path), hint="check the path")
    if path.is_dir():
        raise InputError(f"{path} is a folder", where=str(path), hint="name the downloaded .xlsx or .csv file")
    with open(path, "rb") as fh:
        head = fh.read(2048)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise DataError("the file is empty", where=str(path), hint="download it again")
    lower = head.lstrip(b" \t\r\n\xef\xbb\xbf").lower()
    if lower.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<table", b"<meta")) or (
            lower.startswith(b"<") and b"<html" in head.lower()):
        raise DataError(
            "the file is an HTML web page, not a spreadsheet (some portals serve one under an .xlsx name)",
            where=str(path),
            hint="open the portal in a browser, download the file again and check it opens in a spreadsheet")
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xlsx"
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        raise DataError(f"the file is not an Excel workbook although it is named {suffix}", where=str(path),
                        hint="download it again, or save it as .xlsx or .csv")
    if b"\x00" in head:
        raise DataError("the file is neither a spreadsheet nor a text table", where=str(path),
                        hint="import the .xlsx or .csv file the Ministry publishes")
    return "csv"


def _read_xlsx(path: Path) -> tuple[pd.DataFrame, int, str]:
    """Read the first sheet with a header row; return (raw table, header row 0-based, sheet name)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as err:  # the reader's own errors (corrupt zip, encrypted workbook ...)
        raise DataError(f"cannot read the workbook ({str(err).splitlines()[0]})", where=str(path),
                        hint="open it in a spreadsheet, save it again as .xlsx and import that") from None
    for sheet in book.sheet_names:
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        if not rows:
            continue
        header = next((i for i, r in enumerate(rows[:30]) if "FECHA HECHO" in {_fold_column(c) for c in r}), 0)
        width = len(rows[header])
        names = [str(c).strip() for c in rows[header]]
        while names and names[-1] == "":
            names.pop()
        body = rows[header + 1:]
        df = pd.DataFrame(body, columns=[*names, *[f"_{i}" for i in range(len(names), width)]], dtype=object)
        extra = [c for c in df.columns if c.startswith("_")]
        if extra:  # cells right of the header: only blank ones are allowed
            filled = df[extra].replace("", None).notna().any(axis=1)
            if filled.any():
                i = int(np.flatnonzero(filled.to_numpy())[0])
                raise SchemaError("a value right of the last named column, in a column without a header",
                                  where=f"{path} row {header + 2 + i}",
                                  hint="remove it or give the column one of the standard names")
            df = df.drop(columns=extra)
        return df, header, sheet
    raise DataError("the workbook has no rows", where=str(path), hint="download it again")


def _read_csv(path: Path) -> pd.DataFrame:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ("\t" if "\t" in first else ",")
    import io

    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""])
    except pd.errors.ParserError as err:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        line = f" line {found.group(2)}" if found else ""
        raise DataError(f"cannot read the table ({str(err).splitlines()[0]})", where=f"{path}{line}",
                        hint=f"quote values that contain {sep!r}") from None


class _Where:
    """Name a cell as the user sees it: CSV line or spreadsheet row, and the column."""

    def __init__(self, path: Path, kind: str, header: int):
        self.path, self.kind, self.header = path, kind, header

    def __call__(self, i: int | None = None, column: str | None = None) -> str:
        text = str(self.path)
        if i is not None:
            text += f" {'row' if self.kind == 'xlsx' else 'line'} {self.header + 2 + int(i)}"
        if column is not None:
            text += f", column '{column}'"
        return text


def _first(mask: pd.Series | np.ndarray) -> int:
    return int(np.flatnonzero(np.asarray(mask, dtype=bool))[0])


def _columns(df: pd.DataFrame, where: _Where) -> dict[str, str]:
    """Map the standard names to the file's columns; refuse unknown and missing ones."""
    folded = {_fold_column(c): c for c in df.columns}
    unit_col = next((folded[u] for u in _UNIT_COLUMNS if u in folded), None)
    known = set(COLUMNS) | set(_UNIT_COLUMNS)
    unknown = [c for f, c in folded.items() if f not in known]
    if unknown:
        raise SchemaError(f"unknown column {unknown[0]!r}", where=where(None, unknown[0]),
                          hint="a Ministry event file has the columns " + ", ".join(COLUMNS)
                          + "; remove the others or check that this is a Ministry file")
    missing = [c for c in COLUMNS[:-1] if c not in folded] + ([] if unit_col else [COLUMNS[-1]])
    if missing:
        raise SchemaError(f"missing column {missing[0]!r}", where=str(where.path),
                          hint="columns present: " + ", ".join(map(str, df.columns)))
    out = {c: folded[c] for c in COLUMNS[:-1]}
    out["UNIDADES DE MEDIDA"] = unit_col
    return out


def _per_unique(*columns: pd.Series) -> tuple[np.ndarray, list[pd.Series]]:
    """Distinct combinations of the columns: (row -> combination, the combinations' values).

    Each returned Series is indexed by the row where its combination first occurs, so that
    checks run once per distinct value and an error still names the first offending row.
    A 150,000-event file has a few thousand distinct places and dates.
    """
    key = np.zeros(len(columns[0]), dtype=np.int64)
    for col in columns:
        codes, uniques = pd.factorize(col.astype(object), use_na_sentinel=True)
        key = key * (len(uniques) + 1) + (codes + 1)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return inverse, [pd.Series(col.to_numpy(dtype=object)[first], index=first) for col in columns]


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped strings (numbers without a trailing .0), blanks as NA."""
    s = values.astype(object)
    is_float = s.map(type).eq(float)
    if is_float.any():
        f = s[is_float].astype(float)
        whole = np.isfinite(f) & (f == np.round(f))
        s = s.copy()
        s.loc[f.index[whole]] = f[whole].astype("int64").astype(str)
    out = s.astype("string").str.strip()
    return out.mask(out.isin(["", "nan", "NaN", "None", "NA", "N/A", "#N/A"]))


def _dates(values: pd.Series, col: str, where: _Where) -> pd.Series:
    """Parse FECHA HECHO: spreadsheet dates, ISO text, day/month/year text or Excel serials."""
    inverse, (distinct,) = _per_unique(values)
    parsed = _parse_dates(distinct, col, where)
    return pd.Series(parsed.to_numpy()[inverse], index=values.index)


def _parse_dates(values: pd.Series, col: str, where: _Where) -> pd.Series:
    """:func:`_dates` on distinct values (indexed by the row where each first occurs)."""
    kind = values.map(type)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    is_text = kind.eq(str)
    is_num = kind.isin([int, float]) & ~values.isna()
    other = ~is_text & ~is_num & values.notna()
    if other.any():
        out[other] = pd.to_datetime(values[other], errors="coerce")
    if is_num.any():
        serial = values[is_num].astype(float)
        ok = serial.between(1, 2958465)
        out[is_num] = pd.to_datetime(serial.where(ok), unit="D", origin="1899-12-30", errors="coerce")
    if is_text.any():
        text = values[is_text].astype(str).str.strip()
        iso = text.str.match(r"^\d{4}-\d{1,2}-\d{1,2}")
        parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        if iso.any():
            parsed[iso] = pd.to_datetime(text[iso].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        if (~iso).any():
            parsed[~iso] = pd.to_datetime(text[~iso].str.slice(0, 10), format="%d/%m/%Y", errors="coerce")
        out[is_text] = parsed
    bad = out.isna()
    if bad.any():
        i = _first(bad)
        shown = values.iloc[i]
        what = "blank date" if pd.isna(shown) or str(shown).strip() == "" else f"date {str(shown)!r} does not parse"
        raise DataError(what, where=where(values.index[i], col), hint="write dates as YYYY-MM-DD or DD/MM/YYYY")
    year = out.dt.year
    bad = (year < 1990) | (year > pd.Timestamp.now().year + 1)
    if bad.any():
        i = _first(bad)
        raise DataError(f"date {out.iloc[i]:%Y-%m-%d} is outside the years of the Ministry's series",
                        where=where(values.index[i], col), hint="correct the date")
    return out


def _quantities(values: pd.Series, col: str, where: _Where) -> np.ndarray:
    from cocamonitor.io.tables import parse_decimal_column

    num = pd.to_numeric(values.where(values.map(type).ne(str)), errors="coerce").astype(float)
    text = values.map(type).eq(str)
    if text.any():
        try:
            parsed, _ = parse_decimal_column(values[text].reset_index(drop=True), column=col, source="")
        except DataError as err:  # re-state the place in this file's terms
            found = re.search(r"line (\d+)", str(err.where or ""))
            pos = np.flatnonzero(text.to_numpy())
            row = int(pos[int(found.group(1)) - 2]) if found else None
            raise DataError(err.message, where=where(row, col), hint=err.hint) from None
        num[text.to_numpy()] = parsed.to_numpy()
    arr = num.to_numpy(dtype=float)
    bad = ~np.isfinite(arr)
    if bad.any():
        i = _first(bad)
        raise DataError(f"quantity {values.iloc[i]!r} is not a number" if pd.notna(values.iloc[i])
                        else "blank quantity", where=where(i, col), hint="write a number, e.g. 12.5 or 12,5")
    if (arr < 0).any():
        i = _first(arr < 0)
        raise DataError(f"negative quantity {arr[i]:g}", where=where(i, col), hint="quantities are >= 0")
    return arr


def _units(values: pd.Series, col: str, where: _Where) -> tuple[np.ndarray, str, dict[str, int]]:
    """Return per-row factors to the base unit, the dimension, and the count of each spelling."""
    inverse, (distinct,) = _per_unique(values)
    text = _text(distinct)
    if text.isna().any():
        raise DataError("blank unit", where=where(text.index[_first(text.isna())], col),
                        hint="write the unit, e.g. KILOGRAMO")
    ucodes, uniques = pd.factorize(text)
    codes = ucodes[inverse]
    folded = [_fold(u) for u in uniques]
    for u, f in zip(uniques, folded, strict=True):
        if f not in UNITS:
            i = text.index[_first(text.eq(u))]
            raise DataError(f"unknown unit {u!r}", where=where(i, col),
                            hint="use KILOGRAMO, GRAMO, TONELADA, GALON, LITRO, HECTAREA or UNIDAD")
    dims = [UNITS[f][1] for f in folded]
    if len(set(dims)) > 1:
        first = uniques[0]
        j = next(k for k, d in enumerate(dims) if d != dims[0])
        i = int(np.flatnonzero(codes == j)[0])
        raise DataError(f"mixed units: {uniques[j]!r} ({dims[j]}) here but {first!r} ({dims[0]}) on earlier rows",
                        where=where(i, col),
                        hint="a Ministry file holds one result in one kind of unit; split the file by unit")
    factors = np.array([UNITS[f][2] for f in folded])[codes]
    counts = {str(u): int(n) for u, n in zip(uniques, np.bincount(codes, minlength=len(uniques)), strict=True)}
    return factors, dims[0], counts


def _locations(df: pd.DataFrame, cols: dict[str, str], where: _Where) -> tuple[pd.Series, pd.Series]:
    """Return (divipola or NA, location name or NA) per row; unknown codes raise."""
    inverse, distinct = _per_unique(*(df[cols[c]] for c in ("COD_MUNI", "DEPARTAMENTO", "MUNICIPIO", "COD_DEPTO")))
    divipola, location = _check_places(*distinct, cols=cols, where=where)
    return (pd.Series(divipola.to_numpy()[inverse], index=df.index, dtype="string"),
            pd.Series(location.to_numpy()[inverse], index=df.index, dtype="string"))


def _check_places(code_raw: pd.Series, dept_raw: pd.Series, name_raw: pd.Series, dept_code_raw: pd.Series, *,
                  cols: dict[str, str], where: _Where) -> tuple[pd.Series, pd.Series]:
    """:func:`_locations` on distinct places (indexed by the row where each first occurs)."""
    from cocamonitor.territory import registry

    reg = registry()
    rows = code_raw.index

    def at(i: int, col: str) -> str:
        return where(int(rows[i]), col)

    muni = _text(code_raw).reset_index(drop=True)
    dept_name = _text(dept_raw).fillna("").reset_index(drop=True)
    muni_name = _text(name_raw).fillna("").reset_index(drop=True)
    digits = muni.str.fullmatch(r"\d{1,5}").fillna(False).astype(bool)
    code = muni.where(~digits, muni.str.zfill(5))
    colombian = code.isin(reg["divipola"]).fillna(False).astype(bool) & digits
    folded_dept = _fold_series(dept_name)
    folded_muni = _fold_series(muni_name)
    known_deps = set(reg["department"].map(_fold))
    foreign = muni.str.fullmatch(_FOREIGN.pattern).fillna(False).astype(bool) & ~folded_dept.isin(known_deps)
    unlocated = muni.isna() & folded_muni.isin(_UNLOCATED) & folded_dept.isin(_UNLOCATED)
    bad = ~(colombian | foreign | unlocated)
    if bad.any():
        i = _first(bad)
        shown = muni.iloc[i]
        if pd.isna(shown):
            raise DataError(f"blank municipality code for {muni_name.iloc[i] or 'a blank municipality'!r}",
                            where=at(i, cols["COD_MUNI"]),
                            hint="write the 5-digit DIVIPOLA code, or SIN ESTABLECER in DEPARTAMENTO and MUNICIPIO")
        raise DataError(f"code {shown!r} ({muni_name.iloc[i]}, {dept_name.iloc[i]}) is not a DIVIPOLA municipality",
                        where=at(i, cols["COD_MUNI"]),
                        hint="correct the code (`cocamonitor territory find NAME` lists codes)")
    dept_code = _text(dept_code_raw).reset_index(drop=True)
    dept_code = dept_code.where(~dept_code.str.fullmatch(r"\d{1}").fillna(False).astype(bool), dept_code.str.zfill(2))
    mismatch = colombian & dept_code.notna() & (dept_code != code.str.slice(0, 2))
    if mismatch.any():
        i = _first(mismatch)
        raise DataError(f"department code {dept_code.iloc[i]!r} does not match municipality code {code.iloc[i]!r}",
                        where=at(i, cols["COD_DEPTO"]), hint="correct one of the two codes")
    divipola = code.where(colombian).astype("string")
    place = (dept_name.where(folded_dept.ne(folded_muni) & muni_name.ne(""), "")
             .str.cat(muni_name, sep=", ").str.strip(", "))
    location = place + " (" + muni.fillna("") + ")"
    location = location.str.replace(" ()", "", regex=False).where(~colombian).astype("string")
    return divipola, location


def read_events(path: str | Path, *, result: str | None = None) -> EventTable:
    """Read, check and sum a Ministry event file by municipality and year; write nothing.

    Parameters
    ----------
    path : str or Path
        The .xlsx, .xls or .csv file as downloaded.
    result : str, optional
        Which result it holds (a key of :data:`RESULTS`, e.g. ``cocaine_seizures``); default:
        recognised from the file name, else the sheet name, else the units.

    Returns
    -------
    EventTable

    Raises
    ------
    DataError
        An empty file, an HTML page, a date, quantity, unit or code that does not fit (the
        message names file, row and column).
    SchemaError
        Unknown or missing columns.
    UnknownNameError
        An unknown ``result``.

    """
    path = Path(path)
    if result is not None and result not in _BY_KEY:
        raise UnknownNameError(f"unknown result {result!r}", where="result", hint=suggest(result, list(_BY_KEY)))
    kind = _sniff(path)
    sheet = None
    header = 0
    if kind == "xlsx":
        df, header, sheet = _read_xlsx(path)
    else:
        df = _read_csv(path)
    where = _Where(path, kind, header)
    cols = _columns(df, where)
    df = df.dropna(how="all").reset_index(drop=True) if kind == "xlsx" else df
    if df.empty:
        raise DataError("no events in the file (only the header)", where=str(path),
                        hint="download the file again; it should have one row per event")
    dates = _dates(df[cols["FECHA HECHO"]], cols["FECHA HECHO"], where)
    quantity = _quantities(df[cols["CANTIDAD"]], cols["CANTIDAD"], where)
    factors, dimension, unit_counts = _units(df[cols["UNIDADES DE MEDIDA"]], cols["UNIDADES DE MEDIDA"], where)

    chosen = _BY_KEY[result] if result is not None else (recognise(path.name) or (recognise(sheet) if sheet else None))
    if chosen is None:
        by_dim = [r for r in RESULTS if r.dimension == dimension]
        if len(by_dim) != 1:
            raise InputError(
                f"cannot tell which result the file holds from its name or its units ({dimension})",
                where=str(path),
                hint="rename it as the Ministry does (e.g. 'INCAUTACIÓN DE COCAÍNA.xlsx') or name the result: "
                     + ", ".join(r.key for r in by_dim))
        chosen = by_dim[0]
    if chosen.dimension != dimension:
        col = cols["UNIDADES DE MEDIDA"]
        raise DataError(
            f"{chosen.title_es} is measured in {chosen.unit} ({chosen.dimension}) but the file's units are "
            + ", ".join(unit_counts), where=where(0, col),
            hint="check that the file is the one named, or name the result it holds")

    divipola, location = _locations(df, cols, where)
    frame = pd.DataFrame({"divipola": divipola, "location": location, "year": dates.dt.year.astype("int64"),
                          "quantity": quantity * factors})
    table = (frame.groupby(["divipola", "location", "year"], dropna=False, sort=False)
             .agg(quantity=("quantity", "sum"), events=("quantity", "size")).reset_index())
    table["quantity"] = table["quantity"].round(6)
    table["unit"] = chosen.unit
    table = table.sort_values(["year", "divipola", "location"], na_position="last", ignore_index=True)
    table = table[["divipola", "location", "year", "quantity", "unit", "events"]]
    table = table.astype({"divipola": "string", "location": "string", "events": "int64"})

    outside = frame[location.notna().to_numpy()]
    meta = {
        "result": chosen.key, "title_es": chosen.title_es, "title": chosen.title, "unit": chosen.unit,
        "publisher": PUBLISHER, "file": path.name, "format": kind, "sheet": sheet,
        "years": [int(frame["year"].min()), int(frame["year"].max())],
        "first_date": f"{dates.min():%Y-%m-%d}", "last_date": f"{dates.max():%Y-%m-%d}",
        "events": int(len(frame)), "total": round(float(frame["quantity"].sum()), 6),
        "units_found": unit_counts,
        "outside_colombia": {str(k): int(v) for k, v in outside.groupby("location").size().items()},
    }
    return EventTable(result=chosen, table=table, source=str(path), meta=meta)


def import_file(
    path: str | Path, *, result: str | None = None, data_dir: str | Path | None = None
) -> tuple[EventTable, Any, bool]:
    """Read a Ministry file and store it in the user data folder (``mindefensa-KEY``).

    Returns the events, the :class:`~cocamonitor.userdata.Entry` and whether anything changed
    (False when the same file had been imported already). Nothing is written when a check fails.
    """
    from cocamonitor import userdata

    events = read_events(path, result=result)
    name = dataset_name(events.result.key)
    try:
        before = userdata.entry(name, data_dir=data_dir)
    except UnknownNameError:
        before = None
    entry = userdata.store_table(events.table, name=name, kind=KIND, source=path, meta=events.meta,
                                 data_dir=data_dir)
    changed = before is None or before.to_dict() != entry.to_dict()
    return events, entry, changed
