"""Map details that the browser test cannot see (docstring examples run via --doctest-modules)."""

import pytest


def test_map_colour_scales_are_resolved_in_python():
    """plotly.js reads some names differently (its "YlOrRd" runs the other way): send lists."""
    import geopandas as gpd
    import pandas as pd
    from plotly.colors import get_colorscale
    from shapely.geometry import box

    from cocamonitor.report.maps import choropleth

    mun = gpd.GeoDataFrame({"divipola": ["11001"]}, geometry=[box(-74.1, 4.6, -74, 4.7)])
    dep = gpd.GeoDataFrame({"department_code": ["11"]}, geometry=[box(-75, 4, -73, 5)])
    fig = choropleth(mun, dep, pd.DataFrame({"divipola": ["11001"], "ha": [5.0]}),
                     value_col="ha", hover=["x"], colorscale="YlOrRd", zmin=0, zmax=10,
                     colorbar_title="ha")
    assert fig["data"][1]["colorscale"] == get_colorscale("YlOrRd")
    assert fig["data"][1]["colorscale"][0][1] == "rgb(255,255,204)"  # light = few hectares


def test_html_maps_carry_department_names_and_a_scale_bar_in_map_coordinates():
    """Labels and scale bar are scattergeo traces: they move with the map, and the bundle draws them."""
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    from shapely.geometry import box

    from cocamonitor.report.maps import SCALE_BAR_KM, _scale_bar_lon, choropleth, department_labels
    from cocamonitor.report.plotlyjs import BUNDLES, bundle_for

    mun = gpd.GeoDataFrame({"divipola": ["11001"]}, geometry=[box(-74.1, 4.6, -74, 4.7)])
    dep = gpd.GeoDataFrame({"department_code": ["11", "52"], "name": ["Bogotá", "Nariño"]},
                           geometry=[box(-75, 4, -73, 5), box(-79, 0.5, -76.5, 2.5)])
    labels = department_labels(dep, ["52"])
    kw = dict(value_col="ha", hover=["x"], colorscale="YlOrRd", zmin=0, zmax=10, colorbar_title="ha")
    values = pd.DataFrame({"divipola": ["11001"], "ha": [5.0]})
    fig = choropleth(mun, dep, values, labels=labels, **kw)
    names, bar, scale = fig["data"][2:]
    assert names["type"] == bar["type"] == scale["type"] == "scattergeo"
    assert names["text"] == ["Nariño"] and -79 < names["lon"][0] < -76.5 and 0.5 < names["lat"][0] < 2.5
    assert scale["text"] == ["200 km"] and SCALE_BAR_KM == 200
    # the bar's length is 200 km on the ground at its latitude (spherical Earth, R = 6371 km)
    lon0, lon1 = _scale_bar_lon()
    lat = np.deg2rad(bar["lat"][3])
    km = 6371.0 * np.deg2rad(bar["lon"][4] - bar["lon"][3]) * np.cos(lat)
    assert (bar["lon"][3], bar["lon"][4]) == (lon0, lon1) and km == pytest.approx(200, rel=0.002)
    assert bundle_for([fig]) == "maps" and "scattergeo" in BUNDLES["maps"]
    # the dashboard's map (the "geo" bundle, no scattergeo) asks for neither
    plain = choropleth(mun, dep, values, **kw)
    assert [t["type"] for t in plain["data"]] == ["choropleth", "choropleth"] and bundle_for([plain]) == "geo"
    only_bar = choropleth(mun, dep, values, scale_bar=True, **kw)
    assert [t.get("name") for t in only_bar["data"][2:]] == ["scale", "scale-label"]
