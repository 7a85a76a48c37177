"""HTML page -> main text (title, body paragraphs) and the page's own metadata.

Resiliparse's main-content extraction (native, ~8 MB/s) is used: on the icwced gold pages it scores
the best F1 of the candidates measured, at 16x trafilatura's speed and a fraction of its size
(docs/cleaning-input.md). Resiliparse is imported on the first HTML page only. Its parser builds
the tree; its main-content rules and its rendering run in docproc's C module where that is built
(`_main_text`: the same text, a sixth of the time), and in resiliparse itself otherwise.

Before that extraction, three kinds of blocks its heuristics let through are taken out of the
DOM (one linear walk measures every element: in C over resiliparse's own nodes where
docproc/_pagewalk.c is built, in Python otherwise, with the same figures):
- link-dense blocks: navigation columns, "related articles" and ad link lists, archive lists;
- the later posts of a thread or blog listing: the first post is the page's content, the
  replies or older posts after it are not (see `_later_posts`);
- entry forms: reply, search and login boxes (see `_entry_forms`).
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

from docproc.html_rules import MAIN_ROOT_SELECTOR, rule_bits
from docproc.native import native
from docproc.patterns import compiled

# Meta tags that carry the author and the publication date, most specific first.
_AUTHOR_SELECTORS: Final = ('meta[name="author"]', 'meta[property="article:author"]', 'meta[name="Author"]')
_DATE_SELECTORS: Final = (
    'meta[property="article:published_time"]',
    'meta[name="pubdate"]',
    'meta[name="publishdate"]',
    'meta[name="PubDate"]',
    'meta[itemprop="datePublished"]',
    'meta[name="date"]',
)
# Main-content settings chosen on icwced (F1 0.859 with defaults -> 0.867, resiliparse 0.14.5):
# user comments, image alt texts, list bullets and link targets are not the article's text.
# 0.14.5 is the last release with manylinux2014 wheels (Lambda python3.11 runs on glibc 2.26); it
# has no `post_meta` switch, which gained 2.0's extraction nothing on icwced anyway.
_EXTRACT_OPTIONS: Final[dict[str, Any]] = {
    "main_content": True,
    "comments": False,
    "alt_texts": False,
    "list_bullets": False,
    "links": False,
}


# Main-content extraction is quadratic in nesting depth (4 000 levels: 0.5 s, 20 000: a minute),
# so a page nested deeper than any real one gets the linear whole-page extraction instead.
# Real pages stay far below this; tags with optional end tags (p, li, td, font) are not counted,
# so sloppy markup does not look deep.
_MAX_MAIN_CONTENT_DEPTH: Final = 1000
_NESTING_TAG: Final = compiled(r"<(/?)(?:div|section|article|table|blockquote|ul|ol|span)\b", re.IGNORECASE)

# Elements whose text is never shown: not measured.
_HIDDEN_TAGS: Final = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "select", "option", "textarea"}
)

# A link-dense block: most of its text is link text, it has several links and no run of plain
# text long enough to be a sentence of the article. Measured on icwced (F1 0.901 -> 0.922 on
# its own; 0.6 to 0.8, 2 to 4 links and 20 to 60 characters all score within 0.002).
LINK_DENSITY: Final = 0.7  # link characters / all characters of the block
LINK_BLOCK_MIN_LINKS: Final = 3
LINK_BLOCK_MAX_PLAIN: Final = 40  # a plain text run this long (non-blank characters) is content
_BLOCK_TAGS: Final = frozenset(
    {
        "div", "p", "td", "tr", "tbody", "table", "ul", "ol", "li", "dl", "dd", "dt", "section",
        "aside", "nav", "header", "footer", "form", "center", "span", "font",
    }
)  # fmt: skip

FORM_MAX_CHARS: Final = 200  # plain characters: a form with more text is (or wraps) content
FORM_MAX_SHARE: Final = 0.5  # ... and so is one holding half the page's plain text
_TEXT_FIELDS: Final = 'textarea, select, input:not([type]), input[type="text"], input[type="password"]'

# A thread or a blog listing: POST_LIST_MIN or more posts, each stamped with a date and time at
# the same place in the same markup (`楼层： 第 2 楼 时间：2005-08-28 23:38:58`, `〓 发布时间
# 2005/03/16 01:08:28 by ...`, a post title's `2005-03-18 01:58:01`). The first post is the page's
# main text; the replies and older posts after it are not (the icwced gold keeps the first post).
# A list of related links also stamps each item, but its first item is a link, not a post of
# FIRST_POST_MIN_CHARS plain characters: such lists are left to the link-density rule.
POST_LIST_MIN: Final = 3
FIRST_POST_MIN_CHARS: Final = 100
MAX_STAMP_TEXT: Final = 120  # a text node this long is a paragraph that mentions a time, not a stamp
MAX_STAMPS: Final = 1000  # a thread page has far fewer posts; bounds the ancestor chains built
_STAMP: Final = compiled(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s{0,3}\d{1,2}:\d{2}")
_POST_TAGS: Final = frozenset(
    {"div", "table", "tbody", "tr", "td", "li", "ul", "ol", "dl", "section", "article"}
)


# Resiliparse's main-content mode drops a text node (or an inline element holding one) whose only
# character takes three UTF-8 bytes, taking it for an icon-font glyph from the Private Use Area:
# its range test compares the three bytes as one little-endian number, which every CJK character
# passes. Word-exported pages put single characters in their own spans (`2<span>月</span>2日`), so
# `2月2日` came out as `22日`. Such a node gets this invisible mark appended before extraction
# (three more bytes: not an icon) and the mark is removed from the text right after.
_KEEP_MARK: Final = "\u200b"
_PUA: Final = ("\ue000", "\uf8ff")


@dataclass(slots=True)
class Extracted:
    text: str  # the title line (when the body does not start with it), then the main-content paragraphs
    metadata: dict[str, str] = field(default_factory=dict)  # title / author / published, when found
    # blocks taken out before extraction, by rule: link_blocks, later_posts (and their characters)
    removed: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Measured:
    """Every element under <body> in document order (a parent before its descendants), with what
    its subtree holds. Parallel lists indexed by element number (0 is <body>)."""

    node: Callable[[int], Any]  # element number -> its DOMNode
    parent: list[int] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    chars: list[int] = field(default_factory=list)  # non-blank characters of text
    link_chars: list[int] = field(default_factory=list)  # ... of them inside <a href>
    links: list[int] = field(default_factory=list)  # <a href> elements
    longest_plain: list[int] = field(default_factory=list)  # longest text node outside links
    stamps: list[int] = field(default_factory=list)  # elements with a short text holding a date and time
    lone_chars: list[tuple[int, Any]] = field(default_factory=list)  # (parent, text node): see _KEEP_MARK


@cache
def _resiliparse() -> tuple[Any, Any]:
    """(extract_plain_text, HTMLTree), imported on the first page: an import in the function
    itself looked the modules up again on every page (compiled, a call into the import system)."""
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return extract_plain_text, HTMLTree


def extract_main_content(page: str) -> Extracted:
    """Extract the main text of an HTML page with its title, author and date. Never raises."""
    extract_plain_text, HTMLTree = _resiliparse()
    removed: dict[str, int] = {}
    try:
        tree = HTMLTree.parse(page)
        if _nesting_depth(page) > _MAX_MAIN_CONTENT_DEPTH:
            body = extract_plain_text(tree, main_content=False)
        else:
            if tree.body is not None:
                try:
                    removed = _prepare_body(tree)
                except Exception:  # the extraction without these rules beats no text at all
                    tree, removed = HTMLTree.parse(page), {"prepare_failed": 1}
            body = _main_text(tree)
            if body is None:
                body = extract_plain_text(tree, **_EXTRACT_OPTIONS)
            body = body.replace(_KEEP_MARK, "")
    except Exception:  # a page the parser cannot read is an empty page, not a crashed batch
        return Extracted("", {})
    metadata: dict[str, str] = {}
    title = " ".join((tree.title or "").split())
    if title:
        metadata["title"] = title
    author = _first_meta(tree, _AUTHOR_SELECTORS)
    if author:
        metadata["author"] = author
    published = _first_meta(tree, _DATE_SELECTORS)
    if published:
        metadata["published"] = published
    return Extracted(body.strip(), metadata, removed)


def _prepare_body(tree: Any) -> dict[str, int]:
    """Take link-dense blocks, a thread's later posts and entry forms out of the tree and mark
    lone characters to keep; say what went."""
    m = _measure(tree)
    kinds: dict[int, str] = {i: "later_posts" for i in _later_posts(m)}
    for i in _link_dense_blocks(m):
        kinds.setdefault(i, "link_blocks")
    for i in _entry_forms(m):
        kinds.setdefault(i, "forms")
    doomed, inside = _outermost(m, kinds)
    # Every node to change is found before the first change: a removed subtree is freed, and
    # nothing inside it may be touched.
    kept = [(m.node(p), node) for p, node in m.lone_chars if not inside[p]]
    doomed_nodes = [m.node(i) for i in doomed]
    removed: dict[str, int] = {}
    for parent, node in kept:
        parent.replace_child(tree.create_text_node(node.text + _KEEP_MARK), node)
    if kept:
        removed["lone_chars_kept"] = len(kept)
    for i, node in zip(doomed, doomed_nodes, strict=True):
        kind = kinds[i]
        removed[kind] = removed.get(kind, 0) + 1
        removed[f"{kind}_chars"] = removed.get(f"{kind}_chars", 0) + m.chars[i]
        node.decompose()
    return removed


# Rule bits by class-and-id (or style) value, across pages: a site's pages share their markup.
_RULE_BITS: dict[bytes, int] = {}
_RULE_BITS_MAX: Final = 20_000  # entries, about 2 MB; emptied when full


def _main_text(tree: Any) -> str | None:
    """extract_plain_text(tree, **_EXTRACT_OPTIONS), the same text, from the C page walk's module
    (docproc/_pagewalk.c, main_text: several times faster); None where it is not built or
    lexbor's nodes are not laid out as it reads them, and resiliparse extracts instead."""
    walk = _page_walk()
    if walk is None:
        return None
    body = tree.body
    candidates = body.query_selector_all(MAIN_ROOT_SELECTOR)  # lexbor's own CSS matching
    root = hash(candidates[0]) if len(candidates) == 1 else 0
    if len(_RULE_BITS) > _RULE_BITS_MAX:
        _RULE_BITS.clear()
    try:
        text: str | None = walk.main_text(hash(body), root, hash(tree.document), _RULE_BITS, rule_bits)
    except Exception:  # resiliparse's own extraction gives the same text: never a lost page
        return None
    return text


