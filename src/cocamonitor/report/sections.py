"""Report sections computed by other modules (trend tests, production); filled in when present."""

from __future__ import annotations

from typing import Any

__all__ = ["extra_sections"]


def extra_sections(year: int, inputs: Any) -> dict[str, Any]:
    """Sections from :mod:`cocamonitor.trends` and :mod:`cocamonitor.production` (none yet)."""
    return {}
