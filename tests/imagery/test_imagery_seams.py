"""Tiles read without a halo: their ring texture, completed from the neighbours, is exact."""

from __future__ import annotations

import numpy as np
import pytest

from cocamonitor.imagery.features import ndvi_texture
from cocamonitor.imagery.seams import SeamTexture, ring_mask
from cocamonitor.imagery.stack import tiles


@pytest.mark.parametrize(("height", "width", "tile"), [(50, 37, 8), (17, 33, 16), (5, 5, 1), (9, 10, 2),
                                                        (64, 64, 64), (65, 63, 32), (1, 40, 7)])
def test_ring_texture_equals_the_whole_image_to_the_bit(height, width, tile):
    rng = np.random.default_rng(height * width + tile)
    ndvi = rng.uniform(-0.2, 0.9, (height, width)).astype(np.float32)
    ndvi[rng.random((height, width)) < 0.2] = np.nan
    whole = ndvi_texture(np.pad(ndvi, 1, mode="edge"))
    seams = SeamTexture(height, width, tile)
    got, held = {}, []
    for b in tiles(height, width, tile):
        for bounds, tex in seams.add(b, ndvi[b[0]:b[1], b[2]:b[3]]):
            assert bounds not in got  # each ring completed once
            got[bounds] = tex
        held.append(seams.held)
    for r0, r1, c0, c1 in tiles(height, width, tile):
        expected = whole[r0:r1, c0:c1][ring_mask(r1 - r0, c1 - c0)]
        assert np.array_equal(got[(r0, r1, c0, c1)], expected, equal_nan=True), (r0, c0)
    # frames are dropped once no unfinished neighbour needs them: about two rows of tiles
    assert seams.held == 0 and max(held) <= 2 * -(-width // tile) + 2


def test_texture_does_not_depend_on_the_window_it_is_computed_in():
    rng = np.random.default_rng(3)
    ndvi = rng.uniform(0, 1, (40, 40)).astype(np.float32)
    whole = ndvi_texture(np.pad(ndvi, 1, mode="edge"))
    part = ndvi_texture(ndvi[9:31, 4:27])  # a window with its one-pixel frame
    assert np.array_equal(part, whole[10:30, 5:26])


def test_known_texture_values():
    p = np.full((4, 4), 0.5, dtype=np.float32)
    assert ndvi_texture(p).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    p[0, 0] = np.nan  # ignored, not a zero
    assert ndvi_texture(p)[0, 0] == 0.0
    p[1, 1] = np.nan  # the pixel itself unobserved: no texture
    assert np.isnan(ndvi_texture(p)[0, 0])
    q = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], dtype=np.float32)
    assert ndvi_texture(q)[0, 0] == pytest.approx(np.std(q))
