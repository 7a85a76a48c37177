"""remove_html_tags: only real tag shapes go; comparisons with < and > are text."""

from __future__ import annotations

from pathlib import Path

from docproc.steps.tags import remove_html_tags

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_9d31691385c9101d.txt"


def test_the_seed_tail_of_tags_is_removed() -> None:
    text = SEED.read_text(encoding="utf-8")
    out = remove_html_tags(text)
    assert "<" not in out.text and ">" in out.text  # `首頁>文章詳情` keeps its `>`
    assert "請輸入驗證碼" in out.text
    assert out.report.count == 14 and out.report.detail == {"tags": 14}
    assert out.text.rstrip().endswith("請輸入驗證碼")


def test_comparisons_are_text() -> None:
    for text in ("利率<5%且增速>3%", "a < b 且 c > d", "x<y>z", "<很好>", "<1>、<2>", "3<i<5"):
        out = remove_html_tags(text)
        assert out.text == text, text
        assert out.report.count == 0


def test_real_tag_shapes_go() -> None:
    cases = {
        '<i id="q3nkr"></i>正文': "正文",
        "第一行<br/>第二行": "第一行\n第二行",
        "第一行<br>第二行<BR />第三行": "第一行\n第二行\n第三行",
        '<noscript id="q3nkr"><input id="q3nkr"><div id="q3nkr"></div></input></noscript>': "\n\n",
        "<p class=lead data-x='1'>段落</p>": "\n段落\n",
        '<a href="https://example.com/?a=1&b=2" target=_blank>链接</a>': "链接",
        "前<!-- 注释 <b>粗</b> -->后": "前后",
        "前<script type='text/javascript'>var a = '<p>';</script>后": "前后",
    }
    for text, expected in cases.items():
        assert remove_html_tags(text).text == expected, text


def test_entities_are_decoded_strictly() -> None:
    out = remove_html_tags("春季&nbsp;新款&amp;白衬衫&#12288;简约&#x3000;学院&lt;风&gt;")
    assert out.text == "春季\xa0新款&白衬衫\u3000简约\u3000学院<风>"
    assert out.report.detail["entities"] == 6
    # Not entities: no semicolon, or unknown names.
    for text in ("AT&T", "R&D部门", "&copy 2024", "&notanentity;"):
        assert remove_html_tags(text).text == text


def test_entities_do_not_bring_back_invisible_or_control_characters() -> None:
    # normalize_characters runs before this step, so what it removes must not come back decoded.
    out = remove_html_tags("网&#8203;购&zwj;退&#x200B;款&#1;的&shy;骗&#xFEFF;局&lrm;。&#9;&#10;")
    assert out.text == "网购退款的骗局。\t\n"
    assert out.report.detail["entities"] == 9


def test_decoded_entities_are_not_parsed_again_as_tags() -> None:
    out = remove_html_tags("&lt;div&gt;不是标签&lt;/div&gt;")
    assert out.text == "<div>不是标签</div>"


def test_unclosed_tag_like_text_stays() -> None:
    text = '<div class="unclosed 这不是标签的结束' + "很长的正文" * 100
    assert remove_html_tags(text).text == text
