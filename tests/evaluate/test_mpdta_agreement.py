"""Agreement with R's ``did`` through its Python port ``moderndid`` (dev dependency) on ``mpdta``.

mpdta (Callaway & Sant'Anna 2021; 500 US counties, 2003-2007, teen employment and the minimum
wage) ships with moderndid. ATT(g, t) must agree to 1e-6 and analytic standard errors to 1e-4,
unconditional and with the covariate lpop (doubly robust and outcome regression), with
never-treated and not-yet-treated controls; so must the four aggregations.
"""

import warnings

import numpy as np
import pytest

md = pytest.importorskip("moderndid")

from cocamonitor.evaluate import aggregate, att_gt, panel_from_long  # noqa: E402

CASES = [
    (None, (), "nevertreated", "dr"),
    (None, (), "notyettreated", "dr"),
    ("~lpop", ("lpop",), "nevertreated", "dr"),
    ("~lpop", ("lpop",), "notyettreated", "dr"),
    ("~lpop", ("lpop",), "nevertreated", "reg"),
]


@pytest.fixture(scope="module")
def mpdta():
    return md.load_mpdta().to_pandas()


def _peer(df, xformla, control, method):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return md.att_gt(df, yname="lemp", tname="year", idname="countyreal", gname="first.treat",
                         xformla=xformla, est_method=method, boot=False, control_group=control)


@pytest.mark.parametrize(("xformla", "cov", "control", "method"), CASES)
def test_att_gt_and_se_agree_with_did(mpdta, xformla, cov, control, method):
    peer = _peer(mpdta, xformla, control, method)
    panel = panel_from_long(mpdta, unit="countyreal", time="year", outcome="lemp", cohort="first.treat",
                            covariates=cov)
    ours = att_gt(panel, control="never" if control == "nevertreated" else "not-yet", method=method, n_boot=0)
    assert ours.att.size == 12
    np.testing.assert_array_equal(ours.group, np.asarray(peer.groups))
    np.testing.assert_array_equal(ours.time, np.asarray(peer.times))
    np.testing.assert_allclose(ours.att, np.asarray(peer.att_gt), rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.se, np.asarray(peer.se_gt), rtol=0, atol=1e-4)


@pytest.mark.parametrize(("xformla", "cov", "control", "method"), CASES[:3])
@pytest.mark.parametrize("kind", ["simple", "event", "group", "calendar"])
def test_aggregations_agree_with_aggte(mpdta, xformla, cov, control, method, kind):
    peer = _peer(mpdta, xformla, control, method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        agg = md.aggte(peer, type="dynamic" if kind == "event" else kind, boot=False)
    panel = panel_from_long(mpdta, unit="countyreal", time="year", outcome="lemp", cohort="first.treat",
                            covariates=cov)
    ours = aggregate(att_gt(panel, control="never" if control == "nevertreated" else "not-yet", n_boot=0), kind)
    assert ours.att == pytest.approx(agg.overall_att, abs=1e-6)
    assert ours.se == pytest.approx(agg.overall_se, abs=1e-4)
    if kind != "simple":
        np.testing.assert_allclose(ours.att_level, np.asarray(agg.att_by_event), atol=1e-6)
        np.testing.assert_allclose(ours.se_level, np.asarray(agg.se_by_event), atol=1e-4)


def test_published_r_output(mpdta):
    """R did's printed summary of att_gt on mpdta (xformla = ~1, est_method = "reg", never-treated controls).

    Published at https://rstudio-pubs-static.s3.amazonaws.com/736765_c47909c746704c79922fdc03ab352edf.html:
    the 12 ATT(g,t) to 4 decimals and "P-value for pre-test of parallel trends assumption: 0.16812".
    (Its standard errors there are bootstrap ones, so they are not compared here.)
    """
    from cocamonitor.evaluate.diagnostics import pretrend_test

    published = [-0.0105, -0.0704, -0.1373, -0.1008, 0.0065, -0.0028, -0.0046, -0.0412,
                 0.0305, -0.0027, -0.0311, -0.0261]
    panel = panel_from_long(mpdta, unit="countyreal", time="year", outcome="lemp", cohort="first.treat")
    ours = att_gt(panel, n_boot=0)
    np.testing.assert_allclose(ours.att, published, atol=5e-5)
    assert pretrend_test(ours).p_value == pytest.approx(0.16812, abs=5e-6)
