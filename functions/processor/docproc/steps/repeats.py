"""Repeated lines and paragraphs: the first occurrence stays, later copies go.

Pages repeat a paragraph when a summary (`本文摘要：...`) echoes the lead or a template prints
the body twice. A paragraph-length line is compared after NFKC and with whitespace removed, so
a copy that differs only in spacing or full-width forms is caught. A short line goes only when
it repeats exactly and stands alone between longer lines, as a heading does; short lines among
other short lines are table cells and list items (`2010`, `Running Man`, `是`), which repeat
legitimately: on the 50 icwced pages, removing those cost more recall than anything else here.

A page's `<title>` printed above the article is a near copy too: the headline plus the site
(`拿出10万元投资房产(图)_新浪房产_新浪网` over `拿出10万元投资房产(图)`). Such a line goes when the
part before a separator is another line of the document; the headline itself stays.
"""

from __future__ import annotations

import unicodedata
from typing import Final

from docproc.charclass import CharClass
from docproc.native import native
from docproc.patterns import compiled
from docproc.result import StepOutput, StepReport

MIN_NORMALISED: Final = 20  # lines at least this long are compared after normalisation
MIN_REPEAT: Final = 4  # lines shorter than this are never removed


# Where a site name is hung on a title: `_`, `__`, `-`, `--`, `|`, `<`, ` - `, `::`.
_TITLE_SEPARATOR: Final = compiled(r"_+|-{1,2}|[|｜<–—]|::")
# The characters the separators start with: a cheap first test, as most lines have none.
_SEPARATOR_CHAR: Final = CharClass(r"[-_|｜<–—:]")  # in C: a pattern call cost more than most lines' test
_SENTENCE: Final = compiled(r"[。！？!?，,；;]")
MIN_TITLE: Final = 6  # the headline a title echoes is at least this long
MAX_SITE: Final = 40  # ... and what follows the separator at most this long


def _echoes_a_line(line: str, lines: set[str]) -> bool:
    """Whether `line` is another line of the document followed by a separator and a site name."""
    for m in _TITLE_SEPARATOR.finditer(line):
        head, rest = line[: m.start()].strip(), line[m.end() :]
        if len(head) >= MIN_TITLE and head in lines and len(rest) <= MAX_SITE and not _SENTENCE.search(rest):
            return True
    return False


# Han ideographs, and the characters whose NFKC holds one (compatibility and radical forms,
# enclosed and squared ideographs): test_steps_repeats checks these ranges against unicodedata.
_HAN: Final = "\u3400-\u4dbf\u4e00-\u9fff"
_MAKES_HAN: Final = CharClass(
    "[\u2e80-\u2fdf\u3038-\u303a\u3190-\u33ff\uf900-\ufaff\U0001f200-\U0001f2ff\U0002f800-\U0002fa1f]"
)
# Runs of Han characters. (A class of these ranges costs ~4 ms to compile: one pattern, not a group
# per character.)
_HAN_RUN: Final = compiled(f"[{_HAN}]+")
HEAD_HAN: Final = 12  # lines are grouped by their first this many Han characters


def _key(line: str) -> str:
    return "".join(unicodedata.normalize("NFKC", line).split()).lower()


def _first_han(line: str) -> str:
    """The first HEAD_HAN Han characters of `line` (fewer if it has fewer)."""
    head = ""
    for run in _HAN_RUN.finditer(line):
        head += run.group()
        if len(head) >= HEAD_HAN:
            return head[:HEAD_HAN]
    return head


def _keys_that_may_repeat(lines: list[str]) -> dict[str, str]:
    """The normalised key of each of `lines` that may share its key with another; a line left out
    cannot repeat or be repeated.

    NFKC is slow (~0.2 µs a character) and most lines are unique. Han characters pass through NFKC,
    whitespace removal and lower-casing unchanged, so two lines whose first Han characters differ
    have different keys: only lines whose first Han characters recur need the key. That holds
    unless a line has a character NFKC turns into Han (`⼈`, `㈱`): then every line gets its key.
    """
    if _MAKES_HAN.find("\n".join(lines)) >= 0:
        return {line: _key(line) for line in lines}
    heads = native.han_heads(lines, HEAD_HAN) if native is not None else [_first_han(line) for line in lines]
    # The heads seen twice or more, with two sets (compiled: a Counter is a Python class, and
    # its construction cost a fifth of the step).
    seen: set[str] = set()
    repeated: set[str] = set()
    for head in heads:
        if head in seen:
            repeated.add(head)
        else:
            seen.add(head)
    return {line: _key(line) for line, head in zip(lines, heads, strict=True) if head in repeated}


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
    present = {s for s in stripped if len(s) >= MIN_TITLE}
    keys = _keys_that_may_repeat([stripped[i] for i in nonblank if len(stripped[i]) >= MIN_NORMALISED])
    seen: set[str] = set()  # normalised keys of long lines
    seen_short: set[str] = set()  # short lines as they are
    drop: set[int] = set()
    for k, i in enumerate(nonblank):
        line = stripped[i]
        if len(line) <= MAX_SITE * 3 and _SEPARATOR_CHAR.find(line) >= 0 and _echoes_a_line(line, present):
            drop.add(i)
        elif len(line) >= MIN_NORMALISED:
            key = keys.get(line)
            if key is None:  # a key no other line has
                continue
            if key in seen:
                drop.add(i)
            seen.add(key)
        elif len(line) >= MIN_REPEAT:
            if line in seen_short and _standalone(lengths, k):
                drop.add(i)
            seen_short.add(line)
    if not drop:
        return StepOutput(text, StepReport("remove_repeated_lines"))
    out = "\n".join(line for i, line in enumerate(lines) if i not in drop)
    return StepOutput(out, StepReport("remove_repeated_lines", len(drop), len(text) - len(out)))
