"""Named parameter sets built only from published figures (``<publisher>-<year>``).

Each preset is a TOML file under ``cocamonitor/data/presets/`` in the schema of
:mod:`cocamonitor.production.params`, with every value tagged ``published`` or ``derived`` (with
its arithmetic) and cited, every spread explained, and a ``[published]`` table of the tonnages
the preset must reproduce.

Which presets exist, and why not more (figures as compiled in methodology.md §A.5, §A.6, §B):

* ``unodc-2020``: area, leaf yield, leaf, base and hydrochloride all published; reproduces
  leaf, base and hydrochloride. ``unodc-2019`` and ``unodc-2018``: base tonnage not found, so
  their base per tonne of leaf assumes 2020's base/hydrochloride ratio (stated in each value).
* No ``unodc-2016``: its published leaf (454,000 t) and hydrochloride (866 t) imply 1.9 kg of
  hydrochloride per tonne of leaf, against 1.1-1.2 in 2018-2020 and an extraction of 1.87 kg
  of paste per tonne, so the figures are not consistent with one chain; no 2016 leaf yield was
  found either. Its leaf range is still used, as the spread of leaf yield in the other presets.
* No ``unodc-2017`` (production published as 1,379 t and later revised to 1,058 t, leaf yield
  not found) and none after 2020 (leaf and yields not found).
* No US preset: the US publishes area and pure-cocaine production only, no chain parameters;
  its implied tonnes per hectare are given by
  :func:`cocamonitor.production.decompose.implied_yields` (``cocamonitor production yields``).

Examples
--------
>>> list_presets()
['unodc-2018', 'unodc-2019', 'unodc-2020']
>>> check = check_preset("unodc-2020")[["quantity", "published", "reproduced"]]
>>> check.round(0).to_dict("records")[-1]
{'quantity': 'hydrochloride_t', 'published': 1228.0, 'reproduced': 1228.0}

"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from cocamonitor.errors import UnknownNameError, suggest
from cocamonitor.production.chain import QUANTITIES, point_chain
from cocamonitor.production.params import ProductionModel
from cocamonitor.production.params_toml import read_parameters

__all__ = ["PRESET_DIR", "check_preset", "list_presets", "load_preset", "presets_table"]

PRESET_DIR = Path(__file__).resolve().parents[1] / "data" / "presets"


def list_presets() -> list[str]:
    """Names of the bundled presets, sorted."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def load_preset(name: str) -> ProductionModel:
    """Load a bundled preset by name (e.g. ``"unodc-2020"``).

    Raises
    ------
    UnknownNameError
        No preset of that name (the message lists close matches).

    """
    names = list_presets()
    if name not in names:
        raise UnknownNameError(
            f"unknown preset {name!r}", where="preset", hint=suggest(name, names)
        )
    return read_parameters(
        PRESET_DIR / f"{name}.toml", require_provenance=True, name=f"preset {name}"
    )


def check_preset(name: str | ProductionModel) -> pd.DataFrame:
    """Compare a preset's point chain with the figures it was built from.

    Returns
    -------
    pandas.DataFrame
        quantity, published, reproduced, relative_difference, citation (quantities published only).

    """
    model = load_preset(name) if isinstance(name, str) else name
    national = point_chain(model).national
    rows = []
    for q in QUANTITIES:
        if q in model.published:
            pub = model.published[q]
            value = float(pub["value"])
            rows.append(
                {
                    "quantity": q,
                    "published": value,
                    "reproduced": national[q],
                    "relative_difference": national[q] / value - 1,
                    "citation": pub.get("citation"),
                }
            )
    return pd.DataFrame(rows)


def presets_table() -> pd.DataFrame:
    """One row per preset: name, publisher, year, title, published and reproduced hydrochloride."""
    rows = []
    for name in list_presets():
        model = load_preset(name)
        check = check_preset(model).set_index("quantity")
        meta = model.meta
        row = {
            "name": name,
            "publisher": meta.get("publisher"),
            "year": meta.get("year"),
            "title": meta.get("title"),
        }
        for q in ("area_ha", "leaf_t", "base_t", "hydrochloride_t"):
            row[f"{q}_published"] = float(check.loc[q, "published"]) if q in check.index else None
        row["hydrochloride_t_point"] = point_chain(model).national["hydrochloride_t"]
        row["max_relative_difference"] = float(check["relative_difference"].abs().max())
        rows.append(row)
    return pd.DataFrame(rows)
