"""Duplicate signatures: a content hash for exact copies, MinHash for near copies."""

from __future__ import annotations

import hashlib
import unicodedata

from docproc.result import Signature


def content_hash(text: str) -> str:
    """SHA-256 of the text after NFKC and with all whitespace removed."""
    norm = "".join(unicodedata.normalize("NFKC", text).split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def signature(text: str) -> Signature:
    return Signature(content_hash=content_hash(text))
