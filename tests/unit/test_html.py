"""HTML main-content extraction: the article's paragraphs and the page's title/author/date."""

from __future__ import annotations

import collections
import time
import unicodedata
from pathlib import Path

import pytest

from docproc.decode import Decoded, decode_document
from docproc.html import extract_main_content
from docproc.pipeline import process_document

ICWCED = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "icwced"

PARAGRAPHS = [
    "近年来，青岛市刑侦支队始终践行以人民为中心的发展思想，将反诈宣传作为守护民生的关键举措。",
    "数据显示，2023年以来，青岛市电信网络诈骗发案数持续下降，全民反诈的“防火墙”越筑越牢。",
    "针对老年人防范意识较弱的特点，刑侦支队联合团市委等部门组建了四百余人的志愿者团队。",
]
PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>全民反诈“防火墙”越筑越牢_新闻中心</title>
<meta name="author" content="张海杰"><meta property="article:published_time" content="2024-07-01T08:00:00+08:00">
<script>var tracker = "不是正文";</script><style>.nav {{ color: red }}</style></head>
<body><nav><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/video">视频</a></nav>
<article><h1>全民反诈“防火墙”越筑越牢</h1>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article>
<footer>版权所有 © 2024 新闻中心 京ICP备00000000号</footer></body></html>"""


def test_main_content_keeps_the_article_and_drops_scripts_and_navigation() -> None:
    extracted = extract_main_content(PAGE)
    for paragraph in PARAGRAPHS:
        assert paragraph in extracted.text
    assert "不是正文" not in extracted.text and "color" not in extracted.text
    assert extracted.metadata == {
        "title": "全民反诈“防火墙”越筑越牢_新闻中心",
        "author": "张海杰",
        "published": "2024-07-01T08:00:00+08:00",
    }


def test_unparseable_or_empty_pages_give_empty_text() -> None:
    assert extract_main_content("").text == ""
    assert extract_main_content("<html><body></body></html>").text == ""


def test_pipeline_extracts_a_gbk_page_and_records_its_title() -> None:
    page = PAGE.replace('charset="utf-8"', 'charset="gbk"').replace("©", "(c)").encode("gbk")
    result = process_document(page, key="page.html", content_type="text/html")
    assert result.metadata["encoding"] == "gb18030"
    assert result.metadata["content_type"] == "text/html"
    assert result.metadata["page_title"] == "全民反诈“防火墙”越筑越牢_新闻中心"
    for paragraph in PARAGRAPHS:
        assert paragraph in result.text
    assert "<" not in result.text


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def _f1(predicted: str, gold: str) -> float:
    """Character bag F1 after NFKC and without whitespace (the gold is hard-wrapped)."""
    p, g = collections.Counter(_norm(predicted)), collections.Counter(_norm(gold))
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


@pytest.mark.skipif(not ICWCED.is_dir(), reason="the icwced corpus (../shared/corpus/icwced) is not here")
def test_icwced_main_content_f1() -> None:
    """Measured figure in docs/cleaning-input.md: mean F1 0.923 over the 50 gold pages (0.867 before
    link-dense blocks and a thread's later posts were removed)."""
    scores = []
    for page in sorted((ICWCED / "original").glob("*.html")):
        gold = (ICWCED / "cleaned" / f"{page.stem}.txt").read_text(encoding="utf-8", errors="replace")
        decoded = decode_document(page.read_bytes(), "text/html")
        assert isinstance(decoded, Decoded)
        scores.append(_f1(extract_main_content(decoded.text).text, gold))
    assert len(scores) == 50
    assert sum(scores) / len(scores) >= 0.91


def test_a_page_nested_deeper_than_any_real_one_skips_the_quadratic_extraction() -> None:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    depth = 8_000
    body = "<p>深层嵌套页面里的正文仍然要取出来。</p>"
    page = f"<html><body>{'<div>' * depth}{body}{'</div>' * depth}</body></html>"

    start = time.process_time()
    out = extract_main_content(page)
    ours = time.process_time() - start
    assert "深层嵌套页面里的正文仍然要取出来。" in out.text

    start = time.process_time()
    extract_plain_text(HTMLTree.parse(page), main_content=True)
    main_content = time.process_time() - start
    # Side by side on the same page: main-content extraction is quadratic in depth (seconds here).
    assert ours * 3 < main_content


ARTICLE = (
    "<p>今年春天，城东的老菜市场完成了改造，摊位从一百二十个增加到一百六十个，通道也拓宽了一倍。</p>"
    "<p>摊主王师傅说，改造以后顾客多了，下雨天也不用再担心积水，生意比去年同期好了三成左右。</p>"
)


def _page(body: str) -> str:
    return f'<html><head><meta charset="utf-8"><title>城东菜市场改造完成</title></head><body>{body}</body></html>'


def test_a_link_dense_block_goes_and_a_paragraph_with_links_stays() -> None:
    # A table cell of related links under the article (the main-content heuristics keep it).
    related = "<br>".join(
        f'·<a href="/n/{i}">{t}</a>' for i, t in enumerate(["夜市开张", "公交改线", "新桥通车"])
    )
    linked = (
        '<p>详情可以查看<a href="/a">区政府网站</a>、<a href="/b">街道公众号</a>和<a href="/c">市场公告栏</a>，'
        "营业时间为每天早上六点到晚上八点，节假日照常营业，欢迎附近居民前来选购。</p>"
    )
    page = _page(
        f"<table><tr><td><h1>城东菜市场改造完成</h1>{ARTICLE}{linked}</td></tr><tr><td>{related}</td></tr></table>"
    )
    out = extract_main_content(page)
    assert "摊主王师傅说" in out.text and "营业时间为每天早上六点" in out.text and "区政府网站" in out.text
    assert "夜市开张" not in out.text and "新桥通车" not in out.text
    assert out.removed["link_blocks"] == 1


def test_a_named_anchor_left_open_is_not_a_link() -> None:
    # `<a name=top1>` with no end tag wraps everything after it; only `<a href>` counts as link text.
    page = _page(
        f'<div><a name=top1>第 1 楼</div><div>{ARTICLE}<a href="/u/1">王师傅</a> <a href="/u/2">李阿姨</a> '
        '<a href="/u/3">张大哥</a></div>'
    )
    assert "摊主王师傅说" in extract_main_content(page).text


def _post(n: int, title: str, text: str) -> str:
    return (
        f'<table class="post"><tr><td class="head">{title}</td><td class="head">2005-03-{n:02d} 20:56:20</td></tr>'
        f'<tr><td class="body" colspan="2">{text}</td></tr></table>'
    )


def test_a_thread_keeps_its_first_post_and_drops_the_replies() -> None:
    replies = [("回复：城东菜市场", "支持一下，周末去看看。"), ("回复：城东菜市场", "停车位还是太少了。")]
    body = _post(1, "城东菜市场改造完成", ARTICLE) + "".join(
        _post(i + 2, t, x) for i, (t, x) in enumerate(replies)
    )
    out = extract_main_content(_page(body + "<p>本论坛发帖须知</p>"))
    assert "摊主王师傅说" in out.text
    assert "支持一下" not in out.text and "停车位" not in out.text and "发帖须知" not in out.text
    assert out.removed["later_posts"] == 3  # two replies and what follows them in the thread's container


def test_stamped_related_links_are_not_a_thread() -> None:
    # Each item of a related-news list carries a time too, but the first item is a link, not a post:
    # the article after the list stays.
    items = "".join(
        f'<div class="rel"><a href="/n/{i}">{t}</a> <span>2005-04-0{i + 1} 08:24</span></div>'
        for i, t in enumerate(["夜市开张", "公交改线", "新桥通车"])
    )
    out = extract_main_content(_page(f"{items}<div>{ARTICLE}</div>"))
    assert "摊主王师傅说" in out.text and "later_posts" not in out.removed


def test_measuring_a_deeply_nested_page_does_not_recurse() -> None:
    depth = 900  # below the main-content limit, above Python's default recursion limit
    out = extract_main_content(_page(f"{'<div>' * depth}{ARTICLE}{'</div>' * depth}"))
    assert "摊主王师傅说" in out.text


def test_a_character_alone_in_its_span_is_kept_and_an_icon_glyph_is_not() -> None:
    # Word-exported pages wrap single characters in spans; resiliparse took any lone three-byte
    # character for a Private Use Area icon and dropped it (`2月2日` came out as `22日`).
    sentence = (
        "<p>例一：<span>2</span><span>月</span><span>2</span><span>日</span>中午<span>11</span>"
        "<span>时</span>左右，城东一幢废弃的三层楼房突然倒塌<span>。</span></p>"
    )
    out = extract_main_content(_page(f"<div>{sentence}{ARTICLE}<span>\ue600</span></div>"))
    assert "例一：2月2日中午11时左右，城东一幢废弃的三层楼房突然倒塌。" in out.text
    assert "\ue600" not in out.text and "\u200b" not in out.text
    assert out.removed["lone_chars_kept"] == 4  # 月 日 时 。


def test_a_failure_while_preparing_the_tree_falls_back_to_plain_main_content(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import docproc.html as html

    def broken(tree: object) -> dict[str, int]:
        raise RuntimeError("unexpected markup")

    monkeypatch.setattr(html, "_prepare_body", broken)
    out = extract_main_content(_page(f"<div>{ARTICLE}</div>"))
    assert "摊主王师傅说" in out.text and out.removed == {"prepare_failed": 1}


def test_stamped_comments_under_an_article_lose_only_the_later_comments() -> None:
    # A comment list is a post list too: the article above it is outside the list and stays.
    comment = (
        '<div class="cmt"><span>网友{n}</span> <span>2024-07-0{n} 10:2{n}</span>'
        "<p>这次改造确实方便了很多，以前下雨天进市场要绕着水坑走，现在通道宽了，地面也平整了，"
        "早上买菜的老人明显多了起来，希望后续的管理也能跟上，别让摊位又占到通道上。第{n}条。</p></div>"
    )
    comments = "".join(comment.format(n=n) for n in range(1, 5))
    out = extract_main_content(_page(f"<div><h1>城东菜市场改造完成</h1>{ARTICLE}</div><div>{comments}</div>"))
    assert "摊主王师傅说" in out.text and "今年春天" in out.text
    assert "第1条" in out.text and "第2条" not in out.text and "第4条" not in out.text


def test_an_entry_form_goes_and_a_page_wrapped_in_a_form_stays() -> None:
    reply = (
        '<form action="/reply"><table><tr><td>您的Email:</td><td><input name="mail"></td></tr>'
        '<tr><td>留言：</td><td><textarea name="text"></textarea></td></tr>'
        '<tr><td><input type="submit" value="发表"></td></tr></table></form>'
    )
    out = extract_main_content(_page(f"<div>{ARTICLE}</div>{reply}"))
    assert "摊主王师傅说" in out.text and "您的Email" not in out.text and "留言" not in out.text
    assert out.removed["forms"] == 1
    # A short article inside a page-wide form (as ASP.NET pages are) is the form's text.
    wrapped = '<form id="form1"><input type="text" name="q"><div><p>城东菜市场今天恢复营业。</p></div></form>'
    assert "城东菜市场今天恢复营业。" in extract_main_content(_page(wrapped)).text


def test_the_result_of_a_page_reports_what_extraction_took() -> None:
    # The same page as bytes through the pipeline: the record's steps start with the extraction,
    # which names the related-links block it removed; a text document has no such step.
    related = "<br>".join(
        f'·<a href="/n/{i}">{t}</a>' for i, t in enumerate(["夜市开张", "公交改线", "新桥通车"])
    )
    page = _page(f"<table><tr><td><h1>城东菜市场改造完成</h1>{ARTICLE}</td></tr><tr><td>{related}</td></tr></table>")
    data = page.encode("utf-8")
    result = process_document(data, key="incoming/market.html")
    first = result.steps[0]
    assert first.step == "extract_main_content"
    assert first.count == 1 and first.detail["link_blocks"] == 1
    assert first.detail["link_blocks_chars"] == len("·夜市开张·公交改线·新桥通车")
    # everything the page lost on the way to the text: markup, navigation, the links block
    assert first.chars_removed == len(page) - len(extract_main_content(page).text)
    assert "夜市开张" not in result.text and "摊主王师傅说" in result.text
    # the statistics still measure the text steps only
    assert "extract_main_content" not in result.stats["steps_run"]
    text = process_document(ARTICLE.replace("<p>", "").replace("</p>", "\n").encode("utf-8"), key="a.txt")
    assert all(s.step != "extract_main_content" for s in text.steps)
