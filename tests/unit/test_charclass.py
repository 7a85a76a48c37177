"""CharClass.find (in C where the module is built) finds what the class's own pattern finds, and
Phrases what a search for each phrase finds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docproc import charclass, decode, dedup
from docproc.charclass import CharClass, Phrases, class_ranges
from docproc.steps import boilerplate, chars, garble, repeats

# The classes the steps search with it.
CLASSES = {
    "controls": chars._ANY,
    "decode_controls": decode._CONTROL,
    "makes_han": repeats._MAKES_HAN,
    "title_separators": repeats._SEPARATOR_CHAR,
    "sentence_punctuation": boilerplate._SENTENCE,
    "private_use": garble._PUA,
    "nfkc_folds": dedup._compatibility_folds()[0],
}
# Characters in and around each class, in the three string widths.
ALPHABET = (
    "aZ \n\t\x00\x08\x0b\x1f\x7f\x85\x9f\xa0\xad\u2028\u2029\u200b\u200f\ufeff\ufffd"
    "中文的⼈⺀\u2fdf㈱㌀\uf900\ufaff\ue000\ue5e5\uf8ff\uff01\uff1f，。\u3000"
    "\U0001f200\U0001f2ff\U0002f800\U0002fa1f\U000f0000😀"
)


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_each_class_the_steps_use_reads_as_plain_ranges(name: str) -> None:
    ranges = class_ranges(CLASSES[name].pattern.pattern)
    assert ranges and all(low <= high for low, high in ranges)


@pytest.mark.parametrize("source", [r"\d", "[^a]", r"[\w]", "ab", "[a]+", "(?i)[a]"])
def test_what_is_not_a_plain_class_is_refused(source: str) -> None:
    with pytest.raises(ValueError, match="one-character class"):
        class_ranges(source)


@settings(max_examples=1500, deadline=None)
@given(
    st.sampled_from(sorted(CLASSES)),
    st.text(alphabet=ALPHABET, max_size=40),
    st.integers(min_value=-3, max_value=45),
)
def test_find_finds_what_the_pattern_finds(name: str, text: str, start: int) -> None:
    cls = CLASSES[name]
    found = cls.pattern.search(text, start)
    assert cls.find(text, start) == (-1 if found is None else found.start())
    assert cls.count(text) == len(cls.pattern.findall(text))


def test_without_the_c_module_the_pattern_searches(monkeypatch: pytest.MonkeyPatch) -> None:
    cls = CharClass("[\ue000-\uf8ff]")
    monkeypatch.setattr(charclass, "native", None)
    assert cls.find("abc\ue001d") == 3 and cls.find("abc") == -1 and cls.count("\ue001a\ue002") == 2
    assert cls._table is None


def test_a_class_of_code_points_is_those_and_no_others() -> None:
    # Written as ranges of consecutive code points, its C table made from them (no parse).
    codes = [0x4E03, 0x41, 0x42, 0x43, 0x4E00, 0x4E02, ord("-"), ord("]")]
    made = CharClass.of_codes(codes)
    covered = {c for lo, hi in class_ranges(made.pattern.pattern) for c in range(lo, hi + 1)}
    assert covered == set(codes)
    assert [made.find(t) for t in ("xxC", "一", "丁", "丂x", "a-", "]", "")] == [2, 0, -1, 0, 1, 0, -1]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.text(alphabet="ab中文©页\U00020000", min_size=1, max_size=3), max_size=8),
    st.text(alphabet="ab中文©页\U00020000 x", max_size=20),
)
def test_phrases_are_found_as_their_alternation_finds_them(phrases: list[str], text: str) -> None:
    # In C (a class for the one-character phrases, a phrase set for the rest) and, where the
    # module is not built, by the alternation: the answer of a plain search for any of them.
    expected = any(p in text for p in phrases)
    assert Phrases(phrases).found_in(text) == expected
    with pytest.MonkeyPatch.context() as m:
        m.setattr(charclass, "native", None)
        assert Phrases(phrases).found_in(text) == expected
