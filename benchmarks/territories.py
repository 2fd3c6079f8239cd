"""Coca in territories at national scale: the SIMCI grid inside 1,900 park polygons.

Synthetic geometry the size of the real inputs: a 1 km lattice of 119,154 cells with coca
(SIMCI's grid, datos.gov.co v3rx-q7t3) over a 1,400 x 1,200 km extent, 24 years of hectares,
and 1,900 irregular polygons (RUNAP holds about that many protected areas) of 5 to 900 km²
with 64-vertex boundaries, many overlapping. Times
``cocamonitor.territories.coca_in_territories`` (exactextract cell coverage, boundary cells
re-measured in double precision, one sparse product for all years) against the obvious
alternative measured in the same run: an STRtree query of the cells under each polygon and a
shapely intersection of every (polygon, cell) pair. Prints both times, the ratio, and the
process's peak resident memory. Goal: < 30 s and < 2 GB. Our time also includes the layer
total with overlaps counted once (the union of all 1,900 polygons), which the pairwise
alternative does not compute: intersecting that union with each of its boundary cells whole
took over 300 s before the union was cut into lattice-aligned tiles.

    python benchmarks/territories.py
"""

from __future__ import annotations

import resource
import time

import numpy as np
import pandas as pd
import shapely

from cocamonitor.importers.simci_grid import Lattice, SimciGrid
from cocamonitor.territories import Layer, coca_in_territories

N_CELLS, N_YEARS, N_POLY = 119_154, 24, 1_900
CRS = "EPSG:9377"
X0, Y0, NR, NC = 4_400_000.0, 2_500_000.0, 1400, 1200


def make_inputs(seed: int = 0):
    rng = np.random.default_rng(seed)
    flat = np.sort(rng.choice(NR * NC, N_CELLS, replace=False))
    rows, cols = np.divmod(flat, NC)
    cells = pd.DataFrame({"cell": flat.astype(str), "row": rows, "col": cols, "geometry": None})
    years = tuple(range(2001, 2001 + N_YEARS))
    ha = np.where(rng.random((N_CELLS, N_YEARS)) < 0.4, rng.gamma(1.2, 5.0, (N_CELLS, N_YEARS)), 0.0)
    table = pd.DataFrame({"cell": np.repeat(cells["cell"].to_numpy(), N_YEARS),
                          "year": np.tile(years, N_CELLS), "coca_ha": np.minimum(ha, 100).ravel()})
    grid = SimciGrid(table, cells, Lattice(CRS, 1000.0, X0, Y0, NR, NC), years,
                     {y: f"areacoca_{y}" for y in years}, CRS)
    cx = X0 + rng.uniform(20_000, NC * 1000 - 20_000, N_POLY)
    cy = Y0 - rng.uniform(20_000, NR * 1000 - 20_000, N_POLY)
    radius = np.sqrt(rng.uniform(5, 900, N_POLY) * 1e6 / np.pi)
    angles = np.linspace(0, 2 * np.pi, 64, endpoint=False)
    lobes, phase = rng.integers(2, 6, N_POLY)[:, None], rng.uniform(0, 6, N_POLY)[:, None]
    wobble = 1 + 0.25 * np.sin(angles[None, :] * lobes + phase)
    xs = cx[:, None] + radius[:, None] * wobble * np.cos(angles)[None, :]
    ys = cy[:, None] + radius[:, None] * wobble * np.sin(angles)[None, :]
    polys = shapely.polygons(np.stack([xs, ys], axis=-1))
    layer = Layer("parks", np.array([f"park {i}" for i in range(N_POLY)], dtype=object), polys, CRS)
    return grid, layer


def brute(grid: SimciGrid, layer: Layer) -> np.ndarray:
    spec = grid.lattice.grid_spec()
    boxes = spec.boxes(grid.cells["row"].to_numpy(), grid.cells["col"].to_numpy())
    tree = shapely.STRtree(boxes)
    poly_i, cell_i = tree.query(layer.geometry, predicate="intersects")
    frac = shapely.area(shapely.intersection(layer.geometry[poly_i], boxes[cell_i])) / 1e6
    mat = np.nan_to_num(grid.coca_matrix())
    out = np.zeros((layer.geometry.size, mat.shape[1]))
    np.add.at(out, poly_i, frac[:, None] * mat[cell_i])
    return out


def main() -> None:
    grid, layer = make_inputs()
    t0 = time.perf_counter()
    res = coca_in_territories({"parks": layer}, grid)
    ours = time.perf_counter() - t0
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # KiB on Linux
    t0 = time.perf_counter()
    ref = brute(grid, layer)
    theirs = time.perf_counter() - t0
    t = res.to_frame()
    got = t[(t["zone"] == "inside") & (t["territory"] != "(all, overlaps once)")]
    got = got.pivot(index="territory", columns="year", values="coca_ha").reindex(layer.names).to_numpy()
    err = float(np.abs(got - ref).max())
    print(f"{N_CELLS:,} cells x {N_YEARS} years x {N_POLY:,} polygons")
    print(f"cocamonitor.territories  {ours:6.1f} s   (goal < 30 s)  peak RSS {peak_gb:.2f} GB (goal < 2 GB)")
    print(f"STRtree + shapely pairs  {theirs:6.1f} s   ratio {theirs / ours:.1f}x (pairs only, no union total)")
    print(f"largest difference between the two: {err:.2e} ha")


if __name__ == "__main__":
    main()
