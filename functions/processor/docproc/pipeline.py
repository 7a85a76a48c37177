"""bytes + key -> Result: decode, extract, clean, measure, decide, sign."""

from __future__ import annotations

from typing import Final

from docproc.clean import clean_text
from docproc.config import Settings
from docproc.decide import decide
from docproc.decode import HTML, Rejection, decode_document
from docproc.dedup import signature
from docproc.html import Extracted, extract_main_content
from docproc.result import Result, Status, StepReport
from docproc.stats import compute_stats
from docproc.text_metadata import complete_metadata

# The defaults, made once: a frozen dataclass's fields cost 2 µs to set, for every document.
DEFAULT_SETTINGS: Final = Settings()


def process_document(
    data: bytes,
    *,
    key: str = "",
    content_type: str | None = None,
    settings: Settings | None = None,
) -> Result:
    """Process one document's bytes. Never raises on bad input: it returns a rejection."""
    settings = settings or DEFAULT_SETTINGS
    if len(data) > settings.max_object_bytes:
        return _rejected("too_large", len(data))
    decoded = decode_document(data, content_type, max_output_bytes=settings.max_object_bytes)
    if isinstance(decoded, Rejection):
        return _rejected(decoded.reason, len(data))
    page: dict[str, str] = {}
    page_steps: list[StepReport] = []
    chars_decoded = len(decoded.text)  # the whole page, markup included, for HTML
    if decoded.content_type == HTML:
        # A page: keep its main content (and its own title/author/date), then clean that as text.
        extracted = extract_main_content(decoded.text)
        page_steps.append(_extraction_report(extracted, chars_decoded))
        decoded.text = extracted.text
        page = {("page_title" if k == "title" else k): v for k, v in extracted.metadata.items()}
    cleaned = clean_text(decoded.text, settings)
    stats = compute_stats(
        data,
        decoded.text,
        cleaned.text,
        cleaned.steps,
        encoding=decoded.encoding,
        content_type=decoded.content_type,
        chars_decoded=chars_decoded,
    )
    status, reasons = decide(stats, settings)
    sig = signature(cleaned.text)
    stats["content_hash"] = sig.content_hash
    found = {"encoding": decoded.encoding, "content_type": decoded.content_type, **cleaned.metadata}
    for k, v in {**page, "title": page.get("page_title", "")}.items():
        if v and not found.get(k):  # what the text itself says wins; the page's <head> fills gaps
            found[k] = v
    metadata = complete_metadata(found, decoded.text, stats)
    # The statistics measure the text steps (noise_ratio is over the extracted text); the
    # result lists the extraction too, so that what a page lost before them is reported.
    return Result(status, reasons, cleaned.text, metadata, page_steps + cleaned.steps, stats, sig)


def _extraction_report(extracted: Extracted, chars_decoded: int) -> StepReport:
    """What main-content extraction took from a page: blocks removed by rule before it (link
    blocks, a thread's later posts, entry forms, with their characters), and in all, the markup
    and everything else outside the main content."""
    rules = ("link_blocks", "later_posts", "forms")
    return StepReport(
        step="extract_main_content",
        count=sum(extracted.removed.get(rule, 0) for rule in rules),
        chars_removed=max(0, chars_decoded - len(extracted.text)),
        detail=dict(extracted.removed),
    )


def _rejected(reason: str, size: int) -> Result:
    return Result(Status.REJECTED, [reason], "", {}, [], {"bytes_in": size, "chars_in": 0, "chars_out": 0})
