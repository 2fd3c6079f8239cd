"""Results that describe their own numbers: the :class:`Estimate` row and the :class:`HasEstimates` protocol.

Every result type the store records (area estimates, trend tests, changes, production Monte
Carlo, zonal tables, evaluations, simulation scores, ...) implements ``estimates()``: it yields
one :class:`Estimate` per number it holds, with the place of the number in the result's JSON
document (``item``), what it is (``quantity``), its standard error and interval (``ci_low``,
``ci_high``) when it has them, and its unit. The store writes these rows as its ``estimates``
table, the report and the API build their estimate tables from them: nothing downstream has to
guess from key names what a number is.

Conventions (the same as the JSON contracts'): a missing or non-finite value gives no row;
``item`` joins the keys leading to the number with ``/`` (``classes/coca``), rows of a table
are named ``key=value`` by their identifying fields (``zone=A,class=1``); amounts carry the unit
of the result (``ha``, ``t``); ratios, shares, accuracies, counts and p-values have none.

Examples
--------
>>> from cocamonitor.results import Estimate, estimates_frame
>>> rows = [Estimate("national", "leaf_t", 10.0, None, 8.0, 12.0, "t")]
>>> estimates_frame(rows)[["item", "quantity", "value", "ci_low", "ci_high", "unit"]]
       item quantity  value  ci_low  ci_high unit
0  national   leaf_t   10.0     8.0     12.0    t

"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, runtime_checkable

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ESTIMATE_COLUMNS",
    "Composite",
    "Estimate",
    "HasEstimates",
    "IntervalEnds",
    "ROW_KEYS",
    "Rows",
    "UNIT_SUFFIXES",
    "deprecated_alias",
    "estimates_frame",
    "nested",
    "number",
    "named_units",
    "numeric_columns",
    "unit_in_name",
    "numbers",
    "point",
    "Table",
]


class Estimate(NamedTuple):
    """One number of a result, with its uncertainty and unit.

    Attributes
    ----------
    item : str
        Where the number sits in the result's JSON document (``""`` at the top,
        ``classes/coca``, ``table/year=2021``).
    quantity : str
        What it is (``area``, ``leaf_t``, ``difference``, ``p_value``).
    value : float
        The number.
    se : float or None
        Its standard error, when the result gives one.
    ci_low, ci_high : float or None
        Its interval, when the result gives one (at the result's confidence level).
    unit : str or None
        ``ha``, ``t``, ``%``, ...; ``None`` for ratios, shares, counts and statistics.

    """

    item: str
    quantity: str
    value: float
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    unit: str | None = None


#: column names of :func:`estimates_frame`
ESTIMATE_COLUMNS = list(Estimate._fields)
#: suffixes of field names that carry their unit (``leaf_t``, ``area_ha``, ``yield_kg_ha``), longest first
UNIT_SUFFIXES = (("_ha_km2", "ha/km2"), ("_kg_ha", "kg/ha"), ("_ha", "ha"), ("_t", "t"), ("_pct", "%"))
#: fields that name a row of a table rather than measure something, in the order they name it
ROW_KEYS = ("zone", "region", "domain", "stratum", "class", "parameter", "year")


@runtime_checkable
class HasEstimates(Protocol):
    """A result that lists its numbers as :class:`Estimate` rows."""

    def estimates(self) -> Iterator[Estimate]:
        """Yield one :class:`Estimate` per number of the result, in document order."""
        ...


def _float(v: Any) -> float | None:
    """Return a finite float, or ``None`` (missing, NaN, infinite, boolean, text)."""
    if v is None or isinstance(v, bool) or not _is_number(v):
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _is_number(v: Any) -> bool:
    import numbers as _n

    return isinstance(v, _n.Real) and not isinstance(v, bool) and type(v).__name__ != "bool_"


def number(item: str, quantity: str, value: Any, se: Any = None, ci: Sequence[Any] | None = None,
           unit: str | None = None) -> Iterator[Estimate]:
    """Yield the row of one number (none when the value is missing).

    A standard error whose estimate is missing is kept as its own row ``<quantity>_se``
    (without unit), as the JSON document shows it.

    Examples
    --------
    >>> list(number("classes/coca", "area", 120.0, 10.0, (100.4, 139.6), "ha"))
    [Estimate(item='classes/coca', quantity='area', value=120.0, se=10.0, ci_low=100.4, ci_high=139.6, unit='ha')]
    >>> list(number("", "users_accuracy", None, 0.1))
    [Estimate(item='', quantity='users_accuracy_se', value=0.1, se=None, ci_low=None, ci_high=None, unit=None)]

    """
    v = _float(value)
    s = _float(se)
    if v is None:
        if s is not None:
            yield Estimate(item, f"{quantity}_se", s)
        return
    lo, hi = (None, None) if ci is None else (_float(ci[0]), _float(ci[1]))
    yield Estimate(item, quantity, v, s, lo, hi, unit)


def numbers(item: str, values: Mapping[str, Any], *, se: Iterable[str] = (),
            ci: Mapping[str, str] | None = None, units: Mapping[str, str | None] | None = None,
            ) -> Iterator[Estimate]:
    """Yield the numbers of one flat record (a result's fields), in order, as the result declares them.

    Parameters
    ----------
    item : str
        Item of every row.
    values : mapping
        ``{quantity: value}``; values that are not numbers (text, lists, ``None``) give no row.
    se : iterable of str
        Quantities ``X`` whose standard error is the field ``X_se`` (folded into ``X``'s row;
        kept as a row of its own when ``X`` is missing).
    ci : mapping of str to str
        Quantity -> field holding its ``[low, high]`` interval.
    units : mapping of str to str or None
        Unit of each quantity (the others have none).

    Examples
    --------
    >>> rows = numbers("theil_sen", {"slope": 2.0, "intercept": -5.0, "ci": [1.0, 3.0], "n": 9},
    ...                ci={"slope": "ci"})
    >>> [(r.quantity, r.value, r.ci_low, r.ci_high) for r in rows]
    [('slope', 2.0, 1.0, 3.0), ('intercept', -5.0, None, None), ('n', 9.0, None, None)]

    """
    ci = ci or {}
    units = units or {}
    paired = {f"{q}_se": q for q in se}
    for q, v in values.items():
        base = paired.get(q)
        if base is not None and _float(values.get(base)) is not None:
            continue  # folded into its estimate's row
        f = _float(v)
        if f is None:
            continue
        s = _float(values.get(f"{q}_se")) if q in set(paired.values()) else None
        interval = values.get(ci[q]) if q in ci else None
        lo, hi = (None, None) if not isinstance(interval, list | tuple) else (_float(interval[0]), _float(interval[1]))
        yield Estimate(item, str(q), f, s, lo, hi, units.get(q))


def point(item: str, quantity: str, summary: Mapping[str, Any], unit: str | None = None) -> Iterator[Estimate]:
    """Rows of a Monte Carlo quantity ``{point, mean, median, ci[, se]}``: the point, then mean and median."""
    v = _float(summary.get("point"))
    if v is None:
        return
    ci = summary.get("ci") or (None, None)
    yield Estimate(item, quantity, v, _float(summary.get("se")), _float(ci[0]), _float(ci[1]), unit)
    for stat in ("mean", "median"):
        s = _float(summary.get(stat))
        if s is not None:
            yield Estimate(item, f"{quantity}_{stat}", s, None, None, None, unit)


def nested(prefix: str, rows: Iterable[Estimate]) -> Iterator[Estimate]:
    """Yield ``rows`` with ``prefix`` in front of their item (a result held inside another)."""
    if not prefix:
        yield from rows
        return
    for r in rows:
        yield r._replace(item=f"{prefix}/{r.item}" if r.item else prefix)


@dataclass(frozen=True)
class Composite:
    """Several results recorded as one document: ``parts`` are ``(key, result)`` in document order.

    A part's rows are nested under its key (``""``: at the top); a part may also be an
    iterable of :class:`Estimate` rows (numbers the command adds itself, e.g. the year).

    Examples
    --------
    >>> from cocamonitor.results import Composite, Estimate
    >>> c = Composite((("", [Estimate("", "year", 2024.0)]), ("change", [Estimate("", "difference", 5.0)])))
    >>> [(r.item, r.quantity) for r in c.estimates()]
    [('', 'year'), ('change', 'difference')]

    """

    parts: tuple[tuple[str, Any], ...]

    def estimates(self) -> Iterator[Estimate]:
        """Yield the rows of every part, in order."""
        for key, part in self.parts:
            if part is None:
                continue
            rows = part.estimates() if isinstance(part, HasEstimates) else part
            yield from nested(key, rows)

    def estimates_frame(self) -> pd.DataFrame:
        """Return the rows of every part as one frame (tables stay vectorised)."""
        import pandas as pd

        frames = []
        for key, part in self.parts:
            if part is None:
                continue
            if callable(getattr(part, "estimates_frame", None)):
                f = part.estimates_frame()
                if key:
                    f = f.assign(item=[f"{key}/{i}" if i else key for i in f["item"]])
            else:
                rows = part.estimates() if isinstance(part, HasEstimates) else part
                f = pd.DataFrame.from_records(list(nested(key, rows)), columns=ESTIMATE_COLUMNS)
            frames.append(f)
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=ESTIMATE_COLUMNS)
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


@dataclass(frozen=True)
class Rows:
    """A result's rows given by a function: for result types whose ``estimates`` is a data field.

    >>> r = Rows(lambda: iter([Estimate("", "n", 3.0)]))
    >>> [e.quantity for e in r.estimates()]
    ['n']
    """

    rows: Callable[[], Iterable[Estimate]]

    def estimates(self) -> Iterator[Estimate]:
        """Yield the function's rows."""
        yield from self.rows()


@dataclass(frozen=True)
class Table:
    """Rows of a table as estimates: each row named by its identifying columns, one estimate per value column.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    ids : sequence of str
        Columns naming a row (``zone``, ``class``, ``year``): ``item`` is ``zone=A,class=1``;
        without them, the row's position (``0``, ``1``, ...). Default: those of
        :data:`ROW_KEYS` the table has.
    units : mapping of str to str or None
        Value columns and their unit (in column order); a column named ``unit`` in the frame
        gives each row's unit to the columns mapped to ``"*"``. Default: every numeric column
        that does not name the row, with the unit its name carries (``area_ha``: ha, see
        :func:`unit_in_name`), else ``"*"``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = Table(pd.DataFrame({"zone": ["A"], "pixels": [3], "area_ha": [0.27]}), ("zone",),
    ...           {"pixels": None, "area_ha": "ha"})
    >>> [(r.item, r.quantity, r.value, r.unit) for r in t.estimates()]
    [('zone=A', 'pixels', 3.0, None), ('zone=A', 'area_ha', 0.27, 'ha')]

    """

    frame: Any
    ids: tuple[str, ...] | None = None
    units: Mapping[str, str | None] | None = None

    def estimates(self) -> Iterator[Estimate]:
        """Yield the rows (see :meth:`estimates_frame`)."""
        for item, quantity, value, se, lo, hi, unit in self.estimates_frame().itertuples(index=False):
            yield Estimate(item, quantity, float(value), _float(se), _float(lo), _float(hi),
                           unit if isinstance(unit, str) else None)

    def estimates_frame(self) -> pd.DataFrame:
        """Return the rows, vectorised over the table (one block per value column, row-major order)."""
        import numpy as np
        import pandas as pd

        df = self.frame
        ids = [k for k in (ROW_KEYS if self.ids is None else self.ids) if k in df.columns]
        units = self.units if self.units is not None else {
            c: unit_in_name(str(c)) or "*" for c in numeric_columns(df, skip=ids)}
        if ids:
            parts = [k + "=" + df[k].astype("string").fillna("") for k in ids]
            label = parts[0].str.cat(parts[1:], sep=",") if len(parts) > 1 else parts[0]
        else:
            label = pd.Series(np.arange(len(df)).astype(str), index=df.index)
        own = df["unit"].astype(object).where(df["unit"].notna(), None) if "unit" in df.columns else None
        frames = []
        for c, unit in units.items():
            if c not in df.columns:
                continue
            u: Any = own if unit == "*" and own is not None else (None if unit == "*" else unit)
            frames.append(pd.DataFrame({
                "item": label.astype(str).to_numpy(), "quantity": str(c),
                "value": pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float),
                "se": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                "unit": u if not isinstance(u, pd.Series) else u.to_numpy(), "_row": np.arange(len(df)),
            }))
        if not frames:
            return pd.DataFrame(columns=ESTIMATE_COLUMNS)
        out = pd.concat(frames, ignore_index=True).sort_values("_row", kind="stable")
        out = out[np.isfinite(out["value"])]
        return out[ESTIMATE_COLUMNS].reset_index(drop=True)


def estimates_frame(result: HasEstimates | Iterable[Estimate]) -> pd.DataFrame:
    """Return the rows of a result (or rows) as a DataFrame with :data:`ESTIMATE_COLUMNS`.

    A result with a vectorised ``estimates_frame()`` (long tables: zonal, grids) is asked for
    it directly instead of being walked row by row.
    """
    import pandas as pd

    fast = getattr(result, "estimates_frame", None)
    if callable(fast):
        out = fast()
    else:
        rows = list(result.estimates()) if isinstance(result, HasEstimates) else list(result)
        out = pd.DataFrame.from_records(rows, columns=ESTIMATE_COLUMNS)
    out = out.astype({"item": str, "quantity": str, "value": float, "se": float,
                      "ci_low": float, "ci_high": float})
    out["unit"] = out["unit"].astype(object).where(out["unit"].notna(), None)
    return out.reset_index(drop=True)


def unit_in_name(name: str) -> str | None:
    """Return the unit a field's name ends with (see :data:`UNIT_SUFFIXES`), else ``None``.

    Results whose fields are named with their unit (``bias_ha``, ``leaf_t``) declare the units
    of their rows with it.

    >>> unit_in_name("rmse_ha"), unit_in_name("yield_kg_ha"), unit_in_name("coverage")
    ('ha', 'kg/ha', None)
    """
    for suffix, unit in UNIT_SUFFIXES:
        if name.endswith(suffix):
            return unit
    return None


def named_units(names: Iterable[str]) -> dict[str, str | None]:
    """Return ``{name: unit_in_name(name)}`` for fields named with their unit."""
    return {n: unit_in_name(n) for n in names}


def numeric_columns(frame: Any, skip: Iterable[str] = ()) -> list[str]:
    """Columns of ``frame`` holding numbers (not booleans), in order, except ``skip``."""
    import pandas as pd

    skip = set(skip)
    out = []
    for c in frame.columns:
        col = frame[c]
        if c in skip or pd.api.types.is_bool_dtype(col):
            continue
        if pd.api.types.is_numeric_dtype(col):
            out.append(c)
            continue
        present = col.dropna()
        if len(present) and bool(present.map(_is_number).all()):
            out.append(c)
    return out


class IntervalEnds:
    """``ci_low`` and ``ci_high`` of a result that holds its interval as a pair ``ci``."""

    ci: tuple[float, float]

    @property
    def ci_low(self) -> float:
        """Lower end of the interval (``ci[0]``)."""
        return float(self.ci[0])

    @property
    def ci_high(self) -> float:
        """Upper end of the interval (``ci[1]``)."""
        return float(self.ci[1])


def deprecated_alias(new: str, old: str) -> property:
    """Return a read-only property ``old`` giving ``self.<new>`` with a :class:`DeprecationWarning`."""

    def get(self: Any) -> Any:
        warnings.warn(f"{type(self).__name__}.{old} is deprecated; use .{new}", DeprecationWarning, stacklevel=2)
        return getattr(self, new)

    return property(get, doc=f"Deprecated alias of :attr:`{new}`.")
