"""The Spanish catalogue of the core's error messages (cocamonitor.messages, data/errors_es.toml).

Its coverage of real messages is held by the bad-input corpus (tests/test_bad_input_corpus.py),
where every error the command line prints must be translatable; here: the matching rules, that
nothing is lost, that every template is reachable, and the command line under ``--lang es``.
"""

from __future__ import annotations

import pytest

from cocamonitor import messages
from cocamonitor.errors import CocamonitorError, InputError, StoreLockedError, UnknownNameError
from cocamonitor.messages import catalogue, request_lang, translate_error, translate_text, untranslated


def _fill(template: str, values: dict[str, str]) -> str:
    return messages._PLACEHOLDER.sub(lambda m: values[m.group(1)],
                                     template.replace("{{", "\0").replace("}}", "\1")).replace(
        "\0", "{").replace("\1", "}")


@pytest.mark.parametrize("pool", ["text", "where", "lib"])
def test_every_template_is_reached_and_keeps_every_value(pool):
    """Each English template, filled with distinct values, comes back as its own Spanish text.

    A template shadowed by a more general one, a Spanish text that drops or garbles a
    placeholder, or two templates that say the same would fail here.
    """
    wrong = []
    for tpl in catalogue("es")[pool]:
        values = {}
        for k, (name, kind) in enumerate(tpl.kinds):
            # a part translated in turn gets a known sentence; others a token no template has
            values[name] = "blank value" if kind == "t" else f"<v{k}>"
        english = _fill(tpl.en, values)
        expected = _fill(tpl.es, {n: ("valor en blanco" if v == "blank value" else v) for n, v in values.items()})
        got = (messages._match(english, "es", pool) or (None, False))
        if got != (expected, True):
            wrong.append((tpl.en, got[0], expected))
        for name, kind in tpl.kinds:
            assert kind == "t" or values[name] in expected, (tpl.en, name)
    assert not wrong, "\n".join(map(str, wrong[:20]))


def test_templates_are_spanish_and_well_formed():
    text = catalogue("es")["text"]
    assert len(text) > 200
    same = [t.en for t in text if t.en == t.es and not t.en.startswith("use ")]  # "use" is Spanish too
    assert not same, same
    with pytest.raises(ValueError, match="no literal text"):
        messages.Template.compile("{a}", "{a}")
    with pytest.raises(ValueError, match="placeholders"):
        messages.Template.compile("got {a} and {b}", "{a}")


def test_placeholders_take_any_spelling_of_a_parameter():
    """Helper F's rule 1: the core names parameters `year`; old messages name --year; both translate."""
    for name in ("`skip_missing`", "--skip-missing", "skip_missing"):
        hint = f"pass {name} to test the years present, or choose years without gaps (longest run: 2010-2011)"
        out = translate_text(hint, "es")
        assert out.startswith(f"pase {name} para probar") and "2010-2011" in out
    err = InputError("`alpha` must be between 0 and 1, got 1.5", where="alpha")
    assert str(translate_error(err, "es")) == "alpha: `alpha` debe estar entre 0 y 1 (se recibió 1.5)"


def test_the_most_specific_template_wins():
    assert translate_text("unknown dataset 'x' for a trend", "es") == \
        "conjunto de datos desconocido 'x' para una tendencia"
    assert translate_text("unknown dataset 'x'", "es") == "conjunto de datos desconocido 'x'"
    assert translate_text("use .png, .svg, .pdf or .html", "es") == "use .png, .svg, .pdf o .html"
    # a sentence that begins with its own words beats one that begins with a value
    assert translate_text("cannot write a/b.csv/x.gpkg: a/b.csv is a file, not a folder", "es") == \
        "no se puede escribir a/b.csv/x.gpkg: a/b.csv es un archivo, no una carpeta"


def test_place_line_and_column_are_translated_and_names_kept():
    err = InputError("cannot read 'ten' as a number", where="/data/área 1.csv line 3, column 'value'",
                     hint="write numbers like 1088.88 or 1.088,88")
    out = translate_error(err, "es")
    assert out.where == "/data/área 1.csv, línea 3, columna 'value'"
    assert str(out) == ("/data/área 1.csv, línea 3, columna 'value': no se puede leer 'ten' como número; "
                        "escriba números como 1088.88 o 1.088,88")
    assert untranslated(err) == []


