"""Invisible and control characters, and the one Unicode normalisation that is always safe (NFC).

NFKC is not applied: it would turn the article's full-width punctuation (`，：（）`) into ASCII, and
the output keeps the article's own punctuation. NFC only composes canonically equivalent sequences
(and maps CJK compatibility ideographs to their unified forms), which never changes what a reader sees.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from docproc.charclass import CharClass
from docproc.patterns import compiled, runs_of
from docproc.result import StepOutput, StepReport

# C0 controls except tab and newlines, DEL, C1 controls.
_CONTROL: Final = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
# Zero-width and formatting characters: ZWSP/ZWNJ/ZWJ, LRM/RLM, bidi embeddings and isolates,
# word joiner and invisible operators, BOM/ZWNBSP, soft hyphen, Mongolian vowel separator,
# interlinear annotation marks, and the replacement object character.
_INVISIBLE: Final = "\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffc"
# Terminal colour and cursor codes (ESC [ ... letter) in scraped logs or console dumps: the whole
# sequence goes, not only its ESC (which would leave `[0m` behind). The classes are disjoint: linear.
# Matched only when an ESC is present: an alternation in the main pattern would slow its scan 3x.
_ANSI_ESCAPE: Final = compiled("\x1b\\[[0-?]*[ -/]*[@-~]")
# U+FFFD stands for bytes the decoder could not read: it carries nothing of the author's text
# (statistics count it in the input before this step).
_REPLACEMENT: Final = "\ufffd"
_REMOVE: Final = compiled(runs_of(f"[{_CONTROL}{_INVISIBLE}{_REPLACEMENT}]"))
# Unicode line and paragraph separators are line breaks to every reader.
_SEPARATORS: Final = compiled("[\u2028\u2029\x85]")
# Any character either pattern acts on (ESC is a control character). One character, no repeat: the
# regex engine then scans with its fast character-set loop, ~3x faster than with `+`, and most
# texts have none of them.
_ANY: Final = CharClass(f"[{_CONTROL}{_INVISIBLE}{_REPLACEMENT}\u2028\u2029\x85]")


def normalize_characters(text: str) -> StepOutput:
    """Remove control and zero-width characters (NUL, BOMs inside the text, ...) and apply NFC."""
    report = StepReport("normalize_characters")
    before = len(text)
    removed = separators = 0
    if _ANY.find(text) >= 0:
        text, removed, separators = _remove_and_split(text)
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        report.detail["nfc"] = 1
    report.count = removed + separators
    report.chars_removed = max(0, before - len(text))
    if removed:
        report.detail["invisible_chars"] = removed
    if separators:
        report.detail["line_separators"] = separators
    return StepOutput(text, report)


def _remove_and_split(text: str) -> tuple[str, int, int]:
    """Line separators to line breaks, control and invisible characters (and escape sequences) out:
    (text, characters removed, separators replaced)."""
    separators = len(_SEPARATORS.findall(text))
    if separators:
        text = _SEPARATORS.sub("\n", text)
    removed = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal removed
        removed += len(match.group())
        return ""

    if "\x1b" in text:
        text = _ANSI_ESCAPE.sub(drop, text)
    text = _REMOVE.sub(drop, text)
    return text, removed, separators
