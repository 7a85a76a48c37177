"""Statistics on small texts whose figures can be worked out by hand."""

from __future__ import annotations

import json
from collections import Counter
from itertools import accumulate

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docproc import text_metadata
from docproc.quantities import MAX_QUANTITIES, find_quantities
from docproc.result import StepReport
from docproc.stats import compute_stats
from docproc.stats.composition import composition
from docproc.stats.lines import count_sentences, line_stats
from docproc.stats.noise import noise_stats
from docproc.stats.repetition import (
    char_ngram_repetition,
    dup_ngram_char_frac,
    duplicate_fractions,
    ngram_levels,
    top_ngram_char_frac,
)
from docproc.text_metadata import complete_metadata, publication_date


def word_ids(words: list[str]) -> list[int]:
    """Each word as a small integer, equal for equal words (as the word census numbers them)."""
    vocab = dict(zip(dict.fromkeys(words), range(len(words)), strict=False))
    return list(map(vocab.__getitem__, words))


def test_composition_classes() -> None:
    comp = composition("中文abc 123，!")
    assert comp.counts == {"han": 2, "latin": 3, "space": 1, "digit": 3, "punct": 2}
    assert comp.visible == 10
    assert comp.ratio("han") == 0.2


def test_duplicate_fractions_count_repeats_not_first_occurrences() -> None:
    assert duplicate_fractions(["aa", "b", "aa", "aa"]) == (0.5, round(4 / 7, 4))
    assert duplicate_fractions([]) == (0.0, 0.0)


def test_top_ngram_char_frac() -> None:
    words = ["我", "爱", "北京", "我", "爱", "上海"]
    levels = ngram_levels(word_ids(words), 5)
    # the 2-gram (我, 爱) occurs twice: 4 characters of 8
    assert top_ngram_char_frac(levels[2], 2, [1, 1, 2, 1, 1, 2], 8) == 0.5
    assert levels[3].top_count == 0
    assert top_ngram_char_frac(levels[3], 3, [1, 1, 2, 1, 1, 2], 8) == 0.0


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from("abc"), max_size=30))
def test_ngram_levels_match_a_plain_count(words: list[str]) -> None:
    levels = ngram_levels(word_ids(words), 5)
    for n in range(2, 6):
        grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
        counts = Counter(grams)
        top = max(counts.values(), default=0)
        assert levels[n].top_count == (top if top > 1 else 0)
        if levels[n].top_count:
            assert counts[grams[levels[n].top_position]] == top
        assert levels[n].repeated == [i for i, g in enumerate(grams) if counts[g] > 1]


def _dup_frac(words: list[str], n: int, chars: list[int] | None = None) -> float:
    chars = chars or [1] * len(words)
    levels = ngram_levels(word_ids(words), 10)
    return dup_ngram_char_frac(levels[n], n, list(accumulate(chars, initial=0)), sum(chars))


def test_dup_ngram_char_frac_on_a_doubled_text() -> None:
    words = list("abcdefgh") * 2
    for n in (5, 6, 8):
        assert _dup_frac(words, n) == 0.5
    assert _dup_frac(words, 9) == 0.0
    assert _dup_frac(list("abcdefghij"), 5) == 0.0


def test_dup_ngram_overlapping_repeats_count_once() -> None:
    assert _dup_frac(list("aaaaaaaaaaaa"), 5) == round(11 / 12, 4)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from("ab"), max_size=40), st.integers(5, 10))
def test_dup_ngram_char_frac_matches_a_plain_walk(words: list[str], n: int) -> None:
    chars = [1 + (i % 3) for i in range(len(words))]
    covered = [False] * len(words)
    seen: set[tuple[str, ...]] = set()
    for i in range(len(words) - n + 1):
        gram = tuple(words[i : i + n])
        if gram in seen:
            covered[i : i + n] = [True] * n
        seen.add(gram)
    expected = round(sum(c for c, cov in zip(chars, covered, strict=True) if cov) / sum(chars), 4) if words else 0.0
    assert _dup_frac(words, n, chars) == expected


def test_char_ngram_repetition() -> None:
    assert char_ngram_repetition("短") == 0.0
    assert char_ngram_repetition("abcdefghijklmnopqrstuvwxyz") == 0.0
    assert char_ngram_repetition("0123456789" * 10) > 0.25


