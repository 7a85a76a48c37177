"""The sample document end to end through process_document: the article comes out whole and
nothing else does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from docproc.pipeline import process_document
from docproc.result import Result, Status

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_9d31691385c9101d.txt"

HEADLINE = "青岛:电信网络诈骗发案数持续下降,全民反诈“防火墙”越筑越牢"
HEADINGS = [
    "广度覆盖:让反诈声音传遍城市每个角落",
    "精准滴灌:为重点人群量身定制“防护盾”",
    "系统构建:以长效机制筑牢反诈“安全网”",
]
# The first and last characters of each of the 14 paragraphs, in order.
PARAGRAPHS = [
    ("“多亏社区网格员", "生动缩影。"),
    ("据了解,近年来", "新格局。"),
    ("数据显示,2023年以来", "不断提升。"),
    ("“反诈不是公安一家的事", "安全屏障。"),
    ("线上线下同频共振", "防骗技能。"),
    ("据了解,线上宣传", "反诈宣传”。"),
    ("“养老钱不能轻易动", "常见套路。"),
    ("针对老年人防范意识较弱", "“养老钱”。"),
    ("青少年是反诈宣传的重点群体", "警示教育。"),
    ("企业财务人员的", "财产损失。"),
    ("“反诈是一场持久战", "工作格局。"),
    ("跨部门联动让反诈防线", "近133万次。"),
    ("青岛市刑侦支队联合财政", "每一个场景。"),
    ("从“广覆盖”到“精准防”", "每一位市民。"),
]
# The three garbled spans of the sample, as the article wrote them.
REPAIRED = [
    "我才没被‘网购退款’的骗局忽悠。”近日",
    "我才没被‘网购",
    "家住青岛市市北区的王大爷",
    "提起险些上当的经历,仍心有余悸",
]


@pytest.fixture(scope="module")
def result() -> Result:
    return process_document(SEED.read_bytes(), key="seeds/000_9d31691385c9101d.txt")


def test_kept(result: Result) -> None:
    assert result.status == Status.KEPT, result.reasons


def test_article_comes_out_whole_in_order(result: Result) -> None:
    paragraphs = result.text.split("\n\n")
    assert paragraphs[0] == HEADLINE
    assert [p for p in paragraphs if p in HEADINGS] == HEADINGS
    body = [p for p in paragraphs[1:] if p not in HEADINGS]
    assert len(body) == 14
    for text, (start, end) in zip(body, PARAGRAPHS, strict=True):
        assert text.startswith(start) and text.endswith(end), text[:30]
    # Headings sit between the paragraphs where the article put them.
    assert paragraphs.index(HEADINGS[0]) == 4
    assert paragraphs.index(HEADINGS[1]) == 8
    assert paragraphs.index(HEADINGS[2]) == 13
    assert len(paragraphs) == 1 + 3 + 14


def test_numbers_and_punctuation_exactly(result: Result) -> None:
    for s in ("1.44万个", "339.9万人", "“三个100%”", "3.8万余场次", "1.5亿人次", "近133万次", "“警格+网格”"):
        assert s in result.text


def test_metadata(result: Result) -> None:
    m = result.metadata
    assert m["title"] == HEADLINE
    assert m["author"] == "张海杰"
    assert m["editor"] == "李赛男"
    assert m["source"] == "青岛财经日报"


def test_garbled_spans_repaired(result: Result) -> None:
    for span in REPAIRED:
        assert span in result.text
    assert "?" not in result.text
    assert not re.search(r"[\ue000-\uf8ff]", result.text)


@pytest.mark.parametrize(
    "noise",
    [
        "久久",  # spam line
        "中文字幕",
        "攵女",
        "我的位置",  # breadcrumb
        "首页>",
        "评论",  # comment widget
        "沙发",
        "验证码",  # captcha
        "<",  # tags
        "q3nkr",
        "记者 张海杰",  # byline (now metadata)
        "责任编辑",
    ],
)
def test_no_noise_left(result: Result, noise: str) -> None:
    assert noise not in result.text


def test_no_pinyin_left(result: Result) -> None:
    assert not re.search(r"[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", result.text)
    assert not re.search(r"[A-Za-z]", result.text)


def test_spam_reported_for_the_decision(result: Result) -> None:
    spam = next(s for s in result.steps if s.step == "remove_seo_spam")
    assert spam.detail["spam_lines"] == 1
    assert spam.chars_removed > 100


def test_lost_character_before_kuan(result: Result) -> None:
    assert "我才没被‘网购退款’的骗局忽悠。”近日" in result.text
