"""Bytes -> text: find the encoding and the content type, or reject with a reason."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Decoded:
    text: str
    encoding: str  # codec name as found, e.g. "utf-8", "gb18030"
    content_type: str  # "text/plain" or "text/html"


@dataclass(slots=True)
class Rejection:
    reason: str  # machine-readable: "empty", "binary", "undecodable", "too_large", ...
    message: str  # one sentence for people


def decode_document(data: bytes, content_type_hint: str | None = None) -> Decoded | Rejection:
    """Decode `data`; strict UTF-8 first (cheap), anything else is rejected for now."""
    if not data.strip():
        return Rejection("empty", "the object is empty or whitespace only")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Rejection("undecodable", "the bytes are not valid UTF-8")
    return Decoded(text=text, encoding="utf-8", content_type="text/plain")
