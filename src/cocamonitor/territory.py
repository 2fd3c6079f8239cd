"""DIVIPOLA registry: look up departments and municipalities, aggregate municipal tables.

Names are matched without regard to accents, case, punctuation or spacing, so ``"tibu"``,
``"TIBÚ"`` and ``"Tibú"`` all find Tibú (Norte de Santander, 54810). Territory names are
shown with their Spanish spelling.

Examples
--------
>>> from cocamonitor import territory
>>> t = territory.lookup("tibu")
>>> (t.divipola, t.municipality, t.department)
('54810', 'Tibú', 'Norte de Santander')
>>> territory.lookup("54810").municipality
'Tibú'

"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from cocamonitor.errors import InputError, UnknownNameError, suggest

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LEVELS",
    "Territory",
    "aggregate",
    "find",
    "find_records",
    "lookup",
    "normalize_name",
    "registry",
    "spanish_title",
]

Level = Literal["municipality", "department", "pdet-subregion", "zona-futuro"]
LEVELS: tuple[str, ...] = ("municipality", "department", "pdet-subregion", "zona-futuro")

_LOWER_WORDS = {"de", "del", "la", "las", "los", "el", "y", "e", "en", "al", "a", "d.c."}


def normalize_name(text: str) -> str:
    """Fold a place name for matching: no accents, lower case, letters and digits only.

    Examples
    --------
    >>> normalize_name("  Tibú (Norte de Santander) ")
    'tibu norte de santander'

    """
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^0-9a-zñ]+", " ", plain).split())


def spanish_title(name: str) -> str:
    """Title-case an upper-case DANE name the Spanish way (particles stay lower case).

    Examples
    --------
    >>> spanish_title("SAN JOSÉ DEL GUAVIARE")
    'San José del Guaviare'
    >>> spanish_title("BOGOTÁ, D.C.")
    'Bogotá, D.C.'

    """
    words = str(name).strip().split()
    out = []
    for i, w in enumerate(words):
        lw = w.lower()
        if lw in {"d.c.", "d.c"}:
            out.append("D.C.")
        elif i > 0 and lw in _LOWER_WORDS:
            out.append(lw)
        elif lw.startswith("(") and len(lw) > 1:
            out.append("(" + lw[1:].capitalize())
        else:
            out.append("-".join(p.capitalize() for p in lw.split("-")))
    return " ".join(out)


@dataclass(frozen=True)
class Territory:
    """One municipality (or non-municipalised area) of the DIVIPOLA registry."""

    divipola: str
    municipality: str
    department_code: str
    department: str
    pdet: bool
    pdet_subregion: str | None
    area_km2: float
    population_2018: int
    lon: float
    lat: float

    def to_dict(self) -> dict[str, Any]:
        """Return the fields as a plain dict."""
        return asdict(self)

    def to_frame(self) -> pd.DataFrame:
        """Return a one-row DataFrame."""
        import pandas as pd

        return pd.DataFrame([self.to_dict()])


@lru_cache(maxsize=1)
def registry() -> pd.DataFrame:
    """Return the bundled registry of 1,122 municipalities (a copy-safe cached DataFrame)."""
    from cocamonitor.datasets import load

    reg = load("territories")
    reg["_key_mun"] = reg["municipality"].map(normalize_name)
    reg["_key_dep"] = reg["department"].map(normalize_name)
    return reg


def _row_to_territory(row: pd.Series) -> Territory:
    import pandas as pd

    sub = row["pdet_subregion"]
    return Territory(
        divipola=row["divipola"],
        municipality=row["municipality"],
        department_code=row["department_code"],
        department=row["department"],
        pdet=bool(row["pdet"]),
        pdet_subregion=None if pd.isna(sub) else str(sub),
        area_km2=float(row["area_km2"]),
        population_2018=int(row["population_2018"]),
        lon=float(row["lon"]),
        lat=float(row["lat"]),
    )


#: The registry's columns that :func:`find` returns, and their types in :func:`find_records`.
_PUBLIC = {
    "divipola": str, "municipality": str, "municipality_official": str, "department_code": str,
    "department": str, "pdet": bool, "pdet_subregion": str, "pdet_code": str, "zona_futuro": str,
    "area_km2": float, "population_2018": int, "lon": float, "lat": float,
}


@lru_cache(maxsize=1)
def _records() -> tuple[dict[str, Any], ...]:
    """Return the bundled registry as plain rows, read with the csv module (no pandas).

    ``cocamonitor territory find`` answers from these, so it starts without importing pandas;
    :func:`find` ranks the pandas registry with the same :func:`_find_order`.
    """
    import csv

    from cocamonitor.datasets import data_path

    def parse(kind: type, text: str) -> Any:
        if text == "":
            return None
        if kind is bool:
            return text == "True"
        return kind(text)

    with open(data_path("territories.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple({k: parse(kind, row[k]) for k, kind in _PUBLIC.items()} for row in rows)


def _find_order(text: str, divipola: Sequence[str], department_code: Sequence[str],
                municipality: Sequence[str], department: Sequence[str]) -> list[int]:
    """Return the positions of the registry rows that match ``text``, in :func:`find`'s order."""
    raw = str(text).strip()
    if raw.isdigit():
        code = raw.zfill(5) if len(raw) > 2 else raw.zfill(2)
        codes = divipola if len(code) == 5 else department_code
        return [i for i, c in enumerate(codes) if c == code]
    key = normalize_name(raw)
    if not key:
        return []
    ranked = []
    for i, (mun, dep) in enumerate(zip(municipality, department, strict=True)):
        mun, dep = normalize_name(mun), normalize_name(dep)
        both = f"{mun} {dep}"
        exact = key in (mun, both)
        dep_exact = dep == key
        if exact or dep_exact or key in mun or key in both:
            # exact name matches first, then partial ones, then the rest of a named department
            ranked.append((0 if exact else 2 if dep_exact else 1, divipola[i], i))
    return [i for *_, i in sorted(ranked)]


