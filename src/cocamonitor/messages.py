"""Spanish text for the core's error messages: a catalogue of English templates.

The core raises :class:`~cocamonitor.errors.CocamonitorError` with an English ``message``,
``where`` and ``hint`` (the language of the code). The edges (the command line under
``lang`` es or a Spanish locale, the web API under ``Accept-Language: es`` or ``?lang=es``)
show them in Spanish through this catalogue, ``data/errors_es.toml``: English templates with
named placeholders, each mapped to its Spanish template.

* A placeholder ``{name}`` matches any text (a value, a path, a list, a parameter name such as
  ``year`` or `` `year` `` or an option) and is copied unchanged: nothing the English message
  says is lost in the translation.
* ``{name:t}`` is a part of the sentence written by cocamonitor (a hint built from pieces): it
  is translated in turn, and the whole counts as translated only if that part is.
* ``{name:lib}`` is text of another library (the operating system's ``strerror``, a parser's
  complaint): translated when the catalogue knows it, else kept as it is.

Templates are compiled to regular expressions once; the most specific is tried first (one that
begins with its own words before one that begins with a value, then the most literal text). A
text no template matches is returned unchanged, in English: a message is never dropped and
translating never raises. The edges translate first and map the core's parameter names to their
own vocabulary (options, query parameters) afterwards.

Examples
--------
>>> translate_text("unknown dataset 'coca-nacional'", "es")
"conjunto de datos desconocido 'coca-nacional'"
>>> from cocamonitor.errors import InputError
>>> err = InputError("blank value", where="f.csv line 3, column 'value'", hint="fill it in or drop the row")
>>> str(translate_error(err, "es"))
"f.csv, línea 3, columna 'value': valor en blanco; complételo o elimine la fila"
>>> untranslated(err, "es")
[]

"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TypeVar

__all__ = [
    "LANGS",
    "Template",
    "catalogue",
    "collect_untranslated",
    "request_lang",
    "translate_error",
    "translate_text",
    "untranslated",
]

#: Languages of the messages: English (the core's own) and Spanish.
LANGS = ("en", "es")

#: sections of the catalogue that are not sentences of cocamonitor's messages
_WHERE, _LIB = "where", "lib"
_PLACEHOLDER = re.compile(r"\{(\w+)(?::(t|lib))?\}")
_E = TypeVar("_E", bound=BaseException)


@dataclass(frozen=True)
class Template:
    """One English template, its translation and its compiled pattern."""

    en: str
    es: str
    pattern: re.Pattern[str]
    kinds: tuple[tuple[str, str], ...]  # (placeholder, kind) in order
    literal: int  # characters of literal text: more is more specific
    anchors: tuple[str, ...]  # literal pieces the text must contain (a cheap filter before the regex)

    @classmethod
    def compile(cls, en: str, es: str) -> Template:
        """Compile ``en`` (``{name}``, ``{name:t}``, ``{name:lib}`` placeholders, ``{{``/``}}`` braces)."""
        parts: list[str] = []
        kinds: list[tuple[str, str]] = []
        anchors: list[str] = []
        literal, pos = 0, 0
        text = en.replace("{{", "\0").replace("}}", "\1")
        for m in _PLACEHOLDER.finditer(text):
            lit = text[pos:m.start()].replace("\0", "{").replace("\1", "}")
            parts.append(re.escape(lit))
            literal += len(lit.strip())
            if lit.strip():
                anchors.append(lit)
            name, kind = m.group(1), m.group(2) or ""
            if name in dict(kinds):
                raise ValueError(f"template {en!r}: placeholder {{{name}}} appears twice")
            kinds.append((name, kind))
            parts.append(f"(?P<{name}>.*?)")
            pos = m.end()
        lit = text[pos:].replace("\0", "{").replace("\1", "}")
        parts.append(re.escape(lit))
        literal += len(lit.strip())
        if lit.strip():
            anchors.append(lit)
        if not literal:
            raise ValueError(f"template {en!r} has no literal text: it would match anything")
        names_es = {m.group(1) for m in _PLACEHOLDER.finditer(es.replace("{{", "").replace("}}", ""))}
        if names_es != {n for n, _ in kinds}:
            raise ValueError(f"template {en!r}: the Spanish text has placeholders {sorted(names_es)}, "
                             f"the English {sorted(n for n, _ in kinds)}")
        return cls(en, es, re.compile("".join(parts), re.S), tuple(kinds), literal, tuple(anchors))

    def render(self, values: dict[str, str]) -> str:
        """Return the Spanish template with ``values`` in its placeholders."""
        return _PLACEHOLDER.sub(lambda m: values[m.group(1)],
                                self.es.replace("{{", "\0").replace("}}", "\1")).replace(
            "\0", "{").replace("\1", "}")


@cache
def catalogue(lang: str = "es") -> dict[str, tuple[Template, ...]]:
    """Return the compiled templates of ``lang`` by pool (``text``, ``where``, ``lib``), most specific first."""
    text = resources.files("cocamonitor").joinpath(f"data/errors_{lang}.toml").read_text(encoding="utf-8")
    pools: dict[str, list[Template]] = {"text": [], _WHERE: [], _LIB: []}
    seen: dict[str, str] = {}
    for section, table in tomllib.loads(text).items():
        pool = section if section in (_WHERE, _LIB) else "text"
        for en, es in table.items():
            key = f"{pool}:{en}"
            if key in seen:
                raise ValueError(f"template {en!r} is in [{seen[key]}] and [{section}]")
            seen[key] = section
            pools[pool].append(Template.compile(en, es))
    # a template that begins with words of its own beats one that begins with a value: in
    # "cannot write a/b.gpkg: a is a file, not a folder" the sentence is "cannot write {path}:
    # {reason}", not "{path} is a file, not a folder"; then the one with more literal text wins
    return {k: tuple(sorted(v, key=lambda t: (t.en.startswith("{") and not t.en.startswith("{{"), -t.literal,
                                             len(t.kinds)))) for k, v in pools.items()}


def _match(text: str, lang: str, pool: str, depth: int = 0) -> tuple[str, bool] | None:
    """Return the translation of ``text`` by the first template of ``pool`` that matches it, or None."""
    if depth > 4:  # nested parts of parts: no real message goes this deep
        return None
    for tpl in catalogue(lang)[pool]:
        if not all(a in text for a in tpl.anchors):
            continue
        m = tpl.pattern.fullmatch(text)
        if m is None:
            continue
        values, ok = {}, True
        for name, kind in tpl.kinds:
            value = m.group(name)
            if kind == "t" and value:
                value, part_ok = _translate(value, lang, depth + 1)
                ok = ok and part_ok
            elif kind == "lib" and value:
                found = _match(value.strip(), lang, _LIB, depth + 1)
                if found is not None:
                    value = value.replace(value.strip(), found[0])
            values[name] = value
        return tpl.render(values), ok
    return None


def _translate(text: str, lang: str, depth: int = 0) -> tuple[str, bool]:
    """Translate ``text``; clauses joined by ``"; "`` are translated one by one if the whole is not known."""
    found = _match(text, lang, "text", depth)
    if found is not None:
        return found
    if "; " in text:
        parts = [_translate(p, lang, depth + 1) for p in text.split("; ")]
        return "; ".join(p for p, _ in parts), all(ok for _, ok in parts)
    return text, False


#: the length that :func:`cocamonitor.errors.shown` adds to a value it cuts, in Spanish
_SHOWN_LENGTH = (re.compile(r"…' \((\d+) characters\)"), r"…' (\1 caracteres)")


def translate_text(text: str, lang: str) -> str:
    """Return ``text`` (a message, a hint or a usage line) in ``lang``, or unchanged if not in the catalogue."""
    return _translate_text(text, lang)


def _translate_text(text: str, lang: str) -> str:
    if lang == "en" or not text:
        return text
    try:
        out = _translate(text, lang)[0]
    except Exception:  # noqa: BLE001 - a broken catalogue entry must not hide the error being shown
        return text
    return _SHOWN_LENGTH[0].sub(_SHOWN_LENGTH[1], out) if lang == "es" else out


def _where(where: str, lang: str) -> tuple[str, bool]:
    found = _match(where, lang, _WHERE)
    if found is not None:
        return found
    # a name, an option, a path or a list of them (no prose): the same in every language
    return where, " " not in where.strip() or bool(re.fullmatch(r"[^ ]*/[^;]*", where))


def translate_error(err: _E, lang: str) -> _E:
    """Return a copy of ``err`` (a :class:`CocamonitorError`) with its message, place and hint in ``lang``.

    The copy is of the same class, with the same attributes; ``err`` itself is not changed.
    Anything that is not a cocamonitor error, or English, is returned as it is.
    """
    from cocamonitor.errors import CocamonitorError

    if lang == "en" or not isinstance(err, CocamonitorError):
        return err
    try:
        message = _translate_text(err.message, lang)
        where = _where(err.where, lang)[0] if err.where else err.where
        hint = _translate_text(err.hint, lang) if err.hint else err.hint
        new = type(err).__new__(type(err))
        new.__dict__.update(err.__dict__)
        new.message, new.where, new.hint = message, where, hint
        new.args = (new._render(),)
        return new
    except Exception:  # noqa: BLE001 - never lose the error over its translation
        return err


def untranslated(err: BaseException | str, lang: str = "es") -> list[str]:
    """Return the parts of an error (or of a usage line) that the catalogue of ``lang`` does not translate.

    Used by the tests to hold the catalogue to every message of the bad-input corpus.
    """
    from cocamonitor.errors import CocamonitorError

    if isinstance(err, str):
        return [] if _translate(err, lang)[1] else [err]
    if not isinstance(err, CocamonitorError):
        return [str(err)]
    out = [part for part in (err.message, err.hint) if part and not _translate(part, lang)[1]]
    if err.where and not _where(err.where, lang)[1]:
        out.append(err.where)
    return out


@contextlib.contextmanager
def collect_untranslated(lang: str = "es") -> Iterator[list[str]]:
    """Collect what the catalogue of ``lang`` leaves untranslated in the errors the edges show meanwhile.

    The command line and the web pass every error they show through :func:`translate_error`
    or :func:`translate_text` (unchanged in English); inside this block each is also held to the
    catalogue, whatever the language shown. The tests run the bad-input corpus and the API's
    bad requests in it, so the catalogue's coverage is checked at no extra run. Not thread-safe.
    """
    module = globals()
    real_error, real_text = module["translate_error"], module["translate_text"]
    found: list[str] = []

    def error(err, lang_shown):
        found.extend(untranslated(err, lang))
        return real_error(err, lang_shown)

    def text(line, lang_shown):
        found.extend(untranslated(line, lang))
        return real_text(line, lang_shown)

    module["translate_error"], module["translate_text"] = error, text
    try:
        yield found
    finally:
        module["translate_error"], module["translate_text"] = real_error, real_text


def request_lang(query: str | None, accept_language: str | None, default: str = "en") -> str:
    """Return the language of a web answer: ``?lang=`` if given, else the best of ``Accept-Language``.

    Examples
    --------
    >>> request_lang(None, "es-CO,es;q=0.9,en;q=0.8")
    'es'
    >>> request_lang("en", "es"), request_lang(None, "fr, en;q=0.5"), request_lang(None, None, "es")
    ('en', 'en', 'es')

    """
    if query in LANGS:
        return query
    best, best_q = None, 0.0
    for item in (accept_language or "").split(","):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        found = re.search(r"q\s*=\s*([^\s;,]*)", params)
        if found:
            try:
                q = float(found.group(1))
            except ValueError:
                q = 0.0
        if primary in LANGS and q > best_q:
            best, best_q = primary, q
    return best or default
