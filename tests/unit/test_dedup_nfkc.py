"""dedup.nfkc: the fast NFKC the signatures use is unicodedata's NFKC, whatever the text."""

from __future__ import annotations

import random
import unicodedata

from docproc import dedup

# Foldable characters mixed with what NFKC composes or reorders around them: combining marks,
# Hangul jamo (compatibility and conjoining), half-width katakana with its voicing marks.
_TRICKY = list("\u0301\u0308\u0327\u0345\u05b0\u3099\u309a\u1100\u1161\u11a8가ㄱㅏｶﾞﾟeA 中的ſ\u212b\U0001d400")


def test_nfkc_equals_unicodedata_on_random_mixtures() -> None:
    _, folds = dedup._compatibility_folds()
    pool = sorted(folds) + _TRICKY
    rng = random.Random(7)
    for _ in range(20_000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        assert dedup.nfkc(text) == unicodedata.normalize("NFKC", text), ascii(text)


def test_nfkc_of_chinese_punctuation_and_of_many_kinds() -> None:
    text = "据悉，今年（2023年）以来：共破案１２３起！是否？…℃①²ｶﾞ"
    assert dedup.nfkc(text) == unicodedata.normalize("NFKC", text)
    # More kinds of compatibility characters than are folded one by one: still exact.
    _, folds = dedup._compatibility_folds()
    many = "中".join(sorted(folds)[: 3 * dedup.MAX_FOLDED_KINDS])
    assert dedup.nfkc(many) == unicodedata.normalize("NFKC", many)


def test_the_pattern_matches_exactly_the_folded_characters() -> None:
    pattern, folds = dedup._compatibility_folds()
    for low, high in dedup._FOLD_RANGES:
        for code in range(low - 1, high + 2):
            assert (pattern.pattern.fullmatch(chr(code)) is not None) == (chr(code) in folds), hex(code)
            assert (pattern.find(chr(code)) == 0) == (chr(code) in folds), hex(code)
