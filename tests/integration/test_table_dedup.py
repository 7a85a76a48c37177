"""Duplicates caught at upload time, in the table, on the local stack with the real handler.

The edits are the ones corpus builders meet: the same article under another name, without
its spam line, with a paragraph rewritten, with its last third cut. Each is checked against
what the table holds afterwards: statuses, HASH and BAND items, and the daily counters.
"""

from __future__ import annotations

from collections import Counter
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


def band_members(stack: LocalStack) -> list[dict[str, Any]]:
    """The band member items: a bucket's documents after its first."""
    return [i for i in items_with_prefix(stack, "BAND#") if str(i["sk"]).startswith("DOC#")]


def band_heads(stack: LocalStack) -> dict[str, str]:
    """Band -> the key in its bucket's head item (the bucket's first document)."""
    items = items_with_prefix(stack, "BAND#")
    return {str(i["pk"]).removeprefix("BAND#"): str(i["key"]) for i in items if i["sk"] == "BAND"}


def band_entries(stack: LocalStack, key: str) -> set[str]:
    """The bands whose bucket names `key`, as its head or as a member."""
    return {str(i["pk"]).removeprefix("BAND#") for i in items_with_prefix(stack, "BAND#") if i["key"] == key}


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
    # Band items only for the kept original, one per band: first in every bucket, their heads.
    assert len(original["bands"]) == dedup.BANDS
    assert band_heads(stack) == dict.fromkeys(original["bands"], ORIGINAL)
    assert band_members(stack) == []
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
    # Each is in its 16 buckets, as the head or, where the other was first, a member.
    for key, doc in docs.items():
        assert band_entries(stack, key) == set(doc["bands"]) and len(doc["bands"]) == dedup.BANDS
    assert len(items_with_prefix(stack, "BAND#")) == 2 * dedup.BANDS


def test_dropped_documents_are_not_checked_and_hold_nothing(stack: LocalStack) -> None:
    # Too short to keep: the same dropped text twice stays dropped twice, with its own reason.
    upload_all(stack, {"incoming/short-1.txt": "短。", "incoming/short-2.txt": "短。"})

    for key in ("incoming/short-1.txt", "incoming/short-2.txt"):
        doc = stack.document(key)
        assert doc is not None and doc["status"] == "dropped" and "duplicate_of" not in doc
    assert items_with_prefix(stack, "HASH#") == [] and items_with_prefix(stack, "BAND#") == []
    assert counters(stack)["dropped"][0] == 2


class CountingClient:
    """The handler's DynamoDB client, passed through, counting the calls made by operation."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.real, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return method(*args, **kwargs)

        return counted


def test_band_lookup_reads_the_heads_once_and_queries_only_occupied_buckets(stack: LocalStack) -> None:
    records = stack.handler_module.records()
    client = records.client = CountingClient(records.client)

    upload_all(stack, {ORIGINAL: SAMPLE})
    # A new text: one BatchGetItem of its 16 heads finds none, so no bucket is queried.
    assert client.calls["batch_get_item"] == 1 and client.calls["query"] == 0
    original = stack.document(ORIGINAL)
    assert original is not None and original["status"] == "kept"

    client.calls.clear()
    half = len(SAMPLE) // 2
    upload_all(
        stack, {"incoming/edit.txt": with_paragraph_changed(SAMPLE), "incoming/other.txt": SAMPLE[half:]}
    )
    edit, other = stack.document("incoming/edit.txt"), stack.document("incoming/other.txt")
    assert edit is not None and edit["status"] == "duplicate" and edit["duplicate_of"] == ORIGINAL
    assert other is not None and other["status"] == "kept"
    settings = Settings.from_env(stack.function_env)
    edited = process_document(with_paragraph_changed(SAMPLE).encode(), settings=settings)
    assert edited.signature is not None
    # Each upload queried only the buckets it shares with the original, the one kept before it
    # (the half of the article shares some too, and stays below the threshold).
    shared = set(dedup.band_keys(edited.signature.minhash)) & set(original["bands"])
    shared_by_other = set(other["bands"]) & set(original["bands"])
    assert client.calls["query"] == len(shared) + len(shared_by_other)
    assert len(shared) > 0 and len(shared_by_other) < dedup.BANDS
    # The kept half became the head of its buckets that had none and a member of the others;
    # the duplicate joined none.
    assert band_heads(stack) == {
        **dict.fromkeys(original["bands"], ORIGINAL),
        **dict.fromkeys(set(other["bands"]) - shared_by_other, "incoming/other.txt"),
    }
    assert {str(m["pk"]).removeprefix("BAND#") for m in band_members(stack)} == shared_by_other


def test_band_lookup_is_a_few_key_queries_not_a_scan(stack: LocalStack) -> None:
    upload_all(stack, {ORIGINAL: SAMPLE})
    table = stack.resource("dynamodb").Table(stack.names.table)
    settings = Settings.from_env(stack.function_env)
    edited = process_document(with_paragraph_changed(SAMPLE).encode(), settings=settings)
    assert edited.signature is not None
    minhash = edited.signature.minhash
    hits: set[str] = set()
    for band in dedup.band_keys(minhash):
        page = table.query(KeyConditionExpression=Key("pk").eq(f"BAND#{band}"))  # head and members
        hits.update(i["key"] for i in page["Items"])
    assert hits == {ORIGINAL}