def test_line_stats_know_chinese_terminal_punctuation() -> None:
    lines = ["他说：“好。”", "真的吗？", "标题", "这是一个很长的没有句号的行而且很长很长"]
    out = line_stats(lines, cjk=True)
    assert out["terminal_punct_line_frac"] == 0.5
    assert out["short_line_frac"] == 0.75  # under 10 characters: all but the last
    assert out["max_line_chars"] == 19


def test_count_sentences() -> None:
    assert count_sentences("一。二！三？") == 3
    assert count_sentences("一。二") == 2
    assert count_sentences("") == 0


def test_noise_stats_survive_missing_steps() -> None:
    out = noise_stats([StepReport("remove_seo_spam", 1, 50, {"spam_lines": 1})], 100)
    assert out["spam_lines"] == 1
    assert out["pinyin_annotations"] == 0
    assert out["noise_ratio"] == 0.5
    assert out["steps_run"] == ["remove_seo_spam"]


def test_whitespace_is_not_noise() -> None:
    out = noise_stats([StepReport("normalize_whitespace", 0, 30)], 100)
    assert out["noise_ratio"] == 0.0


def test_quantities_and_dates_as_written() -> None:
    quantities, n, dates, n_dates = find_quantities(
        "全市已建成1.44萬個群，覆蓋居民339.9萬人，發送短信1.5億人次，實現“三個100%”。2023年5月1日，2000辆公交车。"
    )
    assert quantities == ["1.44萬個", "339.9萬人", "1.5億人次", "三個100%", "2000辆"]
    assert n == 5
    assert dates == ["2023年5月1日"]
    assert n_dates == 1


def test_quantity_lists_are_capped() -> None:
    quantities, n, _, _ = find_quantities("，".join(f"{i}个" for i in range(100)))
    assert len(quantities) == MAX_QUANTITIES
    assert n == 100


def test_publication_date() -> None:
    assert publication_date("标题\n发布时间：2023年5月1日 10:00\n正文") == "2023-05-01"
    assert publication_date('<meta property="article:published_time" content="2021-03-04T10:00">') == "2021-03-04"
    assert publication_date("日期: 2019/7/8") == "2019-07-08"
    assert publication_date("正文里没有日期。") is None
    assert publication_date("2022-13-01") is None


_DATE_PIECES = ["发布时间", "發佈", "日期", "date", "Published", "pubdate", "content=", ":", "：", "=", '"',
                " ", "   ", "\u3000", "\n", "年", "月", "日", "号", "-", "/", ".", "20", "19", "23", "5", "1", "12",
                "31", "13", "T10:00", "于", "时间", "ſ", "published", "PUBLISHED", "更新"]  # fmt: skip


def _date_by_whole_text_scans(text: str) -> str | None:
    """publication_date as every pattern's scan of the whole text, in order, gives it."""
    regions = [(text_metadata._LABELLED_DATE, text), (text_metadata._BARE_DATE, text[: text_metadata.EDGE_CHARS])]
    regions += [(text_metadata._BARE_DATE, text[-text_metadata.EDGE_CHARS :])]
    regions.insert(0, (text_metadata._HTML_DATE, text))
    for pattern, region in regions:
        for match in pattern.finditer(region):
            iso = text_metadata._iso(match)
            if iso:
                return iso
    return None


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_DATE_PIECES), max_size=30).map("".join))
def test_the_publication_date_is_the_whole_text_scans(text: str) -> None:
    # Texts with no year-month-day skip the scans, and labels are looked for only just before
    # each date: the same answer as each pattern's scan of the whole text.
    assert publication_date(text) == _date_by_whole_text_scans(text)
    assert publication_date(text * 40) == _date_by_whole_text_scans(text * 40)  # past the edges
    padded = "z" * 700 + text + "z" * 700  # the edges hold no date: only a label can name one
    assert publication_date(padded) == _date_by_whole_text_scans(padded)


