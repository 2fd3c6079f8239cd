"""The store: an embedded DuckDB file of estimate runs, their inputs, parameters and results.

Every run recorded here can say which inputs (path and SHA-256), parameters and cocamonitor
version produced its estimates: the same ``provenance`` block the command prints with
JSON output, kept together with the full JSON document and a tidy table of its numbers.

Tables (schema version 1, created on first use):

``meta``
    ``key``, ``value``: ``schema_version`` and ``created_with`` (cocamonitor version).
``runs``
    one row per run: ``run_id`` (1, 2, ...), ``command`` (e.g. ``"area estimate"``),
    ``started_at`` and ``finished_at`` (UTC), ``version``, ``argv`` (JSON list of the words
    after ``cocamonitor``), ``cwd`` (relative input paths are relative to it),
    ``parameters`` (JSON) and ``document`` (the command's full JSON output).
``inputs``
    ``run_id``, ``path`` (as given), ``sha256``.
``estimates``
    one row per number of the document: ``run_id``, ``item`` (where in the document, e.g.
    ``classes/1``, ``national``, ``table/year=2021``), ``quantity`` (e.g. ``area``, ``leaf_t``,
    ``difference``), ``value``, ``se``, ``lower``, ``upper`` (the interval, when the document
    gives one) and ``unit``.

A run is written in one transaction, when its estimate is complete: a run that fails leaves
nothing behind. Only one process can write at a time (DuckDB locks the file); a writer waits
a few seconds for the lock, then raises :class:`~cocamonitor.errors.StoreError`.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from cocamonitor.store import open_store
>>> path = Path(tempfile.mkdtemp()) / "runs.duckdb"
>>> doc = {"unit": "ha", "classes": {"coca": {"area": 120.0, "area_se": 10.0, "area_ci": [100.4, 139.6]}},
...        "provenance": {"inputs": {}, "parameters": {"confidence": 0.95}, "version": "0.1.0"}}
>>> with open_store(path) as store:
...     run_id = store.record_run("area estimate", doc)
...     run = store.get_run(run_id)
>>> run.command, run.parameters
('area estimate', {'confidence': 0.95})
>>> run.estimates[["item", "quantity", "value", "se", "lower", "upper", "unit"]].to_dict("records")
[{'item': 'classes/coca', 'quantity': 'area', 'value': 120.0, 'se': 10.0, 'lower': 100.4, 'upper': 139.6, 'unit': 'ha'}]

"""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from cocamonitor._version import __version__
from cocamonitor.errors import StoreError, StoreLockedError
from cocamonitor.results import HasEstimates, estimates_frame

__all__ = [
    "SCHEMA_VERSION",
    "Run",
    "Store",
    "check_store",
    "default_store_path",
    "open_store",
    "result_estimates",
    "tidy_estimates",
]

SCHEMA_VERSION = 1
ENV_VAR = "COCAMONITOR_STORE"
TABLES = ("meta", "runs", "inputs", "estimates")
ESTIMATE_COLUMNS = ["item", "quantity", "value", "se", "lower", "upper", "unit"]
# keys of a row (in a list of rows) that name it rather than measure something
ID_KEYS = ("zone", "region", "domain", "stratum", "class", "parameter", "year")
LOCK_WAIT_S = 10.0
#: bounds of ``store query``: DuckDB memory, seconds before the query is interrupted, rows returned
QUERY_MEMORY_LIMIT = "1GB"
QUERY_TIMEOUT_S = 30.0
QUERY_MAX_ROWS = 100_000
# amounts measured in the unit a document declares (ratios, shares and accuracies are not)
AMOUNT_KEYS = frozenset({"area", "total_area", "estimate", "estimate_a", "estimate_b", "difference", "value"})
UNIT_SUFFIXES = (("_ha_km2", "ha/km2"), ("_kg_ha", "kg/ha"), ("_ha", "ha"), ("_t", "t"), ("_pct", "%"))

_SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);
CREATE SEQUENCE run_ids START 1;
CREATE TABLE runs (
    run_id BIGINT PRIMARY KEY DEFAULT nextval('run_ids'),
    command VARCHAR NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    version VARCHAR NOT NULL,
    argv JSON,
    cwd VARCHAR,
    parameters JSON NOT NULL,
    document JSON NOT NULL
);
CREATE TABLE inputs (run_id BIGINT NOT NULL, path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL);
CREATE TABLE estimates (
    run_id BIGINT NOT NULL, item VARCHAR NOT NULL, quantity VARCHAR NOT NULL,
    value DOUBLE, se DOUBLE, lower DOUBLE, upper DOUBLE, unit VARCHAR
);
"""


def default_store_path() -> Path:
    """Return the store used when none is named.

    ``$COCAMONITOR_STORE``, else ``$XDG_DATA_HOME/cocamonitor/cocamonitor.duckdb``, else
    ``~/.local/share/cocamonitor/cocamonitor.duckdb``.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "cocamonitor" / "cocamonitor.duckdb"


# ---------------------------------------------------------------------------------------------
# the tidy table of a document's numbers


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)


def _interval(v: Any) -> tuple[float | None, float | None]:
    if isinstance(v, list | tuple) and len(v) == 2 and all(x is None or _is_number(x) for x in v):
        return (None if v[0] is None else float(v[0]), None if v[1] is None else float(v[1]))
    return (None, None)


def _num(v: Any) -> float | None:
    return float(v) if _is_number(v) else None


def _unit_of(key: str, declared: str | None) -> str | None:
    """Return the unit of ``key``: from its name (``leaf_t``, ``area_ha``), else the declared unit."""
    for suffix, unit in UNIT_SUFFIXES:
        if key.endswith(suffix):
            return unit
    return declared if key in AMOUNT_KEYS else None


def _walk(obj: Mapping[str, Any], path: tuple[str, ...], unit: str | None, rows: list[Any]) -> None:
    """Append the numbers of one JSON object (and what it holds) as tidy rows.

    Single estimates are appended as tuples; a list of rows (a zonal table can be long) as one
    DataFrame, never row by row.
    """
    if isinstance(obj.get("unit"), str):
        unit = obj["unit"]
    item = "/".join(path)
    ci_owner = next((k for k in ("point", "estimate", "slope", "value") if _is_number(obj.get(k))), None)
    for key, v in obj.items():
        if _is_number(v):
            base = key[:-3] if key.endswith("_se") else None
            if base is not None and _is_number(obj.get(base)):
                continue  # the SE of a sibling estimate
            lo, hi = _interval(obj.get(f"{key}_ci"))
            if key == ci_owner and lo is None:
                lo, hi = _interval(obj.get("ci"))
            rows.append((item, key, float(v), _num(obj.get(f"{key}_se")), lo, hi, _unit_of(key, unit)))
        elif isinstance(v, Mapping):
            if _is_number(v.get("point")) and "ci" in v:  # {point, mean, median, ci}: one estimate
                lo, hi = _interval(v["ci"])
                u = _unit_of(key, unit)
                rows.append((item, key, float(v["point"]), _num(v.get("se")), lo, hi, u))
                for stat in ("mean", "median"):
                    if _is_number(v.get(stat)):
                        rows.append((item, f"{key}_{stat}", float(v[stat]), None, None, None, u))
            else:
                _walk(v, (*path, str(key)), unit, rows)
        elif isinstance(v, list) and v and all(isinstance(e, Mapping) for e in v):
            rows.append(_records(v, (*path, str(key)), unit))


def _records(records: Sequence[Mapping[str, Any]], path: tuple[str, ...], unit: str | None) -> pd.DataFrame:
    """Tidy rows of a list of flat row objects (vectorised: zonal tables can be long)."""
    df = pd.DataFrame.from_records(list(records))
    ids = [k for k in ID_KEYS if k in df.columns]
    if ids:
        parts = [k + "=" + df[k].astype("string").fillna("") for k in ids]
        label = parts[0].str.cat(parts[1:], sep=",") if len(parts) > 1 else parts[0]
    else:
        label = pd.Series(df.index.astype(str), index=df.index)
    prefix = "/".join(path)
    item = (prefix + "/" + label) if prefix else label
    own = df["unit"].astype(object).where(df["unit"].notna(), None) if "unit" in df.columns else None
    values = [c for c in df.columns if c not in ids and _numeric_column(df[c])]
    frames = []
    for c in values:  # one block per column (a handful), each vectorised over the rows
        named = _unit_of(str(c), None)
        unit_col: Any = named if named is not None else (own if own is not None else _unit_of(str(c), unit))
        frames.append(pd.DataFrame({
            "item": item.astype(str), "quantity": str(c), "value": pd.to_numeric(df[c], errors="coerce"),
            "se": np.nan, "lower": np.nan, "upper": np.nan, "unit": unit_col, "_row": np.arange(len(df)),
        }))
    if not frames:
        return pd.DataFrame(columns=ESTIMATE_COLUMNS)
    out = pd.concat(frames, ignore_index=True).sort_values("_row", kind="stable")
    out = out[out["value"].notna()]  # a column some rows leave empty
    return out[ESTIMATE_COLUMNS].reset_index(drop=True)


