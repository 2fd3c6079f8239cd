from cocamonitor._plotting import pyplot, save_svg


def _figure():
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([2020, 2021, 2022], [143_000, 204_000, 230_000], marker="o")
    ax.set_title("coca, ha")
    return plt, fig


def test_svg_is_the_same_bytes_each_time(tmp_path):
    plt, fig = _figure()
    save_svg(fig, tmp_path / "a.svg")
    plt.close(fig)
    plt, fig = _figure()
    save_svg(fig, tmp_path / "b.svg")
    plt.close(fig)
    a, b = (tmp_path / "a.svg").read_bytes(), (tmp_path / "b.svg").read_bytes()
    assert a == b and b"<svg" in a
    assert b"<dc:date>" not in a
