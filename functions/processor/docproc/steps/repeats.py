"""Repeated lines and paragraphs: the first occurrence stays, later copies go.

Pages repeat a paragraph when a summary (`本文摘要：...`) echoes the lead or a template prints
the body twice. A paragraph-length line is compared after NFKC and with whitespace removed, so
a copy that differs only in spacing or full-width forms is caught. A short line (a heading, a
list item) goes only when it repeats exactly, and a very short one (`1`, `是`, `（一）`) never
does: such lines repeat legitimately in tables and lists.
"""

from __future__ import annotations

import unicodedata

from docproc.result import StepOutput, StepReport

MIN_NORMALISED = 20  # lines at least this long are compared after normalisation
MIN_REPEAT = 4  # lines shorter than this are never removed


def _key(line: str) -> str:
    return "".join(unicodedata.normalize("NFKC", line).split()).lower()


def remove_repeated_lines(text: str) -> StepOutput:
    """Keep the first occurrence of each line or paragraph; drop later copies."""
    seen: set[str] = set()  # normalised keys of long lines
    seen_exact: set[str] = set()  # short lines as they are
    kept: list[str] = []
    removed = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if len(stripped) < MIN_REPEAT:
            kept.append(line)
            continue
        key, pool = (_key(stripped), seen) if len(stripped) >= MIN_NORMALISED else (stripped, seen_exact)
        if key in pool:
            removed += 1
        else:
            pool.add(key)
            kept.append(line)
    out = "\n".join(kept)
    return StepOutput(out, StepReport("remove_repeated_lines", removed, len(text) - len(out)))
