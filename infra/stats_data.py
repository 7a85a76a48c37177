"""Rebuild the small data files the statistics ship with (docproc/data/stats/).

They are derived once from public packages and committed, so the Lambda needs neither the
packages nor any download at run time:

    python -m infra.stats_data --jieba-idf PATH/jieba/analyse/idf.txt \
        --stopwords-iso PATH/stopwordsiso/stopwords-iso.json

Sources and licenses are listed in docproc/data/stats/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "functions/processor/docproc/data/stats"

# Words rarer than this keep no entry: they all get the file's default IDF. It keeps the table
# at ~44k words (~250 KB gzipped) instead of 270k (6 MB), and only changes the order of rare words.
IDF_CUTOFF = 10.0

# Common English function words (articles, pronouns, auxiliaries, prepositions, conjunctions),
# written for this project. Long lists (1,300 entries) count ordinary content words as stop words.
_ENGLISH_STOPWORDS_TEXT = """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours ourselves out
over own same she should so some such than that the their theirs them themselves then there
these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves
"""
ENGLISH_STOPWORDS = _ENGLISH_STOPWORDS_TEXT.split()

_HAS_WORD_CHAR = re.compile(r"\w")


def build_script_chars() -> str:
    """Han characters that only Traditional (line 1) or only Simplified (line 2) writing uses."""
    import opencc  # only needed to rebuild the data

    chars = [chr(c) for c in [*range(0x4E00, 0xA000), *range(0x3400, 0x4DC0)]]
    # One character per line so OpenCC's phrase tables cannot match across characters.
    to_simp = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    to_trad = opencc.OpenCC("s2t").convert("\n".join(chars)).split("\n")
    trad = {c for c, s in zip(chars, to_simp, strict=True) if s != c}
    simp = {c for c, t in zip(chars, to_trad, strict=True) if t != c}
    both = trad & simp  # a handful of variants OpenCC maps both ways: neither tells the script
    return "".join(sorted(trad - both)) + "\n" + "".join(sorted(simp - both)) + "\n"


def build_stopwords(stopwords_iso: Path) -> str:
    zh = json.loads(stopwords_iso.read_text(encoding="utf-8"))["zh"]
    words = sorted({w for w in zh if _HAS_WORD_CHAR.search(w)} | set(ENGLISH_STOPWORDS))
    return "\n".join(words) + "\n"


def build_idf(jieba_idf: Path) -> bytes:
    """Lines `idf<TAB>word word ...`, one per IDF rounded to 0.1, after a `#default<TAB>idf` line.

    Grouping by value lets the loader build the table with dict.fromkeys per line (C speed):
    half the load time of one `word<TAB>idf` line per word, and a smaller file.
    """
    buckets: dict[float, list[str]] = {}
    dropped: list[float] = []
    for line in jieba_idf.read_text(encoding="utf-8").splitlines():
        word, _, value = line.rpartition(" ")
        idf = float(value)
        if idf < IDF_CUTOFF:
            buckets.setdefault(round(idf, 1), []).append(word)
        else:
            dropped.append(idf)
    lines = [f"#default\t{statistics.median(dropped):.2f}"]
    lines += [f"{idf:.1f}\t" + " ".join(sorted(words)) for idf, words in sorted(buckets.items())]
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), 9, mtime=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--jieba-idf", type=Path, required=True)
    parser.add_argument("--stopwords-iso", type=Path, required=True)
    args = parser.parse_args()
    (DATA_DIR / "script_chars.txt").write_text(build_script_chars(), encoding="utf-8")
    (DATA_DIR / "stopwords.txt").write_text(build_stopwords(args.stopwords_iso), encoding="utf-8")
    (DATA_DIR / "idf_zh.tsv.gz").write_bytes(build_idf(args.jieba_idf))


if __name__ == "__main__":
    main()
