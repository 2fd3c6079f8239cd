"""Staggered DiD on the full municipal panel: cocamonitor vs moderndid (Python port of R's did).

The bundled panel (1,122 municipalities x 24 years, 2001-2024) with PDET as treatment,
not-yet-treated controls, ATT(g, t), the four aggregations and the multiplier bootstrap with
999 draws for the simultaneous bands. Goal: < 10 s and < 1 GB on this machine (2 cores).
Timed from the loaded data (imports excluded); peak memory is the process's maximum resident set
size. moderndid (a dev dependency) runs the
same design (att_gt + aggte dynamic, 999 bootstrap draws) in the same run; the ratio is theirs / ours.

    python benchmarks/evaluate.py
"""

from __future__ import annotations

import resource
import time
import warnings

import numpy as np


def _ours():
    from cocamonitor.evaluate import aggregate_all, att_gt
    from cocamonitor.evaluate.diagnostics import honest_bounds, pretrend_test
    from cocamonitor.evaluate.municipal import municipal_panel

    design = municipal_panel("hectares", "pdet")
    res = att_gt(design.panel, control="not-yet", n_boot=999, seed=1)
    aggs = aggregate_all(res)
    pretrend_test(res)
    honest_bounds(aggs["event"])
    return design, res


def _peer(design):
    import moderndid as md
    import pandas as pd

    p = design.panel
    df = pd.DataFrame({"id": np.repeat(np.arange(p.n), p.times.size), "year": np.tile(p.times, p.n),
                       "y": p.y.ravel(), "g": np.repeat(p.cohort, p.times.size)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = md.att_gt(df, yname="y", tname="year", idname="id", gname="g", control_group="notyettreated",
                      boot=True, biters=999, random_state=1)
        md.aggte(r, type="dynamic", boot=True, biters=999)
    return r


def main() -> None:
    import cocamonitor.evaluate.diagnostics  # noqa: F401  (imports are not what we time)
    import cocamonitor.evaluate.municipal  # noqa: F401

    try:
        import moderndid  # noqa: F401
    except ImportError:
        moderndid = None
    t0 = time.perf_counter()
    design, res = _ours()
    ours = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"cocamonitor: {design.panel.n} units x {design.panel.times.size} years, {res.att.size} ATT(g,t), "
          f"999 bootstrap draws | {ours:6.2f} s | peak RSS {rss_mb:6.0f} MB")
    assert ours < 10, "goal: < 10 s"
    assert rss_mb < 1024, "goal: < 1 GB"
    if moderndid is None:
        print("moderndid not installed (pip install -e '.[dev]'): no peer timing")
        return
    t0 = time.perf_counter()
    peer = _peer(design)
    theirs = time.perf_counter() - t0
    assert np.allclose(np.asarray(peer.att_gt), res.att, atol=1e-6)
    print(f"moderndid:   same design | {theirs:6.2f} s | ratio {theirs / ours:5.1f}x (theirs / ours)")


if __name__ == "__main__":
    main()
