"""normalize_whitespace: runs of spaces collapsed, lines stripped, one blank line between paragraphs."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from docproc.steps.whitespace import normalize_whitespace


def test_runs_collapse_and_paragraphs_get_one_blank_line() -> None:
    text = "  第一段\u3000\u3000开头。  两个  空格\t制表\r\n\r\n\r\n第二段\xa0结束。 \n\n\n"
    out = normalize_whitespace(text)
    assert out.text == "第一段 开头。 两个 空格 制表\n\n第二段 结束。"
    assert out.report.chars_removed == len(text) - len(out.text)


def test_a_text_with_single_spaces_only_keeps_them() -> None:
    assert normalize_whitespace("one two three\nfour five").text == "one two three\n\nfour five"


# The step's first form: one substitution of every run that collapsing changes.
_SPACES = re.compile(r"[ \t\u3000\xa0](?:(?<=[\t\u3000\xa0])|(?=[ \t\u3000\xa0]))[ \t\u3000\xa0]*+")


def _reference(text: str) -> str:
    """The step without its shortcuts: the one substitution over every text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (line.strip() for line in _SPACES.sub(" ", text).split("\n"))
    return "\n\n".join(line for line in lines if line)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=" \t\u3000\xa0\u2003\n\r字a", max_size=30))
def test_the_shortcut_changes_nothing(text: str) -> None:
    assert normalize_whitespace(text).text == _reference(text)

