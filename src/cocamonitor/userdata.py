"""The user data folder: datasets a user imports beside the bundled ones.

Importers (Ministry of Defence event files, the SIMCI 1 km grid, territory layers, ...) write
their tidy tables here, and every command, the report and the dashboard read them beside the
bundled data. Each entry is recorded in ``manifest.json`` with the SHA-256 of the file it came
from, the import date and the importer that made it, so an imported figure carries its
provenance like a bundled one.

Where the folder is, first that applies:

1. the ``data_dir`` argument (or the command line's option for it);
2. ``$COCAMONITOR_DATA_DIR``;
3. ``$XDG_DATA_HOME/cocamonitor/data``, else ``~/.local/share/cocamonitor/data``.

Writes are atomic: a table is written to a temporary file in the same folder, flushed to disk
and renamed over the old one, and the manifest is replaced the same way afterwards; a process
killed in between leaves the previous version readable (at worst an orphan temporary file,
removed by the next write). Importing the same file twice changes nothing.

Examples
--------
>>> import tempfile, pandas as pd
>>> from cocamonitor import userdata
>>> folder = userdata.resolve(tempfile.mkdtemp())
>>> src = folder / "events.csv"; _ = src.write_text("a,1")
>>> entry = userdata.store_table(pd.DataFrame({"a": [1]}), name="demo", kind="example",
...                              source=src, data_dir=folder)
>>> entry.name, entry.rows
('demo', 1)
>>> userdata.read_table("demo", data_dir=folder)["a"].tolist()
[1]
>>> [e.name for e in userdata.entries(data_dir=folder)]
['demo']

"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cocamonitor.errors import InputError, UnknownNameError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Entry",
    "atomic_write",
    "entries",
    "entry",
    "file_sha256",
    "read_table",
    "remove",
    "resolve",
    "set_default",
    "store_table",
]

MANIFEST = "manifest.json"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,79}$")
_default: Path | None = None


@dataclass(frozen=True)
class Entry:
    """One imported dataset in the user data folder.

    Attributes
    ----------
    name : str
        Identifier (lower case, digits, ``_.-``), also the file stem.
    kind : str
        What importer made it (``mindefensa``, ``simci-grid``, ``territories``, ...).
    file : str
        File name inside the folder (``NAME.parquet``).
    source : str
        Path of the file it was imported from, as given.
    source_sha256 : str
        SHA-256 of that file.
    imported : str
        ISO 8601 UTC time of the import.
    rows : int
        Number of rows written.
    meta : dict
        Importer-specific facts (result type, units converted, years, publisher, ...).

    """

    name: str
    kind: str
    file: str
    source: str
    source_sha256: str
    imported: str
    rows: int
    meta: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict, JSON-ready."""
        return asdict(self)


def set_default(path: str | Path | None) -> None:
    """Set the folder used when a function is called without ``data_dir`` (the command line sets it)."""
    global _default
    _default = None if path is None else Path(path).expanduser()


