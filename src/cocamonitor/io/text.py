r"""Text inputs (CSV, TOML, JSON): refuse what is not UTF-8 text with one line saying how to fix it.

A spreadsheet saved as Excel, a gzip file, a CSV saved as UTF-16 or Latin-1 would otherwise
reach the parsers and come back as a codec or parser message. :func:`check_text_file` names the
kind of file it found and asks for UTF-8; :func:`read_text_file` returns the text once checked.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> p = Path(tempfile.mkdtemp()) / "a.csv"
>>> _ = p.write_bytes("año,valor\n2020,1\n".encode("latin-1"))
>>> try:
...     check_text_file(p, kind="CSV")
... except InputError as err:
...     print(str(err).split(": ", 1)[1].split(";")[0])
is not UTF-8 text (byte 0xf1 at byte 1, Latin-1 or Windows-1252?)

"""

from __future__ import annotations

from pathlib import Path

from cocamonitor.errors import InputError

__all__ = ["check_text_file", "read_text_file"]

#: how much of a file is examined (the rest is decoded by the parser; errors there say the same)
SNIFF_BYTES = 1 << 20

_MAGIC = (
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx or .ods workbook?)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook"),
    (b"%PDF", "a PDF document"),
    (b"PAR1", "a Parquet file"),
    (b"\x89PNG", "a PNG image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"SQLite format 3", "an SQLite database"),
)


def _what(head: bytes) -> str | None:
    """Describe a file that is not UTF-8 text from its first bytes, or None when it may be."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text"
    if len(head) >= 4 and (head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4):
        return "UTF-16 text (no byte-order mark)"
    if b"\x00" in head:
        return "a binary file"
    return None


def check_text_file(path: str | Path, *, kind: str = "CSV", where: str | None = None) -> Path:
    """Check that ``path`` is a readable UTF-8 text file (a BOM is allowed) and return it.

    Parameters
    ----------
    path : str or Path
        The file.
    kind : str
        What it should be (``"CSV"``, ``"TOML"``, ``"JSON"``), for the hint.
    where : str, optional
        How to name the file in messages (default: the path).

    Raises
    ------
    InputError
        Missing, a folder, unreadable, or not UTF-8 text: the message says which and asks to
        save the file as UTF-8 ``kind``.

    """
    p = Path(path)
    label = where or str(p)
    if p.is_dir():
        raise InputError("is a folder, not a file", where=label, hint=f"give a {kind} file")
    if not p.exists():
        raise InputError(f"file not found: {p}", where=where, hint="check the path")
    try:
        with open(p, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror or err}", where=label,
                         hint="check its permissions") from None
    hint = f"save it as a UTF-8 {kind} file (in a spreadsheet: Save as > CSV UTF-8)" if kind == "CSV" \
        else f"save it as a UTF-8 {kind} file"
    what = _what(head)
    if what is not None:
        raise InputError(f"is {what}, not UTF-8 {kind} text", where=label, hint=hint)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.start < len(head) - 4:  # not a character cut by the end of the sniffed block
            byte = head[err.start]
            raise InputError(f"is not UTF-8 text (byte 0x{byte:02x} at byte {err.start}, Latin-1 or Windows-1252?)",
                             where=label, hint=hint) from None
    return p


def read_text_file(path: str | Path, *, kind: str = "CSV", where: str | None = None) -> str:
    """Return the text of a UTF-8 file (BOM removed) after :func:`check_text_file`."""
    p = check_text_file(path, kind=kind, where=where)
    label = where or str(p)
    try:
        return p.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError(f"is not UTF-8 text (byte 0x{err.object[err.start]:02x} at byte {err.start})",
                         where=label, hint=f"save it as a UTF-8 {kind} file") from None
    except OSError as err:
        raise InputError(f"cannot read the file: {err.strerror or err}", where=label) from None
