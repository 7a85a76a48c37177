"""Line structure of the cleaned text: terminal punctuation, short lines, line lengths, sentences."""

from __future__ import annotations

from typing import Final

from docproc.native import native
from docproc.patterns import compiled
from docproc.rounding import round_to

# A line "ends a sentence" when its last character is one of these. The Chinese closers
# (。！？…” 」 』) are the ones English-only lists miss: a quoted Chinese sentence ends in ”.
TERMINAL_PUNCTUATION: Final = frozenset(".!?…。！？”」』\"'’）)；;．｡")
# A line shorter than this many characters is "short". Chinese packs a clause into ~10 characters
# where English needs ~30 (FineWeb's short_line_length for English is 30).
SHORT_LINE_CHARS_CJK: Final = 10
SHORT_LINE_CHARS_OTHER: Final = 30

# Sentence ends: runs of Chinese enders, Latin enders followed by a space or line end, ellipses.
_SENTENCE_END: Final = compiled(r"[。！？!?]+[”」』\"']?|…+[”」』\"']?|\.(?=\s|$)")
_PARAGRAPH_BREAK: Final = compiled(r"\n\s*\n")


def split_lines(text: str) -> list[str]:
    return [line for line in (raw.strip() for raw in text.split("\n")) if line]


def split_paragraphs(text: str) -> list[str]:
    return [p for p in (raw.strip() for raw in _PARAGRAPH_BREAK.split(text)) if p]


def line_stats(lines: list[str], cjk: bool) -> dict[str, float | int]:
    if not lines:
        return {
            "terminal_punct_line_frac": 0.0,
            "short_line_frac": 0.0,
            "mean_line_chars": 0.0,
            "max_line_chars": 0,
        }
    short = SHORT_LINE_CHARS_CJK if cjk else SHORT_LINE_CHARS_OTHER
    lengths = list(map(len, lines))
    n = len(lines)
    ended = sum(1 for line in lines if line[-1] in TERMINAL_PUNCTUATION)
    return {
        "terminal_punct_line_frac": round_to(ended / n, 4),
        "short_line_frac": round_to(sum(1 for length in lengths if length < short) / n, 4),
        "mean_line_chars": round_to(sum(lengths) / n, 1),
        "max_line_chars": max(lengths),
    }


def count_sentences(text: str) -> int:
    """Sentence enders in the text; a last sentence without one still counts."""
    if not text.strip():
        return 0
    # The same count in one C pass where the module is built (no list of the matches).
    found = native.sentence_ends(text) if native is not None else len(_SENTENCE_END.findall(text))
    return found + (0 if text.rstrip()[-1] in TERMINAL_PUNCTUATION else 1)
