"""The shapes every part of docproc shares: step reports and the document result.

Defined once here and used by the handler, the CLI, the table adapter and the report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Final outcome of one uploaded object."""

    KEPT = "kept"
    DROPPED = "dropped"  # cleaned, but fails a quality threshold (see reasons)
    DUPLICATE = "duplicate"  # exact or near copy of an earlier document (set by the table)
    REJECTED = "rejected"  # not a document we can read: empty, binary, too large, ...
    FAILED = "failed"  # processing raised after all retries (message parked in the DLQ)
    DELETED = "deleted"  # the object was removed from the raw bucket


# The two made for every step of every document write their own `__init__`: mypyc compiles it,
# where the one `dataclasses` writes stays interpreted (about 1% of a document's time).


@dataclass(slots=True, init=False)
class StepReport:
    """What one cleaning step did, in the same shape for every step."""

    step: str
    count: int  # items removed or repaired (lines, annotations, tags, spans...)
    chars_removed: int  # characters the step took out of the text
    detail: dict[str, int]  # step-specific counters

    def __init__(
        self, step: str, count: int = 0, chars_removed: int = 0, detail: dict[str, int] | None = None
    ) -> None:
        self.step = step
        self.count = count
        self.chars_removed = chars_removed
        self.detail = {} if detail is None else detail


@dataclass(slots=True, init=False)
class StepOutput:
    """A step's new text, its report, and any metadata it lifted out of the text."""

    text: str
    report: StepReport
    metadata: dict[str, str]

    def __init__(self, text: str, report: StepReport, metadata: dict[str, str] | None = None) -> None:
        self.text = text
        self.report = report
        self.metadata = {} if metadata is None else metadata


@dataclass(slots=True, init=False)
class Signature:
    """What the table needs to find duplicates without reading the text."""

    content_hash: str  # SHA-256 hex of the normalised cleaned text
    minhash: list[int]  # MinHash over character shingles

    # Written out: mypyc compiles this one, where dataclass's generated __init__ runs interpreted.
    def __init__(self, content_hash: str, minhash: list[int] | None = None) -> None:
        self.content_hash = content_hash
        self.minhash = [] if minhash is None else minhash


@dataclass(slots=True, init=False)
class Result:
    """The outcome of processing one document's bytes."""

    status: Status
    reasons: list[str]
    text: str
    metadata: dict[str, Any]
    steps: list[StepReport]
    stats: dict[str, Any]
    signature: Signature | None

    # Written out: mypyc compiles this one, where dataclass's generated __init__ runs interpreted.
    def __init__(
        self,
        status: Status,
        reasons: list[str],
        text: str,
        metadata: dict[str, Any],
        steps: list[StepReport],
        stats: dict[str, Any],
        signature: Signature | None = None,
    ) -> None:
        self.status = status
        self.reasons = reasons
        self.text = text
        self.metadata = metadata
        self.steps = steps
        self.stats = stats
        self.signature = signature

    def to_dict(self, *, include_text: bool = True) -> dict[str, Any]:
        out = asdict(self)
        out["status"] = str(self.status)
        if not include_text:
            out.pop("text")
        return out
