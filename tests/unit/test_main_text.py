"""docproc's C extraction of a page's main text (docproc/_pagewalk.c, main_text, with the class
tests of docproc/html_rules.py) gives resiliparse's extract_plain_text(main_content=True) text,
byte for byte, on real pages and on generated markup that exercises every rule."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

from docproc import html, html_rules
from tests.unit.test_html_walk import ICWCED, PAGES, _real_pages, _walk


def _both(page: str, *, prepared: bool = True) -> tuple[str, str | None]:
    """(resiliparse's text, docproc's) for one page, after docproc's own preparation of the tree."""
    _walk()
    tree = HTMLTree.parse(page)
    if tree.body is None:
        return "", ""
    if prepared:
        html._prepare_body(tree)
    return extract_plain_text(tree, **html._EXTRACT_OPTIONS), html._main_text(tree)


@pytest.mark.parametrize("name", sorted(set(PAGES) - {"deep"}))
def test_the_same_text_as_resiliparse_on_the_walk_pages(name: str) -> None:
    theirs, ours = _both(PAGES[name])
    assert ours == theirs


def test_a_rule_of_each_kind_decides_as_resiliparse_does() -> None:
    page = (
        "<body><div class='header'>站点头部</div><div><div><div id='content'>"
        "<p>正文第一段。</p><p class='post-meta'>作者 2020</p><ul><li>甲</li><li>乙</li></ul>"
        "<div class='share-buttons'>分享</div><div style='display: none'>隐藏</div>"
        "<div aria-hidden='true'>读屏隐藏</div><span class='hidden'>类隐藏</span>"
        "<div class='comment-list'>评论</div><pre>  保留\n  格式</pre><table><tr><td>表格</td><td>内容</td></tr></table>"
        "<p>图标<i>\ue001</i>与段落符<a>¶</a></p></div></div></div>"
        "<footer>版权所有</footer></body>"
    )
    theirs, ours = _both(page, prepared=False)
    assert ours == theirs
    # a bare `header` class is not the global header's; a style is read only beside a class or id
    for kept in ("站点头部", "正文第一段。", "保留\n  格式", "表格内容", "隐藏\n"):
        assert kept in ours
    for dropped in ("作者", "分享", "读屏隐藏", "类隐藏", "评论", "版权所有", "\ue001", "¶"):
        assert dropped not in ours


def test_a_single_main_element_is_the_root() -> None:
    page = "<body><div>导航文字</div><div class='article-body'><p>只有这里。</p></div><p>页脚</p></body>"
    theirs, ours = _both(page, prepared=False)
    assert ours == theirs == "只有这里。"


@pytest.mark.skipif(not ICWCED.is_dir(), reason="../shared/corpus is not on this machine")
def test_the_same_text_as_resiliparse_on_the_real_pages() -> None:
    pages = _real_pages()
    assert len(pages) == 50
    for page in pages:
        theirs, ours = _both(page)
        assert ours == theirs


# Markup that reaches every rule: the tags they name, the classes, ids, roles and styles their
# patterns match (and near misses), lists, preformatted text, cells, skipped elements, icons.
_TAGS = [
    "div", "p", "span", "a", "ul", "ol", "li", "footer", "article", "nav", "aside", "time", "main", "h1",
    "h2", "h5", "td", "th", "tr", "table", "pre", "script", "style", "figure", "textarea", "section",
    "header", "b", "font", "label", "svg", "video", "blockquote", "dd", "form", "x-y",
]  # fmt: skip
_VOID = ["br", "hr", "img", "input"]
_CLASSES = [
    "", "article-body", "main-content", "post-content", "content", "nav", "menu-item", "breadcrumbs",
    "footer", "site-footer", "copyright", "related-posts", "comments", "comment-list", "reply",
    "search-box", "sidebar", "modal", "gallery", "print-only", "hidden", "is-hidden", "collapsed",
    "skip-link", "pagination", "next", "login", "post-meta", "byline", "share-buttons", "social", "logo",
    "ad", "ad_1f", "sponsored", "banner", "entry-content", "story", "l-header", "links", "link-list",
    "bar baz", "Article", "NAV", "x  y", "\tfooter\n", "ſidebar", "\u212aeyword", "popular", "wa", "tit",
]  # fmt: skip
_IDS = ["", "header", "footer", "right", "page-footer", "main", "content", "sidebar", "x"]
_ATTRS = [
    "", " hidden", " rel='author'", " rel=' next '", " rel='main'", " itemprop='author'",
    " aria-hidden='true'", " aria-expanded='false'", " role='navigation'", " role='main'",
    " role=' banner'", " style='display:none'", " style='color:red; visibility: hidden;'",
    " style='display :none'", " data-ad='1'", " href='/x'",
]  # fmt: skip
_TEXTS = [
    "", " ", "  \n ", "text", "文字", "字", " 字 ", "\ue000", "¶", " ¶ ", "a b  c", "长一些的文字，内容在这里。",
    "\t\tx\n\ny ", "月", "\u200b", "链接文字很多很多", "x\u3000y", "&nbsp;", "<!-- c -->",
]  # fmt: skip


