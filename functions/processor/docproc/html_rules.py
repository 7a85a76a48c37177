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
    "article", "entry", "post", "story", "content", "nav", "menu", "drop", "bread", "link", "trend",
    "recommended", "featured", "popular", "picks", "related", "read-next", "guide", "stories", "head",
    "foot", "right", "copyright", "cookie", "consent", "legal", "fcontainer", "teaser", "meta",
    "subline", "sidebar", "author", "published", "timestamp", "date", "posted", "info", "label", "tag",
    "keyword", "category", "line", "submitted", "side", "sticky", "one-third", "search", "skip",
    "scroll", "next", "prev", "permalink", "pagination", "display-none", "hidden", "invisible",
    "collapsed", "h-0", "nocontent", "expandable", "modal", "popup", "lightbox", "gallery", "carousel",
    "log", "sign", "account", "user", "ad", "sponsor", "promoted", "paid", "banner", "donate",
    "social", "share", "sharing", "syndication", "newsletter", "follow", "email", "like", "feedback",
    "engagement", "facebook", "twitter", "subscribe", "wa", "jp", "comment", "reply", "logo", "print",
)  # fmt: skip
_ANY_WORD: Final = compiled("|".join(re.escape(w) for w in sorted(set(_WORDS), key=lambda w: (-len(w), w))))

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
    if not _ANY_WORD.search(both.casefold()):  # also every empty value
        return 0
    bits = 0
    if cls and _DISPLAY.search(cls):
        bits |= DISPLAY
    if _SKIP_LINK.search(both):
        bits |= SKIP_LINK
    if cls and (_SIGNIN.search(cls) or _POST_META.search(cls) or _SOCIAL.search(cls)):
        bits |= ACCOUNT_META_SOCIAL
    if _LOGO.search(both) or _ADS.search(both):
        bits |= LOGO_ADS
    if _ARTICLE.search(both):
        bits |= ARTICLE
    if id_ and _LANDMARK_ID.search(id_):
        bits |= LANDMARK_ID
    if any(p.search(both) for p in _BOILERPLATE):
        bits |= BOILERPLATE
    return bits