def test_parts_of_a_hint_and_other_libraries_text():
    # a hint made of known clauses joined by "; "
    assert translate_text("areas must be > 0; drop empty strata from the table", "es") == \
        "las áreas deben ser > 0; quite de la tabla los estratos vacíos"
    # the operating system's words are translated when known, kept when not
    assert translate_text("cannot write /x/y.png: Permission denied", "es") == \
        "no se puede escribir /x/y.png: permiso denegado"
    assert translate_text("cannot write /x/y.png: Some odd errno", "es") == \
        "no se puede escribir /x/y.png: Some odd errno"
    assert untranslated("cannot write /x/y.png: Some odd errno") == []  # a library's words: kept, not ours
    # a usage line whose inner part is ours to translate
    assert translate_text("Invalid value for '--draws': Input should be greater than or equal to 2", "es") == \
        "valor no válido para '--draws': debe ser mayor o igual que 2"
    assert untranslated("Invalid value for '--draws': Something new") == ["Invalid value for '--draws': Something new"]
    # a value cut by errors.shown says its length in Spanish
    assert translate_text("cannot read 'xyy…' (2000001 characters) as a number", "es") == \
        "no se puede leer 'xyy…' (2000001 caracteres) como número"


def test_unknown_text_falls_back_to_english_whole():
    err = UnknownNameError("a message nobody translated", where="year", hint="do something")
    out = translate_error(err, "es")
    assert str(out) == str(err) == "year: a message nobody translated; do something"
    assert untranslated(err) == ["a message nobody translated", "do something"]
    assert translate_error(ValueError("x"), "es").args == ("x",)
    assert translate_text("", "es") == "" and translate_text("blank value", "en") == "blank value"


def test_the_copy_keeps_the_class_and_attributes_and_the_original_is_untouched():
    err = StoreLockedError("no store here yet", where="/s.duckdb", hint="record a run first, e.g. `x`")
    err.pid = 42
    out = translate_error(err, "es")
    assert type(out) is StoreLockedError and out.exit_code == 75 and out.pid == 42
    assert isinstance(out, CocamonitorError) and out.message == "aún no hay un almacén aquí"
    assert err.message == "no store here yet" and str(err).endswith("e.g. `x`")
    assert translate_error(err, "en") is err


def test_a_broken_catalogue_never_hides_the_error(monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("broken")

    monkeypatch.setattr(messages, "_translate", boom)
    err = InputError("blank value", where="f.csv")
    assert str(translate_error(err, "es")) == "f.csv: blank value"
    assert translate_text("blank value", "es") == "blank value"


def test_request_language():
    assert request_lang(None, "es-CO,es;q=0.9,en;q=0.8") == "es"
    assert request_lang(None, "en-US,en;q=0.9,es;q=0.8") == "en"
    assert request_lang(None, "fr-FR, es;q=0.3") == "es"
    assert request_lang("es", "en") == "es" and request_lang("fr", "es") == "es"
    assert request_lang(None, "es;q=abc, *") == "en" and request_lang(None, "") == "en"
    assert request_lang(None, None, default="es") == "es"


# --- the command line ------------------------------------------------------------------------------

def test_cli_lang_es_translates_core_errors_and_usage_lines(run_cli, monkeypatch):
    monkeypatch.setenv("LANG", "C")
    res = run_cli("--lang", "es", "trend", "test", "--years", "2030-2040")
    assert res.exit_code == 2
    assert res.stderr == ("error: --years: 2030-2040 está fuera de los años de la serie unodc_area "
                          "(2000-2023); elija años dentro de 2000-2023\n")
    res = run_cli("--lang", "es", "production", "estimate", "--draws", "many")
    assert res.stderr.startswith("error: valor no válido para '--draws': debe ser un número entero; consulte ")
    # an unknown command fails before the root options are applied: still in Spanish
    res = run_cli("--lang=es", "estimate")
    assert res.stderr == "error: no existe el comando 'estimate'; consulte `cocamonitor --help`\n"
    res = run_cli("trend", "test", "--years", "2030-2040")  # English by default
    assert res.stderr.startswith("error: --years: 2030-2040 is outside the years of the unodc_area series")


def test_cli_spanish_locale(run_cli, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "es_CO.UTF-8")
    res = run_cli("data", "show", "coca-nacional")
    assert res.stderr == ("error: conjunto de datos desconocido 'coca-nacional'; "
                          "¿quiso decir: coca-national, odc-national, coca-municipal?\n")
    res = run_cli("--lang", "en", "data", "show", "coca-nacional")
    assert res.stderr.startswith("error: unknown dataset 'coca-nacional'; did you mean:")


def test_collect_untranslated_sees_what_the_edges_show(run_cli):
    from cocamonitor.messages import collect_untranslated

    with collect_untranslated("es") as found:
        assert str(messages.translate_error(InputError("words nobody translated", where="x"), "en")) == \
            "x: words nobody translated"
        messages.translate_text("No such option: --zzz", "en")
        res = run_cli("trend", "test", "--years", "2030-2040")  # translated: nothing found
    assert found == ["words nobody translated"] and res.exit_code == 2
    assert messages.translate_error.__name__ == "translate_error"  # put back
