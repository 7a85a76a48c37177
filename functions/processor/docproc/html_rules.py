"""The class, id and style tests of resiliparse's main-content rules, for docproc's C extraction.

docproc/_pagewalk.c (`main_text`) applies resiliparse 0.14.5's main-content rules and renders
the text kept, as `extract_plain_text(main_content=True)` does; the attribute tests of those
rules are regular expressions, evaluated here once per distinct attribute value and cached.
The patterns are resiliparse's (resiliparse/extract/html2text.pyx, Apache-2.0, Copyright 2021
Janek Bevendorff), written in RE2's syntax and translated by `_re2`: RE2's `\\s` is ASCII
whitespace without the vertical tab and its `$` is the end of the text only. Both engines fold
case by Unicode's simple folding (`K` for the Kelvin sign, `s` for the long s).
"""

from __future__ import annotations

import re
from typing import Final

from docproc.patterns import compiled

# Bits of `rule_bits`, in the order the rules read them (docproc/_pagewalk.c, is_main_content).
DISPLAY: Final = 1  # class: hidden, collapsed, ...
SKIP_LINK: Final = 2  # class or id: skip links, pagination, permalinks (on a, div, li)
ACCOUNT_META_SOCIAL: Final = 4  # class: sign-in, post metadata, sharing (below depth 2)
LOGO_ADS: Final = 8  # class or id
ARTICLE: Final = 16  # class or id: the article itself (block elements)
LANDMARK_ID: Final = 32  # id: header, footer, right
BOILERPLATE: Final = 64  # class or id: header, footer, navigation, related, comments, ...
STYLE_HIDDEN: Final = 128  # style: display:none, visibility:hidden

# The element resiliparse extracts from when exactly one matches (else <body>).
MAIN_ROOT_SELECTOR: Final = (
    ".article-body, .articleBody, .contentBody, .article-text,.main-content, .postcontent, .post-content,"
    ' .single-post,[role="main"]'
)

_RE2_SPACE: Final = "\t\n\f\r "


