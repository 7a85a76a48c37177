"""round_to gives the very float round() gives, ties and signed zeros included."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docproc.rounding import round_to


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


@given(st.floats(allow_nan=False), st.integers(min_value=0, max_value=6))
def test_any_float_rounds_as_round_does(x: float, digits: int) -> None:
    assert _bits(round_to(x, digits)) == _bits(round(x, digits))


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_ratios_round_as_round_does(numerator: int, denominator: int) -> None:
    # The statistics' figures: a count over a count.
    for digits in (1, 3, 4):
        assert _bits(round_to(numerator / denominator, digits)) == _bits(round(numerator / denominator, digits))


@pytest.mark.parametrize("k", range(0, 20001, 31))
def test_halves_round_as_round_does(k: int) -> None:
    # x.xxxx5 written in decimal is never exact in binary: round() goes by the stored value.
    x = (2 * k + 1) / 20000
    assert round_to(x, 4) == round(x, 4)
    assert round_to(x + 1e-17, 4) == round(x + 1e-17, 4)


@pytest.mark.parametrize("x", [0.0, -0.0, 2.675, 0.12345, 1e-320, 1e12, -0.00001, math.inf, -math.inf])
def test_edges(x: float) -> None:
    assert _bits(round_to(x, 4)) == _bits(round(x, 4))


def test_nan_stays_nan() -> None:
    assert math.isnan(round_to(math.nan, 4))
