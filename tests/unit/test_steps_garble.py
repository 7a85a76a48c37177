"""repair_garbled_spans: GBK decoded one byte out of step is repaired; clean text is never touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docproc.steps import garble as garble_step
from docproc.steps.garble import mean_log_frequency, repair_garbled_spans

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_9d31691385c9101d.txt"
THUCNEWS = ROOT.parent / "shared" / "corpus" / "thucnews" / "cnews.val.txt"

# The sample's three garbled spans (five lost lead bytes), as they stand in the seed and as the
# bytes say they were. Byte dumps: docs/cleaning-input.md.
SEED_SPANS = [
    # Of the lost character only its trail byte (cb) is left, which 退 and 账 share; the residue
    # `fù` names 復 = d9 8f + cd, the previous trail byte read with the lost lead: cd cb is 退.
    ("被‘網(wǎng)購?fù)丝睢\ue1ea尿_局忽悠", "被‘網(wǎng)購退款’的騙局忽悠"),
    ("忽悠?!苯\ue3d3眨\ue0d7易∏鄭u市市北區(qū)", "忽悠。”近日，家住青島市市北區(qū)"),
    ("上當(dāng)?shù)慕?jīng)歷", "上當(dāng)的經歷"),  # `jīng)` lost its `(`: garbage, dropped
    ("多核實?!痹谑心蠀^(qū)一社區(qū)", "多核實。”在市南區(qū)一社區(qū)"),
    ("凝聚合力?!鼻鄭u市刑偵支隊", "凝聚合力。”青島市刑偵支隊"),
]


def garble(text: str, index: int) -> str:
    """The mechanism found in the sample: text[index]'s GBK lead byte is lost and written as `?`, the
    bytes after it are decoded one byte out of step (until an ASCII byte brings them back in step)."""
    raw = text[index:].encode("gb18030")
    return text[:index] + "?" + raw[1:].decode("gb18030", errors="replace")


@pytest.mark.parametrize(("garbled", "original"), SEED_SPANS)
def test_each_seed_span_is_repaired_exactly(garbled: str, original: str) -> None:
    out = repair_garbled_spans(garbled)
    assert out.text == original
    assert out.report.count >= 1


def test_the_whole_seed_is_repaired() -> None:
    text = SEED.read_text(encoding="utf-8")
    out = repair_garbled_spans(text)
    assert out.report.detail == {"repaired": 5}
    assert "?" not in out.text
    assert not any("\ue000" <= c <= "\uf8ff" for c in out.text)
    for _, original in SEED_SPANS:
        assert original.replace("(", "").replace(")", "") in out.text.replace("(", "").replace(")", "")
    assert "“多虧社區(qū)網(wǎng)格員" in out.text  # text around the spans is untouched


def test_synthetic_garbling_of_ordinary_sentences_is_repaired() -> None:
    sentences = [
        "记者从市公安局获悉，今年以来全市电信诈骗发案数持续下降，群众的安全感不断提升。2024年",
        "针对老年人防范意识较弱的特点，社区民警上门宣传，线上矩阵群定期推送知识。A",
        "企业财务人员的资金安全同样被重点守护，常态化开展进企业宣传活动。B",
    ]
    for sentence in sentences:
        garbled = garble(sentence, 4)
        assert garbled != sentence
        assert repair_garbled_spans(garbled).text == sentence, garbled


def garble_with_residue(text: str, index: int, reading: str, marker: str = "?") -> str:
    """The sample's variant: an annotator reading the bytes one out of step took the previous
    character's trail byte and text[index]'s lead byte for one character and wrote its reading
    after them; the lead byte and the `(` then decoded as an invalid pair (`?`; a replacing decoder
    writes U+FFFD and keeps the `(`), and the rest one byte out of step."""
    raw = text[index:].encode("gb18030")
    paren = "" if marker == "?" else "("
    return text[:index] + marker + paren + reading + ")" + raw[1:].decode("gb18030", errors="replace")


# 市民在网上申请退款时要先核实对方身份 in GBK: 请 = c7 eb, 退 = cd cb. The annotator read eb cd
# as 胪 (lú). The trail byte cb alone would give 账 (账款 is the more frequent word).
SENTENCE = "市民在网上申请退款时要先核实对方身份，不要轻信陌生电话。"


def test_the_reading_after_a_lost_lead_names_the_lost_byte() -> None:
    assert bytes([0xEB, 0xCD]).decode("gbk") == "胪"
    assert repair_garbled_spans(garble(SENTENCE, 7)).text != SENTENCE  # the trail byte alone: 账
    for marker in ("?", "\ufffd"):
        garbled = garble_with_residue(SENTENCE, 7, "lú", marker)
        out = repair_garbled_spans(garbled)
        assert out.text == SENTENCE, (garbled, out.text)
        assert out.report.detail["repaired"] == 1


def test_more_lost_characters_named_by_their_misread_reading() -> None:
    # (index, reading of previous trail byte + lost lead byte): 在 after 民, 时 after 款, 核 after 先.
    for index, reading in ((2, "bì"), (9, "tǔ"), (12, "qún")):
        assert repair_garbled_spans(garble(SENTENCE, index)).text != SENTENCE, index
        assert repair_garbled_spans(garble_with_residue(SENTENCE, index, reading)).text == SENTENCE, index


def test_a_reading_that_names_no_lead_byte_changes_nothing_but_goes_with_the_span() -> None:
    # No lead byte after 请's trail eb makes a character read `ō`: the choice is the trail byte's.
    plain = repair_garbled_spans(garble(SENTENCE, 7)).text
    assert repair_garbled_spans(garble_with_residue(SENTENCE, 7, "ō")).text == plain


def test_pinyin_after_a_question_mark_in_clean_text_stays() -> None:
    for text in ("她问:为什么?(xiào)大家都笑了。", "真的吗\ufffd(ma)是的。"):
        out = repair_garbled_spans(text)
        assert out.text == text
        assert out.report.count == 0


def test_a_lead_byte_lost_without_a_marker_is_found_by_its_private_use_garbage() -> None:
    sentence = "针对老年人防范意识较弱的特点，社区民警上门宣传，线上矩阵群定期推送知识。A"
    raw = sentence[8:].encode("gb18030")
    garbled = sentence[:8] + raw[1:].decode("gb18030", errors="replace")
    assert any("\ue000" <= c <= "\uf8ff" for c in garbled) and "?" not in garbled
    out = repair_garbled_spans(garbled)
    # Without a marker only the lost character's trail byte is known: all the rest comes back.
    assert len(out.text) == len(sentence)
    assert sum(a != b for a, b in zip(out.text, sentence, strict=True)) <= 1
    assert out.report.detail["repaired_unmarked"] == 1


def test_question_marks_and_rare_characters_in_clean_text_stay() -> None:
    for text in (
        "你知道吗?他说明天再来。",
        "这是为什么?因为成本太高。",
        "王?明入围最佳新人奖",  # a character the source could not encode: nothing to repair
        "李?表示，比赛很激烈。",
        "睢县尿检中心?",
        "What? 真的吗?!",
    ):
        out = repair_garbled_spans(text)
        assert out.text == text, text
        assert out.report.count == 0


def test_a_lone_private_use_bullet_stays_but_garbage_runs_lose_it() -> None:
    bullet = "课程包括：\uf0d8 设计基础"
    assert repair_garbled_spans(bullet).text == bullet
    out = repair_garbled_spans("正文睢\ue1ea尿眨\ue0d7正文")
    assert out.text == "正文睢尿眨正文"
    assert out.report.detail["dropped_chars"] == 2


def test_text_without_markers_is_returned_at_once() -> None:
    text = "数据显示，2023年以来，青岛市电信网络诈骗发案数持续下降。"
    out = repair_garbled_spans(text)
    assert out.text is text and out.report.count == 0


def test_the_score_prefers_ordinary_text() -> None:
    assert mean_log_frequency("。”近日，家住青島") > mean_log_frequency("?!苯\ue3d3眨\ue0d7易∏鄭u") + 3


@pytest.mark.skipif(not THUCNEWS.is_file(), reason="../shared/corpus/thucnews is not here")
def test_clean_news_articles_come_through_unchanged() -> None:
    """The false-positive figure in docs/cleaning-input.md: 0 characters changed in 1000 articles."""
    for line in THUCNEWS.read_text(encoding="utf-8").splitlines():
        text = line.split("\t", 1)[1]
        assert repair_garbled_spans(text).text == text


def test_the_compact_table_is_what_the_builder_makes_of_the_readable_tables() -> None:
    """data/garble_tables.bin is generated (python -m infra.build_garble_tables): a rebuild from
    infra/garble_tables/ gives the same bytes, and it stays small (the Lambda package ships it)."""
    from infra.build_garble_tables import COMPACT, compact, read_sources

    committed = COMPACT.read_bytes()
    assert compact(*read_sources()) == committed
    assert len(committed) < 450_000


def test_the_compact_table_holds_the_readable_counts() -> None:
    from docproc.steps.garble import _bigram_count, _counts, _word_freq
    from infra.build_garble_tables import read_sources

    chars, pairs, words = read_sources()
    counts, total = _counts()
    assert counts == dict(chars) and total == sum(n for _, n in chars)
    assert all(_bigram_count(p[0], p[1]) == n for p, n in pairs)
    looked_up = [(w, n, _word_freq(w)) for w, n in words]
    # Three words are no Simplified pair or pair + character (拚命, 沈思, 承乾宫): never looked up.
    assert sorted(w for w, n, found in looked_up if found != n) == sorted(["承乾宫", "拚命", "沈思"])
    found = [_word_freq(w) for w in ("账款", "公安局", "安局", "公安局长")]
    assert found == [49, 584, 0, 0]
    assert _word_freq("退款") == 0  # 25 in jieba's dictionary: below the table's floor of 40


def test_repairing_needs_no_segmenter_and_clean_text_loads_no_table() -> None:
    """In a fresh process: no `?` loads nothing, an ordinary `?` only the stored characters."""
    code = (
        "import sys\n"
        "from docproc.steps import garble\n"
        "garble.repair_garbled_spans('数据显示，青岛市电信网络诈骗发案数持续下降。')\n"
        "assert garble._table_streams.cache_info().currsize == 0\n"
        "garble.repair_garbled_spans('李?琴表示，比赛很激烈。这是为什么?因为成本太高。')\n"
        "assert garble._scoring_table.cache_info().currsize == 0  # the pre-check built no dict\n"
        f"out = garble.repair_garbled_spans({SEED_SPANS[0][0]!r})\n"
        "assert out.report.count == 1 and 'rjieba' not in sys.modules, sorted(sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "functions" / "processor")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


def test_the_pre_check_scores_like_the_dicts() -> None:
    from docproc.steps.garble import _mean, _stored_score

    for text in ("因为成本太高", "?!苯\ue3d3眨\ue0d7", "丝睢\ue1ea尿_局", "What?", "鼻鄭u市", "\ufffd𠀀"):
        assert _mean(text, _stored_score) == mean_log_frequency(text), text


@settings(max_examples=300)
@given(st.text(alphabet="的一是\ue3d3\ue0d7鄭苯眨u?!\ufffd𠀀 因為", min_size=1, max_size=12))
def test_the_mean_is_the_summed_scores_float_for_float(chars: str) -> None:
    # The compiled loops against the sum() they replaced: the same additions in the same order.
    from itertools import repeat

    from docproc.steps.garble import _PRIVATE, _UNKNOWN, _mean, _mean_in, _scoring_table

    table = _scoring_table()
    total = sum(map(table.get, chars, repeat(_UNKNOWN)))
    total += sum(1 for c in chars if "\ue000" <= c <= "\uf8ff") * (_PRIVATE - _UNKNOWN)
    assert _mean_in(chars, table) == total / len(chars) == _mean(chars, table.get)


_SHIFT_PIECES = ["?", "\ufffd", "?fù)", "(jīng)", "abc", "id=3", " ", "的", "是", "鄭", "苯", "眨", "\ue3d3", "\ue0d7",
                 "!", "~", "購", "當", "退", "。", "\n", "12"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_SHIFT_PIECES), max_size=16).map("".join))
def test_no_walk_after_ascii_alone_changes_no_repair(text: str) -> None:
    # _may_be_shifted skips the walk where the next characters are ASCII: every walk it skips
    # would have found nothing, on texts of markers, ASCII, rare and private-use characters.
    fast = repair_garbled_spans(text)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(garble_step, "_may_be_shifted", lambda ahead: True)
        walked = repair_garbled_spans(text)
    assert (fast.text, fast.report) == (walked.text, walked.report)


def test_the_seed_needs_every_walk_it_gets() -> None:
    # The seed's spans follow non-ASCII characters: the shortcut leaves all of them to the walk.
    text = SEED.read_text(encoding="utf-8")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(garble_step, "_may_be_shifted", lambda ahead: True)
        walked = repair_garbled_spans(text)
    assert repair_garbled_spans(text).text == walked.text
