"""Published worked examples used as oracles (plain data; imported by the area tests)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def expand_cells(cells: dict[tuple[str, str], int], *, stratum: str = "stratum") -> pd.DataFrame:
    """One row per sample unit from counts per (map class, reference class)."""
    rows = [(m, r) for (m, r), n in cells.items() for _ in range(n)]
    df = pd.DataFrame(rows, columns=[stratum, "reference_class"])
    df["map_class"] = df[stratum]
    return df


# Olofsson et al. (2013), Example 1: the packaged example file (500 units; areas in pixels)
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "cocamonitor" / "data" / "examples"
OLOFSSON_2013_AREAS = {"1": 22353, "2": 1122543, "3": 610228}  # pixels

# Olofsson et al. (2014), Table 8 (counts) and mapped areas in 30 m pixels
_NAMES = ["Deforestation", "Forest gain", "Stable forest", "Stable non-forest"]
_T8 = [[66, 0, 5, 4], [0, 55, 8, 12], [1, 0, 153, 11], [2, 1, 9, 313]]
OLOFSSON_2014_CELLS = {(_NAMES[i], _NAMES[j]): _T8[i][j] for i in range(4) for j in range(4) if _T8[i][j]}
OLOFSSON_2014_AREAS = {
    "Deforestation": 200_000 * 900.0,
    "Forest gain": 150_000 * 900.0,
    "Stable forest": 3_200_000 * 900.0,
    "Stable non-forest": 6_450_000 * 900.0,
}  # m²

# Stehman (2014), numerical example (Table 2): stratum, map class, reference class of 40 units
STEHMAN_2014 = pd.DataFrame(
    {
        "stratum": list("AAAAAAAAAABBBBBBBBBBCCCCCCCCCCDDDDDDDDDD"),
        "map_class": list("AAAAAAABBBABBBBBBBBBBBCCCCCCBBDDDDDDDDDD"),
        "reference_class": list("AAAAACBABCABBBBBAABBCCCCCDDBBADDDDDDDCCB"),
    }
)
STEHMAN_2014_AREAS = {"A": 40000.0, "B": 30000.0, "C": 20000.0, "D": 10000.0}


def olofsson2013() -> tuple[pd.DataFrame, dict[str, float]]:
    sample = pd.read_csv(EXAMPLES / "olofsson2013_sample.csv", dtype=str)
    return sample[["stratum", "reference_class", "map_class"]], dict(OLOFSSON_2013_AREAS)


def olofsson2014() -> tuple[pd.DataFrame, dict[str, float]]:
    return expand_cells(OLOFSSON_2014_CELLS), dict(OLOFSSON_2014_AREAS)


def stehman2014() -> tuple[pd.DataFrame, dict[str, float]]:
    return STEHMAN_2014.copy(), dict(STEHMAN_2014_AREAS)
