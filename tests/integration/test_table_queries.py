"""`docproc show`, `list` and `stats` against the local stack: what a user types and reads."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from infra import cli
from infra.localstack import LocalStack
from infra.queries import parse_since
from tests.integration.test_table_dedup import upload_all
from tests.unit.test_dedup import SAMPLE

ORIGINAL, COPY, SHORT = "incoming/original.txt", "incoming/copy.txt", "incoming/short.txt"


@pytest.fixture(scope="module")
def corpus() -> Iterator[LocalStack]:
    """One stack for the module: every test here only reads."""
    with LocalStack(function_output=io.StringIO()) as stack:
        upload_all(stack, {ORIGINAL: SAMPLE, COPY: SAMPLE, SHORT: "短。"})
        yield stack


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = cli.main(list(argv))
    return code, capsys.readouterr().out


def run_with_errors(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_show_prints_the_record_a_user_needs(corpus: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "show", COPY)
    assert code == 0
    record = json.loads(out)
    assert record["status"] == "duplicate" and record["duplicate_of"] == ORIGINAL
    assert record["reasons"] == ["exact_duplicate"] and record["similarity"] == 1
    assert record["source_bucket"] == corpus.names.raw_bucket
    # Index keys and the binary signature are for machines: only --raw shows them.
    assert not {"pk", "gsi1pk", "minhash"} & set(record)
    code, out = run(capsys, "show", ORIGINAL, "--raw")
    raw = json.loads(out)
    assert raw["pk"] == f"DOC#{ORIGINAL}" and len(bytes.fromhex(raw["minhash"])) == 4 * 128


def test_show_of_an_unknown_key_fails(corpus: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_with_errors(capsys, "show", "incoming/never-uploaded.txt")
    assert code == 1 and out == ""
    assert "no record for 'incoming/never-uploaded.txt'" in err


def test_list_is_newest_first_and_filters_by_status_and_time(
    corpus: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "list")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert [r[3] for r in rows] == [SHORT, COPY, ORIGINAL]  # uploaded in that order, listed newest first
    assert [r[1] for r in rows] == ["dropped", "duplicate", "kept"]
    assert rows[1][4] == f"duplicate of {ORIGINAL} (exact)" and rows[0][4] == "too_short"

    _, out = run(capsys, "list", "--status", "kept", "--json")
    assert [json.loads(line)["key"] for line in out.splitlines()] == [ORIGINAL]

    tomorrow = datetime.now(UTC).date().replace(year=datetime.now(UTC).year + 1).isoformat()
    _, out = run(capsys, "list", "--since", tomorrow)
    assert out == ""
    _, out = run(capsys, "list", "--since", "1h", "--limit", "2")
    assert len(out.splitlines()) == 2


def test_stats_prints_corpus_totals_from_the_counters(corpus: LocalStack, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "stats", "--json", "--by-day")
    assert code == 0
    payload = json.loads(out)
    totals = payload["totals"]
    original = corpus.document(ORIGINAL)
    assert original is not None
    chars = int(original["characters"])
    assert totals["kept"] == {"documents": 1, "characters": chars}
    assert totals["duplicate"] == {"documents": 1, "characters": chars}
    assert totals["dropped"]["documents"] == 1
    assert {row["day"] for row in payload["days"]} == {datetime.now(UTC).date().isoformat()}

    _, text = run(capsys, "stats")
    last = text.splitlines()[-1].split()
    assert last[0] == "total" and int(last[1]) == 3


def test_the_table_can_be_named_directly_or_found_from_a_stack(
    corpus: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "show", ORIGINAL, "--table", corpus.names.table)
    assert code == 0 and json.loads(out)["status"] == "kept"
    with pytest.raises(Exception, match=r"does not exist|not found"):
        cli.main(["show", ORIGINAL, "--stack", "no-such-stack"])


def test_since_accepts_dates_times_and_relative_ages() -> None:
    now = datetime(2026, 11, 28, 15, 30, tzinfo=UTC)
    assert parse_since("2026-11-28", now) == "2026-11-28"
    assert parse_since("2026-11-28T14:00", now) == "2026-11-28T14:00:00.000Z"
    assert parse_since("2026-11-28T22:00+08:00", now) == "2026-11-28T14:00:00.000Z"
    assert parse_since("90m", now) == "2026-11-28T14:00:00.000Z"
    assert parse_since("2d", now) == "2026-11-26T15:30:00.000Z"
    with pytest.raises(ValueError, match="--since"):
        parse_since("yesterday", now)
