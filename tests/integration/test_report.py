"""The corpus report: what a reader sees, from records built here and from a real moto table."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra import cli
from infra.report import (
    METRICS,
    CorpusData,
    duplicate_clusters,
    keywords_of,
    metric_value,
    reason_counts,
    render_html,
    run_summary,
    top_keywords,
)


def record(key: str, status: str, **extra: Any) -> dict[str, Any]:
    stats = extra.pop("stats", None)
    if stats is None:
        stats = {
            "chars_in": 1200,
            "chars_out": 1000,
            "han_ratio": 0.8,
            "noise_ratio": 0.1,
            "char_10gram_rep_ratio": 0.05,
        }
    return {"key": key, "status": status, "reasons": [], "stats": stats, **extra}


def corpus() -> list[dict[str, Any]]:
    return [
        record("incoming/a.txt", "kept", keywords=["反诈", "青岛", "宣传"]),
        record("incoming/b.txt", "kept", keywords=[["反诈", 0.9], ["社区", 0.5]]),
        record("incoming/c.txt", "kept", stats={"chars_out": 300, "keywords": ["反诈"]}),  # few stats
        record("incoming/a-copy.txt", "duplicate", duplicate_of="incoming/a.txt", similarity=1),
        record(
            "incoming/a-edit.txt",
            "duplicate",
            duplicate_of="incoming/a.txt",
            similarity=1.0,  # a near duplicate may estimate 1.0: its reason still says near
            reasons=["near_duplicate"],
        ),
        record("incoming/b-cut.txt", "duplicate", duplicate_of="incoming/b.txt", similarity=0.7),
        record("incoming/spam.txt", "dropped", reasons=["spam_lines", "too_short"]),
        record("incoming/empty.txt", "rejected", reasons=["empty"], stats={"bytes_in": 0}),
        record("incoming/boom.txt", "failed", error="RuntimeError: boom", stats={}),
    ]


class _Text(HTMLParser):
    """The page as a reader sees it: visible text only, plus the inline SVGs counted."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.svgs = 0
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.svgs += tag == "svg"
        for name, value in attrs:
            if name in ("src", "href") and value and not value.startswith("#"):
                self.external.append(value)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def parse(page: str) -> _Text:
    parser = _Text()
    parser.feed(page)
    return parser


def test_report_counts_reasons_keywords_and_clusters() -> None:
    page = render_html(CorpusData(corpus(), source="docs-table"))
    seen = parse(page)
    text = " ".join(seen.parts)
    assert "docs-table" in text and "9 documents" in text
    # Statuses with their record counts, in the status table.
    assert re.search(r"kept\s+3\b", text) and re.search(r"duplicate\s+3\b", text)
    assert "spam_lines" in text and "too_short" in text and "empty" in text
    assert "反诈" in text
    assert "incoming/a-edit.txt" in text and "J≈1.00" in text
    # One chart per metric, drawn inline; nothing fetched from elsewhere.
    assert seen.svgs >= len(METRICS)
    assert seen.external == []


def test_clusters_are_largest_first_with_exact_and_near_members() -> None:
    clusters = duplicate_clusters(corpus())
    assert [(c.original, c.size) for c in clusters] == [("incoming/a.txt", 3), ("incoming/b.txt", 2)]


def test_reasons_count_duplicates_by_kind() -> None:
    reasons = reason_counts(corpus())
    assert reasons["duplicate"] == {"exact_duplicate": 1, "near_duplicate": 2}
    assert reasons["dropped"] == {"spam_lines": 1, "too_short": 1}


def test_keywords_accept_every_shape_and_count_documents() -> None:
    assert keywords_of({"keywords": [["反诈", 0.9], {"word": "社区"}, "青岛"]}) == ["反诈", "社区", "青岛"]
    assert keywords_of({"stats": {"keywords": ["宣传"]}}) == ["宣传"]
    assert top_keywords(corpus())[0] == ("反诈", 3)


