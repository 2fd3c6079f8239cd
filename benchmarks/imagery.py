"""Benchmark: tiled prediction of a coca map from a Sentinel-2-like stack, and training.

Goals (issue 16): predict a 10,000 x 10,000 px, 10-band, 6-date stack in < 2 min with peak
memory < 3 GB; train on 5,000 reference points in < 30 s. Run:

    python benchmarks/imagery.py [--size 4096] [--tile 1024] [--workers N]

The scenes are rendered by the simulator and written as COGs with a static STAC catalog
(``--size`` pixels per side, 6 dates) into a cache folder outside git
(``$TMPDIR/cocamonitor-bench/imagery-<size>``), reused by later runs; prediction reads them
tile by tile, ``--workers`` tiles at once (default: all CPUs). The 10,000² time is
*extrapolated* linearly from the measured pixels per second (the fraction measured is printed).

``--full`` measures the goal itself: rendering a 10,000² stack needs more memory than the scene
renderer is built for, so the ``--size`` scenes are repeated side by side into 10,000² px COGs
(same bands, dates, compression and 256 px blocks; about 9 GB, cached); the model trained on
the ``--size`` scenes predicts the whole of it, measured, not extrapolated.
The peak memory of the tiled path depends on the tile and the workers, not on the grid, so it
is reported as measured. Each phase runs in its own process, so each peak is its own. The
machine load (1-minute load average) is printed before and after: on a shared machine the
times are upper bounds.

Peer measured in the same run: *whole-array* prediction — the same features and model on the
whole stack loaded into memory at once (no tiles), as a script written directly against
xarray would do. Its peak grows with the grid.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REF = dt.date(2021, 12, 31)
GOAL_PIXELS = 10_000 * 10_000


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds() -> float:
    """CPU time of this process, all threads (user + system): what the work costs whatever the load."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def prepare(folder: Path, size: int) -> dict:
    import pandas as pd

    from cocamonitor.simulate.scenes import SceneConfig, render_scenes, scene_history, write_scenes

    t = time.perf_counter()
    hist = scene_history(size=size, seed=1)
    stack = render_scenes(hist, 2021, seed=2, scene=SceneConfig(dates=6))
    write_scenes(stack, folder / "scenes")
    rng = np.random.default_rng(3)
    truth = stack.truth.reshape(-1)
    picks = np.concatenate([rng.choice(np.flatnonzero(truth == c), 2500, replace=False) for c in (0, 1)])
    x, y = hist.landscape.xy(picks // size, picks % size)
    pd.DataFrame({"x": x, "y": y, "reference_class": truth[picks].astype(str)}).to_csv(folder / "points.csv",
                                                                                       index=False)
    return {"seconds": time.perf_counter() - t}


def train(folder: Path, out: Path) -> dict:
    import pandas as pd

    from cocamonitor.imagery import open_stack, point_features, train_classifier

    t0 = time.perf_counter()
    stack = open_stack(folder / "scenes/catalog.json", reference_date=REF, window_days=60)
    df = pd.read_csv(folder / "points.csv")
    X, nobs = point_features(stack, df["x"].to_numpy(), df["y"].to_numpy(), tile=1024)
    keep = nobs > 0
    t1, c1 = time.perf_counter(), cpu_seconds()
    model = train_classifier(X[keep], df["reference_class"].astype(str).to_numpy()[keep], df["x"].to_numpy()[keep],
                             df["y"].to_numpy()[keep], feature_names=stack.feature_names, block_m=1000, seed=0)
    t2, c2 = time.perf_counter(), cpu_seconds()
    model.save(out / "model")
    return {"points": int(keep.sum()), "features_seconds": t1 - t0, "train_seconds": t2 - t1, "train_cpu": c2 - c1,
            "cv_overall_accuracy": model.card.cv["overall_accuracy"], "peak_mb": peak_mb()}


def predict(folder: Path, out: Path, tile: int, workers: int | None) -> dict:
    import rasterio

    from cocamonitor.imagery import load_model, open_stack, predict_map

    stack = open_stack(folder / "scenes/catalog.json", reference_date=REF, window_days=60)
    model = load_model(out / "model")
    t, c = time.perf_counter(), cpu_seconds()
    summary = predict_map(model, stack, out / "map", tile=tile, workers=workers)
    seconds, cpu = time.perf_counter() - t, cpu_seconds() - c
    with rasterio.open(out / "map/class.tif") as src:  # the map against the simulated truth
        cls = src.read(1)
    with rasterio.open(folder / "scenes/reference.tif") as src:
        truth = src.read(1)
    ok = cls != 255
    return {"seconds": seconds, "cpu_seconds": cpu, "pixels": summary.pixels, "peak_mb": peak_mb(),
            "map_accuracy": float((cls[ok] == truth[ok]).mean()), "no_observation_share": float(1 - ok.mean())}


def whole_array(folder: Path, out: Path) -> dict:
    from cocamonitor.imagery import compute_features, load_model, open_stack, valid_mask

    t = time.perf_counter()
    stack = open_stack(folder / "scenes/catalog.json", reference_date=REF, window_days=60)
    ds = stack.ds.compute()
    raw = np.stack([ds[b].values for b in stack.bands], axis=1)
    valid = valid_mask(ds["SCL"].values, raw)
    f = compute_features(raw.astype(np.float32) * np.float32(1e-4), valid, stack.days, stack.bands)
    ok = valid.any(axis=0).reshape(-1)
    X = f.reshape(f.shape[0], -1).T[ok]
    load_model(out / "model").predict_proba(X)
    return {"seconds": time.perf_counter() - t, "pixels": int(raw.shape[-1] * raw.shape[-2]), "peak_mb": peak_mb()}


def tile_up(src: Path, dst: Path, size: int) -> dict:
    """Repeat the scenes of ``src`` side by side into ``size``² px COGs and a catalog in ``dst``."""
    import pystac
    import rasterio
    from pyproj import Transformer

    from cocamonitor.imagery.stac import read_items

    t = time.perf_counter()
    items = read_items(src / "scenes/catalog.json")
    catalog = pystac.Catalog(id="cocamonitor-bench-full", description="synthetic scenes repeated to 10,000² px")

    def repeat(path: Path, out: Path) -> None:
        with rasterio.open(path) as f:
            arr, profile = f.read(1), f.profile
        reps = -(-size // arr.shape[0])
        big = np.tile(arr, (reps, reps))[:size, :size]
        profile.update(driver="COG", width=size, height=size, compress="deflate", blocksize=256, BIGTIFF="IF_SAFER",
                       overviews="NONE", num_threads="ALL_CPUS")  # as the rendered scenes: no overviews
        for key in ("tiled", "blockxsize", "blockysize", "interleave"):
            profile.pop(key, None)
        with rasterio.open(out, "w", **profile) as g:
            g.write(big, 1)

    for it in items:
        new = it.clone()
        (dst / "scenes" / it.id).mkdir(parents=True, exist_ok=True)
        for key, asset in it.assets.items():
            out = dst / "scenes" / it.id / f"{key}.tif"
            repeat(Path(asset.href), out)
            new.assets[key].href = str(out)
        a, _, c, _, e, f = new.properties["proj:transform"][:6]
        new.properties["proj:shape"] = [size, size]
        crs = new.properties.get("proj:code") or f"EPSG:{new.properties['proj:epsg']}"
        to_deg = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        lon, lat = to_deg.transform([c, c + a * size], [f + e * size, f])
        new.bbox = [min(lon), min(lat), max(lon), max(lat)]
        new.geometry = {"type": "Polygon", "coordinates": [[[lon[0], lat[0]], [lon[1], lat[0]], [lon[1], lat[1]],
                                                            [lon[0], lat[1]], [lon[0], lat[0]]]]}
        new.clear_links()
        catalog.add_item(new)
    repeat(src / "scenes/reference.tif", dst / "scenes/reference.tif")
    catalog.normalize_hrefs(str(dst / "scenes"))
    catalog.make_all_asset_hrefs_relative()  # the folder is renamed once complete
    catalog.save(catalog_type=pystac.CatalogType.SELF_CONTAINED)
    return {"seconds": time.perf_counter() - t}


def _phase(name: str, folder: Path, out: Path, *extra: str) -> dict:
    res = subprocess.run([sys.executable, __file__, "--phase", name, "--folder", str(folder), "--out", str(out),
                          *extra], capture_output=True, text=True)
    if res.returncode:
        sys.exit(f"phase {name} failed:\n{res.stderr}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def cache_folder(size: int) -> Path:
    """Input stack of this size, rendered once and reused (outside git)."""
    return Path(tempfile.gettempdir()) / "cocamonitor-bench" / f"imagery-{size}-v1"


def load() -> str:
    return f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=4096,
                    help="pixels per side (4096: 16 tiles of 1024, most with neighbours on several sides)")
    ap.add_argument("--tile", type=int, default=1024)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--no-peer", action="store_true", help="skip the whole-array peer")
    ap.add_argument("--full", action="store_true",
                    help="also predict a real 10,000² px stack (the --size scenes repeated; about 9 GB, cached)")
    ap.add_argument("--phase", default=None)
    ap.add_argument("--folder", default=None)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.phase:
        folder, out = Path(a.folder), Path(a.out)
        res = {"prepare": lambda: prepare(folder, a.size), "train": lambda: train(folder, out),
               "predict": lambda: predict(folder, out, a.tile, a.workers),
               "whole": lambda: whole_array(folder, out)}[a.phase]()
        print(json.dumps(res))
        return
    print(f"machine load (1-min average) at start: {load()}")
    folder = cache_folder(a.size)
    if not (folder / "scenes/catalog.json").is_file():
        partial = folder.with_name(folder.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        prep = _phase("prepare", partial, partial, "--size", str(a.size))
        partial.rename(folder)
        print(f"scenes {a.size}² px x 10 bands x 6 dates rendered and written as COGs in {prep['seconds']:.1f} s "
              f"(cached in {folder})")
    else:
        print(f"scenes {a.size}² px x 10 bands x 6 dates reused from {folder}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        tr = _phase("train", folder, out)
        total = tr["features_seconds"] + tr["train_seconds"]
        print(f"train: {tr['points']} points, features {tr['features_seconds']:.1f} s + fit and blocked CV "
              f"{tr['train_seconds']:.1f} s ({tr['train_cpu']:.1f} CPU s) = {total:.1f} s (goal < 30 s: "
              f"{'met' if total < 30 else 'NOT met'}), "
              f"held-out-block OA {tr['cv_overall_accuracy']:.4f}, peak {tr['peak_mb']:.0f} MB")
        extra = ["--tile", str(a.tile)] + (["--workers", str(a.workers)] if a.workers else [])
        pr = _phase("predict", folder, out, *extra)
        rate = pr["pixels"] / pr["seconds"]
        est = GOAL_PIXELS / rate
        print(f"predict (tiled, tile {a.tile}, workers {a.workers or os.cpu_count()}): {pr['pixels']:,} px "
              f"({pr['pixels'] / GOAL_PIXELS:.1%} of 10,000² px) in {pr['seconds']:.1f} s = {rate / 1e6:.2f} Mpx/s, "
              f"peak RSS {pr['peak_mb']:.0f} MB; map accuracy against the simulated truth "
              f"{pr['map_accuracy']:.4f} ({pr['no_observation_share']:.2%} px without observation)")
        cpus = a.workers or os.cpu_count() or 1
        idle = pr["cpu_seconds"] / cpus * GOAL_PIXELS / pr["pixels"]
        print(f"10,000² px x 10 bands x 6 dates, EXTRAPOLATED from the {pr['pixels'] / GOAL_PIXELS:.1%} measured: "
              f"{est:.0f} s wall at this load (goal < 120 s: {'met' if est < 120 else 'NOT met'}); "
              f"{pr['cpu_seconds'] / pr['pixels'] * 1e6:.2f} CPU s per Mpx, so {idle:.0f} s on {cpus} idle CPUs "
              f"({'met' if idle < 120 else 'NOT met'}); peak RSS bounded by tile x workers: "
              f"{pr['peak_mb']:.0f} MB (goal < 3 GB: {'met' if pr['peak_mb'] < 3072 else 'NOT met'})")
        if a.full:
            big = cache_folder(10_000).with_name(f"imagery-10000-from-{a.size}-v1")
            if not (big / "scenes/catalog.json").is_file():
                partial = big.with_name(big.name + ".partial")
                shutil.rmtree(partial, ignore_errors=True)
                partial.mkdir(parents=True)
                made = tile_up(folder, partial, 10_000)
                partial.rename(big)
                print(f"10,000² px stack: the {a.size}² scenes repeated, written in {made['seconds']:.0f} s "
                      f"(cached in {big})")
            else:
                print(f"10,000² px stack reused from {big}")
            full = _phase("predict", big, out, *extra)
            print(f"predict 10,000² px x 10 bands x 6 dates, MEASURED: {full['seconds']:.1f} s wall "
                  f"(goal < 120 s: {'met' if full['seconds'] < 120 else 'NOT met'}), "
                  f"{full['cpu_seconds'] / full['pixels'] * 1e6:.2f} CPU s per Mpx, peak RSS {full['peak_mb']:.0f} MB "
                  f"(goal < 3 GB: {'met' if full['peak_mb'] < 3072 else 'NOT met'}); map accuracy "
                  f"{full['map_accuracy']:.4f}")
        if not a.no_peer:
            wh = _phase("whole", folder, out)
            print(f"peer, whole array in memory: {wh['seconds']:.1f} s, peak {wh['peak_mb']:.0f} MB "
                  f"(extrapolated to 10,000² px: {wh['peak_mb'] * GOAL_PIXELS / wh['pixels'] / 1024:.0f} GB)")
            print(f"ratios tiled/whole: time {pr['seconds'] / wh['seconds']:.2f}, peak memory "
                  f"{pr['peak_mb'] / wh['peak_mb']:.2f}")
    print(f"machine load (1-min average) at end: {load()}")


if __name__ == "__main__":
    main()