def _re2(pattern: str) -> re.Pattern[str]:
    """An RE2 pattern (case-insensitive, no multi-line) as Python's `re` reads the same."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            pair = pattern[i : i + 2]
            if pair == r"\s":
                out.append(_RE2_SPACE if in_class else f"[{_RE2_SPACE}]")
            else:
                out.append(pair)
            i += 2
            continue
        if c == "[" and not in_class:
            in_class = True
        elif c == "]" and in_class:
            in_class = False
        elif c == "$" and not in_class:
            c = r"\Z"
        out.append(c)
        i += 1
    return compiled("".join(out), re.IGNORECASE)


_ARTICLE = _re2(
    r"(?:^|[\s_-])(?:article|entry|post|story|single[_-]?post|main[_-]content)(?:content|"
    r"body|text|page)?(?:$|[\s_-])"
)
_NAV = _re2(
    r"(?:^|\s)(?:(?:l|m|wp|main|site|page|sub|article|global|sticky|"
    r"main)[_-]*)?(?:nav(?:igation)?|menu(?:[_-]item)?|drop[_-]?down|"
    r"bread[_-]?crumbs?)|(?:links?[_-]?(?:bar|box|list|container|section|"
    r"wrapp(?:er))?)(?:$|[\s_-])"
)
_RECOMMENDED = _re2(
    r"(?:^|[\s_-])(?:trends|trending|recommended|featured|popular|editors?[_-]picks|"
    r"related|read-next|(?:related|more|other)[_-]?(?:links|articles|"
    r"posts|guides|stories))(?:$|[\s_-])"
)
_LANDMARK_ID = _re2(r"^(?:(?:l|wp|global|page|site|full|sticky)[_-]*)?(?:(?:head|foot)(?:er)?|right)$")
_HEADER = _re2(
    r"(?:^|\s)(?:l|m|wp|global|page|site|full|sticky)[_-]*header(?:[_-]?wrap(?:per)?|"
    r"bar)?(?:$|\s)"
)
_FOOTER = _re2(
    r"(?:^|[\s_-])(?:global|page|site|copyright)?(?:footer|copyright|"
    r"cookie|consent|legal|fcontainer)(?:$|[\s_-])"
)
_POST_META = _re2(
    r"(?:^|[\s_-])(?:(?:post|entry|article(?:page)?|content|story|section)[_-]*(?:text[_-]*)?(?:footer|"
    r"teaser|meta(?:[_-]?data)?|subline|sidebar|author(?:name)?|published|"
    r"timestamp|date|posted[_-]?on|info|labels?|tags?|keywords|category)|"
    r"by[_-]?line|date[_-]?line|author-date|submitted(?:-by)?)|meta[_-]?data(?:$|"
    r"[\s_-])"
)
_SIDEBAR = _re2(
    r"(?:^|\s)(?:(?:l|wp|right|left|global|sticky)[_-]*)?(?:(?:side|"
    r"sticky)[_-]?(?:bars?|box)|one-third)(?:$|[\s_-])"
)
_SEARCH = _re2(r"(?:^|[\s_-])search(?:[_-]?(?:bar|facility|box))?(?:$|\s)")
_SKIP_LINK = _re2(
    r"(?:^|\s)(?:link[_-]?)?(?:skip(?:[_-]?(?:to|link))?|scroll[_-]?(?:up|"
    r"down)|next|prev(?:ious)?|permalink|pagination)(?:$|\s|[_-]?(?:post|"
    r"article))"
)
_DISPLAY = _re2(
    r"(?:^|\s)(?:is[_-])?(?:display-none|hidden|invisible|collapsed|"
    r"h-0|nocontent|expandable)(?:-xs|-sm|-lg|-2?xl)?(?:$|\s)"
)
_DISPLAY_CSS = _re2(r"(?:^|;\s*)(?:display\s?:\s?none|visibility\s?:\s?hidden)(?:$|\s?;)")
_MODAL = _re2(r"(?:^|\s)(?:wp-|p-|-l)?(?:modal|popup|lightbox)(?:[_-]*(?:window|pane|box))?(?:$|[\s_-])")
_GALLERY = _re2(r"(?:^|[\s_-])(?:gallery|carousel)(?:$|[\s_-])")
_SIGNIN = _re2(
    r"(?:^|[\s_-])(?:(?:log[_-]?in|sign[_-]?(?:in|up)|account)|user[_-](?:info|"
    r"profile|settings|actions))(?:$|[\s_-])"
)
_ADS = _re2(
    r"(?:^|\s)(?:(?:google|wide)[_-]?ads?|ad(?:vert|vertise(?:ment|"
    r"link)?|$|_[a-f0-9]+)|sponsor(?:ed)?|promoted|paid|(?:wide)?banner|"
    r"donate)(?:$|[\s_-])"
)
_SOCIAL = _re2(
    r"(?:^|\s|__|--|mobile-|desktop-|l-|m-|c-)(?:social(?:media|search)?|"
    r"share(?:daddy)?|syndication|newsletter|sharing|follow|email|likes?|"
    r"(?:give[_-]?)?feedback|(?:brand[_-])?engagement|facebook|twitter|"
    r"subscribe|wa|jp|aptf-follow)(?:[_-]?(?:post|links?|section|icons?|"
    r"btn|buttons?|target))?(?:$|[\s_-])"
)
_COMMENTS = _re2(
    r"(?:^|[\s_-])(?:(?:article|user|post)[_-]*)?(?:(?:no[_-]?)?comments?|"
    r"comment[_-]?list|reply)(?:$|[\s_-])"
)
_LOGO = _re2(r"(?:brand(?:ing)?[_-]*)?logo(?:$|\s)")
_PRINT = _re2(r"(?:^|\s)print[_-]")

# Words one of which every class and id test needs (in its case-folded text): nine class-and-id
# pairs in ten of the benchmark's pages hold none of them, and one search of plain words
# decides those instead of sixteen patterns (tests/unit/test_main_text.py checks the filter).
_WORDS: Final = (
    "a", "r", "t", "i", "c", "l", "e", "e", "n", "t", "r", "y", "p", "o", "s", "t", "s", "t", "o", "r",
    "y", "c", "o", "n", "t", "e", "n", "t", "n", "a", "v", "m", "e", "n", "u", "d", "r", "o", "p", "b",
    "r", "e", "a", "d", "l", "i", "n", "k", "t", "r", "e", "n", "d", "r", "e", "c", "o", "m", "m", "e",
    "n", "d", "e", "d", "f", "e", "a", "t", "u", "r", "e", "d", "p", "o", "p", "u", "l", "a", "r", "p",
    "i", "c", "k", "s", "r", "e", "l", "a", "t", "e", "d", "r", "e", "a", "d", "-", "n", "e", "x", "t",
    "g", "u", "i", "d", "e", "s", "t", "o", "r", "i", "e", "s", "h", "e", "a", "d", "f", "o", "o", "t",
    "r", "i", "g", "h", "t", "c", "o", "p", "y", "r", "i", "g", "h", "t", "c", "o", "o", "k", "i", "e",
    "c", "o", "n", "s", "e", "n", "t", "l", "e", "g", "a", "l", "f", "c", "o", "n", "t", "a", "i", "n",
    "e", "r", "t", "e", "a", "s", "e", "r", "m", "e", "t", "a", "s", "u", "b", "l", "i", "n", "e", "s",
    "i", "d", "e", "b", "a", "r", "a", "u", "t", "h", "o", "r", "p", "u", "b", "l", "i", "s", "h", "e",
    "d", "t", "i", "m", "e", "s", "t", "a", "m", "p", "d", "a", "t", "e", "p", "o", "s", "t", "e", "d",
    "i", "n", "f", "o", "l", "a", "b", "e", "l", "t", "a", "g", "k", "e", "y", "w", "o", "r", "d", "c",
    "a", "t", "e", "g", "o", "r", "y", "l", "i", "n", "e", "s", "u", "b", "m", "i", "t", "t", "e", "d",
    "s", "i", "d", "e", "s", "t", "i", "c", "k", "y", "o", "n", "e", "-", "t", "h", "i", "r", "d", "s",
    "e", "a", "r", "c", "h", "s", "k", "i", "p", "s", "c", "r", "o", "l", "l", "n", "e", "x", "t", "p",
    "r", "e", "v", "p", "e", "r", "m", "a", "l", "i", "n", "k", "p", "a", "g", "i", "n", "a", "t", "i",
    "o", "n", "d", "i", "s", "p", "l", "a", "y", "-", "n", "o", "n", "e", "h", "i", "d", "d", "e", "n",
    "i", "n", "v", "i", "s", "i", "b", "l", "e", "c", "o", "l", "l", "a", "p", "s", "e", "d", "h", "-",
    "0", "n", "o", "c", "o", "n", "t", "e", "n", "t", "e", "x", "p", "a", "n", "d", "a", "b", "l", "e",
    "m", "o", "d", "a", "l", "p", "o", "p", "u", "p", "l", "i", "g", "h", "t", "b", "o", "x", "g", "a",
    "l", "l", "e", "r", "y", "c", "a", "r", "o", "u", "s", "e", "l", "l", "o", "g", "s", "i", "g", "n",
    "a", "c", "c", "o", "u", "n", "t", "u", "s", "e", "r", "a", "d", "s", "p", "o", "n", "s", "o", "r",
    "p", "r", "o", "m", "o", "t", "e", "d", "p", "a", "i", "d", "b", "a", "n", "n", "e", "r", "d", "o",
    "n", "a", "t", "e", "s", "o", "c", "i", "a", "l", "s", "h", "a", "r", "e", "s", "h", "a", "r", "i",
    "n", "g", "s", "y", "n", "d", "i", "c", "a", "t", "i", "o", "n", "n", "e", "w", "s", "l", "e", "t",
    "t", "e", "r", "f", "o", "l", "l", "o", "w", "e", "m", "a", "i", "l", "l", "i", "k", "e", "f", "e",
    "e", "d", "b", "a", "c", "k", "e", "n", "g", "a", "g", "e", "m", "e", "n", "t", "f", "a", "c", "e",
    "b", "o", "o", "k", "t", "w", "i", "t", "t", "e", "r", "s", "u", "b", "s", "c", "r", "i", "b", "e",
    "w", "a", "j", "p", "c", "o", "m", "m", "e", "n", "t", "r", "e", "p", "l", "y", "l", "o", "g", "o",
    "p", "r", "i", "n", "t",
)  # fmt: skip
_ANY_WORD: Final = compiled("|".join(sorted(set(_WORDS), key=len, reverse=True)))

# Section 4's blacklist after the article whitelist, in resiliparse's order (all say "not main").
_BOILERPLATE: Final = (
    _HEADER, _FOOTER, _NAV, _RECOMMENDED, _COMMENTS, _SEARCH, _SIDEBAR, _MODAL, _GALLERY, _PRINT,
)  # fmt: skip


def rule_bits(key: bytes) -> int:
    """`class NUL id` -> the bits its class and id set; `SOH style` -> STYLE_HIDDEN or 0."""
    text = key.decode("utf-8", "surrogateescape")
    if text.startswith("\x01"):
        return STYLE_HIDDEN if _DISPLAY_CSS.search(text[1:]) else 0
    cls, _, id_ = text.partition("\x00")
    both = f"{cls} {id_}" if cls else id_
    if not _ANY_WORD.search(both.casefold()):
        return 0
    bits = 0
    if cls and _DISPLAY.search(cls):
        bits |= DISPLAY
    if both and _SKIP_LINK.search(both):
        bits |= SKIP_LINK
    if cls and (_SIGNIN.search(cls) or _POST_META.search(cls) or _SOCIAL.search(cls)):
        bits |= ACCOUNT_META_SOCIAL
    if both and (_LOGO.search(both) or _ADS.search(both)):
        bits |= LOGO_ADS
    if both and _ARTICLE.search(both):
        bits |= ARTICLE
    if id_ and _LANDMARK_ID.search(id_):
        bits |= LANDMARK_ID
    if both and any(p.search(both) for p in _BOILERPLATE):
        bits |= BOILERPLATE
    return bits
