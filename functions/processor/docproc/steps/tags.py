"""Leftover HTML in plain text: tags, comments, script/style blocks, and character entities.

Only real tag shapes go: a known HTML element name right after `<` or `</`, then attributes, then
`>`. `利率<5%且增速>3%` is text and stays: `5%且增速` is not an element name. Entities are decoded
only in their strict form (`&nbsp;`, `&amp;`, `&#12288;`, `&#x3000;`), so `AT&T` stays.
"""

from __future__ import annotations

import re
from typing import Final

from docproc.patterns import compiled
from docproc.result import StepOutput, StepReport
from docproc.steps.chars import _REMOVE as _CONTROL_OR_INVISIBLE

# HTML elements (WHATWG, plus common obsolete ones) whose tags show up in scraped text.
_ELEMENT_NAMES: Final = (
    "a abbr acronym address area article aside audio b base basefont bdi bdo big blink blockquote body br "
    "button canvas caption center cite code col colgroup data datalist dd del details dfn dialog dir div dl "
    "dt em embed fieldset figcaption figure font footer form frame frameset h1 h2 h3 h4 h5 h6 head header "
    "hgroup hr html i iframe img input ins kbd label legend li link main map mark marquee menu meta meter "
    "nav nobr noframes noscript object ol optgroup option output p param picture pre progress q rp rt ruby "
    "s samp script section select small source span strike strong style sub summary sup svg table tbody "
    "td template textarea tfoot th thead time title tr track tt u ul var video wbr"
)
_ELEMENTS: Final = _ELEMENT_NAMES.split()
# Elements whose tags end a line of text when they go.
_BLOCK_NAMES: Final = (
    "address article aside blockquote body br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 "
    "h4 h5 h6 header hr html li main nav ol p pre section table tbody td tfoot th thead tr ul"
)
_BLOCK: Final = frozenset(_BLOCK_NAMES.split())
_NAMES: Final = frozenset(_ELEMENTS)
# Attribute: name, optionally `= value` (quoted or bare). Possessive quantifiers: no backtracking,
# so a `<` that does not start a tag costs at most the length of the would-be tag.
_ATTR: Final = (
    r"""\s++[a-zA-Z_:@][-\w:.@]*+(?:\s*+=\s*+(?:"[^"<>]{0,2000}+"|'[^'<>]{0,2000}+'|[^\s"'=<>`]++))?+"""
)
# Any tag shape; the name is checked against the element set afterwards (one set lookup instead of a
# 120-way alternation at every `<`).
_TAG: Final = compiled(rf"<(/?)([a-zA-Z][a-zA-Z0-9]*+)(?![-\w:])(?:{_ATTR})*+\s*+/?>")
_SCRIPT_OPEN: Final = compiled(r"<(script|style)(?![-\w])[^<>]{0,2000}+>", re.IGNORECASE)
_SCRIPT_CLOSE: Final = {name: compiled(rf"</{name}\s*+>", re.IGNORECASE) for name in ("script", "style")}
_ENTITY: Final = compiled(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")


def remove_html_tags(text: str) -> StepOutput:
    """Remove leftover tags (block tags become line breaks), comments, scripts; decode entities."""
    report = StepReport("remove_html_tags")
    if "<" not in text and "&" not in text:  # most plain texts: nothing to do
        return StepOutput(text, report)
    before = len(text)
    if "<" in text:
        text = _remove_markup(text, report)
    if "&" in text:
        text = _decode_entities(text, report)
    report.chars_removed = max(0, before - len(text))
    return StepOutput(text, report)


def _remove_markup(text: str, report: StepReport) -> str:
    blocks = 0
    comments = 0
    tags = 0

    def drop_tag(match: re.Match[str]) -> str:
        nonlocal tags
        name = match.group(2).lower()
        if name not in _NAMES:  # `<foo>` is text, not HTML
            return match.group()
        tags += 1
        return "\n" if name in _BLOCK else ""

    if "<!--" in text:
        text, comments = _remove_comments(text)
    text, blocks = _remove_script_blocks(text)
    text = _TAG.sub(drop_tag, text)
    for name, value in (("tags", tags), ("comments", comments), ("script_blocks", blocks)):
        if value:
            report.detail[name] = value
    report.count += tags + comments + blocks
    return text


def _remove_comments(text: str) -> tuple[str, int]:
    """Cut `<!-- ... -->` blocks in one left-to-right pass.

    A regex like `<!--.*?-->` rescans the rest of the text from every unclosed opener (quadratic on
    `<!--<!--<!--...`); here an opener without a closer ends the search, so the work stays linear.
    """
    out: list[str] = []
    pos = cut = 0
    while (start := text.find("<!--", pos)) >= 0:
        end = text.find("-->", start + 4)
        if end < 0:
            break
        out.append(text[pos:start])
        pos = end + 3
        cut += 1
    out.append(text[pos:])
    return "".join(out), cut


def _remove_script_blocks(text: str) -> tuple[str, int]:
    """Cut `<script ...> ... </script>` and `<style>` blocks, linearly as `_remove_comments`."""
    out: list[str] = []
    pos = cut = 0
    while (opener := _SCRIPT_OPEN.search(text, pos)) is not None:
        closer = _SCRIPT_CLOSE[opener.group(1).lower()].search(text, opener.end())
        if closer is None:
            break
        out.append(text[pos : opener.start()])
        pos = closer.end()
        cut += 1
    out.append(text[pos:])
    return "".join(out), cut


def _decode_entities(text: str, report: StepReport) -> str:
    # Imported here: the html package costs ~4 ms at start-up, and most texts hold no entity.
    import html
    from html.entities import html5

    decoded = 0

    def decode(match: re.Match[str]) -> str:
        nonlocal decoded
        entity = match.group()
        # Named: the whole name, `;` included (`&notanentity;` must not become `¬anentity;`).
        value = html.unescape(entity) if entity[1] == "#" else html5.get(entity[1:], entity)
        if value == entity:  # not an entity HTML knows: leave the text as it is
            return entity
        decoded += 1
        # normalize_characters ran before this step: what it removes (`&#8203;` is a zero-width
        # space, `&#1;` a control character) must not come back through an entity.
        return _CONTROL_OR_INVISIBLE.sub("", value)

    text = _ENTITY.sub(decode, text)
    if decoded:
        report.detail["entities"] = decoded
        report.count += decoded
    return text