@cache
def _page_walk() -> Any:
    """The page walk's C module (docproc/_pagewalk.c), or None where it is not built."""
    try:
        return importlib.import_module("docproc._pagewalk")
    except ImportError:
        return None


def _measure(tree: Any) -> _Measured:
    walk = _page_walk()
    return _measure_in_python(tree.body) if walk is None else _measure_in_c(tree, walk)


def _measure_in_c(tree: Any, walk: Any) -> _Measured:
    """_measure_in_python's figures from the C walk over the same nodes; DOMNodes are made only
    for the elements the rules then read or change."""
    body = tree.body
    figures = walk.page_walk(hash(body), hash(tree.document), _HIDDEN_TAGS, MAX_STAMP_TEXT)
    tags, parents, chars, link_chars, links, longest, ordinals, addresses, stamp_texts, lone = figures
    m = _Measured(_ElementFinder(body, ordinals, addresses), parents, tags, chars, link_chars, links, longest)
    m.stamps = sorted({i for i, text in stamp_texts if _STAMP.search(text)})
    # Lone characters: the DOMNode of each text node, from its parent's children (found once each).
    children: dict[int, dict[int, Any]] = {}
    for i, address, char in lone:
        if _is_lone_word_char(char):
            if i not in children:
                children[i] = {hash(c): c for c in m.node(i).child_nodes}
            m.lone_chars.append((i, children[i][address]))
    return m


