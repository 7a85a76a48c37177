"""Bad input on the local stack: each kind is uploaded, the queue drained, and its record checked.

One stack serves the module: every object below is uploaded, the handler drains the queue once
(retries included), and each test then checks one object's recorded outcome. Whatever an object
holds, it must end with exactly one final record, never `failed`, never in the DLQ.
The regular-expression fuzz at the end runs the core directly: it is about CPU time, not AWS.
"""

from __future__ import annotations

import gzip
import importlib
import io
import json
import pkgutil
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docproc.config import Settings
from docproc.pipeline import process_document
from infra.localstack import LocalStack
from tests.integration.boundary import count_calls
from tests.integration.faults import article

# Lower than the template's default (20 MiB) so the over-limit object stays small, and above
# the 10 MiB single line, which must be processed, not rejected.
MAX_OBJECT_BYTES = 11 * 1024 * 1024
S3_KEY_LIMIT = 1024  # bytes of UTF-8: S3 refuses longer keys (moto does not check)
DYNAMODB_SORT_KEY_LIMIT = 1024  # bytes: the ByStatus index's sort key (moto does not check)


@dataclass(frozen=True)
class Case:
    data: bytes
    status: str
    reasons: list[str] | None = None  # None: whatever reasons the status comes with
    content_type: str | None = None


