"""remove_boilerplate: page furniture goes in both scripts; headings and prose stay."""

from __future__ import annotations

import re
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docproc.steps.boilerplate import (
    _HAS_NAV_SEPARATOR,
    _HINTS,
    _NAV_SEPARATORS,
    _PROSE,
    _compiled,
    _spellings,
    remove_boilerplate,
)
from infra.corrupt import corrupt

P1 = (
    "“反詐不是公安一家的事,需要全社會一起行動。”青島市刑偵支隊相關負責人表示,"
    "為推動反詐宣傳“無死角”,青島市公安局從構建全域宣防體系破題。"
)
P2 = "線上線下同頻共振,讓反詐氛圍愈發濃厚。青島市刑偵支隊壓實各方責任,推動“無詐社區”“無詐校園”創建。"
HEADING = "廣度覆蓋:讓反詐聲音傳遍城市每個角落"


def kept(text: str) -> list[str]:
    return [line for line in remove_boilerplate(text).text.split("\n") if line.strip()]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("我的位置:首頁>文章詳情", "breadcrumb"),
        ("当前位置：首页 > 新闻 > 正文", "breadcrumb"),
        ("您的位置: 主页＞科技", "breadcrumb"),
        ("首页 » 财经 » 正文", "breadcrumb"),
        ("請輸入驗證碼", "captcha"),
        ("看不清？换一张", "captcha"),
        ("分享到：微信 微博 QQ空间", "share"),
        ("微信 微博 朋友圈 复制链接", "share"),
        ("【字号：大 中 小】", "share"),
        ("【打印】", "share"),
        ("上一篇：青岛召开反诈工作会议", "prev_next"),
        ("下一篇", "prev_next"),
        ("返回顶部", "prev_next"),
        ("Copyright © 2005-2024 example.com All Rights Reserved", "footer"),
        ("京ICP备12345678号-1", "footer"),
        ("粵公網安備 37021202001234號", "footer"),
        ("版权所有 青岛财经日报 未经授权禁止转载", "footer"),
        ("關於我們 | 聯繫我們 | 網站地圖 | 免責聲明", "footer"),
        ("登录 | 注册", "login"),
        ("首页  新闻  体育  娱乐  财经", "navigation"),
        ("人民网>>江苏频道>>教育", "breadcrumb"),
        ("当前您在- 中关村在线论坛 - BT下载专区", "breadcrumb"),
        ("1页/共1页 << 上一页 | 下一页 >>", "prev_next"),
        ("返回页首 | 关闭窗口", "prev_next"),
        ("阅读全文(736) | 回复(0) | 引用(1)", "widgets"),
        ("发送给朋友 发表评论 打印本文", "widgets"),
        ("声明：该文观点仅代表作者本人，本站仅提供信息存储空间服务。", "footer"),
        ("未经本网书面特别授权，请勿转载或建立镜像", "footer"),
        ("云南日报报业集团 版权所有，未经许可不得转载", "footer"),
        ("互联网新闻信息服务许可证编号：53120170001", "footer"),
        ("页面功能 【我来说两句】【推荐】【字体： 】【打印】 【关闭", "widgets"),
        ("[ 回复本贴 ] [ 跟从标题 ] [ 关闭本窗口 ] [ 刷新 ]", "widgets"),
        ("网易通行证： 密码：", "widgets"),
        ("搜狐首页 - 新闻 - 体育 - 娱乐 - 财经 - IT - 汽车", "navigation"),
        ("新浪简介 | About Sina | 广告服务 | 联系我们 | 招聘信息", "navigation"),
        ("您是本文第 154 个阅览者", "counter"),
        ("你是第 你是第 344522 位访问者 位访问者", "counter"),
        ("(本文发表于首页批评与建议, 已被阅读178次)", "counter"),
        ("| 主題已經關閉，停止回復．", "forum"),
        ("游客 欢迎你！", "forum"),
        ("本文通告引用(Trackback)链接: /wp-trackback.php?p=1700", "trackback"),
        ("你可以使用这个链接引用该篇文章 http://blog.example.cn/tb.b?diaryID=2756656", "trackback"),
        ("日 一 二 三 四 五 六", "calendar"),
        ("10111213141516", "calendar"),  # day numbers run together by the extraction
        ("3 4 5 6 7 8 9", "calendar"),
        (
            "首页 | 时事 | 生活 | 财经 | 法律 | 文体 | 播客 | 视频 | 历史 | 贴图 2006年12月27日（京港台时间）",
            "navigation",
        ),
    ],
)
def test_each_kind_goes(line: str, kind: str) -> None:
    out = remove_boilerplate(f"{P1}\n{line}\n{P2}\n")
    assert kept(f"{P1}\n{line}\n{P2}\n") == [P1, P2]
    assert out.report.detail == {kind: 1}
    assert out.report.chars_removed == len(line) + 1


