"""Rebuild the tables the garble repair and the decoder score text with.

Two stages. From the sources (whose licenses allow redistribution, docproc/data/README.md):

    python -m infra.build_garble_tables --jieba PATH/jieba-0.42.1.tar.gz \
        --punctuation ../shared/corpus/icwced/cleaned

writes the readable tables in infra/garble_tables/ (reviewed as diffs, not shipped) and then the
compact file the function loads, functions/processor/docproc/data/garble_tables.bin. Without
arguments only the second stage runs, from the readable tables (tests/unit/test_steps_garble.py
checks that this gives the committed bytes).

- Han characters and their pairs come from jieba's dictionary (`jieba/dict.txt`, MIT: 349k words
  with their frequency in a large corpus). A character's count is the sum over words of the word's
  frequency times its occurrences in the word; a pair's count the same over adjacent characters
  within a word (in Simplified: the repair compares pairs after t2s). Pairs across word boundaries
  are not in a dictionary; the repair interpolates with the unigram estimate, which covers them.
- Punctuation and other non-Han characters (full-width `，。、“”：`) are in no dictionary. Their
  counts come from the hand-cleaned main texts of the icwced pages (MIT), scaled so that their
  share of all characters is the one those texts have.
- The two- and three-character words of the dictionary with their frequency, for the repair's word
  bonus (it used to ask rjieba, whose import cost 0.2-0.3 s on the first garbled span).

Every character also gets its OpenCC s2t/s2tw/s2hk forms with the same count (at least), so that
Traditional text scores like Simplified. `--jieba` takes the sdist (`pip download --no-deps
jieba==0.42.1`) or an extracted `dict.txt`; jieba is not a dependency of the function.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import math
import sys
import tarfile
import unicodedata
import zlib
from array import array
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "functions/processor/docproc/data"
SOURCE_DIR = ROOT / "infra/garble_tables"
COMPACT = DATA_DIR / "garble_tables.bin"
CHARS_FILE = "hanzi_freq.tsv"
PAIRS_FILE = "hanzi_bigrams.tsv.gz"
WORDS_FILE = "hanzi_words.tsv.gz"

# Characters below this relative frequency (natural log) score no better than an unknown one in
# docproc.steps.garble (_UNKNOWN = -16): they would only make the table larger.
MIN_LOG_FREQ = -16.0
# Pairs seen less often than this (weighted by word frequency) are left out: below it the
# interpolation's unigram part dominates anyway, and the table stays ~200 KB gzipped.
MIN_PAIR_COUNT = 40
# Words rarer than this are left out (46k of the 245k two- and three-character words stay): on
# 2,560 synthetic garbled THUCNews windows the repair is as often exact with them as with the
# whole dictionary (the word bonus is half the log frequency: a rare word adds little).
MIN_WORD_FREQ = 40
# Non-Han characters must occur this often in the cleaned pages to count as ordinary text.
MIN_PUNCT_COUNT = 3

# The compact file: this line, then two zlib streams, each a header line of `name:length` and the
# sections in that order (UTF-8 text, or little-endian uint32 arrays for names ending in `#`).
MAGIC = b"docproc garble tables 1\n"


def _is_han(char: str) -> bool:
    return (
        "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" or "\U00020000" <= char <= "\U0003134f"
    )


def read_jieba_dict(path: Path) -> list[tuple[str, int]]:
    """(word, frequency) from jieba's dict.txt, given the file or the sdist that holds it."""
    if path.suffix == ".txt":
        text = path.read_text(encoding="utf-8")
    else:
        with tarfile.open(path) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith("jieba/dict.txt"))
            handle = tar.extractfile(member)
            assert handle is not None
            text = handle.read().decode("utf-8")
    words = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            words.append((parts[0], int(parts[1])))
    return words


def han_counts(words: list[tuple[str, int]]) -> tuple[Counter[str], Counter[str]]:
    import opencc  # only needed to rebuild from the sources

    t2s = opencc.OpenCC("t2s")
    chars: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for word, freq in words:
        for char in word:
            if _is_han(char):
                chars[char] += freq
        simplified = t2s.convert(word)
        if len(simplified) != len(word):
            continue
        for a, b in itertools.pairwise(simplified):
            if _is_han(a) and _is_han(b):
                pairs[a + b] += freq
    return chars, pairs


