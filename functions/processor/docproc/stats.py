"""Document statistics: plain numbers over the input and the cleaned text."""

from __future__ import annotations

from typing import Any

from docproc.result import StepReport


def compute_stats(data: bytes, text_in: str, text_out: str, steps: list[StepReport]) -> dict[str, Any]:
    return {
        "bytes_in": len(data),
        "chars_in": len(text_in),
        "chars_out": len(text_out),
        "paragraphs": text_out.count("\n\n") + 1 if text_out else 0,
        "removed": {s.step: s.chars_removed for s in steps},
    }
