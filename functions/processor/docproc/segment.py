"""Word segmentation: one cut per document, shared by word statistics, stop words and keywords.

The cut is jieba's without HMM (dictionary words only), as rjieba (jieba-rs, Rust) gives it;
jieba itself runs at ~0.5 MB/s after a ~1.3 s dictionary load. Where docproc's C module is
built, it cuts with its own table of the same dictionary (data/jieba_dict.txt), token for
token what rjieba gives (tests/unit/test_native.py): the table loads in about a third of
rjieba's start-up (which builds its trie on import, 0.09-0.11 s of every cold start) and the
cut runs about 2.2 times as fast, on the str's own characters. rjieba runs where the module is
not built. Both split Latin-script text on spaces and punctuation, so the same tokens serve
every language.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

from docproc.data import DATA_DIR
from docproc.native import native
from docproc.patterns import compiled

# A token is a word when it holds at least one letter or digit of any script: this drops the
# spaces and punctuation marks the segmenter returns as tokens of their own.
_WORD: Final = compiled(r"\w")
DICTIONARY: Final = DATA_DIR / "jieba_dict.txt"


@cache
def segment_dictionary() -> Any:
    """The C segmenter's table, loaded on first use: once per process (Lambda container)."""
    assert native is not None
    return native.word_dict(DICTIONARY.read_bytes())


@cache
def _rjieba() -> Any:
    """rjieba, imported on first use where the C module is not built."""
    import rjieba

    return rjieba


def segment(text: str) -> list[str]:
    """All tokens in order, words and the rest. HMM is off: it guesses unseen words, at ~2x the cost."""
    if not text:
        return []
    if native is not None:
        cut: list[str] = native.cut(text, segment_dictionary())
        return cut
    tokens: list[str] = _rjieba().cut(text, False)
    return tokens


def words_of(tokens: list[str]) -> list[str]:
    """The tokens that are words (hold a letter or a digit).

    Checked once per distinct token (about half of them), the filter itself in C. A token whose
    characters are all letters or digits (str.isalnum, in C: most of them) holds a word character; the
    regex only sees the rest (punctuation, and mixed tokens such as `3.5`).
    """
    if not tokens:
        return []
    distinct = set(tokens)
    words = set(filter(str.isalnum, distinct))
    words.update(filter(_WORD.search, distinct - words))
    return list(filter(words.__contains__, tokens))
