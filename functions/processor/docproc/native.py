"""The optional C module (docproc/_native.c, built by build_native.py), or None.

Where it is built, the statistics' per-position passes run in C; where it is not (a package
built on another platform), the pure-Python versions beside each call give the same results.
"""

from __future__ import annotations

import os
from types import ModuleType

native: ModuleType | None
try:
    from docproc import _native as native  # type: ignore[attr-defined, no-redef]
except ImportError:  # not built here: the pure-Python path
    native = None

if native is not None:
    # A hash key no document can be crafted against (see _native.c, hash_base), as Python
    # randomises its own string hashes.
    native.seed(int.from_bytes(os.urandom(8), "little"))
