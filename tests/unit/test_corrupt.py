"""infra/corrupt.py: deterministic, every noise kind present, and the cleaner undoes it."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docproc.pipeline import process_document
from infra.corrupt import NOISE_KINDS, _garble_span, _inject_brand, _shift_spans, corrupt, split_paragraphs
from infra.evaluate import char_scores

ARTICLE = (
    "青岛市刑侦支队聚焦重点人群开展反诈宣传。针对老年人防范意识较弱的特点，青岛市刑侦支队联合团市委等部门"
    "组建420余人的社会青年反诈志愿者团队，今年上半年启动“守护银龄”行动，在6个区（市）的9个社区开展专项宣传，"
    "600余名老年人通过案例讲解、互动问答增强了防骗意识。青少年是反诈宣传的重点群体。青岛市刑侦支队联合教育、"
    "人社部门构建家校协同体系，将“严禁买卖、出租‘两卡’及网络账号”纳入校规校纪，组织师生签订告知书与承诺书。"
    "企业财务人员的“资金安全关”同样被重点守护。青岛市刑侦支队联合青岛市财政局将反诈课程纳入会计人员继续教育"
    "必修课，常态化开展“进企业”宣传，从源头减少企业财产损失。如今，全市已建成1.44万个反诈宣传微信矩阵群，"
    "覆盖居民339.9万人，推动“无诈社区”创建实现“三个100%”目标。"
)

# What each kind leaves in the page, to check that it was applied.
SIGNS: dict[str, str] = {
    "spam_line": r"^[^\n]*(?:久久|国产|中文字幕|澳门|彩|乐虎|亚博|欧宝|金沙|威尼斯|幸运|百家|棋牌|色|成人|日韩|一本道|人妻)",
    "injected_brand": r"乐虎|葡京|金沙|欧宝|亚博|开云|币游|华体会|樂虎|歐寶|亞博|開雲|幣遊|華體會",
    "breadcrumb": r"位置|首页|首頁|主页",
    "share_bar": r"分享|微信|字号|打印|扫一扫|QQ|朋友圈|豆瓣|复制链接|字號",
    "byline": r"记者|記者|文/|作者|編輯|编辑",
    "prev_next": r"上一篇|下一篇|返回",
    "comments": r"评论|評論",
    "captcha": r"验证码|驗證碼|换一张|換一張",
    "footer": r"Copyright|版权|版權|ICP|公网安备|公網安備|关于我们|關於我們|许可证|許可證",
    "tags": r"<[a-z/]",
    "pinyin": r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]",
    "traditional": r"[們區與這會發實機構網絡詐騙]",
    "invisible": r"[\u200b\u200c\u200d\ufeff\u2060\x05\x07\x08]",
    "garble": r"\?",
}


def test_deterministic() -> None:
    assert corrupt(ARTICLE, seed=7) == corrupt(ARTICLE, seed=7)
    assert corrupt(ARTICLE, seed=7).text != corrupt(ARTICLE, seed=8).text


def test_gold_is_the_article() -> None:
    page = corrupt(ARTICLE, seed=1)
    assert page.gold == ARTICLE
    assert page.text != ARTICLE


@pytest.mark.parametrize("kind", [k for k in NOISE_KINDS if k != "repeats"])
def test_each_kind_is_applied(kind: str) -> None:
    for seed in range(5):
        page = corrupt(ARTICLE, seed=seed, kinds=[kind])
        assert page.noise == [kind]
        assert re.search(SIGNS[kind], page.text, re.MULTILINE), (kind, seed, page.text[:200])


def test_repeats_copy_a_paragraph() -> None:
    page = corrupt(ARTICLE, seed=3, kinds=["repeats"])
    paragraphs = [p for p in page.text.split("\n") if p]
    assert len(paragraphs) == len(set(paragraphs)) + 1


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown noise kinds"):
        corrupt(ARTICLE, seed=0, kinds=["nonsense"])


def test_paragraphs_keep_every_character() -> None:
    import random

    assert "".join(split_paragraphs(ARTICLE, random.Random(0))) == ARTICLE


def test_the_cleaner_undoes_every_kind() -> None:
    scores = []
    for seed in range(12):
        page = corrupt(ARTICLE, seed=seed, kinds=NOISE_KINDS)
        result = process_document(page.text.encode("utf-8"), key=f"synthetic/{seed}.txt")
        scores.append(char_scores(result.text, page.gold)[2])
    assert min(scores) >= 0.90, scores
    assert sum(scores) / len(scores) >= 0.97, scores


def test_garbled_spans_are_tracked_through_later_garbling() -> None:
    import random

    paragraph = "城东的老菜市场完成了改造，摊位从一百二十个增加到一百六十个。"
    text, spans = _garble_span(paragraph, random.Random(4), [])
    (start, end) = spans[0]
    assert text[start] == "?" and text[:start] == paragraph[:start]
    assert text[end:] == paragraph[len(paragraph) - len(text) + end :]
    # A later garbling before a span moves it; one overlapping it merges with it.
    assert _shift_spans([(10, 15)], 2, 5, 4) == [(2, 6), (11, 16)]
    assert _shift_spans([(3, 8)], 6, 10, 5) == [(3, 11)]


def test_a_brand_is_never_injected_inside_a_garbled_span() -> None:
    import random

    # The spam was on the page before its bytes were misread: a clean brand cannot sit inside
    # a garbled run (it would split `?赵优绱??浣萄У` into halves no repair can join).
    paragraph = "组图：秋冬魅力 ?赵优绱??浣萄У加?：喜欢日系风格的女生们秋冬一定要关注披肩。"
    span = (8, 18)
    for seed in range(200):
        out = _inject_brand(paragraph, random.Random(seed), False, [span])
        assert paragraph[span[0] : span[1]] in out, out


def test_garble_and_brands_together_leave_every_garbled_run_whole() -> None:
    # The generator before this rule put a brand inside a garbled run on 15 of these 300 seeds.
    for seed in range(300):
        page = corrupt(ARTICLE, seed=seed, kinds=["garble", "injected_brand"])
        for run in re.findall(r"\?[^?\n。，]{0,24}\?", page.text):
            assert not re.search(SIGNS["injected_brand"], run), (seed, run)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.integers(min_value=0, max_value=10_000))
def test_any_article_any_seed(article: str, seed: int) -> None:
    page = corrupt(article, seed=seed, kinds=NOISE_KINDS)
    assert page.gold == article.strip()
    assert isinstance(page.text, str)
