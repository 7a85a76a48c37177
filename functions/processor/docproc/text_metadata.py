"""Metadata read from the text itself: the publication date, and the complete metadata record.

The cleaning steps lift title / author / editor / source; this adds the publication date when
no step found one, and gives every record the same keys (None where the document says nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain
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
# Where `ub` sits in each field name (pubdate and publishdate, datePublished, article:published_time):
# case folding gives `u` and `b` no other forms, and each other letter one character.
_FIELD_UB_OFFSETS: Final = (1, 5, 9)
_UB: Final = compiled("[uU][bB]")
_BARE_DATE: Final = compiled(_YMD)
# The longest of each part of a label before a date, from the date back (each may follow a run
# of spaces): a colon, a word (时间, 于), the label itself (`published`).
_LABEL_PARTS: Final = (1, 2, len("published"))
# A bare date counts only near the start or the end of the text, where datelines and bylines
# sit: dates in the body are usually events, not the publication.
EDGE_CHARS: Final = 600


def publication_date(text: str) -> str | None:
    """The publication date as YYYY-MM-DD, or None."""
    # Every pattern below ends in a year-month-day (the meta tag's is one of its forms): a text
    # holding none (9 in 10 of the bench corpus) needs no scan for labels.
    dates = _BARE_DATE.finditer(text)
    first = next(dates, None)
    if first is None:
        return None
    for match in _html_date_fields(text):
        iso = _iso(match)
        if iso:
            return iso
    iso = _first_labelled_date(text, chain((first,), dates))
    if iso:
        return iso
    for region in (text[:EDGE_CHARS], text[-EDGE_CHARS:]):
        for match in _BARE_DATE.finditer(region):
            iso = _iso(match)
            if iso:
                return iso
    return None


def _first_labelled_date(text: str, dates: Iterable[re.Match[str]]) -> str | None:
    """What the first of _LABELLED_DATE.finditer(text) with a valid date gives, looked for only
    just before each of the text's `dates` (its _BARE_DATE matches, found as they are needed): a
    label is a few characters and spaces ahead of a date, and its first characters (日, 时, 发)
    are common ones, at each of which a scan of the whole text tried the pattern."""
    resume = 0  # where the whole-text finditer would look next: the end of its last match
    for date in dates:
        # A label cannot start before the digits of the date before (a label holds none), nor
        # further back than its longest form with each run of spaces in it (label, word, colon).
        left = date.start()
        for step in _LABEL_PARTS:
            while left > resume and text[left - 1].isspace():
                left -= 1
            left -= step
        found = _LABELLED_DATE.search(text, max(resume, left), date.end())
        resume = max(resume, date.start() + 1)
        if found is None:
            continue
        resume = found.end()
        iso = _iso(found)
        if iso:
            return iso
    return None


def _html_date_fields(text: str) -> Iterator[re.Match[str]]:
    """_HTML_DATE.finditer(text), tried only where a match can start: each field name has `ub`
    (in some case) at one of _FIELD_UB_OFFSETS, so the pattern is tried that far before each
    `ub` of the text. Its own scan tried every `a`, `d` and `p` (3.8 ms on the bench corpus's nine
    dated texts holding a `ub`, where the matches are none)."""
    starts = sorted({ub.start() - offset for ub in _UB.finditer(text) for offset in _FIELD_UB_OFFSETS})
    resume = 0  # where finditer would go on: the end of its last match
    for start in starts:
        if start < resume:
            continue
        match = _HTML_DATE.match(text, start)
        if match is not None:
            resume = max(match.end(), start + 1)
            yield match


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
