"""Repeated lines and paragraphs: the first occurrence stays, later copies go.

Pages repeat a paragraph when a summary (`本文摘要：...`) echoes the lead or a template prints
the body twice. A paragraph-length line is compared after NFKC and with whitespace removed, so
a copy that differs only in spacing or full-width forms is caught. A short line goes only when
it repeats exactly and stands alone between longer lines, as a heading does; short lines among
other short lines are table cells and list items (`2010`, `Running Man`, `是`), which repeat
legitimately: on the 50 icwced pages, removing those cost more recall than anything else here.
"""

from __future__ import annotations

import unicodedata

from docproc.result import StepOutput, StepReport

MIN_NORMALISED = 20  # lines at least this long are compared after normalisation
MIN_REPEAT = 4  # lines shorter than this are never removed


def _key(line: str) -> str:
    return "".join(unicodedata.normalize("NFKC", line).split()).lower()


def _standalone(lengths: list[int], i: int) -> bool:
    """Whether the short line at non-blank position i has no short non-blank neighbour."""
    before = lengths[i - 1] if i > 0 else MIN_NORMALISED
    after = lengths[i + 1] if i + 1 < len(lengths) else MIN_NORMALISED
    return before >= MIN_NORMALISED and after >= MIN_NORMALISED


def remove_repeated_lines(text: str) -> StepOutput:
    """Keep the first occurrence of each line or paragraph; drop later copies."""
    lines = text.split("\n")
    stripped = [line.strip() for line in lines]
    nonblank = [i for i, s in enumerate(stripped) if s]
    lengths = [len(stripped[i]) for i in nonblank]
    seen: set[str] = set()  # normalised keys of long lines
    seen_short: set[str] = set()  # short lines as they are
    drop: set[int] = set()
    for k, i in enumerate(nonblank):
        line = stripped[i]
        if len(line) >= MIN_NORMALISED:
            key = _key(line)
            if key in seen:
                drop.add(i)
            seen.add(key)
        elif len(line) >= MIN_REPEAT:
            if line in seen_short and _standalone(lengths, k):
                drop.add(i)
            seen_short.add(line)
    out = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    return StepOutput(out, StepReport("remove_repeated_lines", len(drop), len(text) - len(out)))
