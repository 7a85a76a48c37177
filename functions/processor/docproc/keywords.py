"""Top keywords: TF-IDF over the document's own words (segmented once, by docproc.segment).

rjieba has no TF-IDF of its own. The IDF table is jieba's (MIT), cut to the ~44k words with
an IDF below 10, IDF rounded to 0.1, gzipped (~190 KB, docproc/data/stats/README.md): every rarer or unknown
word gets the table's default, the median IDF of the words left out. Loaded once per process.
"""

from __future__ import annotations

import heapq
import zlib
from collections import Counter
from collections.abc import Iterable
from functools import cache
from itertools import compress, filterfalse, repeat
from operator import mul
from pathlib import Path
from typing import Final

from docproc.native import native
from docproc.patterns import compiled
from docproc.rounding import round_to

DATA_DIR: Final = Path(__file__).parent / "data" / "stats"

MAX_KEYWORDS: Final = 10  # kept small: the list goes into every DynamoDB item
MIN_KEYWORD_CHARS: Final = 2  # one-character tokens are mostly particles, or a name cut apart
# A word with no letter of any script (a number): never a keyword.
_NO_LETTER: Final = compiled(r"[\d_\W]+")


@cache
def _idf_file() -> tuple[bytes, float]:
    """The table file's body (`idf<TAB>word word ...` lines) and the default IDF (its header)."""
    raw = zlib.decompress((DATA_DIR / "idf_zh.tsv.gz").read_bytes(), wbits=31)  # gzip
    header, _, body = raw.partition(b"\n")
    return body, float(header.split(b"\t")[1])


@cache
def idf_table() -> tuple[dict[str, float], float]:
    """(word -> IDF, default IDF for words not in the table), for the pure-Python path."""
    body, default = _idf_file()
    table: dict[str, float] = {}
    for line in body.decode("utf-8").splitlines():
        value, _, words = line.partition("\t")
        idf = float(value)
        # One insert per word: dict.fromkeys + update built each line's dict twice (~25 % slower).
        for word in words.split(" "):
            table[word] = idf
    return table, default


@cache
def idf_lookup() -> object:
    """What the C word statistics look IDFs up in: an index over the file's own bytes (~1 ms to
    build, where the dict of 44k str keys took ~10 ms of every cold start)."""
    assert native is not None
    return native.idf_index(_idf_file()[0])


def default_idf() -> float:
    """The IDF of a word the table does not list."""
    return _idf_file()[1]


@cache
def idf_ceiling() -> float:
    """The largest IDF any word gets (a listed word's, or the default for the rest): from the
    lines' values alone (about 80 lines, one per rounded IDF)."""
    body, default = _idf_file()
    values = [float(line.partition(b"\t")[0]) for line in body.splitlines() if line]
    return max(max(values, default=default), default)


def words_without_letter(words: Iterable[str]) -> frozenset[str]:
    """The words with no letter of any script (numbers, codes such as `3.5` or `__`).

    A word whose characters are all alphabetic (str.isalpha, in C: most words) has a letter;
    the regex (about 1,500 instructions a call) only sees the rest.
    """
    return frozenset(filter(_NO_LETTER.fullmatch, filterfalse(str.isalpha, words)))


@cache
def stopwords() -> frozenset[str]:
    """Chinese (stopwords-iso, MIT) and English function words, one per line."""
    return frozenset((DATA_DIR / "stopwords.txt").read_text(encoding="utf-8").split())


@cache
def stopword_set() -> object:
    """The stop words for the C word statistics."""
    assert native is not None
    return native.word_set(stopwords())


def top_keywords(
    counts: Counter[str], total: int, k: int = MAX_KEYWORDS, no_letter: frozenset[str] | None = None
) -> list[list[str | float]]:
    """The `k` words with the highest TF * IDF, as [word, weight] pairs, weight rounded.

    `counts` holds the document's (lower-cased) words, `total` their number, `no_letter` those
    of them without a letter (numbers), when the caller has them already. TF is a word's
    share of all words; stop words, numbers and one-character words never count (as in
    jieba.analyse.extract_tags).
    """
    if not counts or not total:
        return []
    if no_letter is None:
        no_letter = words_without_letter(counts)
    # Where the C module is built, the statistics take the same choice from native.word_stats.
    idf, default = idf_table()
    others = counts.keys() - stopwords() - no_letter
    candidates = list(compress(others, map((MIN_KEYWORD_CHARS).__le__, map(len, others))))
    scores = map(mul, map(counts.__getitem__, candidates), map(idf.get, candidates, repeat(default)))
    # nlargest is sorted(..., reverse=True)[:k], ties included, without sorting every candidate
    # (news articles have 1000-2000: the sort was 0.5 ms of a 10 ms document).
    best = heapq.nlargest(k, zip(scores, candidates, strict=True))
    return [[w, round_to(score / total, 4)] for score, w in best]