class _ElementFinder:
    """Element number -> DOMNode, through the page's elements in document order (the C walk
    gives each element's place among them), each checked against the node the walk read."""

    def __init__(self, body: Any, ordinals: list[int], addresses: list[int]) -> None:
        self.body = body
        self.ordinals = ordinals
        self.addresses = addresses
        self.elements: Any = None

    def __call__(self, i: int) -> Any:
        if i == 0:
            return self.body
        if self.elements is None:
            self.elements = self.body.get_elements_by_tag_name("*")
        node = self.elements[self.ordinals[i]]
        if hash(node) != self.addresses[i]:
            raise RuntimeError(f"page walk: element {i} is not where the walk found it")
        return node


def _measure_in_python(body: Any) -> _Measured:
    """One iterative walk (pages nest deeper than Python's recursion limit) that reads each node
    once, then one backward pass that adds each element's figures to its parent's."""
    nodes: list[Any] = []
    m = _Measured(nodes.__getitem__)
    # bound methods: this loop runs once per element of the page
    add_node, add_parent, add_tag = nodes.append, m.parent.append, m.tag.append
    add_chars, add_link_chars, add_links, add_longest = (
        m.chars.append,
        m.link_chars.append,
        m.links.append,
        m.longest_plain.append,
    )
    stamp_search = _STAMP.search
    stack: list[tuple[Any, str, int, bool]] = [(body, body.tag, -1, False)]
    pop, push = stack.pop, stack.append
    i = -1
    while stack:
        node, tag, parent, in_link = pop()
        i += 1
        link = tag == "a" and node.hasattr("href")  # `<a name=...>` anchors are not links
        in_link = in_link or link
        chars = longest = 0
        stamped = False
        lone: list[tuple[int, Any]] = []
        # Children last to first, through the sibling links (no list of child nodes built):
        # pushed in this order, they pop in document order.
        child = node.last_child
        while child is not None:
            # The tag tells the node's type too (`#text`, `#comment`; an element's name starts
            # with a letter): one property read a child, not two and an enum.
            child_tag = child.tag
            if child_tag == "#text":
                raw = child.text
                if not raw.isspace():
                    n = len("".join(raw.split()))
                    chars += n
                    if n == 1 and _is_lone_word_char(raw.strip()):
                        lone.append((i, child))
                    if n > longest and not in_link:
                        longest = n
                    if not stamped and len(raw) <= MAX_STAMP_TEXT and stamp_search(raw):
                        stamped = True
            elif child_tag and child_tag[0] != "#" and child_tag not in _HIDDEN_TAGS:
                push((child, child_tag, i, in_link))
            child = child.prev
        if lone:
            m.lone_chars.extend(reversed(lone))
        add_node(node)
        add_parent(parent)
        add_tag(tag)
        add_chars(chars)
        add_link_chars(chars if in_link else 0)
        add_links(1 if link else 0)
        add_longest(longest)
        if stamped:
            m.stamps.append(i)
    for i in range(len(nodes) - 1, 0, -1):
        p = m.parent[i]
        m.chars[p] += m.chars[i]
        m.link_chars[p] += m.link_chars[i]
        m.links[p] += m.links[i]
        if m.longest_plain[i] > m.longest_plain[p]:
            m.longest_plain[p] = m.longest_plain[i]
    return m


