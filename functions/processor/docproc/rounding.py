"""round(x, digits) for the statistics, without the decimal string round() goes through.

CPython's float round() with digits writes the correctly rounded decimal string (dtoa), then
reads it back (strtod): about half a microsecond a call, and a document's statistics round
some fifty figures (4% of a short document's time). For the figures they round (ratios and
means: non-negative, far below 1e9) scaling, flooring and dividing gives the same float: away
from a tie, the computed x * 10**digits lies on the same side of the half as the exact
product (its error is below 1e-7 there), and the division by an exact power of ten is
correctly rounded, so both give the double nearest to the same decimal. Near a tie, and for
anything else, round() itself decides.
"""

from __future__ import annotations

import math
from typing import Final

# Boxed (tuple[float, ...]): mypyc 1.x reads a Final tuple of unboxed floats as never set.
_SCALES: Final[tuple[float, ...]] = (1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0, 1000000.0)
_FAST_BELOW: Final = 1e9  # x * 10**digits below this is computed within 1.2e-7 of the exact product
_TIE_LOW: Final = 0.4999  # fractions this close to a half go to round()
_TIE_HIGH: Final = 0.5001


def round_to(x: float, digits: int) -> float:
    """The same float as round(x, digits), for a float x and 0 <= digits <= 6."""
    scale = _SCALES[digits]
    y = x * scale
    if y == 0.0:  # x is 0.0 or -0.0, which round() keeps
        return x
    if not 0.0 < y < _FAST_BELOW:  # negative, NaN, infinite or large: round() itself
        return round(x, digits)
    whole = math.floor(y)
    fraction = y - whole
    if _TIE_LOW < fraction < _TIE_HIGH:
        return round(x, digits)
    return (whole + 1 if fraction > 0.5 else whole) / scale