def resolve(data_dir: str | Path | None = None, *, create: bool = True) -> Path:
    """Return the user data folder (see the module docstring for the order), created if asked.

    Raises
    ------
    InputError
        When the path exists and is not a folder, or cannot be created.

    """
    if data_dir is not None:
        path = Path(data_dir).expanduser()
    elif _default is not None:
        path = _default
    elif os.environ.get("COCAMONITOR_DATA_DIR"):
        path = Path(os.environ["COCAMONITOR_DATA_DIR"]).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "cocamonitor" / "data"
    if path.exists() and not path.is_dir():
        raise InputError(f"{path} is a file, not a folder", where="data_dir", hint="name a folder for imported data")
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise InputError(
                f"cannot create {path} ({err.strerror})", where="data_dir", hint="name a writable folder"
            ) from None
    return path


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def atomic_write(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success, fsync it and rename it over ``target``.

    On any exception the temporary file is removed and ``target`` is untouched.
    """
    target = Path(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        with contextlib.suppress(OSError):  # persist the rename itself
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    finally:
        tmp.unlink(missing_ok=True)


def _read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    path = folder / MANIFEST
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(
            f"{path} is not a readable manifest ({err})",
            where="data_dir",
            hint="restore it from a backup or remove the folder and import again",
        ) from None
    return dict(data.get("entries", {}))


def _write_manifest(folder: Path, items: dict[str, dict[str, Any]]) -> None:
    body = json.dumps({"version": 1, "entries": dict(sorted(items.items()))}, indent=2, ensure_ascii=False)
    with atomic_write(folder / MANIFEST) as tmp:
        tmp.write_text(body + "\n", encoding="utf-8")


def _clean_orphans(folder: Path) -> None:
    for tmp in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            tmp.unlink()


def entries(*, kind: str | None = None, data_dir: str | Path | None = None) -> list[Entry]:
    """List the imported datasets (optionally of one ``kind``), sorted by name."""
    folder = resolve(data_dir, create=False)
    if not folder.is_dir():
        return []
    out = [Entry(**item) for item in _read_manifest(folder).values()]
    return sorted((e for e in out if kind is None or e.kind == kind), key=lambda e: e.name)


def entry(name: str, *, data_dir: str | Path | None = None) -> Entry:
    """Return one imported dataset's entry; :class:`UnknownNameError` when there is none."""
    for item in entries(data_dir=data_dir):
        if item.name == name:
            return item
    known = ", ".join(e.name for e in entries(data_dir=data_dir)) or "none yet"
    raise UnknownNameError(
        f"no imported dataset {name!r} in {resolve(data_dir, create=False)}",
        where="name",
        hint=f"imported: {known}",
    )


def store_table(
    table: pd.DataFrame,
    *,
    name: str,
    kind: str,
    source: str | Path,
    meta: dict[str, Any] | None = None,
    data_dir: str | Path | None = None,
) -> Entry:
    """Write ``table`` as ``NAME.parquet`` in the user data folder and record it in the manifest.

    Re-importing the same source file (same SHA-256, same kind and meta) changes nothing and
    returns the existing entry; a different file replaces the table atomically. A geometry
    column (a GeoDataFrame) is written as GeoParquet.
    """
    if not _NAME.match(name):
        raise InputError(f"dataset name {name!r} is not allowed", where="name", hint="use a-z, 0-9, '_', '.', '-'")
    folder = resolve(data_dir)
    _clean_orphans(folder)
    digest = file_sha256(source)
    items = _read_manifest(folder)
    meta = dict(meta or {})
    old = items.get(name)
    if (
        old is not None
        and old.get("source_sha256") == digest
        and old.get("kind") == kind
        and old.get("meta") == json.loads(json.dumps(meta, default=str))
        and (folder / old["file"]).exists()
    ):
        return Entry(**old)
    target = folder / f"{name}.parquet"
    with atomic_write(target) as tmp:
        table.to_parquet(tmp, index=False)
    new = Entry(
        name=name,
        kind=kind,
        file=target.name,
        source=str(source),
        source_sha256=digest,
        imported=datetime.now(UTC).replace(microsecond=0).isoformat(),
        rows=int(len(table)),
        meta=json.loads(json.dumps(meta, default=str)),
    )
    items[name] = new.to_dict()
    _write_manifest(folder, items)
    return new


def read_table(name: str, *, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Read an imported table (a GeoDataFrame when it was stored with geometry)."""
    item = entry(name, data_dir=data_dir)
    path = resolve(data_dir, create=False) / item.file
    if b"geo" in (_parquet_meta_keys(path)):
        import geopandas as gpd

        return gpd.read_parquet(path)
    import pandas as pd  # imported here: the CLI's root callback imports this module

    return pd.read_parquet(path)


def _parquet_meta_keys(path: Path) -> bytes:
    import pyarrow.parquet as pq

    meta = pq.read_schema(path).metadata or {}
    return b" ".join(meta.keys())


def remove(name: str, *, data_dir: str | Path | None = None) -> None:
    """Remove an imported dataset (manifest first, then the file)."""
    item = entry(name, data_dir=data_dir)
    folder = resolve(data_dir)
    items = _read_manifest(folder)
    items.pop(item.name, None)
    _write_manifest(folder, items)
    (folder / item.file).unlink(missing_ok=True)
