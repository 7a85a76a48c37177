"""Keep / drop rules: each reason from the statistic it reads and the threshold it names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docproc.config import ENV_NAMES, Settings
from docproc.decide import RULES, decide
from docproc.pipeline import process_document
from docproc.result import Status
from infra.cli import main

NEWS = (
    "青岛市公安局近日联合社区开展反诈宣传活动，向老年人讲解常见诈骗手段。"
    "民警提醒，陌生来电要多核实，不要轻易转账。活动吸引了数百名居民参加，"
    "大家表示收获很大，今后会提高警惕，守好自己的钱袋子。"
)


def _stats(text: str) -> dict[str, Any]:
    return process_document(text.encode()).stats


def test_clean_news_is_kept() -> None:
    result = process_document(NEWS.encode())
    assert result.status == Status.KEPT, result.reasons


def test_too_short() -> None:
    result = process_document("你好。".encode())
    assert result.status == Status.DROPPED
    assert "too_short" in result.reasons


def test_repetitive_text_is_dropped() -> None:
    result = process_document((NEWS * 4).encode())
    assert "repetitive" in result.reasons


def test_low_han_ratio_only_for_chinese() -> None:
    english = (
        "The city council met on Monday to discuss the new bus routes. Residents asked for more "
        "frequent service in the evenings, and the transport office promised a study by spring. "
        "Several members raised the cost of fuel, which has risen sharply this year."
    )
    result = process_document(english.encode())
    assert result.status == Status.KEPT
    assert result.stats["language"] == "en"
    assert "low_han_ratio" not in result.reasons


def test_low_han_ratio_drops_chinese_full_of_symbols() -> None:
    stats = _stats(NEWS)
    stats["han_ratio"] = 0.05
    status, reasons = decide(stats, Settings())
    assert status == Status.DROPPED
    assert reasons == ["low_han_ratio"]


def test_numbers_only_is_not_text() -> None:
    table = "\n".join(f"{i} {i * 3} {i * 7} {i * 11}。" for i in range(100, 160))
    assert "not_text" in process_document(table.encode()).reasons


def test_small_spam_flags() -> None:
    stats = _stats(NEWS)
    stats["chars_removed"] = {"remove_seo_spam": 5}
    status, _ = decide(stats, Settings())
    assert status == Status.KEPT
    assert "spam" in stats["flags"]


def test_spam_removed_above_a_clean_article_keeps_the_article() -> None:
    # A stuffed line as long as the article itself: removed, and the article kept, flagged.
    stats = _stats(NEWS)
    stats["chars_removed"] = {"remove_seo_spam": stats["chars_out"]}
    status, reasons = decide(stats, Settings())
    assert (status, reasons) == (Status.KEPT, [])
    assert stats["flags"] == ["too_short", "spam"]  # the short news item is flagged as before


def test_mostly_spam_with_no_article_left_is_dropped_as_spam() -> None:
    stats = _stats("欢迎光临本站。")  # all that remained: too short to be an article
    stats["chars_removed"] = {"remove_seo_spam": 500}
    status, reasons = decide(stats, Settings())
    assert (status, reasons) == (Status.DROPPED, ["too_short", "spam"])


def test_spam_left_in_the_kept_text_is_dropped() -> None:
    stats = _stats(NEWS)
    stats["chars_removed"] = {"remove_seo_spam": 10}
    stats["spam_keywords"] = 3
    assert decide(stats, Settings()) == (Status.DROPPED, ["spam"])
    stats["chars_removed"] = {}  # the same keywords with nothing removed: an article about them
    assert decide(stats, Settings())[0] == Status.KEPT


def test_keywords_about_spam_are_counted() -> None:
    page = "\n".join(
        [
            "久久99激情综合网_色五月激情中文字幕_国产女主播在线播放_五月丁香啪啪_国产精品一区二区熟女不卡",
            *["国产精品在线播放，激情视频每天更新，人妻熟女在线播放，激情视频免费观看，国产精品人妻熟女。"] * 3,
        ]
    )
    result = process_document(page.encode())
    assert result.stats["spam_keywords"] >= 3
    assert result.status == Status.DROPPED and "spam" in result.reasons
    assert _stats(NEWS)["spam_keywords"] == 0


def test_mostly_boilerplate() -> None:
    stats = _stats(NEWS)
    stats["chars_removed"] = {"remove_boilerplate": stats["chars_out"] * 3}
    assert decide(stats, Settings())[1] == ["mostly_boilerplate"]


def test_thresholds_come_from_settings() -> None:
    stats = _stats(NEWS)
    assert decide(stats, Settings(min_chars_out=10_000))[1] == ["too_short"]
    assert decide(stats, Settings())[0] == Status.KEPT


@pytest.mark.parametrize(
    "name",
    [
        "min_chars_out",
        "max_spam_share",
        "max_boilerplate_share",
        "min_alpha_word_ratio",
        "max_replacement_ratio",
        "min_han_ratio",
        "max_dup_line_frac",
        "max_top_ngram_char_fracs",
        "max_dup_ngram_char_frac",
        "min_terminal_punct_line_frac",
        "max_short_line_frac",
    ],
)
def test_every_threshold_is_an_environment_setting(name: str) -> None:
    assert name in ENV_NAMES
    default = getattr(Settings(), name)
    env = {ENV_NAMES[name]: "3" if isinstance(default, int) else "0.5"}
    assert str(getattr(Settings.from_env(env), name)) in {"3", "0.5"}


def test_empty_after_cleaning_is_too_short() -> None:
    stats = _stats(NEWS)
    stats["chars_out"] = 0
    assert decide(stats, Settings()) == (Status.DROPPED, ["too_short"])


@settings(max_examples=40, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_a_status_and_known_reasons(text: str) -> None:
    result = process_document(text.encode("utf-8", "surrogatepass"))
    known = {rule.reason for rule in RULES}
    if result.status == Status.REJECTED:
        return
    assert result.status in {Status.KEPT, Status.DROPPED}
    assert (result.status == Status.DROPPED) == bool(result.reasons)
    assert set(result.reasons) <= known
    assert set(result.stats["flags"]) <= known
    assert not set(result.reasons) & set(result.stats["flags"])


def test_calibrate_command_without_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calibrate", "--corpus", str(tmp_path / "absent")]) == 2
    assert "no corpus" in capsys.readouterr().out