def _link_dense_blocks(m: _Measured) -> list[int]:
    return [
        i
        for i in range(1, len(m.parent))
        if m.tag[i] in _BLOCK_TAGS
        and m.links[i] >= LINK_BLOCK_MIN_LINKS
        and m.link_chars[i] >= LINK_DENSITY * m.chars[i]
        and m.longest_plain[i] < LINK_BLOCK_MAX_PLAIN
    ]


def _entry_forms(m: _Measured) -> list[int]:
    """Forms with a text field and little text: reply boxes, search boxes, login and mail-a-friend
    forms, whose labels (`您的Email:`, `留言：`) are not content. A form wrapping a whole page (as
    ASP.NET pages do) holds the article's text and stays."""
    page_plain = m.chars[0] - m.link_chars[0]
    return [
        i
        for i in range(1, len(m.parent))
        if m.tag[i] == "form"
        and (plain := m.chars[i] - m.link_chars[i]) < FORM_MAX_CHARS
        and plain <= FORM_MAX_SHARE * page_plain  # a short page inside one form keeps its text
        and m.node(i).query_selector(_TEXT_FIELDS) is not None
    ]


def _ancestors(m: _Measured, i: int) -> list[int]:
    """Element numbers from <body> down to element i."""
    out: list[int] = []
    p = i
    while p >= 0:
        out.append(p)
        p = m.parent[p]
    out.reverse()
    return out