def find(text: str) -> pd.DataFrame:
    """Find municipalities and departments whose code or name matches ``text``.

    A 5-digit code matches a municipality, a 2-digit code a department (all its
    municipalities). Otherwise the folded text must equal, or be contained in, the folded
    municipality name, the department name, or "municipality department".

    Returns
    -------
    pandas.DataFrame
        Matching registry rows (public columns only), exact name matches first. Empty when
        nothing matches.

    Examples
    --------
    >>> find("puerto asis")[["divipola", "municipality", "department"]].to_dict("records")
    [{'divipola': '86568', 'municipality': 'Puerto Asís', 'department': 'Putumayo'}]

    """
    reg = registry()
    public = [c for c in reg.columns if not c.startswith("_")]
    order = _find_order(text, reg["divipola"].tolist(), reg["department_code"].tolist(),
                        reg["municipality"].tolist(), reg["department"].tolist())
    return reg.iloc[order][public].reset_index(drop=True)


def find_records(text: str) -> list[dict[str, Any]]:
    """Return :func:`find`'s rows as plain dicts, without importing pandas (for the CLI).

    Examples
    --------
    >>> [(r["divipola"], r["municipality"]) for r in find_records("tibu")]
    [('54810', 'Tibú')]

    """
    rows = _records()
    order = _find_order(text, [r["divipola"] for r in rows], [r["department_code"] for r in rows],
                        [r["municipality"] for r in rows], [r["department"] for r in rows])
    return [dict(rows[i]) for i in order]


def lookup(value: str) -> Territory:
    """Return the one municipality that a DIVIPOLA code or name designates.

    Parameters
    ----------
    value : str
        A 5-digit DIVIPOLA code, a municipality name, or "municipality, department" when the
        name alone is ambiguous (e.g. "La Unión, Nariño").

    Raises
    ------
    UnknownNameError
        Nothing matches; the message suggests the closest names.
    InputError
        Several municipalities match; the message lists them with their departments.

    """
    reg = registry()
    raw = str(value).strip()
    if raw.isdigit():
        code = raw.zfill(5)
        row = reg[reg["divipola"] == code]
        if row.empty:
            raise UnknownNameError(
                f"no municipality with DIVIPOLA code {raw!r}",
                hint=suggest(code, reg["divipola"], n=5),
            )
        return _row_to_territory(row.iloc[0])
    key = normalize_name(raw.replace(",", " "))
    both = reg["_key_mun"] + " " + reg["_key_dep"]
    exact = reg[(reg["_key_mun"] == key) | (both == key)]
    if len(exact) == 1:
        return _row_to_territory(exact.iloc[0])
    if len(exact) > 1:
        options = "; ".join(f"{r.municipality}, {r.department} ({r.divipola})" for r in exact.itertuples())
        raise InputError(
            f"{raw!r} names {len(exact)} municipalities: {options}",
            hint="add the department (e.g. 'La Unión, Nariño') or use the DIVIPOLA code",
        )
    partial = find(raw)
    if len(partial) == 1:
        return _row_to_territory(partial.iloc[0].reindex(reg.columns))
    names = reg["municipality"] + ", " + reg["department"]
    from difflib import get_close_matches

    close = get_close_matches(key, list(reg["_key_mun"]), n=5, cutoff=0.6)
    shown = [names[reg["_key_mun"] == c].iloc[0] for c in close]
    hint = (
        ("did you mean: " + "; ".join(shown) + "?")
        if shown
        else "give part of the name (accents and case optional, e.g. 'tibu') or a 5-digit DIVIPOLA code"
    )
    raise UnknownNameError(f"no municipality named {raw!r}", hint=hint)


