"""Duplicates caught at upload time, in the table, on the local stack with the real handler.

The edits are the ones corpus builders meet: the same article under another name, without
its spam line, with a paragraph rewritten, with its last third cut. Each is checked against
what the table holds afterwards: statuses, HASH and BAND items, and the daily counters.
"""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from docproc import dedup
from docproc.config import Settings
from docproc.pipeline import process_document
from infra.localstack import LocalStack
from tests.unit.test_dedup import SAMPLE, with_last_third_cut, with_paragraph_changed, without_spam_line

ORIGINAL = "incoming/original.txt"


def items_with_prefix(stack: LocalStack, prefix: str) -> list[dict[str, Any]]:
    """Every item whose pk starts with `prefix` (a scan: fine for a test table)."""
    table = stack.resource("dynamodb").Table(stack.names.table)
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = table.scan(**kwargs)
        items.extend(i for i in page["Items"] if str(i["pk"]).startswith(prefix))
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def counters(stack: LocalStack) -> dict[str, tuple[int, int]]:
    """status -> (documents, characters), summed over days, from the counter items."""
    out: dict[str, tuple[int, int]] = {}
    for item in items_with_prefix(stack, "COUNTER#"):
        status = str(item["sk"]).removeprefix("STATUS#")
        docs, chars = out.get(status, (0, 0))
        out[status] = (docs + int(item["documents"]), chars + int(item["characters"]))
    return {s: v for s, v in out.items() if v != (0, 0)}


def upload_all(stack: LocalStack, docs: dict[str, str]) -> None:
    for key, text in docs.items():
        stack.upload(key, text.encode("utf-8"))
        stack.drain()  # one at a time: "earlier" is well defined


def test_verbatim_copy_under_another_name_is_an_exact_duplicate(stack: LocalStack) -> None:
    upload_all(stack, {ORIGINAL: SAMPLE, "incoming/copy-1.txt": SAMPLE, "incoming/copy-2.txt": SAMPLE})

    original = stack.document(ORIGINAL)
    assert original is not None and original["status"] == "kept"
    for key in ("incoming/copy-1.txt", "incoming/copy-2.txt"):
        copy = stack.document(key)
        assert copy is not None
        assert copy["status"] == "duplicate" and copy["reasons"] == ["exact_duplicate"]
        assert copy["duplicate_of"] == ORIGINAL
        assert copy["similarity"] == 1
        assert "bands" not in copy  # duplicates hold nothing
    # One owner for the content hash: the first upload.
    (owner,) = items_with_prefix(stack, "HASH#")
    assert owner["pk"] == f"HASH#{original['content_hash']}" and owner["owner"] == ORIGINAL
    # Band items only for the kept original, one per band.
    bands = items_with_prefix(stack, "BAND#")
    assert {b["sk"] for b in bands} == {f"DOC#{ORIGINAL}"}
    assert len(bands) == dedup.BANDS == len(original["bands"])
    chars = int(original["characters"])
    assert counters(stack) == {"kept": (1, chars), "duplicate": (2, 2 * chars)}


def test_light_edits_are_near_duplicates_pointing_at_the_original(stack: LocalStack) -> None:
    threshold = Settings.from_env(stack.function_env).near_duplicate_threshold
    edits = {
        "incoming/edit-paragraph.txt": with_paragraph_changed(SAMPLE),
        "incoming/edit-cut.txt": with_last_third_cut(SAMPLE),
        "incoming/edit-nospam.txt": without_spam_line(SAMPLE),
    }
    upload_all(stack, {ORIGINAL: SAMPLE, **edits})

    original = stack.document(ORIGINAL)
    assert original is not None and original["status"] == "kept"
    for key in edits:
        doc = stack.document(key)
        assert doc is not None
        assert doc["status"] == "duplicate", key
        assert doc["duplicate_of"] == ORIGINAL
        assert float(doc["similarity"]) >= threshold
        # The record carries the estimate from the two stored signatures.
        estimate = dedup.estimate_similarity(
            dedup.unpack_minhash(bytes(doc["minhash"].value)),
            dedup.unpack_minhash(bytes(original["minhash"].value)),
        )
        assert float(doc["similarity"]) == round(estimate, 4)
    # The rewritten paragraph and the cut leave a different text: near, not exact.
    assert stack.document("incoming/edit-paragraph.txt")["reasons"] == ["near_duplicate"]  # type: ignore[index]
    assert stack.document("incoming/edit-cut.txt")["reasons"] == ["near_duplicate"]  # type: ignore[index]
    # Without its spam line the article cleans to the same text as the original (the cleaner
    # removes that line anyway): an exact duplicate.
    assert stack.document("incoming/edit-nospam.txt")["reasons"] == ["exact_duplicate"]  # type: ignore[index]
    assert counters(stack)["duplicate"][0] == 3


def test_different_articles_are_both_kept_and_both_hold_bands(stack: LocalStack) -> None:
    half = len(SAMPLE) // 2
    upload_all(stack, {"incoming/part-1.txt": SAMPLE[:half], "incoming/part-2.txt": SAMPLE[half:]})

    docs = {d["key"]: d for d in stack.documents()}
    assert sorted(docs) == ["incoming/part-1.txt", "incoming/part-2.txt"]
    assert all(d["status"] == "kept" for d in docs.values())
    assert len(items_with_prefix(stack, "HASH#")) == 2
    assert len(items_with_prefix(stack, "BAND#")) == 2 * dedup.BANDS


def test_dropped_documents_are_not_checked_and_hold_nothing(stack: LocalStack) -> None:
    # Too short to keep: the same dropped text twice stays dropped twice, with its own reason.
    upload_all(stack, {"incoming/short-1.txt": "短。", "incoming/short-2.txt": "短。"})

    for key in ("incoming/short-1.txt", "incoming/short-2.txt"):
        doc = stack.document(key)
        assert doc is not None and doc["status"] == "dropped" and "duplicate_of" not in doc
    assert items_with_prefix(stack, "HASH#") == [] and items_with_prefix(stack, "BAND#") == []
    assert counters(stack)["dropped"][0] == 2


def test_band_lookup_is_a_few_key_queries_not_a_scan(stack: LocalStack) -> None:
    upload_all(stack, {ORIGINAL: SAMPLE})
    table = stack.resource("dynamodb").Table(stack.names.table)
    settings = Settings.from_env(stack.function_env)
    edited = process_document(with_paragraph_changed(SAMPLE).encode(), settings=settings)
    assert edited.signature is not None
    minhash = edited.signature.minhash
    hits: set[str] = set()
    for band in dedup.band_keys(minhash):
        page = table.query(KeyConditionExpression=Key("pk").eq(f"BAND#{band}"))
        hits.update(i["key"] for i in page["Items"])
    assert hits == {ORIGINAL}