def _markup(rng: random.Random, depth: int = 0) -> str:
    parts = []
    for _ in range(rng.randint(0, 4)):
        if depth < 7 and rng.random() < 0.55:
            attrs = ""
            if rng.random() < 0.6:
                attrs += f" class='{rng.choice(_CLASSES)}'"
            if rng.random() < 0.25:
                attrs += f" id='{rng.choice(_IDS)}'"
            if rng.random() < 0.3:
                attrs += rng.choice(_ATTRS)
            if rng.random() < 0.1:
                parts.append(f"<{rng.choice(_VOID)}{attrs}>")
            else:
                tag = rng.choice(_TAGS)
                parts.append(f"<{tag}{attrs}>{_markup(rng, depth + 1)}</{tag}>")
        else:
            parts.append(rng.choice(_TEXTS))
    return "".join(parts)


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 2**32))
def test_the_same_text_as_resiliparse_on_generated_markup(seed: int) -> None:
    page = f"<html><body>{_markup(random.Random(seed))}</body></html>"
    theirs, ours = _both(page, prepared=False)
    assert ours == theirs, page


# The letters of every pattern's literals (not the filter's own words: a word missing from the
# filter must still turn up here), and letters that fold to ASCII ones.
_PIECES = sorted(
    {
        piece
        for name, pattern in vars(html_rules).items()
        if isinstance(pattern, re.Pattern) and name not in ("_ANY_WORD", "_DISPLAY_CSS")
        for piece in re.findall(r"[a-z]+", re.sub(r"\\.|\[[^]]*\]", " ", pattern.pattern))
    }
    | {"x", "\u017f", "\u212a", "\xe9", "0", "f3"}
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from([*_PIECES, "-", "_", " ", "\t", ""]), max_size=8), st.booleans())
def test_the_word_filter_never_hides_a_match(parts: list[str], as_id: bool) -> None:
    """rule_bits with its word filter gives what the sixteen patterns give without it."""
    value = "".join(parts)
    key = (b"\x00" + value.encode()) if as_id else (value.encode() + b"\x00x")
    assert html_rules.rule_bits(key) == _unfiltered_bits(key)


def _unfiltered_bits(key: bytes) -> int:
    filter_ = html_rules._ANY_WORD
    try:
        html_rules._ANY_WORD = re.compile("")  # type: ignore[misc]
        return html_rules.rule_bits(key)
    finally:
        html_rules._ANY_WORD = filter_  # type: ignore[misc]


def test_rule_bits_read_resiliparse_patterns_as_re2_does() -> None:
    bits = html_rules.rule_bits
    assert bits(b"site-footer\x00") == html_rules.BOILERPLATE
    assert bits(b"\x00footer") == html_rules.LANDMARK_ID | html_rules.BOILERPLATE
    assert bits(b"\x00footer\n") == html_rules.BOILERPLATE  # RE2's `$` is the end of the text only
    assert bits(b"x\x0bnav\x00") == 0  # RE2's \s has no vertical tab
    assert bits(b"SIDEBAR\x00") == html_rules.BOILERPLATE
    assert bits("\u017fidebar\x00".encode()) == html_rules.BOILERPLATE  # long s folds to s
    assert bits(b"\x01color: red; display:none") == html_rules.STYLE_HIDDEN
    assert bits(b"tit\x00list") == 0


def test_resiliparse_extracts_where_the_nodes_are_not_as_expected() -> None:
    walk = _walk()
    tree = HTMLTree.parse("<body><p>文字</p></body>")
    # a document that does not own the body: the layout check refuses, resiliparse takes over
    other = HTMLTree.parse("<body></body>")
    assert walk.main_text(hash(tree.body), 0, hash(other.document), {}, html_rules.rule_bits) is None
    assert walk.main_text(hash(tree.body), 0, hash(tree.document), {}, html_rules.rule_bits) == "文字"


def test_nested_footers_take_time_in_proportion() -> None:
    """resiliparse climbs from every footer to body's child (quadratic in a nest of footers);
    the C pass answers each from its parent's answer. CPU time of n and 8n footers compared, as
    in test_linear_time.py: linear ~8, quadratic ~64."""
    import time

    _walk()

    def cpu(n: int) -> float:
        page = (
            "<body><div><div><div>" + "<footer>x" * n + "</footer>" * n + "<p>后</p></div></div></div></body>"
        )
        tree = HTMLTree.parse(page)
        if n <= 2_000:  # resiliparse itself takes seconds on the larger nest
            assert html._main_text(tree) == extract_plain_text(tree, **html._EXTRACT_OPTIONS)
        best = float("inf")
        for _ in range(3):
            start = time.process_time()
            html._main_text(tree)
            best = min(best, time.process_time() - start)
        return max(best, 1e-3)

    assert cpu(16_000) / cpu(2_000) < 32


def test_a_failure_of_the_c_pass_leaves_the_extraction_to_resiliparse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _walk()
    page = (
        "<body><div class='content'><p>正文第一段，内容在这里。</p></div><div class='nav'>导航</div></body>"
    )
    expected = html.extract_main_content(page)

    def broken(key: bytes) -> int:
        raise MemoryError("no memory for the rule bits")

    html._RULE_BITS.clear()
    monkeypatch.setattr(html, "rule_bits", broken)
    assert html._main_text(HTMLTree.parse(page)) is None
    assert html.extract_main_content(page) == expected
    assert "正文第一段" in expected.text and "导航" not in expected.text
