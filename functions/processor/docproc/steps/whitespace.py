"""Runs of whitespace and blank lines."""

from __future__ import annotations

from typing import Final

from docproc.native import native
from docproc.patterns import compiled
from docproc.result import StepOutput, StepReport

# A run of spaces of two or more, once tabs, ideographic and no-break spaces are spaces: what a
# run of any of the four collapses to one space from. It starts with a literal, which re scans
# for at memchr speed (a leading class is tested against each character: twice the time).
_SPACE_RUN: Final = compiled("  +")
_WIDE_SPACES: Final = ("\t", "\u3000", "\xa0")


def normalize_whitespace(text: str) -> StepOutput:
    """Collapse runs of spaces, strip line ends, and keep one blank line between paragraphs."""
    # The same in one pass in C where the module is built: no str a line (tests compare the two).
    out: str = native.tidy_whitespace(text) if native is not None else tidy_whitespace(text)
    return StepOutput(out, StepReport("normalize_whitespace", chars_removed=max(0, len(text) - len(out))))


def tidy_whitespace(text: str) -> str:
    """normalize_whitespace's text, with str methods."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Every maximal run of spaces, tabs, ideographic and no-break spaces becomes one space (a run
    # never spans a line break), then every non-empty line is stripped; paragraphs are separated
    # by exactly one blank line in the output. Substring tests (memchr speed) spare most texts
    # the replacements.
    for space in _WIDE_SPACES:
        if space in text:
            text = text.replace(space, " ")
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    lines = (line.strip() for line in text.split("\n"))
    return "\n\n".join(line for line in lines if line)