def _assemble(parts: list[Any]) -> pd.DataFrame:
    """One frame from tuples and frames, in document order."""
    frames: list[pd.DataFrame] = []
    run: list[tuple] = []
    for part in parts:
        if isinstance(part, pd.DataFrame):
            if run:
                frames.append(pd.DataFrame(run, columns=ESTIMATE_COLUMNS))
                run = []
            frames.append(part)
        else:
            run.append(part)
    if run or not frames:
        frames.append(pd.DataFrame(run, columns=ESTIMATE_COLUMNS))
    frames = [f for f in frames if len(f)] or frames[:1]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)


def _numeric_column(col: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(col):
        return False
    if pd.api.types.is_numeric_dtype(col):
        return True
    present = col.dropna()
    return len(present) > 0 and bool(present.map(_is_number).all())


def result_estimates(result: HasEstimates) -> pd.DataFrame:
    """Return the rows a result gives of itself (its ``estimates()``) as the store's tidy table.

    Columns ``item``, ``quantity``, ``value``, ``se``, ``lower``, ``upper``, ``unit`` (the
    store's names of ``ci_low`` and ``ci_high``).
    """
    return estimates_frame(result).rename(columns={"ci_low": "lower", "ci_high": "upper"})[ESTIMATE_COLUMNS]


def tidy_estimates(document: Any) -> pd.DataFrame:
    """Return every number of a command's JSON document as one tidy row.

    Conventions of cocamonitor's JSON contracts are folded into one row per estimate:
    ``X_se`` and ``X_ci`` (``[low, high]``) become the ``se``, ``lower`` and ``upper`` of ``X``;
    an object ``{"point", "mean", "median", "ci"}`` under key ``X`` is the row ``X`` (value =
    point) plus rows ``X_mean`` and ``X_median``; a bare ``ci`` belongs to ``point``,
    ``estimate``, ``slope`` or ``value`` beside it. Rows of a list are named by their
    identifying fields (``zone``, ``class``, ``year``, ...) or else by their position.
    ``unit`` comes from the name (``leaf_t``: t, ``area_ha``: ha) or, for amounts (``area``,
    ``estimate``, ``difference``, ...), from the nearest ``unit`` the document declares;
    ratios, shares and accuracies have none. Booleans, strings, lists of
    plain numbers (years, matrices) and the ``provenance`` block are left out; the whole
    document is kept in ``runs.document``.

    Parameters
    ----------
    document : dict or list of dict
        A command's JSON output (after :func:`~cocamonitor.commands._common.to_jsonable`).

    Returns
    -------
    pandas.DataFrame
        Columns ``item``, ``quantity``, ``value``, ``se``, ``lower``, ``upper``, ``unit``.

    Examples
    --------
    >>> doc = {"national": {"leaf_t": {"point": 10.0, "mean": 9.5, "median": 9.4, "ci": [8.0, 12.0]}}}
    >>> tidy_estimates(doc)[["item", "quantity", "value", "lower", "upper", "unit"]]
           item       quantity  value  lower  upper unit
    0  national         leaf_t   10.0    8.0   12.0    t
    1  national    leaf_t_mean    9.5    NaN    NaN    t
    2  national  leaf_t_median    9.4    NaN    NaN    t

    """
    if isinstance(document, list):
        if document and all(isinstance(r, Mapping) for r in document):
            out = _records(document, (), None)
        else:
            out = pd.DataFrame(columns=ESTIMATE_COLUMNS)
    else:
        rows: list[Any] = []
        body = {k: v for k, v in dict(document).items() if k != "provenance"}
        _walk(body, (), None, rows)
        out = _assemble(rows)
    out = out.astype({"item": str, "quantity": str, "value": float, "se": float, "lower": float, "upper": float})
    out["unit"] = out["unit"].astype(object).where(out["unit"].notna(), None)
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# runs


@dataclass(frozen=True)
class Run:
    """One recorded run: what was run, on which inputs, with which parameters, and its results.

    Attributes
    ----------
    run_id : int
        Number of the run in its store (1, 2, ...).
    command : str
        The command, e.g. ``"area estimate"``.
    started_at, finished_at : datetime
        UTC start of the command and time the result was complete.
    version : str
        cocamonitor version that computed it.
    argv : list of str or None
        The words typed after ``cocamonitor``.
    cwd : str or None
        Working directory of the run (relative input paths are relative to it).
    inputs : dict of str to str
        Input path (as given) → SHA-256.
    parameters : dict
        Parameters of the computation, as in the JSON ``provenance``.
    document : dict or list
        The command's full JSON document, provenance included.
    estimates : pandas.DataFrame
        The tidy table (see :func:`tidy_estimates`).

    """

    run_id: int
    command: str
    started_at: datetime
    finished_at: datetime
    version: str
    argv: list[str] | None
    cwd: str | None
    inputs: dict[str, str]
    parameters: dict[str, Any]
    document: Any = field(compare=False)
    estimates: pd.DataFrame = field(compare=False, repr=False)

    @property
    def provenance(self) -> dict[str, Any]:
        """``{"inputs": ..., "parameters": ..., "version": ...}``, as the command printed it."""
        return {"inputs": dict(self.inputs), "parameters": dict(self.parameters), "version": self.version}

    def to_dict(self) -> dict[str, Any]:
        """Return the run as plain JSON types (estimates as a list of row objects)."""
        est = self.estimates.astype(object).where(self.estimates.notna(), None)
        return {
            "run_id": self.run_id,
            "command": self.command,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "version": self.version,
            "argv": self.argv,
            "cwd": self.cwd,
            "provenance": self.provenance,
            "estimates": est.to_dict(orient="records"),
            "document": self.document,
        }

    def to_frame(self) -> pd.DataFrame:
        """Return the tidy estimates with the run id in front."""
        return self.estimates.assign(run_id=self.run_id)[["run_id", *ESTIMATE_COLUMNS]]


def _utc_naive(t: datetime | None) -> datetime:
    t = t or datetime.now(UTC)
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, allow_nan=False, default=_json_default)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serialisable")


