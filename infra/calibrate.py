"""Run the evaluation corpus through process_document and count what the decision does.

Sets (read from ../shared/corpus, never copied into the project):
- thucnews: 1000 clean Sina news articles. Expected: all kept.
- cwt_clean / cwt_dirty: ChineseWebText's 10 + 10 author-labelled documents. Expected: clean
  kept; the dirty ones with a gambling title (cwt_dirty_spam, split as below) dropped or
  flagged `spam`; the other dirty ones dropped or flagged (any reason; reported).
- cc_spam / cc_other: the 60 Common Crawl pages, split by SPAM_TITLE (gambling / SEO brands in
  the page title: our labelling for evaluation, made by reading the 60 titles). The page is
  fed as its title line followed by its text, as a page renders. Expected: cc_spam dropped or
  flagged `spam`; cc_other is reported, not scored (no labels).
- seed: the sample document. Expected: kept.
- icwced: the 50 hand-cleaned web pages, raw HTML. Reported, not scored.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from docproc.config import Settings
from docproc.pipeline import process_document
from docproc.result import Result, Status

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"
SEED = ROOT / "seeds" / "000_9d31691385c9101d.txt"

# Gambling / SEO brand names seen in the titles of the Common Crawl sample.
SPAM_TITLE = re.compile(
    r"现金网|威尼斯人|乐虎|国际登[录陆]|yabo|亚博|幸运8|欧宝体育|币游|海德体育|爱游戏|bt365|贵宾会|"
    r"体育app|娱乐城|博彩|时时彩|彩票|赌场|棋牌|金沙",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Document:
    set_name: str
    doc_id: str
    data: bytes
    content_type: str | None = None


@dataclass(slots=True)
class SetResult:
    expect: str  # "kept", "dropped_or_flagged", "spam", or "" (reported only)
    total: int = 0
    kept: int = 0
    dropped: int = 0
    flagged: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def add(self, doc_id: str, result: Result) -> None:
        self.total += 1
        flags = result.stats.get("flags", [])
        if result.status == Status.KEPT:
            self.kept += 1
        else:
            self.dropped += 1
        if result.status == Status.KEPT and flags:
            self.flagged += 1
        self.reasons.update(result.reasons)
        self.flags.update(flags)
        if not self._as_expected(result, flags):
            self.misses.append(f"{doc_id}: {result.status} {result.reasons} flags={flags}")

    def _as_expected(self, result: Result, flags: list[str]) -> bool:
        if self.expect == "kept":
            return result.status == Status.KEPT
        if self.expect == "dropped_or_flagged":
            return result.status != Status.KEPT or bool(flags)
        if self.expect == "spam":
            return "spam" in result.reasons or "spam" in flags
        return True


EXPECT = {
    "seed": "kept",
    "thucnews": "kept",
    "cwt_clean": "kept",
    "cwt_dirty_spam": "spam",
    "cwt_dirty": "dropped_or_flagged",
    "cc_spam": "spam",
    "cc_other": "",
    "icwced": "",
}


def corpus_documents(corpus: Path) -> Iterator[Document]:
    if SEED.exists():
        yield Document("seed", SEED.name, SEED.read_bytes())
    thuc = corpus / "thucnews" / "cnews.val.txt"
    if thuc.exists():
        for i, line in enumerate(thuc.read_text(encoding="utf-8").splitlines()):
            label, _, text = line.partition("\t")
            yield Document("thucnews", f"{i}:{label}", text.encode("utf-8"))
    cwt = corpus / "chinesewebtext"
    clean = cwt / "clean.jsonl"
    if clean.exists():
        for i, line in enumerate(clean.read_text(encoding="utf-8").splitlines()):
            yield Document("cwt_clean", f"clean:{i}", json.loads(line)["text"].encode("utf-8"))
    dirty = cwt / "dirty.jsonl"
    if dirty.exists():
        for i, line in enumerate(dirty.read_text(encoding="utf-8").splitlines()):
            doc = json.loads(line)
            title = doc.get("info", {}).get("title", "").strip()
            set_name = "cwt_dirty_spam" if SPAM_TITLE.search(title) else "cwt_dirty"
            yield Document(set_name, f"dirty:{i}:{title[:30]}", f"{title}\n{doc['text']}".encode())
    cc = cwt / "cc_sample.jsonl"
    if cc.exists():
        for i, line in enumerate(cc.read_text(encoding="utf-8").splitlines()):
            page = json.loads(line)
            title = page.get("title", "").strip()
            set_name = "cc_spam" if SPAM_TITLE.search(title) else "cc_other"
            yield Document(set_name, f"cc:{i}:{title[:30]}", f"{title}\n{page['raw_content']}".encode())
    for path in sorted((corpus / "icwced" / "original").glob("*.html")):
        yield Document("icwced", path.name, path.read_bytes(), "text/html")


def calibrate(
    corpus: Path = DEFAULT_CORPUS,
    settings: Settings | None = None,
    only: set[str] | None = None,
) -> dict[str, SetResult]:
    """Figures per set (all sets, or those named in `only`)."""
    settings = settings or Settings()
    results = {name: SetResult(expect) for name, expect in EXPECT.items()}
    for doc in corpus_documents(corpus):
        if only is not None and doc.set_name not in only:
            continue
        result = process_document(doc.data, key=doc.doc_id, content_type=doc.content_type, settings=settings)
        results[doc.set_name].add(doc.doc_id, result)
    return {name: r for name, r in results.items() if r.total}


def format_report(results: dict[str, SetResult], show_misses: int = 10) -> str:
    lines = [
        "| set | expected | docs | kept | kept+flagged | dropped | as expected | reasons | flags |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        ok = f"{r.total - len(r.misses)}/{r.total}" if r.expect else "-"
        reasons = ", ".join(f"{k} {v}" for k, v in r.reasons.most_common())
        flags = ", ".join(f"{k} {v}" for k, v in r.flags.most_common())
        lines.append(
            f"| {name} | {r.expect or 'report'} | {r.total} | {r.kept} | {r.flagged} | {r.dropped} "
            f"| {ok} | {reasons} | {flags} |"
        )
    for name, r in results.items():
        for miss in r.misses[:show_misses]:
            lines.append(f"miss {name}: {miss}")
    return "\n".join(lines)
