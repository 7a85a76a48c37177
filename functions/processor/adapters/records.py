"""DynamoDB: one document record per source key, written idempotently.

Single-table layout (see docs/architecture.md):
  document record   pk=DOC#<source key>   sk=DOC      (this module)
  exact-dup owner   pk=HASH#<sha256>      sk=HASH
  LSH band head     pk=BAND#<i>#<hex>     sk=BAND     (the bucket's first member)
  LSH band member   pk=BAND#<i>#<hex>     sk=DOC#<key> (the members after it)
  daily counter     pk=COUNTER#<date>     sk=STATUS#<status>
The ByStatus index (gsi1pk=STATUS#<status>, gsi1sk=<processed_at>#<key>) lists documents by outcome.

Idempotency: a record stores `source_tag` (the object's version id, or its ETag when the
bucket gives no version). A second delivery of the same upload changes nothing and counts
nothing. A `failed` record may always be replaced: a redriven message must be able to succeed.

Writing one outcome (`DocumentRecords.put`, docs/table.md has the why of each step):
1. read the key's current record (the previous version, if any); the read `is_recorded` just
   made of the same key is used once instead of a second one (step 4's condition catches any
   change since);
2. a `kept` document is checked for duplicates: the HASH item's owner (exact), then the
   members of its LSH band buckets (near): one BatchGetItem of the 16 band heads gives each
   bucket's first member, and only buckets that have a head are queried for the others; a
   match turns it into `duplicate`;
3. a document still `kept` claims its HASH item (conditional put) and joins its 16 buckets:
   the head of a bucket that had none, a member item otherwise (BatchWriteItem, unprocessed
   items re-sent with backoff);
4. one transaction writes the record, conditional on the previous one being unchanged since
   step 1, and moves the daily counters (+1 for the new status, -1 for the previous one);
5. what the previous version held and the new one does not (hash, bands) is released.
A crash between steps leaves at worst a stale HASH or band item; every reader checks the
owner's record before trusting one, and a stale hash is taken over, so nothing is lost.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from docproc.dedup import band_keys, best_match, pack_minhash, unpack_minhash

DOC_SK = "DOC"
FAILED = "failed"
KEPT = "kept"
DUPLICATE = "duplicate"
HASH_SK = "HASH"
# A band bucket's first member is its head item, at a fixed sort key: a lookup reads all 16
# heads in one BatchGetItem and queries only the buckets that have one (a new text: none).
BAND_HEAD_SK = "BAND"
BAND_MEMBER_PREFIX = "DOC#"
COUNTERS_PARTITION = "COUNTERS"  # counter items' gsi1pk: all days in one Query of ByStatus
# Near-duplicate lookup bounds: a band shared by a template-like family could list thousands
# of documents; a few per band are enough to find one original, and keep the lookup cheap.
MAX_DOCS_PER_BAND = 10
MAX_CANDIDATES = 40
BAND_QUERY_THREADS = 8
_BAND_POOL: ThreadPoolExecutor | None = None

# A HASH item whose owner has no record yet belongs to a document still in flight, unless
# the claim is older than every retry of one message could take (3 x 185 s visibility).
HASH_CLAIM_LEASE = timedelta(minutes=15)
# BatchWriteItem / BatchGetItem: items a call takes, and how unprocessed ones are re-sent.
BATCH_WRITE_SIZE = 25
BATCH_GET_SIZE = 100
BATCH_ATTEMPTS = 8
BATCH_BASE_DELAY_S = 0.05
BATCH_MAX_DELAY_S = 2.0
# Optimistic concurrency: the record changed under us this many times in a row -> fail loudly.
MAX_WRITE_CONFLICTS = 5
# What the write path needs of the record it replaces (the version check, holdings, counts).
# What tells one upload, processed by one pipeline version, from another (see _same_upload).
UPLOAD_FIELDS = ("source_tag", "source_version", "source_etag", "status", "pipeline_version")
PREVIOUS_FIELDS = (*UPLOAD_FIELDS, "processed_at", "content_hash", "bands", "characters")
# What a near-duplicate candidate is judged on.
CANDIDATE_FIELDS = ("key", "status", "bands", "minhash")
# Bounds that keep one item far below DynamoDB's 400 KB limit whatever the core returns:
# the text itself lives in S3, the record carries only numbers and short strings.
MAX_LIST_ITEMS = 50
MAX_MAP_ITEMS = 100
MAX_STRING_CHARS = 1024
MAX_ERROR_CHARS = 2000
MAX_ITEM_BYTES = 350_000
MAX_SORT_KEY_BYTES = 1024


def doc_pk(key: str) -> str:
    return f"DOC#{key}"


def hash_pk(content_hash: str) -> str:
    return f"HASH#{content_hash}"


def band_pk(band_key: str) -> str:
    return f"BAND#{band_key}"


def counter_key(day: str, status: str) -> dict[str, str]:
    return {"pk": f"COUNTER#{day}", "sk": f"STATUS#{status}"}


def band_sk(key: str) -> str:
    """A band item's sort key: DOC#<key>, or for a key too long for a sort key, its first
    kilobyte and a hash of the whole key (two long keys may share their first kilobyte)."""
    sk = doc_pk(key)
    if len(sk.encode("utf-8")) <= MAX_SORT_KEY_BYTES:
        return sk
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    cut = sk.encode("utf-8")[: MAX_SORT_KEY_BYTES - len(digest) - 1].decode("utf-8", "ignore")
    return f"{cut}~{digest}"


def _sort_key(value: str) -> str:
    """Cut to DynamoDB's 1024-byte limit for a sort key (an index's too), at a character boundary.

    A source key can be 1024 bytes itself; untrimmed, no record of it could ever be written, not
    even `failed`. The index sorts by time first, so the cut end of a long key changes nothing."""
    return value.encode("utf-8")[:MAX_SORT_KEY_BYTES].decode("utf-8", "ignore")


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(slots=True)
class DocumentRecord:
    """Everything recorded about one source object; `to_item` gives the DynamoDB item."""

    key: str
    status: str
    source_bucket: str
    source_key: str
    source_tag: str
    pipeline_version: str
    processed_at: str = field(default_factory=utc_now_iso)
    reasons: list[str] = field(default_factory=list)
    source_version: str | None = None
    source_etag: str | None = None
    source_size: int | None = None
    clean_bucket: str | None = None
    clean_key: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)
    content_hash: str | None = None
    duplicate_of: str | None = None
    similarity: float | None = None
    error: str | None = None
    attempts: int = 1
    minhash: list[int] = field(default_factory=list)  # near-duplicate signature (docproc.dedup)
    bands: list[str] = field(default_factory=list)  # LSH band keys this record holds (kept only)
    characters: int = 0  # cleaned characters: what the daily counters add up

    def to_item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": doc_pk(self.key),
            "sk": DOC_SK,
            "gsi1pk": f"STATUS#{self.status}",
            "gsi1sk": _sort_key(f"{self.processed_at}#{self.key}"),
            "key": self.key,
            "status": self.status,
            "reasons": _bounded(self.reasons),
            "source_bucket": self.source_bucket,
            "source_key": self.source_key,
            "source_tag": self.source_tag,
            "source_version": self.source_version,
            "source_etag": self.source_etag,
            "source_size": self.source_size,
            "clean_bucket": self.clean_bucket,
            "clean_key": self.clean_key,
            "pipeline_version": self.pipeline_version,
            "processed_at": self.processed_at,
            "stats": _bounded(self.stats),
            "metadata": _bounded(self.metadata),
            "keywords": _bounded(self.keywords),
            "content_hash": self.content_hash,
            "duplicate_of": self.duplicate_of,
            "similarity": self.similarity,
            "error": self.error[:MAX_ERROR_CHARS] if self.error else None,
            "attempts": self.attempts,
            "minhash": pack_minhash(self.minhash) if self.minhash else None,
            "bands": list(self.bands) or None,
            "characters": self.characters,
        }
        item = {k: to_dynamo(v) for k, v in item.items() if v is not None}
        return _fit(item)


class DocumentRecords:
    """The document records in the table, with what they hold: hashes, bands, counters.

    `table` is an adapters.dynamo.Table (the function's) or a boto3 DynamoDB Table resource (the
    operator tooling's): both take and return plain Python values. `client` makes the
    transaction, query and batch calls: by default the table's own `meta.client`, alike. Tests
    wrap it to inject unprocessed items or conflicts at that boundary; `sleep` is the backoff's
    clock, for the same reason.
    """

    def __init__(
        self,
        table: Any,
        *,
        near_duplicate_threshold: float = 0.6,
        client: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.table = table
        self.near_duplicate_threshold = near_duplicate_threshold
        self.client = client or table.meta.client
        self.sleep = sleep
        # (key, record as read) of the last is_recorded, per thread, for put() to start from.
        self._last_read = threading.local()

    @property
    def table_name(self) -> str:
        return str(self.table.name)

    def get(self, key: str, fields: Sequence[str] = ()) -> dict[str, Any] | None:
        """The record of `key` (consistent read), or only `fields` of it: the write path reads
        a few small attributes, not the statistics map."""
        projection: dict[str, Any] = {}
        if fields:
            names = {f"#a{i}": name for i, name in enumerate(fields)}
            projection = {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names}
        got = self.table.get_item(Key={"pk": doc_pk(key), "sk": DOC_SK}, ConsistentRead=True, **projection)
        item: dict[str, Any] | None = got.get("Item")
        return item

    def is_recorded(self, key: str, source_tag: str | None, pipeline_version: str | None = None) -> bool:
        """True when this exact upload already has a final (not failed) record (made by
        `pipeline_version`, when given: an older pipeline's record is reprocessed)."""
        if not source_tag:
            return False
        item = self.get(key, PREVIOUS_FIELDS)
        self._last_read.value = (key, item)
        return _same_upload(item, source_tag, pipeline_version)

    def put(self, record: DocumentRecord) -> bool:
        """Record one outcome (steps in the module docstring); False: already recorded, a no-op.

        A `kept` record may come back as `duplicate` (status, reasons, duplicate_of and
        similarity set on `record`): callers log and count `record.status` afterwards.
        """
        decided = (record.status, list(record.reasons))
        for _ in range(MAX_WRITE_CONFLICTS):
            previous = self._previous(record.key)
            if _same_upload(previous, record.source_tag, record.pipeline_version):
                return False
            record.status, record.reasons = decided[0], list(decided[1])
            record.duplicate_of, record.similarity, record.bands = None, None, []
            heads: dict[str, str] = {}
            if record.status == KEPT:
                heads = self._deduplicate(record)
            if record.status == KEPT:
                self._hold(record, heads)
            try:
                self._commit(record, previous)
            except ClientError as err:
                if _is_conflict(err):
                    continue  # written by someone else since we read it: decide again
                raise
            self._release(previous, record)
            return True
        raise RuntimeError(f"record {record.key!r} kept changing while being written")

    def _previous(self, key: str) -> dict[str, Any] | None:
        """The record put() starts from: the one is_recorded read of this key, taken once (the
        commit is conditional on it, so a stale one costs a retry, never a wrong write), else read."""
        remembered = getattr(self._last_read, "value", None)
        self._last_read.value = None
        if remembered is not None and remembered[0] == key:
            item: dict[str, Any] | None = remembered[1]
            return item
        return self.get(key, PREVIOUS_FIELDS)

    # -- duplicates ---------------------------------------------------------------------------

    def _deduplicate(self, record: DocumentRecord) -> dict[str, str]:
        """Mark `record` a duplicate if it is one; returns its bands' heads (band -> first member)."""
        owner = self._hash_owner(record)
        if owner is not None:
            _mark_duplicate(record, owner, 1.0, "exact_duplicate")
            return {}  # a duplicate joins no bucket
        match, heads = self._near_match(record)
        if match is not None:
            _mark_duplicate(record, match[0], match[1], "near_duplicate")
        return heads

    def _hash_owner(self, record: DocumentRecord) -> str | None:
        """The key of another document that validly owns this content hash, if any."""
        if not record.content_hash:
            return None
        key = {"pk": hash_pk(record.content_hash), "sk": HASH_SK}
        claim = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
        if not claim or claim.get("owner") == record.key:
            return None
        owner = str(claim["owner"])
        return owner if self._claim_is_live(claim, owner, record.content_hash) else None

    def _claim_is_live(self, claim: dict[str, Any], owner: str, content_hash: str) -> bool:
        owner_record = self.get(owner, ("status", "content_hash"))
        if owner_record is None:
            claimed_at = _parse_time(str(claim.get("claimed_at", "")))
            return claimed_at is None or datetime.now(UTC) - claimed_at < HASH_CLAIM_LEASE
        return owner_record.get("status") == KEPT and owner_record.get("content_hash") == content_hash

    def _near_match(self, record: DocumentRecord) -> tuple[tuple[str, float] | None, dict[str, str]]:
        """The most similar kept document sharing a band, if it reaches the threshold, and the
        heads of the record's bands."""
        keys = band_keys(record.minhash)
        if not keys:
            return None, {}
        heads = self._band_heads(keys)
        occupied = [k for k in keys if k in heads]
        found = [heads[k] for k in occupied] + self._band_members(occupied)
        candidates = [k for k in dict.fromkeys(found) if k != record.key][:MAX_CANDIDATES]
        if not candidates:
            return None, heads
        signatures = []
        for other in self._batch_get([doc_pk(k) for k in candidates], DOC_SK, CANDIDATE_FIELDS):
            held = set(other.get("bands", []))
            # A band item whose owner no longer holds it (replaced, deleted, crashed) is stale.
            if other.get("status") == KEPT and held & set(keys) and other.get("minhash"):
                signatures.append((str(other["key"]), unpack_minhash(_bytes(other["minhash"]))))
        return best_match(record.minhash, signatures, self.near_duplicate_threshold), heads

    def _band_heads(self, keys: Sequence[str]) -> dict[str, str]:
        """Band -> the key in its head item, for the buckets that have one: one BatchGetItem,
        eventually consistent like the member Queries (half the read units)."""
        names = ("pk", "key")
        heads = self._batch_get([band_pk(k) for k in keys], BAND_HEAD_SK, names, consistent=False)
        return {str(head["pk"]).removeprefix("BAND#"): str(head["key"]) for head in heads}

    def _band_members(self, keys: Sequence[str]) -> list[str]:
        """Keys of the members after the head in these buckets: one small Query each, run concurrently."""

        def members(band_key: str) -> list[str]:
            page = self.client.query(
                TableName=self.table_name,
                KeyConditionExpression="pk = :pk AND begins_with(sk, :m)",
                ExpressionAttributeValues={":pk": band_pk(band_key), ":m": BAND_MEMBER_PREFIX},
                # The key attribute, not the sort key: a long key's sort key is cut (band_sk).
                ProjectionExpression="#k",
                ExpressionAttributeNames={"#k": "key"},
                Limit=MAX_DOCS_PER_BAND,
            )
            return [str(item["key"]) for item in page.get("Items", [])]

        if not keys:
            return []
        return [k for ks in _band_pool().map(members, keys) for k in ks]

    # -- holdings -------------------------------------------------------------------------------

    def _hold(self, record: DocumentRecord, heads: dict[str, str]) -> None:
        """Claim the content hash and join the band buckets (`heads`: theirs, as the duplicate
        check read them); a lost race for the hash makes it a duplicate."""
        if record.content_hash:
            winner = self._claim_hash(record)
            if winner != record.key:
                _mark_duplicate(record, winner, 1.0, "exact_duplicate")
                return
        record.bands = band_keys(record.minhash)
        # First in a bucket: its head; otherwise a member after it. Heads are never deleted (a
        # head's document that left its bucket is stale like any member, and the head marks the
        # bucket for the members after it). Two first members racing both write the head and one
        # stays: the other can be missed in that band alone, and only while both are processed
        # at once, when neither could see the other anyway.
        items = [
            {"pk": band_pk(b), "sk": band_sk(record.key) if b in heads else BAND_HEAD_SK, "key": record.key}
            for b in record.bands
        ]
        self.batch_write({"PutRequest": {"Item": item}} for item in items)

    def _claim_hash(self, record: DocumentRecord) -> str:
        """Own the HASH item unless another live owner has it; returns the owner's key."""
        assert record.content_hash
        key = {"pk": hash_pk(record.content_hash), "sk": HASH_SK}
        # First try the common case (a new text, or ours already) without reading.
        condition, values = "attribute_not_exists(pk) OR #owner = :me", {":me": record.key}
        for attempt in range(MAX_WRITE_CONFLICTS):
            if attempt:
                current = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
                if current and current.get("owner") != record.key:
                    owner = str(current["owner"])
                    if self._claim_is_live(current, owner, record.content_hash):
                        return owner
                    condition, values = "#owner = :stale", {":stale": owner}  # take over a stale claim
                else:
                    condition, values = "attribute_not_exists(pk) OR #owner = :me", {":me": record.key}
            try:
                self.table.put_item(
                    Item={**key, "owner": record.key, "claimed_at": utc_now_iso()},
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#owner": "owner"},
                    ExpressionAttributeValues=values,
                )
                return record.key
            except ClientError as err:
                if not _is_conflict(err):
                    raise
        raise RuntimeError(f"hash of {record.key!r} kept changing owner")

    def _release(self, previous: dict[str, Any] | None, record: DocumentRecord) -> None:
        """Give up what the previous version held and the new record does not."""
        if previous is None:
            return
        old_hash = previous.get("content_hash")
        new_hash = record.content_hash if record.status == KEPT else None
        if previous.get("status") == KEPT and old_hash and old_hash != new_hash:
            try:
                self.table.delete_item(
                    Key={"pk": hash_pk(str(old_hash)), "sk": HASH_SK},
                    ConditionExpression="#owner = :me",
                    ExpressionAttributeNames={"#owner": "owner"},
                    ExpressionAttributeValues={":me": record.key},
                )
            except ClientError as err:
                if not _is_conflict(err):  # someone else owns it now: nothing of ours to release
                    raise
        stale = [b for b in previous.get("bands", []) if b not in set(record.bands)]
        keys = [{"pk": band_pk(str(b)), "sk": band_sk(record.key)} for b in stale]
        self.batch_write({"DeleteRequest": {"Key": key}} for key in keys)

    # -- the record and the counters, in one transaction ---------------------------------------

    def _commit(self, record: DocumentRecord, previous: dict[str, Any] | None) -> None:
        if previous is None:
            condition: dict[str, Any] = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:  # exactly the version read in step 1, or the decision may rest on stale facts
            condition = {
                "ConditionExpression": "source_tag = :tag AND processed_at = :at",
                "ExpressionAttributeValues": {
                    ":tag": previous.get("source_tag", ""),
                    ":at": previous.get("processed_at", ""),
                },
            }
        actions: list[dict[str, Any]] = [
            {"Put": {"TableName": self.table_name, "Item": record.to_item(), **condition}}
        ]
        for (day, status), (documents, characters) in _counter_deltas(record, previous).items():
            actions.append({"Update": self._counter_update(day, status, documents, characters)})
        self.client.transact_write_items(TransactItems=actions)

    def _counter_update(self, day: str, status: str, documents: int, characters: int) -> dict[str, Any]:
        return {
            "TableName": self.table_name,
            "Key": counter_key(day, status),
            "UpdateExpression": "ADD documents :d, characters :c SET gsi1pk = :g, gsi1sk = :s",
            "ExpressionAttributeValues": {
                ":d": documents,
                ":c": characters,
                ":g": COUNTERS_PARTITION,
                ":s": f"{day}#{status}",
            },
        }

    # -- batch calls with retries ------------------------------------------------------------

    def batch_write(self, requests: Iterable[dict[str, Any]]) -> None:
        """BatchWriteItem in chunks of 25; unprocessed items are re-sent with jittered backoff."""
        pending = list(requests)
        for start in range(0, len(pending), BATCH_WRITE_SIZE):
            unprocessed = {self.table_name: pending[start : start + BATCH_WRITE_SIZE]}
            for attempt in range(BATCH_ATTEMPTS):
                if attempt:
                    self.sleep(_backoff(attempt))
                response = self.client.batch_write_item(RequestItems=unprocessed)
                unprocessed = response.get("UnprocessedItems") or {}
                if not unprocessed:
                    break
            else:
                left = sum(len(v) for v in unprocessed.values())
                raise RuntimeError(f"{left} item(s) still unprocessed after {BATCH_ATTEMPTS} attempts")

    def _batch_get(
        self, pks: Sequence[str], sk: str, fields: Sequence[str], *, consistent: bool = True
    ) -> list[dict[str, Any]]:
        """`fields` of the items (BatchGetItem), re-asking for unprocessed keys with backoff."""
        names = {f"#a{i}": name for i, name in enumerate(fields)}
        found: list[dict[str, Any]] = []
        for start in range(0, len(pks), BATCH_GET_SIZE):
            keys = [{"pk": pk, "sk": sk} for pk in pks[start : start + BATCH_GET_SIZE]]
            request: dict[str, Any] = {
                self.table_name: {
                    "Keys": keys,
                    "ConsistentRead": consistent,
                    "ProjectionExpression": ", ".join(names),
                    "ExpressionAttributeNames": names,
                }
            }
            for attempt in range(BATCH_ATTEMPTS):
                if attempt:
                    self.sleep(_backoff(attempt))
                response = self.client.batch_get_item(RequestItems=request)
                found.extend(response.get("Responses", {}).get(self.table_name, []))
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise RuntimeError(f"keys still unprocessed after {BATCH_ATTEMPTS} attempts")
        return found


def _same_upload(
    item: dict[str, Any] | None, source_tag: str | None, pipeline_version: str | None = None
) -> bool:
    """The record holds a final outcome of this very upload (and pipeline version, if given).

    The tag is an event's version id, else its ETag. It is compared with all the record keeps:
    the tag it was written under and the version and ETag it read. So a `docproc backfill`
    message (ETag only) matches a record written from a live event (version id) of the same
    object, and the reverse."""
    if not item or not source_tag or item.get("status") == FAILED:
        return False
    if pipeline_version is not None and item.get("pipeline_version") != pipeline_version:
        return False
    return source_tag in {item.get("source_tag"), item.get("source_version"), item.get("source_etag")}


def _mark_duplicate(record: DocumentRecord, original: str, similarity: float, reason: str) -> None:
    record.status = DUPLICATE
    record.reasons = [reason]
    record.duplicate_of = original
    record.similarity = round(similarity, 4)
    record.bands = []


def _counter_deltas(
    record: DocumentRecord, previous: dict[str, Any] | None
) -> dict[tuple[str, str], tuple[int, int]]:
    """(day, status) -> (documents, characters) to ADD: the new record in, the previous one out.

    Merged per counter item (a transaction may touch an item once) and dropped when they cancel.
    """
    deltas = {(record.processed_at[:10], record.status): (1, record.characters)}
    if previous is not None and previous.get("processed_at") and previous.get("status"):
        slot = (str(previous["processed_at"])[:10], str(previous["status"]))
        documents, characters = deltas.get(slot, (0, 0))
        deltas[slot] = (documents - 1, characters - int(previous.get("characters", 0)))
    return {slot: delta for slot, delta in deltas.items() if delta != (0, 0)}


def _backoff(attempt: int) -> float:
    """Exponential with full jitter: spreads retries of concurrent writers apart."""
    return random.uniform(0, min(BATCH_MAX_DELAY_S, BATCH_BASE_DELAY_S * 2**attempt))


def _is_conflict(err: ClientError) -> bool:
    code = err.response.get("Error", {}).get("Code")
    if code == "ConditionalCheckFailedException":
        return True
    reasons = err.response.get("CancellationReasons") or []
    return code == "TransactionCanceledException" and any(
        r.get("Code") in ("ConditionalCheckFailed", "TransactionConflict") for r in reasons
    )


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _bytes(value: Any) -> bytes:
    """A binary attribute as bytes: the resource API wraps it in a Binary."""
    return bytes(value.value) if hasattr(value, "value") else bytes(value)


def to_dynamo(value: Any) -> Any:
    """Python values -> what DynamoDB stores: floats become Decimal, non-finite floats None."""
    if isinstance(value, bool) or value is None or isinstance(value, int | str | Decimal | bytes):
        return value
    if isinstance(value, float):
        return Decimal(str(value)) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): to_dynamo(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_dynamo(v) for v in value]
    return str(value)


def _bounded(value: Any, depth: int = 0) -> Any:
    """Cut lists, maps and strings to fixed sizes, recursively (depth-limited)."""
    if isinstance(value, str):
        return value[:MAX_STRING_CHARS]
    if depth > 4:
        return None
    if isinstance(value, dict):
        items = list(value.items())[:MAX_MAP_ITEMS]
        return {str(k)[:MAX_STRING_CHARS]: _bounded(v, depth + 1) for k, v in items}
    if isinstance(value, list | tuple):
        return [_bounded(v, depth + 1) for v in list(value)[:MAX_LIST_ITEMS]]
    return value


def _fit(item: dict[str, Any]) -> dict[str, Any]:
    """Last guard for the 400 KB limit: drop the free-form maps rather than fail the write."""
    for name in ("metadata", "keywords", "stats"):
        if _approx_size(item) <= MAX_ITEM_BYTES:
            break
        if name in item:
            item.pop(name)
            item.setdefault("truncated", []).append(name)
    return item


def _approx_size(item: dict[str, Any]) -> int:
    return len(json.dumps(item, default=str, ensure_ascii=False).encode("utf-8"))


def _band_pool() -> ThreadPoolExecutor:
    """One pool per container: starting threads for every document cost more than the queries."""
    global _BAND_POOL
    if _BAND_POOL is None:
        _BAND_POOL = ThreadPoolExecutor(max_workers=BAND_QUERY_THREADS, thread_name_prefix="bands")
    return _BAND_POOL
