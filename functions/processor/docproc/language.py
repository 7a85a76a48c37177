"""Language (with a confidence) and Han script (simplified / traditional) of a text.

A script count decides Chinese without a model: when Han characters make up most of the
letters (and kana / Hangul do not), the text is Chinese. Anything else goes to pycld2
(CLD2: ~10 MB installed, no model download), which knows ~80 languages. A 100 MB model
such as lingua does not fit a Lambda package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from docproc.native import native
from docproc.patterns import compiled
from docproc.rounding import round_to

DATA_DIR: Final = Path(__file__).parent / "data" / "stats"

# Han share of letters above which a text is Chinese without asking CLD2.
CHINESE_HAN_SHARE: Final = 0.5
# Kana share of Han + kana above which Han-heavy text is Japanese rather than Chinese.
JAPANESE_KANA_SHARE: Final = 0.05
# CLD2 reads this many bytes at most: the language of a document shows in its first pages.
CLD2_MAX_BYTES: Final = 8192
# Share of script-specific Han characters that must agree for "traditional" / "simplified".
SCRIPT_AGREEMENT: Final = 0.8


@dataclass(slots=True, init=False)
class Language:
    code: str  # ISO 639-1 where there is one ("zh", "en", ...); "und" when undetermined
    confidence: float  # 0..1

    # Written out: mypyc compiles this one, where dataclass's generated __init__ runs interpreted.
    def __init__(self, code: str, confidence: float) -> None:
        self.code = code
        self.confidence = confidence


@cache
def script_char_classes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One-character classes of the traditional-only and simplified-only Han characters.

    OpenCC's own sets (t2s changes / s2t changes), precomputed in script_chars.txt (see README):
    deriving them from OpenCC at start-up cost ~340 ms. Shared by the statistics and the script
    step, so each pattern compiles once per process. One character per match, not runs: a
    leading repeat loses the regex engine's fast character-set scan (1.2-2.5x slower).
    """
    trad, simp = _script_chars()
    return compiled(f"[{trad}]"), compiled(f"[{simp}]")


@cache
def _script_chars() -> tuple[str, str]:
    trad, simp = (DATA_DIR / "script_chars.txt").read_text(encoding="utf-8").split("\n")[:2]
    return trad, simp


@cache
def _script_table() -> bytes | None:
    """One byte per BMP code point: bit 0 Traditional-only, bit 1 Simplified-only (for the C
    count); None if a character lies past the BMP (then the regex classes count)."""
    table = bytearray(0x10000)
    for bit, chars in enumerate(_script_chars()):
        for ch in chars:
            if ord(ch) > 0xFFFF:
                return None
            table[ord(ch)] |= 1 << bit
    return bytes(table)


# Texts are matched this many characters at a time: findall on a whole 10 MB text held every
# run as a string at once (~50 MiB). The counts are the same (a run cut in two counts in full).
CHUNK_CHARS: Final = 1 << 16


def count_chars(pattern: re.Pattern[str], text: str) -> int:
    """Characters of `text` inside the matches of `pattern`, in bounded memory."""
    if len(text) <= CHUNK_CHARS:
        return sum(map(len, pattern.findall(text)))
    return sum(
        sum(map(len, pattern.findall(text, i, i + CHUNK_CHARS))) for i in range(0, len(text), CHUNK_CHARS)
    )


def count_matches(pattern: re.Pattern[str], text: str) -> int:
    """Matches of `pattern` in `text` (characters, for a one-character class), in bounded memory."""
    if len(text) <= CHUNK_CHARS:
        return len(pattern.findall(text))
    return sum(len(pattern.findall(text, i, i + CHUNK_CHARS)) for i in range(0, len(text), CHUNK_CHARS))


def script_char_counts(text: str) -> tuple[int, int]:
    """(Traditional-only characters, Simplified-only characters) in `text`."""
    if native is not None and (table := _script_table()) is not None:  # both in one C pass
        counted: tuple[int, int] = native.count_flagged(text, table)
        return counted
    trad_re, simp_re = script_char_classes()
    return count_matches(trad_re, text), count_matches(simp_re, text)


def han_script(text: str) -> tuple[str, float]:
    """Script of the Han characters in `text`, and the share of them written in Traditional.

    Characters shared by both writings (的, 在, 人...) say nothing; of the others, the share
    written in Traditional decides: "traditional", "simplified", "mixed", or "none" when the
    text has no script-specific Han character at all.
    """
    return script_of_counts(*script_char_counts(text))


def script_of_counts(trad: int, simp: int) -> tuple[str, float]:
    """han_script's result from the counts of Traditional-only and Simplified-only characters."""
    if trad + simp == 0:
        return "none", 0.0
    share = round_to(trad / (trad + simp), 4)
    if share >= SCRIPT_AGREEMENT:
        return "traditional", share
    if share <= 1 - SCRIPT_AGREEMENT:
        return "simplified", share
    return "mixed", share


def identify_language(text: str, han: int, kana: int, hangul: int, letters: int) -> Language:
    """Language of `text` given its letter counts (from the composition statistics)."""
    if letters == 0:
        return Language("und", 0.0)
    han_share = han / letters
    if han_share >= CHINESE_HAN_SHARE and kana <= JAPANESE_KANA_SHARE * (han + kana) and hangul < han:
        return Language("zh", round_to(han_share, 3))
    return _cld2(text)


@cache
def _cld2_module() -> Any:
    import pycld2  # imported on first non-Chinese document only

    return pycld2


def _cld2(text: str) -> Language:
    head = text.encode("utf-8", "ignore")[:CLD2_MAX_BYTES].decode("utf-8", "ignore")
    try:
        reliable, _, details = _cld2_module().detect(head, bestEffort=True)
    except Exception:  # pycld2 raises on some control characters: no language is not an error
        return Language("und", 0.0)
    _name, code, percent, _score = details[0]
    if code in {"un", "xx"}:
        return Language("und", 0.0)
    # CLD2 calls Traditional Chinese "zh-Hant"; the script is reported separately.
    code = code.split("-")[0]
    confidence = percent / 100 if reliable else percent / 200
    return Language(code, round_to(confidence, 3))
