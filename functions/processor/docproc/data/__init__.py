"""Phrase lists the line-level steps match against, and the script fold used to match them.

The lists are plain UTF-8 files beside this module (one phrase a line, `#` starts a comment),
read once per process on first use. They are written in Simplified Chinese; a line is folded
to Simplified before matching, so one list serves both scripts. The fold is character by
character (a translation table from OpenCC's t2s, precomputed in t2s_chars.txt): it keeps lengths, and costs a
few microseconds a line where OpenCC's phrase-aware conversion took up to 90 µs on a line
of repeated characters. See README.md here for where each list comes from and its license.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from docproc.charclass import CharClass

DATA_DIR: Final = Path(__file__).resolve().parent


@cache
def load_phrases(name: str) -> tuple[str, ...]:
    """The phrases of data/<name>.txt, lower-cased, without comments, blanks or repeats."""
    seen: dict[str, None] = {}
    for raw in (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        phrase = raw.split("#", 1)[0].strip().lower()
        if phrase:
            seen.setdefault(phrase, None)
    return tuple(seen)


@cache
def converter(config: str) -> Any:
    """OpenCC's converter for `config` ("t2s", "s2t"), created once per process and shared by the
    steps: t2s loads in ~7 ms, s2t in ~105 ms (its phrase dictionary), so s2t is avoided when it can be."""
    import opencc  # imported here so that importing a step costs nothing until it runs

    return opencc.OpenCC(config)


def _read_table(name: str) -> str:
    return (DATA_DIR / name).read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class _Fold:
    table: dict[int, str]  # Traditional code point -> Simplified character
    # str.translate looks up every character (about 0.2 µs each); a test of each character
    # against the table's keys (one bit, in C; the class's pattern where the module is not
    # built) finds out much faster that a text has nothing to fold.
    folded: CharClass


@cache
def _t2s_table() -> _Fold:
    # OpenCC's t2s applied to every CJK unified ideograph on its own (its character table, no phrase
    # rule), precomputed by infra/build_script_tables.py: from OpenCC at start-up it cost ~40 ms.
    traditional, simplified = _read_table("t2s_chars.txt").split("\n")[:2]
    table = dict(zip(map(ord, traditional), simplified, strict=True))
    return _Fold(table, CharClass.of_codes(table))


@cache
def _s2t_variants() -> dict[str, str]:
    """Simplified character -> the Traditional characters that fold to it."""
    variants: dict[str, str] = {}
    for trad, simp in _t2s_table().table.items():
        variants[simp] = variants.get(simp, "") + chr(trad)
    return variants


def both_scripts(pattern: str) -> str:
    """Rewrite a regex written in Simplified so that it matches either script: each Chinese
    character becomes a class of itself and its Traditional forms (评 -> [评評]). Matching the
    raw line this way costs nothing extra, where folding every line first would."""
    variants = _s2t_variants()
    out: list[str] = []
    in_class = escaped = False
    for c in pattern:
        extra = variants.get(c, "")
        if escaped:
            escaped = False
            out.append(c)
        elif c == "\\":
            escaped = True
            out.append(c)
        elif in_class:
            in_class = c != "]"
            out.append(c + extra)
        elif c == "[":
            in_class = True
            out.append(c)
        else:
            out.append(f"[{c}{extra}]" if extra else c)
    return "".join(out)


# Phrases script_variants converted with OpenCC because s2t_phrases.tsv lacks them (what
# infra/build_script_tables.py collects; a test checks that the steps' phrases are all in the file).
converted_live: dict[str, str] = {}


@cache
def _s2t_phrases() -> dict[str, str]:
    """The steps' phrases and their OpenCC s2t conversion, precomputed: s2t is slow to load."""
    rows = (line.partition("\t") for line in _read_table("s2t_phrases.tsv").splitlines())
    return {phrase: traditional for phrase, _, traditional in rows}


def script_variants(phrase: str) -> set[str]:
    """`phrase` in Simplified and in Traditional script (OpenCC s2t): literal alternatives for a
    pattern that must stay fast, where character classes (see both_scripts) would defeat the
    regex engine's literal-prefix search."""
    traditional = _s2t_phrases().get(phrase)
    if traditional is None:
        traditional = converted_live[phrase] = str(converter("s2t").convert(phrase))
    return {phrase, traditional}


def t2s_char(char: str) -> str | None:
    """OpenCC's t2s of the single character `char` where the fold covers it (CJK unified ideographs,
    basic block and extension A: there t2s of one character is its fold, see test_steps_script),
    else None. A dictionary lookup where a call into OpenCC costs a few microseconds."""
    if "\u3400" <= char <= "\u4dbf" or "\u4e00" <= char <= "\u9fff":
        return _t2s_table().table.get(ord(char), char)
    return None


def to_simplified(text: str) -> str:
    """`text` with each Traditional character replaced by its Simplified form, for matching
    against the lists only (never for output: script conversion is a step of its own)."""
    fold = _t2s_table()
    if fold.folded.find(text) >= 0:
        return text.translate(fold.table)
    return text
