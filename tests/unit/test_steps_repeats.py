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
