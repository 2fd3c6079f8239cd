"""The report's number formatting: :mod:`cocamonitor.formatting`, which the core shares (same names)."""

from cocamonitor.formatting import (
    LANGUAGES,
    Lang,
    check_lang,
    fmt_number,
    fmt_percent,
    fmt_quantity,
    fmt_signed,
)

__all__ = ["LANGUAGES", "Lang", "check_lang", "fmt_number", "fmt_percent", "fmt_quantity", "fmt_signed"]
