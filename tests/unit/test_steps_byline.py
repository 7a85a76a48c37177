"""extract_byline: byline / editor / source lines become metadata; the headline becomes the title."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docproc.data import both_scripts
from docproc.steps import byline
from docproc.steps.byline import extract_byline

HEADLINE = "青島:電信網絡詐騙發案數持續下降,全民反詐“防火墻”越筑越牢"
BODY = "從“廣覆蓋”到“精準防”,從“單點推”到“系統建”,以“三箭齊發”的務實舉措,青島將反詐工作做到群眾心坎上。"


def test_seed_byline_and_editor() -> None:
    text = f"{HEADLINE}\n\n{BODY}\n\n青島財經日報/首頁新聞記者 張海杰\n\n責任編輯:李賽男\n"
    out = extract_byline(text)
    expected = {"source": "青島財經日報", "author": "張海杰", "editor": "李賽男", "title": HEADLINE}
    assert out.metadata == expected
    assert out.text.split() == [HEADLINE, BODY]
    assert out.report.count == 2


def test_metadata_follows_the_target_script() -> None:
    out = extract_byline(f"{HEADLINE}\n{BODY}\n責任編輯:李賽男", target="simplified")
    assert out.metadata["editor"] == "李赛男"
    assert out.metadata["title"].startswith("青岛:电信网络诈骗")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("来源：南方周末 作者：柯玉圆", {"source": "南方周末", "author": "柯玉圆"}),
        ("作者：张三 | 来源：人民网", {"author": "张三", "source": "人民网"}),
        ("（记者 张三 通讯员 李四）", {"author": "张三 李四"}),
        ("本报记者 张三 李四 报道", {"author": "张三 李四"}),
        ("新华社记者 公磊", {"source": "新华社", "author": "公磊"}),
        ("文/王小明", {"author": "王小明"}),
        ("责任编辑 李赛男", {"editor": "李赛男"}),
        ("【编辑：刘欢】", {"editor": "刘欢"}),
        ("編輯：陳大文", {"editor": "陳大文"}),
        ("发布时间：2021-09-01 09:12 浏览次数：234", {"published": "2021-09-01 09:12"}),
        (
            "http://biz.163.com 2005-04-25 08:24:06 来源: 第一财经日报 网友评论 0 条",
            {"source": "第一财经日报", "published": "2005-04-25 08:24:06"},
        ),
        ("〓 网易娱乐 明星话题 发布时间 2005/03/15 22:36:13 by duscha", {"published": "2005/03/15 22:36:13"}),
        (
            "2005-01-14 17:02:30 来源: 21世纪经济报道 发表评论 查看评论",
            {"source": "21世纪经济报道", "published": "2005-01-14 17:02:30"},
        ),
        ("原标题：城东菜市场改造完成：摊位增加到一百六十个", {}),  # the first headline: dropped only
        ("（原標題：菜市場改造後生意好了三成）", {}),
    ],
)
def test_byline_forms(line: str, expected: dict[str, str]) -> None:
    out = extract_byline(f"{BODY}\n{line}\n{BODY}")
    assert {k: v for k, v in out.metadata.items() if k != "title"} == expected
    assert line not in out.text


@pytest.mark.parametrize(
    "line",
    [
        "记者：家乡的粉丝很热情啊？",  # an interview question
        "据新华社记者 公磊 报道，今天青岛天气晴好。",  # a reporter named inside a sentence
        "编辑部的故事",
        "中国科学院院士张三：要加强基础研究",
        "2013年7月13日 香港 亚洲国际博览馆",  # a date without a time: a table row
        "代表性论文专著目录",  # 文 inside a word is no byline
        "会议于2005年3月11日12:12开始，持续两小时。",
        "原标题下面的正文更长",  # no colon: not a meta line
    ],
)
def test_article_lines_stay(line: str) -> None:
    out = extract_byline(f"{BODY}\n{line}\n{BODY}")
    assert line in out.text.split("\n")


def test_title_is_the_first_line_only_when_it_reads_as_a_headline() -> None:
    assert extract_byline(f"{HEADLINE}\n{BODY}").metadata["title"] == HEADLINE
    assert "title" not in extract_byline(f"{BODY}\n{HEADLINE}").metadata  # a sentence comes first
    assert "title" not in extract_byline("").metadata


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("记者编辑责任来源作者：:/ 张三李四\n。日报"), max_size=120))
def test_never_raises_and_only_removes_lines(text: str) -> None:
    out = extract_byline(text)
    assert set(out.text.split("\n")) <= set(text.split("\n")) | {""}
    assert out.report.chars_removed == len(text) - len(out.text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    extract_byline(text, target="simplified")


# The byline patterns are only tried on lines holding what every match holds (a colon, or the
# reporter's and editor's hint words): a line a pattern matches must always pass its check.
# Lines made of the patterns' own words in both scripts, names and separators match them often.
_WORDS = (
    "记者 記者 实习生 實習生 特约记者 文 文/图 撰文 作者 责任编辑 責任編輯 责编 编辑 編輯 来源 來源 时间 "
    "张三 李四 王五五 張海杰 報 日报 新聞 网 通讯员 通訊員 报道 摄 讯 发自北京 2022-04-14 、 ， 和 · "
    ": ： / | ｜ （ ） ( ) 【 】"
)
_BYLINE_TOKENS = [*_WORDS.split(), " ", "\u3000"]


def _hint_misses(line: str) -> list[str]:
    misses = []
    if byline._meta_line().match(line) and ":" not in line and "：" not in line:
        misses.append("meta")
    if byline._reporter().match(line) and not byline._REPORTER_HINT.search(line):
        misses.append("reporter")
    if byline._editor().match(line) and not byline._EDITOR_HINT.search(line):
        misses.append("editor")
    return misses


@pytest.mark.parametrize(
    "line",
    [
        "青島財經日報/首頁新聞記者 張海杰",
        "責任編輯:李賽男",
        "责任编辑 李赛男",
        "文/張三",
        "撰文：李四",
        "作者 王五",
        "（記者 張三 通訊員 李四）",
        "本报实习生 张三 报道",
        "来源：南方周末 作者：柯玉圆 发布时间：2022-04-14",
    ],
)
def test_hints_hold_on_bylines(line: str) -> None:
    assert extract_byline(line).report.count == 1
    assert _hint_misses(line) == []


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_BYLINE_TOKENS), min_size=1, max_size=7).map("".join))
def test_hints_cover_every_line_a_pattern_matches(line: str) -> None:
    assert _hint_misses(line) == []


# The hints as first written: alternations, which re scans for with a match attempt at every
# character. The step's leading-class forms must find the same lines.
_REPORTER_HINT_AS_WRITTEN = re.compile(both_scripts(r"记者|实习生|文\s*[:：/|｜]|作者[:：/|｜\s]"))
_EDITOR_HINT_AS_WRITTEN = re.compile(both_scripts("编辑|责编"))


@settings(max_examples=600)
@given(st.text(alphabet="记記者实實习習生文作:：/|｜ \t\u3000编編辑輯责責x", max_size=14))
def test_hints_find_the_lines_their_alternations_find(line: str) -> None:
    assert (byline._REPORTER_HINT.search(line) is None) == (_REPORTER_HINT_AS_WRITTEN.search(line) is None)
    assert (byline._EDITOR_HINT.search(line) is None) == (_EDITOR_HINT_AS_WRITTEN.search(line) is None)
