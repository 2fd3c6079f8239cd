"""Map details that the browser test cannot see (docstring examples run via --doctest-modules)."""


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