def _later_posts(m: _Measured) -> list[int]:
    """The nodes from a thread's second post to the end of the thread's container."""
    groups: dict[tuple[str, ...], list[list[int]]] = {}
    for s in m.stamps[:MAX_STAMPS]:
        chain = _ancestors(m, s)
        key = tuple(f"{m.tag[j]}.{m.node(j).class_name}" for j in chain)
        groups.setdefault(key, []).append(chain)
    out: list[int] = []
    children: dict[int, list[int]] = {}  # built on the first thread found: one pass over the nodes
    for chains in groups.values():
        if len(chains) < POST_LIST_MIN:
            continue
        # The posts are the children of the stamps' deepest common ancestor, one stamp in each.
        depth = 0
        while depth < len(chains[0]) and all(c[depth] == chains[0][depth] for c in chains):
            depth += 1
        if depth == len(chains[0]):
            continue  # all stamps inside one element: not one per post
        posts = [c[depth] for c in chains]
        if len(set(posts)) < len(posts) or m.tag[posts[0]] not in _POST_TAGS:
            continue
        if not children:
            for j in range(1, len(m.parent)):
                children.setdefault(m.parent[j], []).append(j)
        siblings = children[m.parent[posts[0]]]
        siblings = siblings[siblings.index(posts[0]) :]
        # The first post runs from its stamp's element to the second's: a stamp in the post's
        # header has the post's text in the siblings that follow it.
        first = siblings[: siblings.index(posts[1])]
        if sum(m.chars[j] - m.link_chars[j] for j in first) < FIRST_POST_MIN_CHARS:
            continue  # a list of stamped links, not a thread
        out.extend(siblings[len(first) :])
    return out


def _outermost(m: _Measured, chosen: dict[int, str]) -> tuple[list[int], list[bool]]:
    """The chosen nodes that are not inside another chosen node, in document order, and for
    every node whether it is (or is inside) a chosen one."""
    inside = [False] * len(m.parent)
    out: list[int] = []
    for i in range(1, len(m.parent)):
        if inside[m.parent[i]]:
            inside[i] = True
        elif i in chosen:
            inside[i] = True
            out.append(i)
    return out, inside


def _is_lone_word_char(char: str) -> bool:
    """A character resiliparse would drop standing alone (three UTF-8 bytes) that is a letter,
    a digit or a punctuation mark rather than an icon (`月`, `是`, `。`; not `→` or a PUA glyph)."""
    return (
        len(char) == 1
        and "\u0800" <= char <= "\uffff"
        and not _PUA[0] <= char <= _PUA[1]
        and unicodedata.category(char)[0] in "LNP"
    )


def _nesting_depth(page: str) -> int:
    """Deepest nesting of container tags, in one linear scan."""
    if page.count("<") <= _MAX_MAIN_CONTENT_DEPTH:  # cannot be deeper than it has tags
        return 0
    if native is not None:  # the same scan in C: no match object a tag
        peak_in_c: int = native.container_depth(page)
        return peak_in_c
    depth = peak = 0
    for match in _NESTING_TAG.finditer(page):
        if match.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            peak = max(peak, depth)
    return peak


def _first_meta(tree: Any, selectors: tuple[str, ...]) -> str:
    head = tree.head
    if head is None:
        return ""
    for selector in selectors:
        try:
            node = head.query_selector(selector)
        except Exception:  # selector support varies by version: treat as absent
            continue
        if node is not None:
            value = " ".join((node.getattr("content") or "").split())
            if value:
                return value[:200]
    return ""