_SPACES = st.sampled_from(["", " ", "   ", "\u3000\u3000", " " * 70])
_LABELLED = st.tuples(
    st.sampled_from(["", "发布", "時間", "日期", "date", "Published", "PUBLISHED", "publiſhed", "更新", "发布时间"]),
    _SPACES,
    st.sampled_from(["", "时间", "于", "日期"]),
    _SPACES,
    st.sampled_from(["", "：", ":"]),
    _SPACES,
    st.sampled_from(["2023", "1999", "2019", "20"]),
    st.sampled_from(["年", "-", "/", ".", " 年 "]),
    st.sampled_from(["5", "12", "13", "05"]),
    st.sampled_from(["月", "-", "/"]),
    st.sampled_from(["1", "31", "32", "1 "]),
    st.sampled_from(["", "日", "号", " 日", "日期"]),
).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.one_of(_LABELLED, st.sampled_from(["正文", "日", "x" * 5, "\n", "2"])), max_size=8).map("".join))
def test_labelled_dates_anywhere_are_the_whole_text_scans(text: str) -> None:
    padded = "z" * 700 + text + "z" * 700  # the edges hold no date: only a label can name one
    assert publication_date(padded) == _date_by_whole_text_scans(padded)
    assert publication_date(text) == _date_by_whole_text_scans(text)


def test_a_label_far_ahead_of_its_date_is_found() -> None:
    # The spaces between a label's parts have no bound: the look back follows each run of them.
    for gap in (" " * 300, "\u3000" * 50 + "：" + " " * 200, " " * 80 + "时间" + " " * 90):
        text = "x" * 700 + "2001年1月1日 正文\n发布" + gap + "2023年5月1日" + "y" * 700
        assert publication_date(text) == _date_by_whole_text_scans(text) == "2023-05-01"


@pytest.mark.parametrize(
    "field", ["article:published_time", "datePublished", "pubdate", "PublishDate", "ARTıCLE:PUBLIſHED_TIME"]
)
def test_each_date_field_is_found_where_it_stands(field: str) -> None:
    for before in ("", "x", "public ", "sub" * 5):
        text = f'{before}<meta property="{field}" content="2021-03-04T10:00">'
        assert [m.group("y") for m in text_metadata._html_date_fields(text)] == ["2021"]
        assert publication_date(text) == "2021-03-04"


def test_complete_metadata_keeps_found_values_and_fills_the_rest() -> None:
    found = {"title": "标题", "author": "", "encoding": "utf-8"}
    meta = complete_metadata(found, "2020年1月2日 新华社", {"language": "zh", "script_in": "simplified"})
    assert meta["title"] == "标题"
    assert meta["author"] is None
    assert meta["published"] == "2020-01-02"
    assert meta["language"] == "zh"
    assert meta["script"] == "simplified"
    page = complete_metadata({"published": "2021-03-04T10:00:00+08:00"}, "", {})
    assert page["published"] == "2021-03-04"


def test_english_text_is_english_with_latin_composition() -> None:
    text = "The quick brown fox jumps over the lazy dog. " * 5
    stats = compute_stats(text.encode(), text, text, [])
    assert stats["language"] == "en"
    assert stats["latin_ratio"] > 0.7
    assert stats["script_in"] == "none"
    assert stats["stopword_ratio"] > 0.2


def test_empty_text() -> None:
    stats = compute_stats(b"", "", "", [])
    assert stats["chars_out"] == 0
    assert stats["words"] == 0
    assert stats["language"] == "und"
    assert stats["keywords"] == []


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_bounded_json_stats(text: str) -> None:
    stats = compute_stats(text.encode("utf-8", "surrogatepass"), text, text, [])
    encoded = json.dumps(stats)
    assert json.loads(encoded) == stats
    for key, value in stats.items():
        if key.endswith(("_ratio", "_frac", "_share")):
            assert 0.0 <= value <= 1.0, key


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["article:published_time", "datePublished", "PUBDATE", "PublishDate", "pUbdate", 'content="', ":", " ",
             "2021-03-04", "2021年3月4日", "发布时间：", "u", "b", "P", "<meta ", "日期", "artıcle:publiſhed_time",
             "ub", "=", "'"]
        ),
        max_size=8,
    )
)  # fmt: skip
def test_the_date_fields_are_the_patterns_own_scan(parts: list[str]) -> None:
    # Tried only around each `ub`: the same matches as the pattern's scan of every character.
    text = "".join(parts)
    found = [m.span() for m in text_metadata._html_date_fields(text)]
    assert found == [m.span() for m in text_metadata._HTML_DATE.finditer(text)]
