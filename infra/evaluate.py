"""Cleaning quality against gold texts: character-level precision, recall and F1 per set.

Both sides are normalised the same way before comparing: NFKC, OpenCC t2s (so the script does
not count), all whitespace removed (gold texts are hard-wrapped in places). Characters are then
aligned in two levels (see matched_chars): an exact longest common subsequence of sentences,
then difflib.SequenceMatcher (autojunk off) on the characters between aligned sentences. The
alignment respects order, so a paragraph kept twice or moved counts as wrong where a
bag-of-characters overlap would forgive it.
precision = matched / output characters, recall = matched / gold characters.

Sets, read from ../shared/corpus (skipped with a message when absent):
- icwced: 50 real web pages (HTML) and their hand-cleaned text.
- synthetic: the clean THUCNews articles made into noisy pages by infra/corrupt.py.
- false_positives: the same clean articles as they are: nearly every character must come
  through, and none may be dropped or rejected.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Any

from infra import ROOT
from infra.corrupt import corrupt

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
SETS = ("icwced", "synthetic", "false_positives")


@cache
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """NFKC, Simplified script, no whitespace: what is compared."""
    return "".join(str(_t2s().convert(unicodedata.normalize("NFKC", text))).split())


_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")


MAX_LCS_CELLS = 4_000_000  # sentence pairs; beyond this, difflib's heuristic alignment


def matched_chars(out: str, ref: str) -> int:
    """Characters of `out` aligned with `ref`, in order. Two levels: a longest common
    subsequence of sentences (weighted by length), then difflib on the characters between
    aligned sentences. difflib alone anchors on the longest common block, and on a text that
    repeats itself (THUCNews articles often print the body twice) it can pair the first copy
    with the second and lose half the text; an exact LCS of sentences cannot."""
    a, b = _SENTENCE_END.split(out), _SENTENCE_END.split(ref)
    if len(a) * len(b) > MAX_LCS_CELLS:
        return sum(m.size for m in SequenceMatcher(None, out, ref, autojunk=False).get_matching_blocks())
    pairs = _sentence_lcs(a, b)
    matched = 0
    i0 = j0 = 0
    for i, j in [*pairs, (len(a), len(b))]:
        gap_a, gap_b = "".join(a[i0:i]), "".join(b[j0:j])
        if gap_a and gap_b:
            matched += sum(
                m.size for m in SequenceMatcher(None, gap_a, gap_b, autojunk=False).get_matching_blocks()
            )
        if i < len(a):
            matched += len(a[i])
        i0, j0 = i + 1, j + 1
    return matched


def _sentence_lcs(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """Index pairs of equal sentences forming the heaviest common subsequence (weight: length)."""
    n, m = len(a), len(b)
    score = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = score[i], score[i + 1]
        ai = a[i]
        for j in range(m - 1, -1, -1):
            best = below[j] if below[j] > row[j + 1] else row[j + 1]
            if ai == b[j] and below[j + 1] + len(ai) > best:
                best = below[j + 1] + len(ai)
            row[j] = best
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j] and score[i][j] == score[i + 1][j + 1] + len(a[i]):
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif score[i + 1][j] >= score[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def char_scores(output: str, gold: str) -> tuple[float, float, float]:
    """Character precision, recall and F1 of `output` against `gold` (both normalised here)."""
    out, ref = normalise(output), normalise(gold)
    if not out or not ref:
        same = float(out == ref)
        return same, same, same
    matched = matched_chars(out, ref)
    p, r = matched / len(out), matched / len(ref)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass(slots=True)
class DocScore:
    name: str
    precision: float
    recall: float
    f1: float
    status: str
    note: str = ""  # the noise kinds applied (synthetic) or the reasons of a drop


@dataclass(slots=True)
class SetScore:
    name: str
    docs: list[DocScore] = field(default_factory=list)
    seconds: float = 0.0
    skipped: str = ""  # why the set was not run

    def summary(self) -> dict[str, Any]:
        n = len(self.docs)
        if not n:
            return {"set": self.name, "docs": 0, "skipped": self.skipped}
        mean = {k: sum(getattr(d, k) for d in self.docs) / n for k in ("precision", "recall", "f1")}
        return {
            "set": self.name,
            "docs": n,
            **{k: round(v, 4) for k, v in mean.items()},
            "min_f1": round(min(d.f1 for d in self.docs), 4),
            "min_recall": round(min(d.recall for d in self.docs), 4),
            "under_0_90": sum(d.f1 < 0.90 for d in self.docs),
            "not_kept": sum(d.status != "kept" for d in self.docs),
            "seconds": round(self.seconds, 2),
        }


def _thucnews(corpus: Path) -> Iterator[tuple[str, str]]:
    path = corpus / "thucnews" / "cnews.val.txt"
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            label, _, text = line.rstrip("\n").partition("\t")
            yield f"thucnews/{i:04d}-{label}", text


def _process(data: bytes, key: str, content_type: str | None) -> tuple[str, str, list[str]]:
    from docproc.pipeline import process_document

    result = process_document(data, key=key, content_type=content_type)
    return result.text, str(result.status), list(result.reasons)


def _run_set(name: str, docs: Iterator[tuple[str, bytes, str, str | None, str]]) -> SetScore:
    score = SetScore(name)
    start = time.perf_counter()
    for doc_name, data, gold, content_type, note in docs:
        text, status, reasons = _process(data, doc_name, content_type)
        p, r, f = char_scores(text, gold)
        score.docs.append(DocScore(doc_name, p, r, f, status, note or ",".join(reasons)))
    score.seconds = time.perf_counter() - start
    return score


def evaluate_icwced(corpus: Path, limit: int | None = None) -> SetScore:
    originals = corpus / "icwced" / "original"
    if not originals.is_dir():
        return SetScore("icwced", skipped=f"{originals} not found")
    pages = sorted(originals.glob("*.html"))[:limit]

    def docs() -> Iterator[tuple[str, bytes, str, str | None, str]]:
        for page in pages:
            gold = (corpus / "icwced" / "cleaned" / f"{page.stem}.txt").read_text(encoding="utf-8")
            yield f"icwced/{page.name}", page.read_bytes(), gold, "text/html", ""

    return _run_set("icwced", docs())


def evaluate_synthetic(corpus: Path, limit: int | None = None, seed: int = 0) -> SetScore:
    if not (corpus / "thucnews" / "cnews.val.txt").is_file():
        return SetScore("synthetic", skipped="thucnews/cnews.val.txt not found")

    def docs() -> Iterator[tuple[str, bytes, str, str | None, str]]:
        for i, (name, article) in enumerate(_thucnews(corpus)):
            if limit is not None and i >= limit:
                return
            page = corrupt(article, seed=seed * 100_003 + i)
            yield name, page.text.encode("utf-8"), page.gold, "text/plain", ",".join(page.noise)

    return _run_set("synthetic", docs())


def evaluate_false_positives(corpus: Path, limit: int | None = None) -> SetScore:
    if not (corpus / "thucnews" / "cnews.val.txt").is_file():
        return SetScore("false_positives", skipped="thucnews/cnews.val.txt not found")

    def docs() -> Iterator[tuple[str, bytes, str, str | None, str]]:
        for i, (name, article) in enumerate(_thucnews(corpus)):
            if limit is not None and i >= limit:
                return
            yield name, article.encode("utf-8"), article, "text/plain", ""

    return _run_set("false_positives", docs())


RUNNERS: dict[str, Callable[[Path, int | None], SetScore]] = {
    "icwced": evaluate_icwced,
    "synthetic": evaluate_synthetic,
    "false_positives": evaluate_false_positives,
}


def evaluate(
    corpus: Path = DEFAULT_CORPUS, sets: tuple[str, ...] = SETS, limit: int | None = None
) -> list[SetScore]:
    return [RUNNERS[name](corpus, limit) for name in sets]


def format_table(scores: list[SetScore]) -> str:
    header = (
        f"{'set':<16}{'docs':>6}{'P':>8}{'R':>8}{'F1':>8}{'min F1':>8}{'<0.90':>7}{'not kept':>9}{'secs':>7}"
    )
    lines = [header, "-" * len(header)]
    for score in scores:
        s = score.summary()
        if not s["docs"]:
            lines.append(f"{score.name:<16}  skipped: {score.skipped}")
            continue
        lines.append(
            f"{s['set']:<16}{s['docs']:>6}{s['precision']:>8.4f}{s['recall']:>8.4f}{s['f1']:>8.4f}"
            f"{s['min_f1']:>8.4f}{s['under_0_90']:>7}{s['not_kept']:>9}{s['seconds']:>7.1f}"
        )
    return "\n".join(lines)


def worst(scores: list[SetScore], k: int) -> str:
    lines: list[str] = []
    for score in scores:
        for d in sorted(score.docs, key=lambda d: d.f1)[:k]:
            lines.append(
                f"{score.name:<16}{d.f1:.4f}  P={d.precision:.3f} R={d.recall:.3f} {d.status:<8} "
                f"{d.name} {d.note}"
            )
    return "\n".join(lines)


def to_json(scores: list[SetScore], per_doc: bool = False) -> str:
    out: dict[str, Any] = {"sets": [s.summary() for s in scores]}
    if per_doc:
        out["docs"] = {s.name: [asdict(d) for d in s.docs] for s in scores}
    return json.dumps(out, ensure_ascii=False)
