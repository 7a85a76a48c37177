"""The page walk in C (docproc/_pagewalk.c) measures what the walk in Python measures, on the same
resiliparse tree, and the elements the rules change are the ones it measured."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from resiliparse.parse.html import HTMLTree

from docproc import html
from docproc.decode import Decoded, decode_document

HAS_COMPILER = shutil.which(os.environ.get("CC", "cc").split()[0]) is not None
ICWCED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "icwced" / "original"

# What the rules read: hidden elements, links and anchors, lone characters (kept, or icons and
# the Private Use Area), time stamps in short and long texts, Unicode spaces, comments,
# templates, forms, nesting.
PAGES = {
    "article": (
        "<html><head><title>标题</title><script>var x = '<p>不是</p>';</script></head><body>"
        "<nav><a href='/'>首页</a> | <a href='/a'>新闻</a> | <a href='/b'>体育</a></nav>"
        "<div class='post'><span>楼层： 第 1 楼 时间：2005-08-28 23:38:58</span><p>正文第一段，"
        + "内容"
        * 60
        + "</p></div><div class='post'><span>时间：2005-08-29 10:00:01</span><p>回复</p></div>"
        "<div class='post'><span>时间：2005-08-30 11:00:01</span><p>又一回复</p></div>"
        "<p>2<span>月</span>2日 <i>→</i><b>\ue001</b><u> 。 </u><a name='top'>锚</a></p>"
        "<form><label>留言：</label><textarea>写点什么</textarea><input type='text'></form>"
        "<select><option>一</option><option>二</option></select><noscript><i>请开启</i></noscript>"
        "<template><p>模板</p></template><!-- 注释 2005-01-01 10:00 -->"
        "<p>\u3000\u3000全角空格\xa0与不换行空格 time 12:30 in a longer text "
        + "x" * 130
        + "</p><p>short 1:23</p></body></html>"
    ),
    "nested_links": "<body><a href='#'><span>外<a href='/in'>内</a></span></a><div><a>无链接</a></div></body>",
    "custom_tags": "<body>" + "".join(f"<x-tag{i}>t{i}</x-tag{i}>" for i in range(700)) + "</body>",
    "deep": "<body>" + "<div>" * 3000 + "深" + "</div>" * 3000 + "</body>",
    "svg": "<body><svg><foreignObject><p>文字</p></foreignObject><a href='x'>svg链接</a></svg><o:p>字</o:p></body>",
    "empty_body": "<html><body></body></html>",
    "text_only_body": "<body>   \n\t </body>",
}


def _real_pages(limit: int | None = None) -> list[str]:
    """The icwced pages (../shared/corpus), decoded as the pipeline decodes them; none without it."""
    pages = []
    for path in sorted(ICWCED.glob("*.html"))[:limit]:
        decoded = decode_document(path.read_bytes(), "text/html")
        assert isinstance(decoded, Decoded)
        pages.append(decoded.text)
    return pages


def _walk() -> Any:
    walk = html._page_walk()
    if walk is None:
        if HAS_COMPILER:
            pytest.fail("a compiler is here, but docproc/_pagewalk.c was not built (make builds it)")
        pytest.skip("no C compiler on this machine: the page walk runs in Python only")
    return walk


def _figures(m: html._Measured) -> dict[str, Any]:
    """Everything a walk measured, with each element and lone text node as its node address."""
    return {
        "parent": m.parent,
        "tag": m.tag,
        "chars": m.chars,
        "link_chars": m.link_chars,
        "links": m.links,
        "longest_plain": m.longest_plain,
        "stamps": m.stamps,
        "lone_chars": [(p, hash(node)) for p, node in m.lone_chars],
        "nodes": [hash(m.node(i)) for i in range(len(m.parent))],
    }


def _assert_same_walk(page: str) -> html._Measured:
    walk = _walk()
    tree = HTMLTree.parse(page)
    if tree.body is None:
        return html._measure_in_python(tree.body)
    in_c = html._measure_in_c(tree, walk)
    assert _figures(in_c) == _figures(html._measure_in_python(tree.body))
    return in_c


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_c_walk_measures_what_the_python_walk_measures(name: str) -> None:
    _assert_same_walk(PAGES[name])


def test_the_walk_sees_links_stamps_lone_characters_and_skips_hidden_elements() -> None:
    m = _assert_same_walk(PAGES["article"])
    assert "script" not in m.tag and "option" not in m.tag and "noscript" not in m.tag
    assert len(m.stamps) == 3 and all(m.tag[i] == "span" for i in m.stamps)  # not the long text's 12:30
    # `月` and `。` are kept characters; `→` is an icon, `\ue001` a private glyph, `锚` is in an anchor
    # (not a link: no href) and counts as a lone character too.
    assert sorted(node.text.strip() for _, node in m.lone_chars) == sorted(["月", "。", "锚"])
    nav = m.tag.index("nav")
    assert m.links[nav] == 3 and m.link_chars[nav] == 6 and m.chars[nav] == 8


def test_more_tag_names_than_the_walks_table_holds() -> None:
    m = _assert_same_walk(PAGES["custom_tags"])
    assert len(set(m.tag)) == 701  # body and 700 custom elements


def test_an_element_that_is_not_where_the_walk_found_it_is_refused() -> None:
    walk = _walk()
    tree = HTMLTree.parse(PAGES["article"])
    m = html._measure_in_c(tree, walk)
    m.node.addresses[3] += 8  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="not where the walk found it"):
        m.node(3)


def test_extraction_is_the_same_with_either_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    _walk()
    pages = [*PAGES.values(), *_real_pages(20)]
    with_c = [html.extract_main_content(p) for p in pages]
    monkeypatch.setattr(html, "_page_walk", lambda: None)
    assert [html.extract_main_content(p) for p in pages] == with_c
    assert any(e.removed.get("link_blocks") for e in with_c) and any(
        e.removed.get("lone_chars_kept") for e in with_c
    )


_TAGS = ["div", "p", "span", "a", "li", "ul", "td", "script", "style", "form", "font", "b", "x-y"]
_TEXTS = [
    "",
    " ",
    "\u3000",
    "字",
    "。",
    "→",
    "\ue000",
    "文字 内容",
    "2005-03-16 01:08:28",
    "a:b",
    "\xa0x\xa0",
]


@st.composite
def _markup(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        if depth < 5 and draw(st.booleans()):
            tag = draw(st.sampled_from(_TAGS))
            href = " href='/x'" if tag == "a" and draw(st.booleans()) else ""
            parts.append(f"<{tag}{href}>{draw(_markup(depth + 1))}</{tag}>")
        else:
            parts.append(draw(st.sampled_from(_TEXTS)))
    return "".join(parts)


@settings(max_examples=150, deadline=None)
@given(_markup())
def test_the_walks_agree_on_generated_markup(body: str) -> None:
    _assert_same_walk(f"<html><body>{body}</body></html>")


@pytest.mark.skipif(not ICWCED.is_dir(), reason="../shared/corpus is not on this machine")
def test_the_walks_agree_on_the_real_pages() -> None:
    pages = _real_pages()
    assert len(pages) == 50
    for page in pages:
        _assert_same_walk(page)
