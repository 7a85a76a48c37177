"""S3: read raw documents, write cleaned text. The only module of the function that talks to S3."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

# Raw uploads arrive under this prefix (the bucket notification filters on it); the clean
# key drops it: incoming/a/b.html -> clean/a/b.html.txt. The source extension is kept so
# a.html and a.txt never share a clean key.
INCOMING_PREFIX = "incoming/"
CLEAN_PREFIX = "clean/"
MAX_KEY_BYTES = 1024  # S3's limit on a key, in bytes of UTF-8
_MISSING_CODES = {"NoSuchKey", "NoSuchVersion", "404", "NotFound"}


class ObjectMissing(Exception):
    """The object (or version) named by an event is gone: deleted before it was read."""


@dataclass(frozen=True, slots=True)
class RawObject:
    data: bytes
    etag: str  # of the bytes actually read, bare (no quotes)
    version_id: str | None
    content_type: str | None


def clean_key_for(source_key: str) -> str:
    relative = source_key.removeprefix(INCOMING_PREFIX)
    key = f"{CLEAN_PREFIX}{relative}.txt"
    if len(key.encode("utf-8")) <= MAX_KEY_BYTES:
        return key
    # S3 keys stop at 1024 bytes and a source key may use them all: cut it and add a hash of the
    # whole source key, so two long keys that share their first kilobyte never share a clean key.
    suffix = f"~{hashlib.sha256(source_key.encode('utf-8')).hexdigest()[:16]}.txt"
    room = MAX_KEY_BYTES - len(CLEAN_PREFIX) - len(suffix)
    cut = relative.encode("utf-8")[:room].decode("utf-8", "ignore")
    return f"{CLEAN_PREFIX}{cut}{suffix}"


class ObjectStore:
    """Reads from the raw bucket named in each event, writes to the one clean bucket."""

    def __init__(self, client: Any, clean_bucket: str) -> None:
        self.client = client
        self.clean_bucket = clean_bucket

    def size_of(self, bucket: str, key: str, version_id: str | None = None) -> int:
        """HEAD the object: its size, for events that do not carry one."""
        try:
            head = self.client.head_object(Bucket=bucket, Key=key, **_version(version_id))
        except ClientError as err:
            raise _missing_or_raise(err, bucket, key) from err
        return int(head["ContentLength"])

    def read(self, bucket: str, key: str, version_id: str | None = None) -> RawObject:
        try:
            got = self.client.get_object(Bucket=bucket, Key=key, **_version(version_id))
        except ClientError as err:
            raise _missing_or_raise(err, bucket, key) from err
        return RawObject(
            data=got["Body"].read(),
            etag=str(got.get("ETag", "")).strip('"'),
            version_id=got.get("VersionId") or None,
            content_type=got.get("ContentType"),
        )

    def write_clean(self, source_key: str, text: str, metadata: dict[str, str]) -> str:
        """Write the cleaned text as UTF-8; returns its key in the clean bucket."""
        key = clean_key_for(source_key)
        self.client.put_object(
            Bucket=self.clean_bucket,
            Key=key,
            Body=text.encode("utf-8"),
            ContentType="text/plain; charset=utf-8",
            Metadata=metadata,
        )
        return key


def _version(version_id: str | None) -> dict[str, str]:
    return {"VersionId": version_id} if version_id else {}


def _missing_or_raise(err: ClientError, bucket: str, key: str) -> Exception:
    code = str(err.response.get("Error", {}).get("Code", ""))
    if code in _MISSING_CODES:
        return ObjectMissing(f"s3://{bucket}/{key} no longer exists ({code})")
    return err
