"""Rebuild the character tables the garble repair and the decoder score text with.

    python -m infra.build_garble_tables --jieba PATH/jieba-0.42.1.tar.gz \
        --punctuation ../shared/corpus/icwced/cleaned

writes functions/processor/docproc/data/hanzi_freq.tsv and hanzi_bigrams.tsv.gz from sources
whose licenses allow redistribution (docproc/data/README.md):

- Han characters and their pairs come from jieba's dictionary (`jieba/dict.txt`, MIT: 349k words
  with their frequency in a large corpus). A character's count is the sum over words of the word's
  frequency times its occurrences in the word; a pair's count the same over adjacent characters
  within a word (in Simplified: the repair compares pairs after t2s). Pairs across word boundaries
  are not in a dictionary; the repair interpolates with the unigram estimate, which covers them.
- Punctuation and other non-Han characters (full-width `，。、“”：`) are in no dictionary. Their
  counts come from the hand-cleaned main texts of the icwced pages (MIT), scaled so that their
  share of all characters is the one those texts have.

Every character also gets its OpenCC s2t/s2tw/s2hk forms with the same count (at least), so that
Traditional text scores like Simplified. `--jieba` takes the sdist (`pip download --no-deps
jieba==0.42.1`) or an extracted `dict.txt`; jieba is not a dependency of the function.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import math
import tarfile
import unicodedata
from collections import Counter
from pathlib import Path

import opencc

DATA_DIR = Path(__file__).resolve().parents[1] / "functions/processor/docproc/data"

# Characters below this relative frequency (natural log) score no better than an unknown one in
# docproc.steps.garble (_UNKNOWN = -16): they would only make the table larger.
MIN_LOG_FREQ = -16.0
# Pairs seen less often than this (weighted by word frequency) are left out: below it the
# interpolation's unigram part dominates anyway, and the table stays ~200 KB gzipped.
MIN_PAIR_COUNT = 40
# Non-Han characters must occur this often in the cleaned pages to count as ordinary text.
MIN_PUNCT_COUNT = 3


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


def punctuation_counts(folder: Path, han_total: int) -> tuple[Counter[str], Counter[str]]:
    """Non-ASCII, non-Han characters of the cleaned texts and the pairs they are part of (`力。`,
    `。”`), scaled to the dictionary's Han total."""
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
    converters = [opencc.OpenCC(c) for c in ("s2t", "s2tw", "s2hk")]
    out = Counter(counts)
    for char, n in counts.items():
        for converter in converters:
            form = converter.convert(char)
            if len(form) == 1 and form != char:
                out[form] = max(out[form], n)
    return out


def build(jieba: Path, punctuation: Path) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    chars, pairs = han_counts(read_jieba_dict(jieba))
    han_total = sum(chars.values())
    symbols, symbol_pairs = punctuation_counts(punctuation, han_total)
    chars.update(symbols)
    pairs.update(symbol_pairs)
    chars = with_script_forms(chars)
    total = sum(chars.values())
    floor = math.exp(MIN_LOG_FREQ) * total
    char_rows = sorted(((c, n) for c, n in chars.items() if n >= floor), key=lambda r: (-r[1], r[0]))
    pair_rows = sorted(((p, n) for p, n in pairs.items() if n >= MIN_PAIR_COUNT), key=lambda r: (-r[1], r[0]))
    return char_rows, pair_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jieba", type=Path, required=True, help="jieba sdist or its dict.txt")
    parser.add_argument("--punctuation", type=Path, required=True, help="icwced cleaned/ folder")
    args = parser.parse_args()
    char_rows, pair_rows = build(args.jieba, args.punctuation)
    header = (
        "# Character counts: Han from jieba 0.42.1 dict.txt (MIT; word frequency x occurrences),\n"
        "# punctuation from the icwced cleaned pages (MIT) scaled to the same total, plus OpenCC\n"
        "# s2t/s2tw/s2hk forms. Rebuild: python -m infra.build_garble_tables (docproc/data/README.md).\n"
    )
    (DATA_DIR / "hanzi_freq.tsv").write_text(
        header + "".join(f"{c}\t{n}\n" for c, n in char_rows), encoding="utf-8"
    )
    # One row per first character: `a<TAB>b1b2b3...<TAB>n1 n2 n3`, so loading builds ~5k entries,
    # not 63k (docproc.steps.garble._bigram_rows).
    rows: dict[str, list[tuple[str, int]]] = {}
    for pair, n in pair_rows:
        rows.setdefault(pair[0], []).append((pair[1], n))
    pair_text = (
        f"# Han character pairs within jieba 0.42.1 dict.txt words (MIT), in Simplified, weighted by\n"
        f"# word frequency, count >= {MIN_PAIR_COUNT}, and pairs with punctuation from the icwced cleaned\n"
        f"# pages (MIT). One row per first character: first<TAB>seconds<TAB>counts (space-separated).\n"
        f"# Rebuild: python -m infra.build_garble_tables.\n"
        + "".join(
            f"{a}\t{''.join(b for b, _ in row)}\t{' '.join(str(n) for _, n in row)}\n"
            for a, row in sorted(rows.items())
        )
    )
    (DATA_DIR / "hanzi_bigrams.tsv.gz").write_bytes(gzip.compress(pair_text.encode("utf-8"), mtime=0))
    print(f"{len(char_rows)} characters, {len(pair_rows)} pairs")


if __name__ == "__main__":
    main()
