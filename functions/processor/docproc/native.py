"""The optional C module (docproc/_native.c, built by build_native.py), or None.

Where it is built, the statistics' per-position passes run in C; where it is not (a package
built on another platform), the pure-Python versions beside each call give the same results.
"""

from __future__ import annotations

from types import ModuleType

native: ModuleType | None
try:
    from docproc import _native as native  # type: ignore[attr-defined, no-redef]
except ImportError:  # not built here: the pure-Python path
    native = None
