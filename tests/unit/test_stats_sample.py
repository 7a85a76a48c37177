"""The figures the statistics must get right on the sample document (seeds/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docproc.pipeline import process_document
from docproc.result import Result, Status

SAMPLE = Path(__file__).resolve().parents[2] / "seeds" / "000_9d31691385c9101d.txt"


@pytest.fixture(scope="module")
def result() -> Result:
    return process_document(SAMPLE.read_bytes(), key=SAMPLE.name)


def test_sample_is_kept_chinese_from_traditional_script(result: Result) -> None:
    assert result.status == Status.KEPT
    assert result.reasons == []
    assert result.stats["language"] == "zh"
    assert result.stats["language_confidence"] >= 0.9
    assert result.stats["script_in"] == "traditional"
    assert result.metadata["language"] == "zh"
    assert result.metadata["script"] == "traditional"


def test_sample_all_146_pinyin_annotations_removed(result: Result) -> None:
    assert result.stats["pinyin_annotations"] == 146


def test_sample_no_pinyin_left(result: Result) -> None:
    # Annotations look like 網(wǎng): a Han character, then Latin letters in brackets.
    assert "(w" not in result.text
    assert result.stats["latin_ratio"] == 0.0


def test_sample_one_spam_line_removed_and_flagged(result: Result) -> None:
    assert result.stats["spam_lines"] == 1
    assert "spam" in result.stats["flags"]
    assert "久久" not in result.text


def test_sample_byline_and_editor(result: Result) -> None:
    assert result.metadata["author"] in {"張海杰", "张海杰"}
    assert result.metadata["editor"] in {"李賽男", "李赛男"}


def test_sample_quantities_and_dates_as_written(result: Result) -> None:
    quantities = result.stats["quantities"]
    for expected in ("1.44万个", "339.9万人", "三个100%"):
        assert expected in quantities
    assert "2023年" in result.stats["dates"]


def test_sample_keywords_say_what_it_is_about(result: Result) -> None:
    words = [w for w, _ in result.stats["keywords"]]
    assert "青岛市" in words
    assert {"诈骗", "反诈"} & set(words)


def test_sample_metadata_has_every_key(result: Result) -> None:
    for key in ("title", "author", "editor", "source", "published", "language", "script"):
        assert key in result.metadata


def test_stats_are_small_plain_json(result: Result) -> None:
    encoded = json.dumps(result.stats, ensure_ascii=False)
    assert json.loads(encoded) == result.stats
    assert len(encoded.encode()) < 8_000  # far below DynamoDB's 400 KB item limit