def test_missing_statistics_are_left_out_not_guessed() -> None:
    noise = next(m for m in METRICS if m.title == "Noise share")
    han = next(m for m in METRICS if m.title == "Han ratio")
    assert metric_value({"stats": {}}, han) is None
    assert metric_value({"stats": {"han_letter_ratio": 0.5}}, han) == 0.5
    # Noise falls back to what cleaning removed when the step breakdown is missing.
    assert metric_value({"stats": {"chars_in": 200, "chars_out": 150}}, noise) == pytest.approx(0.25)
    page = render_html(CorpusData([record("x", "rejected", stats={})]))
    assert "no document carries this statistic" in page


def test_empty_table_renders_a_page_that_says_so() -> None:
    text = " ".join(parse(render_html(CorpusData([]))).parts)
    assert "No documents yet" in text and "No duplicates found" in text


def test_run_summary_lists_statuses_with_reasons() -> None:
    summary = run_summary(corpus())
    assert summary.splitlines()[0] == "9 document(s):"
    assert re.search(r"dropped\s+1\s+\(spam_lines 1, too_short 1\)", summary)
    assert re.search(r"duplicate\s+3\s+\(near_duplicate 2, exact_duplicate 1\)", summary)
    assert "deleted" not in summary


# ---- end to end on a moto table ---------------------------------------------------------

TABLE = "docproc-documents"
KEY_ATTRIBUTES = ("pk", "sk", "gsi1pk", "gsi1sk")


@pytest.fixture
def table(fake_aws_env: None) -> Iterator[Any]:
    with mock_aws():
        ddb = boto3.resource("dynamodb")
        yield ddb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in KEY_ATTRIBUTES],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "ByStatus",
                    "KeySchema": [
                        {"AttributeName": "gsi1pk", "KeyType": "HASH"},
                        {"AttributeName": "gsi1sk", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        )


def test_report_command_reads_the_table_and_writes_the_page(table: Any, tmp_path: Path) -> None:
    from decimal import Decimal

    for i, r in enumerate(corpus()):
        at = f"2026-11-28T10:00:{i:02d}.000Z"
        item = {**r, "pk": f"DOC#{r['key']}", "sk": "DOC", "processed_at": at}
        item.update(gsi1pk=f"STATUS#{r['status']}", gsi1sk=f"{at}#{r['key']}")
        if "similarity" in item:
            item["similarity"] = Decimal(str(item["similarity"]))
        item["stats"] = {k: Decimal(str(v)) if isinstance(v, float) else v for k, v in item["stats"].items()}
        item["keywords"] = [w[0] if isinstance(w, list) else w for w in item.get("keywords", [])]
        table.put_item(Item=item)
    out = tmp_path / "report.html"
    assert cli.main(["report", "--table", TABLE, "--out", str(out)]) == 0
    text = " ".join(parse(out.read_text("utf-8")).parts)
    assert "9 documents" in text and "incoming/b-cut.txt" in text and "J≈0.70" in text


def test_local_run_prints_the_summary_and_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = (Path(__file__).resolve().parents[2] / "seeds" / "000_9d31691385c9101d.txt").read_bytes()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_bytes(sample)
    (docs / "b-copy.txt").write_bytes(sample)
    (docs / "c-short.txt").write_bytes("短。".encode())
    out = tmp_path / "corpus.html"

    assert cli.main(["local", "run", str(docs), "--report", str(out)]) == 0

    printed = capsys.readouterr().out
    assert "3 document(s):" in printed
    assert re.search(r"kept\s+1\b", printed)
    assert re.search(r"duplicate\s+1\s+\(exact_duplicate 1\)", printed)
    assert re.search(r"dropped\s+1\s+\(too_short 1\)", printed)
    text = " ".join(parse(out.read_text("utf-8")).parts)
    assert "incoming/a.txt" in text and "incoming/b-copy.txt" in text and "3 documents" in text