def test_seed_comment_widget_and_all_after_it_go() -> None:
    tail = (
        "評論一下\n評論 0人參與,0條評論\n還沒有評論,快來搶沙發吧!\n最熱評論\n最新評論\n"
        '已有0人參與,點擊查看更多精彩評論\n\n請輸入驗證碼\n\n<i id="q3nkr"></i>\n'
    )
    out = remove_boilerplate(f"{P1}\n\n{HEADING}\n\n{P2}\n\n{tail}")
    assert out.text.strip() == f"{P1}\n\n{HEADING}\n\n{P2}"
    assert out.report.detail["tail_lines"] == 8


def test_simplified_comment_widget_and_related_links() -> None:
    text = f"{P1}\n{P2}\n相关新闻\n青岛召开反诈大会\n山东反诈成果显著\n"
    assert kept(text) == [P1, P2]


def test_a_comment_link_at_the_top_does_not_take_the_article() -> None:
    out = remove_boilerplate(f"发表评论\n{HEADING}\n{P1}\n{P2}\n")
    assert kept(f"发表评论\n{HEADING}\n{P1}\n{P2}\n") == [HEADING, P1, P2]
    assert out.report.detail == {"tail_marker": 1}


@pytest.mark.parametrize(
    "line",
    [
        HEADING,
        "分享经济如何改变城市生活",  # a heading that starts with 分享
        "返回家乡的年轻人越来越多",  # ... with 返回
        "短信验证码诈骗出现新套路",  # ... about captchas
        "评论员文章：让反诈宣传无死角",
        "本报将继续关注版权所有人与平台之间的纠纷，相关报道请见明日版面。",
        "张三 李四 王五",  # three names: not a navigation row
        "你是第一个发现这个问题的人吗？",  # no count: not a visitor counter
        "星期日一早，一家人去了公园",
        "主题公园已经关闭了三年",
        "春天 | 夏天 | 秋天 | 冬天：城东菜市场一年四季的变化",  # few items: the long one is a title
        "2010",  # a year alone (a table cell) is not a calendar row
        "13579",
    ],
)
def test_headings_and_prose_stay(line: str) -> None:
    assert kept(f"{P1}\n{line}\n{P2}") == [P1, line, P2]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([P1, P2, HEADING, "评论一下", "首页 > 正文", "京ICP备1号", "", "分享到微信"]))
)
def test_output_lines_are_input_lines(lines: list[str]) -> None:
    text = "\n".join(lines)
    out = remove_boilerplate(text)
    assert set(out.text.split("\n")) <= set(lines) | {""}
    assert out.report.chars_removed == len(text) - len(out.text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    assert len(remove_boilerplate(text).text) <= len(text)


def test_linear_on_long_input() -> None:
    text = "\n".join(["首页 > " * 15 + "正文", "评论一下", "看不清" * 40, "版权" * 50] * 5000)
    start = time.perf_counter()
    remove_boilerplate(text)
    assert time.perf_counter() - start < 10.0


# Characters of the hinted rules' words in both scripts, separators and arrows: lines made of
# these hit the rules often, so a hint that misses a spelling shows up.
_RULE_ALPHABET = "".join(
    sorted(
        (
            # the rules as compiled: every spelling in both scripts
            set("".join(_HINTS.values()) + "".join(r.source for r in _compiled().rules if r.kind in _HINTS))
            | set(" :：>›»＞/|-第共12345abc")
        )
        - set("\\()[]{}^$?*+.")
    )
)


def _hint_misses(line: str) -> list[str]:
    lowered = line.strip().lower()
    return [
        r.kind
        for r in _compiled().rules
        if r.hint and r.pattern.search(lowered) and not r.hint.found_in(lowered)
    ]


def test_every_rule_but_the_calendars_has_a_hint_and_one_search_finds_them_all() -> None:
    patterns = _compiled()
    assert {r.kind for r in patterns.rules if r.hint is None} == {"calendar"}
    spellings = {s for words in _HINTS.values() for w in words.split() for s in _spellings(w)}
    assert len(spellings) > 100
    assert [s for s in spellings if not patterns.any_hint.found_in(s)] == []
    # A calendar row has no hint word: it is still found.
    assert remove_boilerplate("正文第一段。\n日 一 二 三 四 五 六\n正文第二段。").report.detail == {
        "calendar": 1
    }


def test_hints_cover_every_line_their_rule_matches_in_pages() -> None:
    # The hints only skip work: a line a rule matches always contains one of its hint words.
    lines = [line for seed in range(300) for line in corrupt(P1 + P2, seed=seed).text.split("\n")]
    assert [(line, _hint_misses(line)) for line in lines if _hint_misses(line)] == []


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=_RULE_ALPHABET, max_size=40))
def test_hints_cover_every_line_their_rule_matches(line: str) -> None:
    assert _hint_misses(line) == []


