"""Metadata read from the text itself: the publication date, and the complete metadata record.

The cleaning steps lift title / author / editor / source; this adds the publication date when
no step found one, and gives every record the same keys (None where the document says nothing).
"""

from __future__ import annotations

import re
from typing import Any, Final

from docproc.patterns import compiled

# Every document's metadata has these keys, so consumers never test for presence.
METADATA_KEYS: Final = (
    "title",
    "author",
    "editor",
    "source",
    "published",
    "language",
    "script",
    "encoding",
    "content_type",
)

_YMD: Final = (
    r"(?P<y>(?:19|20)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*(?P<d>\d{1,2})(?!\d)\s*[日号號]?"
)
# HTML pages state it in a meta tag or a <time> element (ISO 8601).
_HTML_DATE: Final = compiled(
    r"""(?=[aAdDpP])(?:article:published_time|datePublished|pubdate|publishdate)["']?\s*"""
    # Each run of spaces is possessive and follows a required token: `\s*=?\s*["']?\s*` tried
    # every split of a long run of spaces between its three `\s*` (cubic: 4 s on 1000 spaces).
    r"""(?:content|:)\s*+(?:=\s*+)?(?:["']\s*+)?"""
    + _YMD.replace("(?:年|[-/.])", "-").replace("(?:月|[-/.])", "-"),
    re.IGNORECASE,
)
# A date right after a label: 发布时间：2023年5月1日, 日期: 2023-05-01, 發佈於 2023/5/1.
_LABELLED_DATE: Final = compiled(
    # The lookahead skips, at C speed, positions that cannot start a label.
    r"(?=[发發更出时時日pPdD])(?:发布|發布|發佈|发表|發表|更新|出版|时间|時間|日期|published|date)"
    r"\s*+(?:(?:时间|時間|日期|于|於)\s*+)?(?:[:：]\s*+)?" + _YMD,
    re.IGNORECASE,
)
_BARE_DATE: Final = compiled(_YMD)
# A bare date counts only near the start or the end of the text, where datelines and bylines
# sit: dates in the body are usually events, not the publication.
EDGE_CHARS: Final = 600


def publication_date(text: str) -> str | None:
    """The publication date as YYYY-MM-DD, or None."""
    # Every pattern below ends in a year-month-day (the meta tag's is one of its forms): a text
    # holding none (9 in 10 of the bench corpus) needs no scan for labels, which cost 4 times
    # as much as this one (their first character is looked ahead for at every position).
    if _BARE_DATE.search(text) is None:
        return None
    return _first_date(text)


def _first_date(text: str) -> str | None:
    regions = [(_LABELLED_DATE, text), (_BARE_DATE, text[:EDGE_CHARS]), (_BARE_DATE, text[-EDGE_CHARS:])]
    if _may_name_a_date_field(text):
        regions.insert(0, (_HTML_DATE, text))
    for pattern, region in regions:
        for match in pattern.finditer(region):
            iso = _iso(match)
            if iso:
                return iso
    return None


def _may_name_a_date_field(text: str) -> bool:
    """Whether `text` may hold one of _HTML_DATE's field names: each has `pub` in it, so `ub` in
    some case (four substring tests, where the pattern's search tried every `a`, `d` and `p` of
    the text: 32 ms over the corpus's dated texts)."""
    return "ub" in text or "UB" in text or "Ub" in text or "uB" in text


def _iso(match: re.Match[str]) -> str | None:
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def complete_metadata(found: dict[str, Any], text_in: str, stats: dict[str, Any]) -> dict[str, Any]:
    """Every key of METADATA_KEYS, from what the steps found, the text, and the statistics."""
    metadata: dict[str, Any] = dict.fromkeys(METADATA_KEYS)
    metadata.update({k: v for k, v in found.items() if v not in (None, "")})
    if metadata["published"] is None:
        metadata["published"] = publication_date(text_in)
    else:  # a page's own field ("2021-03-04T10:00:00+08:00", "2021年3月4日"): same form as ours
        match = _BARE_DATE.search(str(metadata["published"]))
        iso = _iso(match) if match else None
        metadata["published"] = iso or metadata["published"]
    if metadata["language"] is None:
        metadata["language"] = stats.get("language")
    if metadata["script"] is None:
        metadata["script"] = stats.get("script_in")
    return metadata
