"""Rebuild docproc/data/jieba_dict.txt, the dictionary docproc's C segmenter loads:

    python -m infra.build_word_dict --jieba PATH/jieba-0.42.1.tar.gz

`--jieba` takes the sdist (`pip download --no-deps jieba==0.42.1`) or an extracted `dict.txt`
(MIT, Sun Junyi: docproc/data/LICENSE-jieba-MIT.txt). The file keeps each line's word and
frequency (the part-of-speech tags are never read) and is sorted by code point, so that the
loader sizes its table exactly and builds it a depth at a time (see word_dict in _native.c).
Repeated words keep their order, so the last frequency still wins, as in jieba-rs.

rjieba 0.2.2 embeds the same dictionary; tests/unit/test_native.py checks that both cut texts
into the same tokens.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from infra.build_garble_tables import read_jieba_dict

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "functions" / "processor" / "docproc" / "data" / "jieba_dict.txt"


def dictionary_text(words: list[tuple[str, int]]) -> str:
    """`word frequency` lines sorted by the word (stable: repeats keep their order)."""
    return "".join(f"{word} {freq}\n" for word, freq in sorted(words, key=lambda row: row[0]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--jieba", type=Path, required=True, help="jieba 0.42.1's sdist or its dict.txt")
    parser.add_argument("--out", type=Path, default=TARGET)
    args = parser.parse_args()
    words = read_jieba_dict(args.jieba)
    args.out.write_text(dictionary_text(words), encoding="utf-8")
    print(f"{args.out}: {len(words)} words")


if __name__ == "__main__":
    main()