NOTICE = (
    "根据《中华人民共和国著作权法》等法律法规，未经书面许可，擅自转载本报社作品的，将涉嫌侵犯著作权人合法权益。"
    "为规范网络转载行为，本报社郑重公告："
)


def test_a_reprint_notice_ends_the_article() -> None:
    tail = f"{NOTICE}\n一、任何单位或个人使用本报社原创内容，必须事先取得书面授权；\n二、欢迎读者提供侵权线索：\n法律顾问 0432-1234567\n"
    article = [P1, HEADING, P2, P1 + P2, P2 + P1]
    out = remove_boilerplate("\n".join([*article, tail]))
    assert [line for line in out.text.split("\n") if line] == article
    assert out.report.detail == {"tail_lines": 4}


def test_a_reprint_notice_high_on_the_page_or_an_article_about_reprinting_stays() -> None:
    # Only in the last third of the page does the notice start the tail; a sentence on copyright
    # that does not name the site's own rights is prose anywhere.
    case = "法院认定，被告未经许可转载原告的摄影作品，侵犯了原告的著作权，判令其赔偿经济损失。"
    assert kept(f"{P1}\n{NOTICE}\n{P2}\n{P1}") == [P1, NOTICE, P2, P1]
    assert kept(f"{P1}\n{P2}\n{case}") == [P1, P2, case]


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \t\u3000\xa0\u2003|｜·•-–—ab首页", max_size=30))
def test_the_separator_check_finds_the_lines_the_separators_split(line: str) -> None:
    assert (_HAS_NAV_SEPARATOR.search(line) is None) == (_NAV_SEPARATORS.search(line) is None)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="，,；;。！？\n字a ", max_size=12))
def test_the_prose_check_finds_commas_anywhere_and_full_stops_before_the_end(line: str) -> None:
    before_end = any(c in "。！？" and line[i + 1 :][:1] not in ("", "\n") for i, c in enumerate(line))
    assert (_PROSE.search(line) is not None) == (any(c in "，,；;" for c in line) or before_end)


@settings(max_examples=600)
@given(st.text(alphabet="|｜·• \t\u3000\xa0-–—ab", max_size=10))
def test_separator_check_finds_the_lines_its_alternation_finds(line: str) -> None:
    # The step's leading-class form against the alternation it stands for.
    as_written = re.compile(r"[|｜·•\u3000]|\s(?:[-–—]\s|\s)")
    assert (_HAS_NAV_SEPARATOR.search(line) is None) == (as_written.search(line) is None)


def _pieces() -> list[str]:
    import docproc.steps.boilerplate as bp

    words = [w for source in (bp._TAIL_WORDS, bp._WIDGET_WORDS) for w in source.split("|") if "\\" not in w]
    week = ["日 一 二 三 四 五 六", "星期日星期一星期二星期三星期四星期五星期六", "週"]
    return [*words, *bp._WIDGET_GAP_CHARS, *week, "評論", "發表", " ", "\u3000", "3", "٣", "星期", "周", "日", "x", "的"]


@settings(max_examples=600)
@given(st.lists(st.sampled_from(_pieces()), min_size=1, max_size=6))
def test_first_character_checks_pass_every_line_the_patterns_match(parts: list[str]) -> None:
    # The tests the step makes before the tail, widgets and calendar patterns may only skip
    # lines those patterns do not match.
    import docproc.steps.boilerplate as bp

    line = "".join(parts).strip()
    if not line:
        return
    patterns, lowered = _compiled(), line.lower()
    if patterns.tail.search(line):
        assert line[0] in patterns.tail_heads
    if patterns.widgets.match(lowered):
        assert bp._may_be_widgets(lowered, patterns.widget_heads)
    if patterns.calendar.pattern.search(lowered):
        assert len(line) >= bp.CALENDAR_ROW_DAYS and lowered[0] in patterns.calendar_heads
