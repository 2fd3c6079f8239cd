"""The JSON API's documentation page (``/docs``) in Spanish and English, from the OpenAPI schema.

Summaries and descriptions are written in English in the routes (their docstrings and ``Query``
descriptions, which also feed ``/openapi.json``); ``templates/api_docs_es.toml`` gives each
paragraph its Spanish text. A paragraph without one is shown in English, and
:func:`missing_spanish` lists them for the test that keeps the catalogue complete.

Examples
--------
>>> str(api_text("Earlier year.", "es")), str(api_text("Earlier year.", "en"))
('Año inicial.', 'Earlier year.')
>>> str(api_text("Census year ``year``.", "en"))
'Census year <code>year</code>.'

"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources
from typing import Any

from markupsafe import Markup, escape

__all__ = ["api_text", "missing_spanish", "operations"]


@cache
def _spanish() -> dict[str, str]:
    text = resources.files("cocamonitor.web").joinpath("templates/api_docs_es.toml").read_text(encoding="utf-8")
    return {_norm(k): v for k, v in tomllib.loads(text)["text"].items()}


def _norm(text: str) -> str:
    return " ".join(text.split())


def _paragraphs(text: str) -> list[str]:
    return [_norm(p) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _html(text: str) -> Markup:
    """Escape ``text`` and show its ``code`` spans (reStructuredText double backticks) as code."""
    return Markup(re.sub(r"``(.+?)``", r"<code>\1</code>", str(escape(text))))


def api_text(text: str, lang: str) -> Markup:
    """Return ``text`` (a summary or description of the schema) in ``lang``, as HTML."""
    paragraphs = _paragraphs(text)
    if lang == "es":
        paragraphs = [_spanish().get(p, p) for p in paragraphs]
    return Markup("<br><br>").join(_html(p) for p in paragraphs)


def _texts(op: dict[str, Any]) -> list[str]:
    return [op.get("summary", ""), op.get("description", ""),
            *(p.get("description", "") for p in op.get("parameters", []))]


def missing_spanish(spec: dict[str, Any]) -> list[str]:
    """Return the paragraphs of the schema's operations that have no Spanish text."""
    return sorted({p for methods in spec.get("paths", {}).values() for op in methods.values()
                   for text in _texts(op) for p in _paragraphs(text) if p not in _spanish()})


def _schema_type(schema: dict) -> str:
    if "anyOf" in schema:
        return " | ".join(_schema_type(s) for s in schema["anyOf"])
    return str(schema.get("type", ""))


def operations(spec: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """Return the operations of an OpenAPI schema for the ``/docs`` page, their texts in ``lang``."""
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                       "type": _schema_type(p.get("schema", {})),
                       "description": api_text(p.get("description", ""), lang)}
                      for p in op.get("parameters", [])]
            ops.append({"method": method.upper(), "path": path, "summary": api_text(op.get("summary", ""), lang),
                        "description": api_text(op.get("description", ""), lang), "params": params})
    return ops