def _zip(data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", data)
    return buffer.getvalue()


def _with_controls(data: bytes) -> bytes:
    """An article with a stray NUL, BEL, ESC and DEL in its lines."""
    text = data.decode()
    noisy = text.replace("，", "，\x00", 1).replace("。", "。\x07\x1b", 2).replace("\n\n", "\x7f\n\n", 1)
    return noisy.encode()


def _nul_heavy(data: bytes) -> bytes:
    """NUL bytes every 40 bytes: no UTF-16 pattern explains them, so not text."""
    return b"".join(data[i : i + 40] + b"\x00" for i in range(0, len(data), 40))


def _nested_html(depth: int, body: bytes) -> bytes:
    return b"<html><body>" + b"<div>" * depth + body + b"</div>" * depth + b"</body></html>"


def _malformed_html(body: bytes) -> bytes:
    paragraphs = body.decode().split("\n\n")
    # Unclosed tags, a stray closing tag, an attribute never closed, a truncated end. (The title
    # is closed: after an unclosed <title> every parser reads the rest of the page as its text.)
    page = (
        "<html><head><title>通报</title><body><p>"
        + "<p><b><i>".join(paragraphs)
        + '</span><div class="x <a href=</t'
    )
    return page.encode()


LINE = article(60).decode().replace("\n", "")
CASES: dict[str, Case] = {
    "empty": Case(b"", "rejected", ["empty"]),
    "whitespace-only": Case(" \t\r\n\n  \u3000\u3000\n".encode(), "rejected", ["empty"]),
    "png": Case(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "rejected", ["binary"]),
    "zip": Case(_zip(article(61)), "rejected", ["binary"]),
    "elf": Case(b"\x7fELF\x02\x01\x01\x00" + bytes(1000), "rejected", ["binary"]),
    # 64 MiB of one letter compresses to ~64 KB: inflating stops at the limit, whatever is left.
    "gzip-bomb": Case(gzip.compress(b"a" * (64 * 1024 * 1024), 9), "rejected", ["compressed_too_large"]),
    "gzip-article": Case(gzip.compress(article(62)), "kept", []),
    # A few stray bytes: the text around them is the author's; they become U+FFFD.
    "invalid-utf8": Case(article(63) + b"\xff\xfe\xfa\xc3" + article(64), "kept", []),
    "mixed-encodings": Case(
        article(65) + "\n\n这一段是用国标码保存的中文文字，内容完整。".encode("gbk"),
        "rejected",
        ["undecodable"],
    ),
    "utf16-le-no-bom": Case(article(66).decode().encode("utf-16-le"), "kept", []),
    "utf16-be-no-bom": Case(article(67).decode().encode("utf-16-be"), "kept", []),
    "gbk": Case(article(68).decode().encode("gbk"), "kept", []),
    "control-characters": Case(_with_controls(article(69)), "kept", []),
    "nul-bytes": Case(_nul_heavy(article(72)), "rejected", ["binary"]),
    # Three lines of ~200 KB (the same article over and over): processed, dropped as repetitive.
    "long-lines": Case(
        ((LINE * (200_000 // len(LINE.encode()))) + "\n").encode() * 3, "dropped", ["repetitive"]
    ),
    # One line of 10 MiB with no newline at all.
    "one-line-10mb": Case(
        (LINE * (10 * 1024 * 1024 // len(LINE.encode()))).encode(), "dropped", ["repetitive"]
    ),
    "nested-html": Case(_nested_html(3000, article(70)), "kept", [], "text/html"),
    "malformed-html": Case(_malformed_html(article(71)), "kept", [], "text/html"),
    "over-the-size-limit": Case(b"x" * (MAX_OBJECT_BYTES + 1), "rejected", ["too_large"]),
}
NAMES = {
    "space": "incoming/names/a b c.txt",
    "plus": "incoming/names/a+b.txt",
    "percent": "incoming/names/100% 真%20的.txt",
    "unicode": "incoming/names/新闻 Ünïcødé 😀.txt",
    # The longest key S3 takes: 1024 bytes of UTF-8 (3 bytes per character here).
    "very-long": "incoming/names/"
    + "长" * ((S3_KEY_LIMIT - len("incoming/names/") - len(".txt")) // 3)
    + ".txt",
}


def key_of(name: str) -> str:
    return f"incoming/bad/{name}"


@dataclass
class Drained:
    stack: LocalStack
    gets: list[dict[str, Any]]
    docs: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def drained() -> Iterator[Drained]:
    with LocalStack(
        env_overrides={"MAX_OBJECT_BYTES": str(MAX_OBJECT_BYTES)}, function_output=io.StringIO()
    ) as stack:
        gets = count_calls(stack, "GetObject")
        for name, case in CASES.items():
            extra = {"ContentType": case.content_type} if case.content_type else {}
            stack.upload(key_of(name), case.data, **extra)
        for i, key in enumerate(NAMES.values()):
            stack.upload(key, article(80 + i))
        # Overwritten between the event and the read: both events read the newest content.
        stack.upload(key_of("overwritten"), article(90))
        stack.upload(key_of("overwritten"), article(91))
        # Deleted between the event and the read.
        stack.upload(key_of("deleted"), article(92))
        stack.client("s3").delete_object(Bucket=stack.names.raw_bucket, Key=key_of("deleted"))
        # Bodies that are no S3 event at all, and S3's test event.
        sqs = stack.client("sqs")
        test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": stack.names.raw_bucket}
        for body in ["plain words", "[1, 2]", '{"Records": "no"}', json.dumps(test_event)]:
            sqs.send_message(QueueUrl=stack.names.queue_url, MessageBody=body)

        report = stack.drain()

        assert report.handler_errors == 0
        docs = {str(d["key"]): d for d in stack.documents()}
        yield Drained(stack, gets, docs)


def test_every_object_has_one_final_record_and_nothing_is_left_in_the_queues(drained: Drained) -> None:
    expected = {key_of(n) for n in CASES} | set(NAMES.values()) | {key_of("overwritten"), key_of("deleted")}
    assert set(drained.docs) == expected
    assert not [k for k, d in drained.docs.items() if d["status"] == "failed"]
    assert drained.stack.queue_depth(drained.stack.names.queue_url) == 0
    assert drained.stack.queue_depth(drained.stack.names.dlq_url) == 0


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_is_recorded_with_its_outcome(drained: Drained, name: str) -> None:
    case = CASES[name]
    doc = drained.docs[key_of(name)]
    assert doc["status"] == case.status
    if case.reasons is not None:
        assert doc["reasons"] == case.reasons
    assert doc["attempts"] == 1  # decided on the first delivery: bad input is not retried
    if doc["status"] in {"kept", "dropped"}:
        text = drained.stack.clean_text(str(doc["clean_key"]))
        assert text.strip()
        assert not any(c in text for c in "\x00\x07\x1b\x7f\ufffd")
    else:
        assert "clean_key" not in doc


def test_an_object_over_the_limit_is_rejected_from_its_size_alone(drained: Drained) -> None:
    key = key_of("over-the-size-limit")
    assert drained.docs[key]["stats"]["bytes_in"] == MAX_OBJECT_BYTES + 1
    assert [g for g in drained.gets if g["Key"] == key] == []  # never read
    assert drained.stack.function_env["MAX_OBJECT_BYTES"] == "20971520"  # the template's default
    assert Settings.from_env().max_object_bytes == MAX_OBJECT_BYTES  # this stack's override


@pytest.mark.parametrize("name", ["utf16-le-no-bom", "utf16-be-no-bom", "gbk", "gzip-article"])
def test_other_encodings_clean_to_the_same_text_as_utf8(drained: Drained, name: str) -> None:
    doc = drained.docs[key_of(name)]
    source = {"utf16-le-no-bom": 66, "utf16-be-no-bom": 67, "gbk": 68, "gzip-article": 62}[name]
    expected = process_document(article(source), settings=Settings.from_env()).text
    assert drained.stack.clean_text(str(doc["clean_key"])) == expected


def test_control_characters_are_removed_and_the_article_kept(drained: Drained) -> None:
    doc = drained.docs[key_of("control-characters")]
    text = drained.stack.clean_text(str(doc["clean_key"]))
    expected = process_document(article(69), settings=Settings.from_env()).text
    assert text == expected


@pytest.mark.parametrize("name", ["nested-html", "malformed-html"])
def test_html_keeps_the_article_text(drained: Drained, name: str) -> None:
    doc = drained.docs[key_of(name)]
    text = drained.stack.clean_text(str(doc["clean_key"]))
    assert doc["stats"]["content_type"] == "text/html"
    assert "<" not in text and ">" not in text
    source = {"nested-html": 70, "malformed-html": 71}[name]
    for paragraph in article(source).decode().split("\n\n")[1:-1]:
        assert paragraph in text


@pytest.mark.parametrize("name", list(NAMES))
def test_awkward_keys_are_recorded_under_the_exact_key(drained: Drained, name: str) -> None:
    key = NAMES[name]
    doc = drained.docs[key]
    assert doc["source_key"] == key
    assert doc["status"] == "kept"
    clean_key = str(doc["clean_key"])
    assert len(clean_key.encode()) <= S3_KEY_LIMIT  # a real bucket would refuse a longer one
    assert len(str(doc["gsi1sk"]).encode()) <= DYNAMODB_SORT_KEY_LIMIT
    assert (
        drained.stack.clean_text(clean_key)
        == process_document(article(80 + list(NAMES).index(name)), settings=Settings.from_env()).text
    )


def test_an_object_overwritten_before_it_is_read_ends_with_the_newest_content(drained: Drained) -> None:
    doc = drained.docs[key_of("overwritten")]
    newest = process_document(article(91), settings=Settings.from_env()).text
    assert drained.stack.clean_text(str(doc["clean_key"])) == newest
    assert doc["source_size"] == len(article(91))


def test_an_object_deleted_before_it_is_read_is_recorded_as_deleted(drained: Drained) -> None:
    doc = drained.docs[key_of("deleted")]
    assert (doc["status"], doc["reasons"]) == ("deleted", ["object_missing"])


def test_bodies_that_are_not_s3_events_leave_no_record_and_no_dead_letter(drained: Drained) -> None:
    log = drained.stack.function_output
    assert isinstance(log, io.StringIO)
    # Three unrecognised bodies logged (the body itself never is), two test events acknowledged.
    assert log.getvalue().count("message is not an S3 event notification") == 3
    assert log.getvalue().count("s3 test event acknowledged") == 2
    assert "plain words" not in log.getvalue()


def test_a_10mb_line_took_one_delivery(drained: Drained) -> None:
    doc = drained.docs[key_of("one-line-10mb")]
    assert doc["source_size"] == len(CASES["one-line-10mb"].data)
    assert doc["stats"]["lines"] == 1


# -- pathological input for the regular expressions ----------------------------------------------


def _core_patterns() -> list[re.Pattern[Any]]:
    """Every compiled pattern held at module level anywhere in the core (lists and dicts too)."""
    import docproc

    found: list[re.Pattern[Any]] = []

    def collect(value: Any, depth: int = 0) -> None:
        if isinstance(value, re.Pattern):
            found.append(value)
        elif depth < 2 and isinstance(value, list | tuple):
            for item in value:
                collect(item, depth + 1)
        elif depth < 2 and isinstance(value, dict):
            for item in value.values():
                collect(item, depth + 1)

    for info in pkgutil.walk_packages(docproc.__path__, "docproc."):
        for value in vars(importlib.import_module(info.name)).values():
            collect(value)
    return found


PATTERNS = _core_patterns()
# The characters the patterns themselves are made of (their literals, classes and escapes' letters),
# plus the structure of real pages: the raw material of inputs that make a pattern backtrack.
ALPHABET = sorted(
    {c for p in PATTERNS for c in (p.pattern if isinstance(p.pattern, str) else p.pattern.decode("latin-1"))}
    | set(" \t\n\u3000<>/=\"'&;#。，：（）【】|-_.0a中文")
)
PUMPED_CHARS = 6_000
# Linear work on 6 000 characters takes well under a second even on a loaded CI machine; a
# backtracking pattern (nested or adjacent quantifiers over the same characters) takes minutes.
BUDGET_SECONDS = 8.0


def test_the_core_has_patterns_to_fuzz() -> None:
    assert len(PATTERNS) >= 20  # guards the collector: an empty list would make the fuzz vacuous


@pytest.fixture(scope="module")
def warm_core() -> None:
    """First calls load dictionaries and tables (seconds): not what the budget is about."""
    process_document(article(1))


@pytest.mark.usefixtures("warm_core")
@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    fragment=st.text(alphabet=ALPHABET, min_size=1, max_size=12),
    suffix=st.text(alphabet=ALPHABET, max_size=4),
    html=st.booleans(),
)
def test_regex_work_stays_linear_on_pumped_input(fragment: str, suffix: str, html: bool) -> None:
    """The classic ReDoS shape: one fragment repeated, then a tail that makes a match fail."""
    text = fragment * (PUMPED_CHARS // len(fragment)) + suffix
    data = (f"<html><body><p>{text}</p></body></html>" if html else text).encode()
    started = time.perf_counter()
    result = process_document(data, content_type="text/html" if html else None)
    elapsed = time.perf_counter() - started
    assert result.status in {"kept", "dropped", "rejected"}
    assert elapsed < BUDGET_SECONDS, f"{elapsed:.1f} s for {len(data)} bytes of {fragment!r}+{suffix!r}"