def lookup_department(value: str) -> tuple[str, str]:
    """Return ``(department_code, department)`` for a 2-digit code or a department name.

    Examples
    --------
    >>> lookup_department("narino")
    ('52', 'Nariño')

    """
    reg = registry()
    deps = reg.drop_duplicates("department_code")[["department_code", "department", "_key_dep"]]
    raw = str(value).strip()
    if raw.isdigit():
        hit = deps[deps["department_code"] == raw.zfill(2)]
    else:
        hit = deps[deps["_key_dep"] == normalize_name(raw)]
    if hit.empty:
        raise UnknownNameError(f"no department {raw!r}", hint=suggest(raw, deps["department"]))
    return str(hit["department_code"].iloc[0]), str(hit["department"].iloc[0])


_LEVEL_COLUMNS = {
    "department": ["department_code", "department"],
    "pdet-subregion": ["pdet_subregion"],
    "zona-futuro": ["zona_futuro"],
    "municipality": ["divipola", "municipality", "department"],
}


def aggregate(
    df: pd.DataFrame,
    level: Level | str,
    *,
    value_cols: Sequence[str],
    code_col: str = "divipola",
    by: Sequence[str] = (),
) -> pd.DataFrame:
    """Sum a municipality-level table to departments, PDET subregions or Zonas Futuro.

    Missing values (e.g. "no coca reported") count as 0 in the sums, which is how a census
    that covers the whole country is read; a group whose values are all missing gets 0.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per municipality (and per ``by`` key), with DIVIPOLA codes in ``code_col``.
    level : {"department", "pdet-subregion", "zona-futuro", "municipality"}
        The territorial level. ``pdet-subregion`` keeps only the 170 PDET municipalities.
    value_cols : sequence of str
        Columns to sum.
    code_col : str, default "divipola"
        Column holding the 5-digit DIVIPOLA code.
    by : sequence of str
        Extra keys kept in the output (e.g. ``["year"]``).

    Raises
    ------
    UnknownNameError
        Unknown level, or codes not in the registry.
    InputError
        ``zona-futuro``: membership is public only for Catatumbo, so totals by zone are refused.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"divipola": ["54810", "54001", "86568"], "ha": [10.0, 2.0, None]})
    >>> aggregate(df, "department", value_cols=["ha"])[["department", "ha"]].to_dict("records")
    [{'department': 'Norte de Santander', 'ha': 12.0}, {'department': 'Putumayo', 'ha': 0.0}]

    """
    if level not in _LEVEL_COLUMNS:
        raise UnknownNameError(f"unknown territorial level {level!r}", hint=suggest(str(level), LEVELS))
    if level == "zona-futuro":
        raise InputError(
            "municipality membership of the Zonas Futuro is known only for Catatumbo (8 municipalities, "
            "column zona_futuro of `data show territories`); the other four zones' is not public, so a "
            "total by zone would silently leave them out",
            hint="aggregate by department or pdet-subregion, or select Catatumbo's municipalities yourself",
        )
    missing = [c for c in [code_col, *value_cols, *by] if c not in df.columns]
    if missing:
        raise InputError(f"column(s) {missing} not in the table", hint=f"columns: {list(df.columns)}")
    reg = registry()
    codes = df[code_col].astype("string").str.zfill(5)
    unknown = sorted(set(codes.dropna()) - set(reg["divipola"]))
    if unknown:
        raise UnknownNameError(
            f"{len(unknown)} DIVIPOLA code(s) not in the registry: {', '.join(unknown[:5])}",
            hint="codes must be 5-digit DIVIPOLA (MGN 2018)",
        )
    keys = _LEVEL_COLUMNS[level]
    work = df.assign(**{code_col: codes}).drop(columns=[c for c in keys if c in df.columns and c != code_col])
    work = work.merge(
        reg[["divipola", *[k for k in keys if k != "divipola"]]],
        left_on=code_col,
        right_on="divipola",
        how="left",
        suffixes=("", "_reg"),
    )
    if level == "pdet-subregion":
        work = work[work["pdet_subregion"].notna()]
    out = work.groupby([*keys, *by], dropna=False, sort=True)[list(value_cols)].sum(min_count=0).reset_index()
    return out
