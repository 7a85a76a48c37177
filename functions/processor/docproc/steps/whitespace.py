"""Runs of whitespace and blank lines."""

from __future__ import annotations

import re

from docproc.result import StepOutput, StepReport

_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def normalize_whitespace(text: str) -> StepOutput:
    """Collapse runs of spaces, strip line ends, and keep one blank line between paragraphs."""
    before = len(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    out = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    # Paragraphs are separated by exactly one blank line in the output.
    out = "\n\n".join(p for p in out.split("\n") if p)
    return StepOutput(out, StepReport("normalize_whitespace", chars_removed=max(0, before - len(out))))
