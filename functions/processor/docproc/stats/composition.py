"""What the text is made of: Han, Latin letters, digits, punctuation, symbols.

One collections.Counter over the text (C speed), then each distinct character is classified
once per process (a few hundred distinct characters per document, memoised).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Final

from docproc.language import CHUNK_CHARS, count_chars
from docproc.native import native
from docproc.patterns import compiled, runs_of
from docproc.rounding import round_to

# Private Use Area (BMP and planes 15-16) and U+FFFD: traces of a broken decode or font tricks.
_PUA: Final = compiled(runs_of("[\ue000-\uf8ff\U000f0000-\U0010ffff]"))
REPLACEMENT: Final = "\ufffd"

_HAN_RANGES: Final = (
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # Unified Ideographs
    (0xF900, 0xFAFF),  # Compatibility Ideographs
    (0x20000, 0x3134F),  # Extensions B-G
)
_CLASS_CACHE: Final[dict[str, str]] = {}


def char_class(ch: str) -> str:
    """One of han, latin, kana, hangul, letter, digit, punct, symbol, space, other."""
    cls = _CLASS_CACHE.get(ch)
    if cls is None:
        cls = _CLASS_CACHE[ch] = _classify(ch)
    return cls


def _classify(ch: str) -> str:
    code = ord(ch)
    if any(lo <= code <= hi for lo, hi in _HAN_RANGES) or ch == "〇":
        return "han"
    category = unicodedata.category(ch)
    major = category[0]
    if major == "L":
        name = unicodedata.name(ch, "")
        if "LATIN" in name:
            return "latin"
        if "HIRAGANA" in name or "KATAKANA" in name:
            return "kana"
        if "HANGUL" in name:
            return "hangul"
        return "letter"
    if category == "Nd":
        return "digit"
    if major == "P":
        return "punct"
    if major == "S":
        return "symbol"
    if major == "Z" or ch.isspace():
        return "space"
    return "other"  # controls, marks, other numerals (①, Ⅻ), unassigned


# Runs of Han characters: counted by a regex in C, so the per-character classification below
# only sees the rest (punctuation, digits, Latin: a few dozen distinct characters).
_HAN_RUN: Final = compiled(runs_of("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f〇]"))


@dataclass(slots=True, init=False)
class Composition:
    counts: dict[str, int]  # class -> characters
    visible: int  # characters that are not whitespace

    # Written out: mypyc compiles this one, where dataclass's generated __init__ runs interpreted.
    def __init__(self, counts: dict[str, int], visible: int) -> None:
        self.counts = counts
        self.visible = visible

    def ratio(self, cls: str) -> float:
        return round_to(self.counts.get(cls, 0) / self.visible, 4) if self.visible else 0.0

    @property
    def letters(self) -> int:
        return sum(self.counts.get(c, 0) for c in ("han", "latin", "kana", "hangul", "letter"))


def composition(text: str) -> Composition:
    han, rest = native.han_census(text) if native is not None else _han_census(text)
    counts: dict[str, int] = {"han": han} if han else {}
    for ch, n in rest.items():
        cls = char_class(ch)
        counts[cls] = counts.get(cls, 0) + n
    return Composition(counts, len(text) - counts.get("space", 0))


def _han_census(text: str) -> tuple[int, dict[str, int]]:
    """(Han characters, each other character's count in order of first occurrence); in C where
    the module is built."""
    # One pass: the Han characters are what removing them takes away (a findall would hold every
    # run of a large document as a string at once, and a second pass would build `rest`).
    if len(text) <= CHUNK_CHARS:
        rest = _HAN_RUN.sub("", text)
    else:  # sub builds a list of every piece between matches: bounded by chunks on large texts
        rest = "".join(_HAN_RUN.sub("", text[i : i + CHUNK_CHARS]) for i in range(0, len(text), CHUNK_CHARS))
    return len(text) - len(rest), Counter(rest)


def pua_chars(text: str) -> int:
    if native is not None:  # the same count, one C pass
        counted: int = native.private_use(text)
        return counted
    return count_chars(_PUA, text)
