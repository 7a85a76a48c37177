"""remove_repeated_lines: first occurrence kept; short lines only on exact repeats."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from docproc.steps.repeats import remove_repeated_lines

PARA = "青島市刑偵支隊聯合教育、人社部門構建家校協同體系,通過典型案例通報強化警示教育。"
OTHER = "企業財務人員的“資金安全關”同樣被重點守護。"


def test_repeated_paragraph_keeps_the_first() -> None:
    out = remove_repeated_lines(f"{PARA}\n\n{OTHER}\n\n{PARA}\n")
    assert out.text == f"{PARA}\n\n{OTHER}\n\n"
    assert out.report.count == 1
    assert out.report.chars_removed == len(PARA) + 1


def test_a_copy_differing_in_spacing_or_width_is_a_repeat() -> None:
    spaced = " " + PARA.replace(",", "，").replace("、", " 、") + "  "
    assert remove_repeated_lines(f"{PARA}\n{spaced}").text == PARA


def test_a_repeated_heading_goes_only_on_exact_repeats() -> None:
    last = "青少年是反诈宣传的重点群体，学校和家长要一起行动。"
    text = f"精准滴灌\n{PARA}\n精准 滴灌\n{OTHER}\n精准滴灌\n{last}"
    assert remove_repeated_lines(text).text == f"精准滴灌\n{PARA}\n精准 滴灌\n{OTHER}\n{last}"


def test_short_lines_among_short_lines_are_table_cells() -> None:
    table = "节目\n年份\nRunning Man\n2010\nX-Man\n2010\nRunning Man\n2012"
    assert remove_repeated_lines(f"{PARA}\n{table}\n{OTHER}").text == f"{PARA}\n{table}\n{OTHER}"


def test_a_page_title_echoing_the_headline_goes() -> None:
    headline = "拿出10万元投资房产 小两口尝试以钱生钱(图)"
    for site in ("_新浪房产_新浪网", "-搜狐财经", "--雅虎新闻", " | 新浪网"):
        out = remove_repeated_lines(f"{headline}{site}\n{headline}\n{PARA}")
        assert out.text == f"{headline}\n{PARA}"
    # A line that goes on with a sentence after the separator is not a title.
    text = f"{headline}\n{headline}_然后，两人又买了一套房。\n{PARA}"
    assert remove_repeated_lines(text).text == text


def test_very_short_lines_never_go() -> None:
    text = "是\n否\n是\n（一）\n（一）\n"
    assert remove_repeated_lines(text).text == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([PARA, OTHER, "精准滴灌", "是", "", " "]), max_size=20))
def test_output_is_input_minus_later_copies(lines: list[str]) -> None:
    out = remove_repeated_lines("\n".join(lines)).text.split("\n")
    long_lines = (PARA, OTHER)
    assert [x for x in out if x in long_lines] == list(dict.fromkeys(x for x in lines if x in long_lines))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    assert len(remove_repeated_lines(text).text) <= len(text)


def test_linear_on_many_lines() -> None:
    # Quadratic work would take minutes here; linear takes well under a second.
    text = "\n".join(f"第{i % 2000}段：{PARA}" for i in range(20_000))
    start = time.perf_counter()
    out = remove_repeated_lines(text)
    assert out.report.count == 18_000
    assert time.perf_counter() - start < 10.0


def test_a_copy_written_with_compatibility_ideographs_is_a_repeat() -> None:
    # `⼈` (Kangxi radical) and `㈱` become Han under NFKC: the shortcut on Han prefixes must not hide them.
    line = "人民日报记者今天报道，" + "有关部门正在调查此事" * 2
    copy = line.replace("人", "⼈", 1)
    out = remove_repeated_lines(f"{line}\n{OTHER}\n{copy}")
    assert out.text == f"{line}\n{OTHER}" and out.report.count == 1


def test_lines_with_the_same_han_but_other_letters_are_compared_in_full() -> None:
    a = "新华社北京电 ABC company reports growth"
    b = "新华社北京电 ＡＢＣ Company reports growth"
    c = "新华社北京电 XYZ company reports growth"
    assert remove_repeated_lines(f"{a}\n{PARA}\n{b}\n{c}").text == f"{a}\n{PARA}\n{c}"


def test_the_characters_nfkc_turns_into_han_are_all_known() -> None:
    # The ranges of _MAKES_HAN must cover every non-Han character whose NFKC holds a Han character.
    import re
    import sys
    import unicodedata

    from docproc.steps.repeats import _HAN, _MAKES_HAN

    han = re.compile(f"[{_HAN}]")
    missed = [
        hex(cp)
        for cp in range(sys.maxunicode + 1)
        if not 0xD800 <= cp < 0xE000
        and not han.match(chr(cp))
        and han.search(unicodedata.normalize("NFKC", chr(cp)))
        and _MAKES_HAN.find(chr(cp)) < 0
    ]
    assert missed == []