def _clean(obj: Any) -> Any:
    """NaN and infinities as null (as the JSON output prints them)."""
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    if isinstance(obj, float | np.floating) and not math.isfinite(float(obj)):
        return None
    return obj


class Store:
    """An open store; use :func:`open_store` to get one, and close it (or use ``with``)."""

    def __init__(self, path: Path, con: duckdb.DuckDBPyConnection, *, read_only: bool):
        self.path = path
        self.read_only = read_only
        self._con = con

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (releases DuckDB's lock)."""
        self._con.close()

    def record_run(
        self,
        command: str,
        document: Any,
        *,
        provenance: Mapping[str, Any] | None = None,
        argv: Sequence[str] | None = None,
        cwd: str | None = None,
        started_at: datetime | None = None,
        finished_at: datetime | None = None,
        result: HasEstimates | None = None,
    ) -> int:
        """Write one run in one transaction and return its ``run_id``.

        Parameters
        ----------
        command : str
            The command, e.g. ``"area estimate"``.
        document : dict or list of dict
            The command's JSON document.
        result : HasEstimates, optional
            The result behind the document: its :meth:`~cocamonitor.results.HasEstimates.estimates`
            are the run's ``estimates`` rows. Every command passes it; without it (a document
            from elsewhere), the rows are read from the document by :func:`tidy_estimates`.
        provenance : mapping, optional
            ``{"inputs": {path: sha256}, "parameters": {...}, "version": ...}``; by default
            the document's own ``provenance`` block.
        argv, cwd : optional
            The command line after ``cocamonitor`` and the working directory.
        started_at, finished_at : datetime, optional
            UTC times (default: now).

        Raises
        ------
        StoreError
            The store was opened read-only, or the document has no provenance.

        """
        if self.read_only:
            raise StoreError("the store is open read-only", where=str(self.path))
        document = _clean(document)
        if provenance is None:
            provenance = document.get("provenance") if isinstance(document, Mapping) else None
        if not isinstance(provenance, Mapping):
            raise StoreError(f"the {command} result carries no provenance", where=str(self.path),
                             hint="pass provenance=Provenance.build(...).to_dict()")
        finished = _utc_naive(finished_at)
        started = _utc_naive(started_at) if started_at is not None else finished
        tidy = tidy_estimates(document) if result is None else result_estimates(result)
        inputs = pd.DataFrame(list(dict(provenance.get("inputs") or {}).items()), columns=["path", "sha256"])
        con = self._con
        con.execute("BEGIN TRANSACTION")
        try:
            run_id = int(con.execute(
                "INSERT INTO runs (command, started_at, finished_at, version, argv, cwd, parameters, document) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING run_id",
                [command, started, finished, str(provenance.get("version", __version__)),
                 None if argv is None else _dumps(list(argv)), cwd,
                 _dumps(provenance.get("parameters") or {}), _dumps(document)],
            ).fetchone()[0])  # type: ignore[index]
            con.register("_new_inputs", inputs)
            con.execute("INSERT INTO inputs SELECT ?, path, sha256 FROM _new_inputs", [run_id])
            con.register("_new_estimates", tidy)
            con.execute(f"INSERT INTO estimates SELECT ?, {', '.join(ESTIMATE_COLUMNS)} FROM _new_estimates",
                        [run_id])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            for name in ("_new_inputs", "_new_estimates"):
                con.unregister(name)
        return run_id

    def list_runs(self, command: str | None = None) -> pd.DataFrame:
        """Return one row per run (newest last), optionally only those of ``command``.

        Columns: ``run_id``, ``started_at``, ``finished_at`` (UTC), ``command``, ``version``,
        ``inputs`` and ``estimates`` (counts), ``argv`` (the command line as one string).
        """
        sql = """
            SELECT r.run_id, r.started_at, r.finished_at, r.command, r.version,
                   (SELECT count(*) FROM inputs i WHERE i.run_id = r.run_id) AS inputs,
                   (SELECT count(*) FROM estimates e WHERE e.run_id = r.run_id) AS estimates,
                   CAST(r.argv AS VARCHAR) AS argv
            FROM runs r {where} ORDER BY r.run_id"""
        params: list[Any] = []
        where = ""
        if command is not None:
            where, params = "WHERE r.command = ?", [" ".join(command.split())]
        df = self._con.execute(sql.format(where=where), params).df()
        df["argv"] = [" ".join(json.loads(a)) if isinstance(a, str) else None for a in df["argv"]]
        return df.astype({"inputs": "int64", "estimates": "int64"})

    def commands(self) -> list[str]:
        """Return the distinct commands that have runs in this store."""
        return [r[0] for r in self._con.execute("SELECT DISTINCT command FROM runs ORDER BY 1").fetchall()]

    def get_run(self, run_id: int) -> Run:
        """Return run ``run_id`` with its inputs, parameters, document and estimates.

        Raises
        ------
        StoreError
            No run has this id.

        """
        row = self._con.execute(
            "SELECT run_id, command, started_at, finished_at, version, argv, cwd, parameters, document "
            "FROM runs WHERE run_id = ?", [int(run_id)]).fetchone()
        if row is None:
            last = self._con.execute("SELECT max(run_id), count(*) FROM runs").fetchone()
            have = "the store is empty" if not last or not last[1] else f"runs are numbered 1 to {last[0]}"
            raise StoreError(f"no run {run_id} in {self.path}", where="RUN_ID",
                             hint=f"{have}; list them with `cocamonitor store runs`")
        rid, command, started, finished, version, argv, cwd, parameters, document = row
        inputs = dict(self._con.execute(
            "SELECT path, sha256 FROM inputs WHERE run_id = ? ORDER BY rowid", [rid]).fetchall())
        est = self._con.execute(
            f"SELECT {', '.join(ESTIMATE_COLUMNS)} FROM estimates WHERE run_id = ? ORDER BY rowid", [rid]).df()
        est["unit"] = est["unit"].astype(object).where(est["unit"].notna(), None)
        return Run(
            run_id=int(rid), command=command,
            started_at=started.replace(tzinfo=UTC), finished_at=finished.replace(tzinfo=UTC),
            version=version, argv=None if argv is None else json.loads(argv), cwd=cwd, inputs=inputs,
            parameters=json.loads(parameters), document=json.loads(document), estimates=est,
        )

    def query(self, sql: str, *, max_rows: int | None = None, timeout: float | None = None) -> pd.DataFrame:
        """Run one read-only SQL ``SELECT`` over the store's tables and return its rows.

        The query runs with at most :data:`QUERY_MEMORY_LIMIT` of memory (the connection's
        configuration is locked, so ``SET`` cannot lift it) and is interrupted after
        ``timeout`` seconds.

        Parameters
        ----------
        sql : str
            One ``SELECT``.
        max_rows : int, default QUERY_MAX_ROWS
            Most rows returned; a query with more is refused (add ``LIMIT`` or aggregate).
        timeout : float, default QUERY_TIMEOUT_S
            Seconds before the query is interrupted.

        Raises
        ------
        StoreError
            The text is not exactly one ``SELECT`` (writes, ``ATTACH``, ``COPY``, ``SET`` are
            refused), DuckDB cannot run it, it needs more memory or time than allowed, or it
            returns more than ``max_rows`` rows.

        """
        max_rows = QUERY_MAX_ROWS if max_rows is None else int(max_rows)
        timeout = QUERY_TIMEOUT_S if timeout is None else float(timeout)
        try:
            statements = duckdb.extract_statements(sql)
        except duckdb.Error as err:
            raise StoreError(_first_line(err), where="store query") from None
        if len(statements) != 1:
            raise StoreError(f"give exactly one SQL statement, got {len(statements)}", where="store query")
        kind = statements[0].type.name
        if kind != "SELECT":
            raise StoreError(f"the store is read-only here: {kind} is refused", where="store query",
                             hint="write a SELECT (e.g. SELECT * FROM runs)")
        if not self.read_only:  # belt and braces: reads go through a read-only store
            raise StoreError("query needs a store opened with read_only=True", where=str(self.path))
        import threading

        timer = threading.Timer(timeout, self._con.interrupt)
        timer.start()
        try:
            rel = self._con.execute(sql)
            rows = rel.fetchmany(max_rows + 1)
            columns = [d[0] for d in rel.description or []]
        except duckdb.InterruptException:
            raise StoreError(f"the query ran longer than {timeout:g} s and was stopped", where="store query",
                             hint="filter or aggregate more (WHERE, GROUP BY, LIMIT)") from None
        except duckdb.OutOfMemoryException:
            raise StoreError(f"the query needs more than {QUERY_MEMORY_LIMIT} of memory", where="store query",
                             hint="filter or aggregate more (WHERE, GROUP BY, LIMIT)") from None
        except duckdb.Error as err:
            raise StoreError(_first_line(err), where="store query",
                             hint=f"tables: {', '.join(TABLES)}") from None
        finally:
            timer.cancel()
        if len(rows) > max_rows:
            raise StoreError(f"the query returns more than {max_rows:,} rows", where="store query",
                             hint="add LIMIT, or aggregate (GROUP BY)")
        return pd.DataFrame.from_records(rows, columns=columns)


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def _lock_holder(text: str) -> str:
    """Name the program and PID holding DuckDB's lock, from DuckDB's message.

    >>> _lock_holder('Could not set lock on file "/s.duckdb": Conflicting lock is held in '
    ...              '/usr/bin/python3.11 (PID 42) by user ana. See also https://duckdb.org')
    'program /usr/bin/python3.11, PID 42'
    """
    m = re.search(r"held in (.+?) \(PID (\d+)\)", text)
    if m is None:
        return "holder unknown"
    return f"program {m.group(1)}, PID {m.group(2)}"


def _is_duckdb_file(path: Path) -> bool:
    """DuckDB files carry ``DUCK`` at byte 8 (DuckDB itself would also open a CSV as a database)."""
    with open(path, "rb") as fh:
        return fh.read(12)[8:12] == b"DUCK"


def _connect(path: Path, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    if path.exists() and not _is_duckdb_file(path):
        raise StoreError("is not a cocamonitor store (not a DuckDB database)", where=str(path),
                         hint="give a new file name or an existing store with `store`")
    config: dict[str, str | bool | int | float | list[str]] = {"autoinstall_known_extensions": False}
    if read_only:
        config["enable_external_access"] = False  # a query reads the store and nothing else
        config["memory_limit"] = QUERY_MEMORY_LIMIT  # a query cannot take the machine's memory
        config["lock_configuration"] = True  # and cannot SET these back
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.IOException as err:
            text = str(err)
            if "lock" in text.lower():
                if time.monotonic() < deadline:
                    time.sleep(0.1)
                    continue
                raise StoreLockedError(f"the store is locked by another process ({_lock_holder(text)})",
                                       where=str(path),
                                       hint="wait for it to finish and run the command again, "
                                       "or give another `store`") from None
            if "not a valid DuckDB database" in text:
                raise StoreError("is not a cocamonitor store (not a DuckDB database)", where=str(path),
                                 hint="give a new file name or an existing store with `store`") from None
            raise StoreError(_first_line(err), where=str(path)) from None
        except duckdb.Error as err:
            raise StoreError(_first_line(err), where=str(path),
                             hint="close other connections to this store in this process") from None


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path, *, create: bool) -> None:
    tables = {r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}
    if not tables and create:
        con.execute("BEGIN TRANSACTION")
        con.execute(_SCHEMA)
        con.execute("INSERT INTO meta VALUES ('schema_version', ?), ('created_with', ?)",
                    [str(SCHEMA_VERSION), __version__])
        con.execute("COMMIT")
        return
    if "meta" not in tables:
        raise StoreError("is a DuckDB database but not a cocamonitor store (no meta table)", where=str(path),
                         hint="give a new file name or an existing store with `store`")
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    version = int(row[0]) if row and str(row[0]).isdigit() else None
    if version is None or not set(TABLES) <= tables:
        raise StoreError("is not a cocamonitor store (no schema version or missing tables)", where=str(path))
    if version > SCHEMA_VERSION:
        raise StoreError(f"was written with store schema {version}; this cocamonitor reads up to {SCHEMA_VERSION}",
                         where=str(path), hint="upgrade cocamonitor")


def open_store(path: str | Path | None = None, *, read_only: bool = False) -> Store:
    """Open (and on first write, create) a store.

    Parameters
    ----------
    path : str or Path, optional
        The DuckDB file; default :func:`default_store_path`.
    read_only : bool, default False
        Open for reading only: several processes can read at once, ``query`` is allowed and
        the file is never created.

    Raises
    ------
    StoreError
        The file does not exist (read-only), is locked by another writer, is not a DuckDB
        database, or is a DuckDB database that is not a cocamonitor store.

    """
    p = Path(path).expanduser() if path is not None else default_store_path()
    if p.is_dir():
        raise StoreError("is a directory", where=str(p), hint="give a file name, e.g. runs.duckdb")
    if read_only and not p.exists():
        raise StoreError("no store here yet", where=str(p),
                         hint="record a run in it first")
    if not read_only:
        p.parent.mkdir(parents=True, exist_ok=True)
    con = _connect(p, read_only=read_only)
    try:
        _check_schema(con, p, create=not read_only)
    except BaseException:
        con.close()
        raise
    return Store(p, con, read_only=read_only)


def check_store(path: str | Path) -> None:
    """Fail early (before any work) when ``path`` exists and is not a usable store.

    A missing file is fine: it is created when the first run is recorded.
    """
    p = Path(path).expanduser()
    if p.exists():
        open_store(p, read_only=True).close()
    elif p.parent != Path("") and p.parent.exists() and not p.parent.is_dir():
        raise StoreError(f"cannot create a store in {p.parent}: not a directory", where=str(p))
