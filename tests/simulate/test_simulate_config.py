from __future__ import annotations

from dataclasses import fields

import pytest

from cocamonitor.errors import InputError, ParameterError
from cocamonitor.simulate.config import (
    SimulationConfig,
    default_config_path,
    field_docs,
    load_config,
    parse_years,
)


def write(tmp_path, text: str):
    p = tmp_path / "c.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_default_file_is_the_defaults_and_documents_every_key():
    assert load_config(default_config_path()) == SimulationConfig()
    text = default_config_path().read_text(encoding="utf-8")
    for row in field_docs():
        assert f"\n{row['key']} = " in text
        assert row["doc"] in text  # each key is documented with its unit next to it


def test_every_parameter_has_a_unit_entry_and_doc():
    for section in fields(SimulationConfig):
        for f in fields(section.type if not isinstance(section.type, str)
                        else type(getattr(SimulationConfig(), section.name))):
            assert "unit" in f.metadata and f.metadata["doc"]


def test_partial_file_keeps_other_defaults(tmp_path):
    cfg = load_config(write(tmp_path, "[landscape]\nsize = 321\n[census]\nmax_images = 2\n"))
    assert cfg.landscape.size == 321 and cfg.census.max_images == 2
    assert cfg.dynamics == SimulationConfig().dynamics


def test_unknown_key_names_file_line_key_and_suggests(tmp_path):
    p = write(tmp_path, "[dynamics]\nnew_field_rate = 0.1\neradication_rte = 0.2\n")
    with pytest.raises(ParameterError) as info:
        load_config(p)
    msg = str(info.value)
    assert str(p) in msg and "line 3" in msg and "eradication_rte" in msg
    assert "did you mean: eradication_rate" in msg


def test_unknown_section(tmp_path):
    with pytest.raises(ParameterError, match=r"unknown section \[dynamic\].*did you mean: dynamics"):
        load_config(write(tmp_path, "[dynamic]\nx = 1\n"))


@pytest.mark.parametrize("text, match", [
    ("[dynamics]\neradication_rate = -0.5\n", "negative value -0.5"),
    ("[dynamics]\nreplant_probability = 1.5\n", "out of range"),
    ("[landscape]\nsize = 12.5\n", "whole number"),
    ("[landscape]\npixel_size_m = \"ten\"\n", "expected a number"),
    ("[landscape]\npixel_size_m = 0\n", "greater than 0"),
    ("[census]\neradication_adjustment = 1\n", "true or false"),
    ("[landscape]\ncrs = \"EPSG:4326\"\n", "not projected"),
    ("[landscape]\ncrs = \"EPSG:999999\"\n", "unknown CRS"),
    ("[sample_survey]\nsegments_high = 0\nsegments_low = 0\nsegments_none = 1\n", "at least 2"),
    ("[landscape]\nsize = 100\n", "single survey segment"),
])
def test_bad_values_are_parameter_errors(tmp_path, text, match):
    with pytest.raises(ParameterError, match=match):
        load_config(write(tmp_path, text))


def test_bad_toml_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="not valid TOML"):
        load_config(write(tmp_path, "[landscape\nsize = 3\n"))
    with pytest.raises(InputError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_years():
    assert parse_years("2015-2017") == [2015, 2016, 2017]
    assert parse_years("2020") == [2020]
    with pytest.raises(InputError, match="runs backwards"):
        parse_years("2024-2015")
    with pytest.raises(InputError, match="cannot read"):
        parse_years("last year")


def test_replace_validates():
    with pytest.raises(ParameterError, match="negative"):
        SimulationConfig().replace(dynamics={"abandonment_rate": -1})
    with pytest.raises(ParameterError, match="unknown section"):
        SimulationConfig().replace(dynamic={"abandonment_rate": 1})
