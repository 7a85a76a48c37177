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
    """Measured figure in docs/cleaning-input.md: mean F1 0.865 over the 50 gold pages."""
    scores = []
    for page in sorted((ICWCED / "original").glob("*.html")):
        gold = (ICWCED / "cleaned" / f"{page.stem}.txt").read_text(encoding="utf-8", errors="replace")
        decoded = decode_document(page.read_bytes(), "text/html")
        assert isinstance(decoded, Decoded)
        scores.append(_f1(extract_main_content(decoded.text).text, gold))
    assert len(scores) == 50
    assert sum(scores) / len(scores) >= 0.85


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
