"""Pinyin annotations inserted after characters: `網(wǎng)絡(luò)` -> `網絡`.

An annotation is removed only when its letters are a real reading of the character before it
(pypinyin's single-character table, heteronyms included), so `杰(blog)` and `屋(house)` in real
articles stay. Tone-marked readings must match with their tone; toneless ones (`烟(yan)台`) and
tone-number ones (`yan1`) must match the tone they name. ASCII and full-width parentheses both count.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

from docproc.data import DATA_DIR
from docproc.native import native
from docproc.patterns import compiled
from docproc.result import StepOutput, StepReport

_TONE_LETTERS: Final = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# `(letters)` or `（letters）` after a CJK ideograph. The class of letters cannot contain a
# parenthesis, so the match is linear; the cheap `(` check in the step skips most texts. The
# pattern starts at the parenthesis and looks behind it for the ideograph: starting with the
# ideograph, the regex engine tried a match at every one of them (3x slower). Where docproc's C
# module is built, native.pinyin_annotations finds the same matches in one pass.
_ANNOTATION: Final = compiled(
    rf"[(（](?<=[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff][(（])([a-zA-Z{_TONE_LETTERS}]{{1,7}}[1-5]?)[)）]"
)


# pypinyin's single-character readings, precomputed by infra/build_script_tables.py: one line per
# code point of this block, then `hex code point<TAB>readings` lines for the other characters.
_BLOCK_START, _BLOCK_END = 0x3400, 0xA000


@lru_cache(maxsize=1)
def _readings_lines() -> list[str]:
    """The lines of data/pinyin_readings.txt. Parsing pypinyin's JSON table took ~45 ms (and
    `import pypinyin` 1.1 s, for its phrase dictionary this step never needs); splitting ~3 ms."""
    return (DATA_DIR / "pinyin_readings.txt").read_text(encoding="utf-8").split("\n")


@lru_cache(maxsize=1)
def _other_readings() -> dict[int, str]:
    """Readings of the characters outside the block: only read when one of them is asked about."""
    rows = (line.partition("\t") for line in _readings_lines()[_BLOCK_END - _BLOCK_START :] if line)
    return {int(code, 16): readings for code, _, readings in rows}


def _raw_readings(char: str) -> str:
    """The comma-separated tone-marked readings of `char`, or "" when pypinyin has none."""
    cp = ord(char)
    if _BLOCK_START <= cp < _BLOCK_END:
        return _readings_lines()[cp - _BLOCK_START]
    return _other_readings().get(cp, "")


def _toneless(reading: str) -> str:
    """`lǚ` -> `lu`, `wǎng` -> `wang`: strip tone marks (and the diaeresis: `lv`/`lu` are both written)."""
    base = "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))
    return base.replace("v", "u")


@lru_cache(maxsize=8192)
def _readings(char: str) -> tuple[frozenset[str], frozenset[str]]:
    """(tone-marked readings, toneless readings) of one character; empty if pypinyin has none."""
    raw = _raw_readings(char)
    marked = frozenset(r for r in raw.split(",") if r)
    return marked, frozenset(_toneless(r) for r in marked)


_TONE_OF: Final = {c: str(1 + i % 4) for i, c in enumerate("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ")} | {
    "ń": "2", "ň": "3", "ǹ": "4", "ḿ": "2",
}


@lru_cache(maxsize=8192)
def _numbered(char: str) -> frozenset[str]:
    """Readings in tone-number form: `wǎng` -> `wang3`, a neutral tone -> `5`."""
    marked, _ = _readings(char)
    return frozenset(_toneless(r) + next((_TONE_OF[c] for c in r if c in _TONE_OF), "5") for r in marked)


@lru_cache(maxsize=16384)
def is_reading(char: str, letters: str) -> bool:
    """Is `letters` (tone-marked, toneless, or with a tone number) a reading of `char`?"""
    letters = letters.lower()
    marked, toneless = _readings(char)
    if not marked:
        return False
    if letters[-1].isdigit():
        return _toneless(letters[:-1]) + letters[-1].replace("0", "5") in _numbered(char)
    if letters.replace("ü", "u").isascii():  # no tone mark (a bare `ü` carries none)
        return _toneless(letters) in toneless
    return unicodedata.normalize("NFC", letters) in marked


def remove_pinyin_annotations(text: str) -> StepOutput:
    """Remove `(reading)` after a character when it is a real reading of that character."""
    report = StepReport("remove_pinyin_annotations")
    if "(" not in text and "（" not in text:
        return StepOutput(text, report)
    # _ANNOTATION's matches as [start, end, ...]: found in C where the module is built.
    spans = native.pinyin_annotations(text) if native is not None else _annotation_spans(text)
    out: list[str] = []
    done = removed = kept = 0
    for k in range(0, len(spans), 2):
        start, end = spans[k], spans[k + 1]
        if is_reading(text[start - 1], text[start + 1 : end - 1]):
            out.append(text[done:start])
            done = end
            removed += 1
            report.chars_removed += end - start
        else:
            kept += 1
    report.count = removed
    if kept:
        report.detail["kept_not_a_reading"] = kept
    if not removed:
        return StepOutput(text, report)
    out.append(text[done:])
    return StepOutput("".join(out), report)


def _annotation_spans(text: str) -> list[int]:
    return [i for match in _ANNOTATION.finditer(text) for i in match.span()]