def word_rows(words: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Two- and three-character words at least MIN_WORD_FREQ frequent, as the repair looks them up
    (jieba keeps the last of a repeated entry)."""
    freq = {w: n for w, n in words if len(w) in (2, 3)}
    return sorted((w, n) for w, n in freq.items() if n >= MIN_WORD_FREQ)


def punctuation_counts(folder: Path, han_total: int) -> tuple[Counter[str], Counter[str]]:
    """Non-ASCII, non-Han characters of the cleaned texts and the pairs they are part of (`力。`,
    `。”`), scaled to the dictionary's Han total."""
    import opencc

    counts: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    t2s = opencc.OpenCC("t2s")
    for path in sorted(folder.glob("*.txt")):
        text = "".join(t2s.convert(path.read_text(encoding="utf-8")).split())
        counts.update(c for c in text if c >= "\x80")
        pairs.update(a + b for a, b in itertools.pairwise(text) if _is_symbol(a) or _is_symbol(b))
    text_han = sum(n for c, n in counts.items() if _is_han(c))
    scale = han_total / text_han
    symbols = Counter(
        {c: round(n * scale) for c, n in counts.items() if _is_symbol(c) and n >= MIN_PUNCT_COUNT}
    )
    symbol_pairs = Counter(
        {
            p: round(n * scale)
            for p, n in pairs.items()
            if n >= MIN_PUNCT_COUNT and all(c >= "\x80" for c in p)
        }
    )
    return symbols, symbol_pairs


def _is_symbol(char: str) -> bool:
    """Punctuation, symbols and digits; not letters of other scripts (a Korean page's Hangul) and
    not Private Use Area characters, which the repair scores on their own."""
    return char >= "\x80" and unicodedata.category(char)[0] in "PSN" and not _is_han(char)


def with_script_forms(counts: Counter[str]) -> Counter[str]:
    import opencc

    converters = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk")]
    out = Counter(counts)
    for char, n in counts.items():
        for converter in converters:
            form = converter.convert(char)
            if len(form) == 1 and form != char:
                out[form] = max(out[form], n)
    return out


Rows = list[tuple[str, int]]


def build(jieba: Path, punctuation: Path) -> tuple[Rows, Rows, Rows]:
    """(characters, pairs, words) with their counts, from the sources."""
    words = read_jieba_dict(jieba)
    chars, pairs = han_counts(words)
    han_total = sum(chars.values())
    symbols, symbol_pairs = punctuation_counts(punctuation, han_total)
    chars.update(symbols)
    pairs.update(symbol_pairs)
    chars = with_script_forms(chars)
    total = sum(chars.values())
    floor = math.exp(MIN_LOG_FREQ) * total
    char_rows = sorted(((c, n) for c, n in chars.items() if n >= floor), key=lambda r: (-r[1], r[0]))
    pair_rows = sorted(((p, n) for p, n in pairs.items() if n >= MIN_PAIR_COUNT), key=lambda r: (-r[1], r[0]))
    return char_rows, pair_rows, word_rows(words)


def write_sources(char_rows: Rows, pair_rows: Rows, words: Rows, folder: Path = SOURCE_DIR) -> None:
    """The readable tables: `key<TAB>count` lines after a `#` header."""
    folder.mkdir(parents=True, exist_ok=True)
    header = (
        "# Character counts: Han from jieba 0.42.1 dict.txt (MIT; word frequency x occurrences),\n"
        "# punctuation from the icwced cleaned pages (MIT) scaled to the same total, plus OpenCC\n"
        "# s2t/s2tw/s2hk forms. Rebuild: python -m infra.build_garble_tables (docproc/data/README.md).\n"
    )
    (folder / CHARS_FILE).write_text(header + _tsv(char_rows), encoding="utf-8")
    pair_header = (
        f"# Han character pairs within jieba 0.42.1 dict.txt words (MIT), in Simplified, weighted by\n"
        f"# word frequency, count >= {MIN_PAIR_COUNT}, and pairs with punctuation from the icwced cleaned\n"
        f"# pages (MIT). Rebuild: python -m infra.build_garble_tables.\n"
    )
    _write_gzip(folder / PAIRS_FILE, pair_header + _tsv(sorted(pair_rows)))
    word_header = (
        f"# Two- and three-character words of jieba 0.42.1 dict.txt (MIT) with their frequency,\n"
        f"# frequency >= {MIN_WORD_FREQ}. Rebuild: python -m infra.build_garble_tables.\n"
    )
    _write_gzip(folder / WORDS_FILE, word_header + _tsv(words))


def _tsv(rows: Rows) -> str:
    return "".join(f"{key}\t{n}\n" for key, n in rows)


def _write_gzip(path: Path, text: str) -> None:
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def read_sources(folder: Path = SOURCE_DIR) -> tuple[Rows, Rows, Rows]:
    chars = _read_tsv((folder / CHARS_FILE).read_text(encoding="utf-8"))
    pairs = _read_tsv(gzip.decompress((folder / PAIRS_FILE).read_bytes()).decode("utf-8"))
    words = _read_tsv(gzip.decompress((folder / WORDS_FILE).read_bytes()).decode("utf-8"))
    return chars, pairs, words


def _read_tsv(text: str) -> Rows:
    rows = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, n = line.split("\t")
            rows.append((key, int(n)))
    return rows


def compact(char_rows: Rows, pair_rows: Rows, words: Rows) -> bytes:
    """The file docproc.steps.garble loads: strings and integer arrays it turns into dicts in a few
    C calls, with no line parsing. Two zlib streams: the characters (all a document whose `?` is
    ordinary punctuation needs), then the pairs and words (only for a span being repaired)."""
    # Pairs one row per first character: the row of `a` is a slice of one string of second
    # characters, so loading builds a ~5k-entry dict, not one of 63k pairs. A two-character word is
    # a pair too (its frequency is counted in the pair's): its frequency goes beside the pair's
    # count. A three-character word is a third character after a pair, listed the same way. The
    # three words that are not so (`拚命`, `沈思`, `承乾宫`: not Simplified) are never looked up.
    rows: dict[str, list[tuple[str, int]]] = {}
    for pair, n in sorted(pair_rows):
        rows.setdefault(pair[0], []).append((pair[1], n))
    order = {a + b: i for i, (a, b) in enumerate((a, b) for a, row in rows.items() for b, _ in row)}
    two = {w: n for w, n in words if len(w) == 2}
    thirds: dict[int, list[tuple[str, int]]] = {}
    for word, n in words:
        if len(word) == 3 and word[:2] in order:
            thirds.setdefault(order[word[:2]], []).append((word[2], n))
    chars: list[tuple[str, str | list[int]]] = [
        ("chars", "".join(c for c, _ in char_rows)),
        ("char_counts#", [n for _, n in char_rows]),
    ]
    third_rows = sorted(thirds.items())
    pairs: list[tuple[str, str | list[int]]] = [
        ("firsts", "".join(rows)),
        ("row_ends#", list(itertools.accumulate(len(r) for r in rows.values()))),
        ("seconds", "".join(b for row in rows.values() for b, _ in row)),
        ("pair_counts#", [n for row in rows.values() for _, n in row]),
        ("word2_freqs#", [two.get(pair, 0) for pair in order]),
        ("third_pairs#", [i for i, _ in third_rows]),
        ("third_ends#", list(itertools.accumulate(len(r) for _, r in third_rows))),
        ("thirds", "".join(c for _, row in third_rows for c, _ in row)),
        ("word3_freqs#", [n for _, row in third_rows for _, n in row]),
    ]
    return MAGIC + _stream(chars) + _stream(pairs)


def _stream(sections: list[tuple[str, str | list[int]]]) -> bytes:
    blobs = [(name, _section_bytes(value)) for name, value in sections]
    header = " ".join(f"{name}:{len(blob)}" for name, blob in blobs) + "\n"
    return zlib.compress(header.encode("ascii") + b"".join(blob for _, blob in blobs), 9)


def _section_bytes(value: str | list[int]) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8")
    numbers = array("I", value)
    if sys.byteorder == "big":
        numbers.byteswap()
    return numbers.tobytes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jieba", type=Path, help="jieba sdist or its dict.txt: rebuild the readable tables")
    parser.add_argument("--punctuation", type=Path, help="icwced cleaned/ folder (with --jieba)")
    args = parser.parse_args()
    if args.jieba or args.punctuation:
        if not (args.jieba and args.punctuation):
            parser.error("--jieba and --punctuation go together")
        write_sources(*build(args.jieba, args.punctuation))
    char_rows, pair_rows, words = read_sources()
    COMPACT.write_bytes(compact(char_rows, pair_rows, words))
    size = COMPACT.stat().st_size
    print(f"{len(char_rows)} characters, {len(pair_rows)} pairs, {len(words)} words: {size} bytes")


if __name__ == "__main__":
    main()
