"""remove_pinyin_annotations: only real readings of the character before go."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docproc.steps import pinyin
from docproc.steps.garble import repair_garbled_spans
from docproc.steps.pinyin import is_reading, remove_pinyin_annotations

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_9d31691385c9101d.txt"
CORPUS = ROOT.parent / "shared" / "corpus"


def test_tone_marked_annotations_go() -> None:
    out = remove_pinyin_annotations("電信網(wǎng)絡(luò)詐騙發(fā)案數(shù)持續(xù)下降")
    assert out.text == "電信網絡詐騙發案數持續下降"
    assert out.report.count == 5
    assert out.report.chars_removed == len("(wǎng)(luò)(fā)(shù)(xù)")


def test_toneless_tone_number_and_full_width_variants_go() -> None:
    assert remove_pinyin_annotations("烟(yan)台市(shi)教育").text == "烟台市教育"
    assert remove_pinyin_annotations("烟（yān）台").text == "烟台"
    assert remove_pinyin_annotations("烟(yan1)台 呢(ne5)").text == "烟台 呢"
    assert remove_pinyin_annotations("綠(lǜ)色 旅(lv)游 女(nu)子").text == "綠色 旅游 女子"


def test_heteronyms_count() -> None:
    assert remove_pinyin_annotations("快樂(lè)音樂(yuè)").text == "快樂音樂"
    assert is_reading("行", "háng") and is_reading("行", "xíng") and is_reading("行", "hang")


def test_words_that_are_not_readings_stay() -> None:
    for text in ("张杰(blog)的新歌", "小屋(house)出租", "中国(China)", "网(wang2)", "網(wàng)", "好(ok)"):
        out = remove_pinyin_annotations(text)
        assert out.text == text, text
        assert out.report.count == 0
    assert remove_pinyin_annotations("张杰(blog)").report.detail == {"kept_not_a_reading": 1}


def test_wrong_tone_stays_but_toneless_matches_any_tone() -> None:
    assert not is_reading("網", "wàng")
    assert is_reading("網", "wang")


def test_text_without_parentheses_is_not_looked_at() -> None:
    out = remove_pinyin_annotations("数据显示，2023年以来发案数持续下降。")
    assert out.report.count == 0


def test_the_seed_has_146_annotations_and_all_go() -> None:
    text = SEED.read_text(encoding="utf-8")
    # One of the 146 follows a garbled span (`蠀^(qū)`): it goes once the span is repaired to `區`.
    assert remove_pinyin_annotations(text).report.count == 145
    out = remove_pinyin_annotations(repair_garbled_spans(text).text)
    assert out.report.count == 146
    assert not re.search(r"[\u4e00-\u9fff]\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)", out.text)
    assert "區(市)" in out.text  # a real parenthesis after a character is text


@pytest.mark.skipif(not (CORPUS / "chinesewebtext").is_dir(), reason="../shared/corpus is not here")
def test_the_dirty_webtext_document_loses_its_toneless_pinyin() -> None:
    lines = (CORPUS / "chinesewebtext" / "dirty.jsonl").read_text(encoding="utf-8").splitlines()
    text = next(json.loads(line)["text"] for line in lines if "烟(yan)台" in line)
    out = remove_pinyin_annotations(text)
    assert "烟台市教育装备与技术研究中心" in out.text
    assert out.report.count >= 30


@pytest.mark.skipif(not (CORPUS / "thucnews").is_dir(), reason="../shared/corpus is not here")
def test_clean_news_articles_keep_every_parenthesis() -> None:
    for line in (CORPUS / "thucnews" / "cnews.val.txt").read_text(encoding="utf-8").splitlines():
        text = line.split("\t", 1)[1]
        assert remove_pinyin_annotations(text).text == text


def test_precomputed_readings_match_a_rebuild() -> None:
    from infra.build_script_tables import DATA_DIR, build_pinyin_readings

    assert (DATA_DIR / "pinyin_readings.txt").read_text(encoding="utf-8") == build_pinyin_readings()


def test_readings_outside_the_dense_block() -> None:
    assert is_reading("〇", "ling2")  # U+3007
    assert is_reading("𠀀", "he1")  # U+20000, extension B
    assert not is_reading("〇", "he")


def test_a_reading_after_no_ideograph_is_text() -> None:
    for text in ("(wang)络", "ab(wang)", "網)(wang)", "網(wǎng)(wǎng)"):
        out = remove_pinyin_annotations(text)
        assert out.text == text.replace("網(wǎng)", "網", 1)
        assert "kept_not_a_reading" not in out.report.detail


@given(st.text(alphabet="網絡烟台(（)）wangluòyan1 b", max_size=60))
def test_the_step_is_the_patterns_substitution(text: str) -> None:
    # The step walks the matches it is given (found in C where the module is built): the same
    # text as the pattern's own sub() removing each annotation that is a reading.
    def reference(match: re.Match[str]) -> str:
        return "" if is_reading(text[match.start() - 1], match.group(1)) else match.group()

    assert remove_pinyin_annotations(text).text == pinyin._ANNOTATION.sub(reference, text)
