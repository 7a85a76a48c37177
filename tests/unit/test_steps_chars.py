"""normalize_characters: control and zero-width characters go, NFC applies, punctuation stays."""

from __future__ import annotations

from docproc.steps.chars import normalize_characters


def test_control_zero_width_nul_and_inner_bom_are_removed() -> None:
    text = "再战机器人\x08\x06\x07\x05，莱州\u200b一中\ufeff包揽\x00前四名\u200d。"
    out = normalize_characters(text)
    assert out.text == "再战机器人，莱州一中包揽前四名。"
    assert out.report.count == 8
    assert out.report.chars_removed == 8
    assert out.report.detail["invisible_chars"] == 8


def test_tabs_newlines_and_full_width_punctuation_are_kept() -> None:
    text = "标题：青岛（市）\t“反诈”！\n\n第二段，１２３。\u3000全角空格"
    out = normalize_characters(text)
    assert out.text == text
    assert out.report.count == 0 and out.report.chars_removed == 0


def test_nfc_composes_but_never_folds_compatibility_forms() -> None:
    out = normalize_characters("Cafe\u0301 ＡＢＣ")
    assert out.text == "Café ＡＢＣ"
    assert out.report.detail["nfc"] == 1


def test_unicode_line_separators_become_newlines() -> None:
    out = normalize_characters("第一行\u2028第二行\u2029第三行")
    assert out.text == "第一行\n第二行\n第三行"
    assert out.report.detail["line_separators"] == 2


def test_plain_ascii_and_clean_chinese_pass_untouched() -> None:
    for text in ("", "plain ascii text\n", "数据显示，2023年以来，发案数持续下降。"):
        out = normalize_characters(text)
        assert out.text == text and out.report.count == 0


def test_terminal_escape_sequences_go_whole() -> None:
    out = normalize_characters("状态\x1b[1;31m失败\x1b[0m,请重试\x1b[2K")
    assert out.text == "状态失败,请重试"
    assert out.report.chars_removed == len("\x1b[1;31m\x1b[0m\x1b[2K")
