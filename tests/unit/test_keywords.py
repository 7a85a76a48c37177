"""TF-IDF keywords over the document's own words."""

from __future__ import annotations

from collections import Counter

from docproc.keywords import MAX_KEYWORDS, idf_table, stopwords, top_keywords
from docproc.segment import segment, words_of


def test_idf_table_ships_small_and_loads() -> None:
    table, default = idf_table()
    assert 30_000 < len(table) < 60_000
    assert table["的"] < 2 < default
    assert "的" in stopwords()
    assert "the" in stopwords()


def test_keywords_rank_topic_words_over_common_ones() -> None:
    text = "青岛市公安局开展反诈宣传。青岛市公安局联合社区开展反诈宣传活动，群众防骗意识提升。" * 3
    words = words_of(segment(text))
    keywords = top_keywords(Counter(words), len(words))
    ranked = [str(w) for w, _ in keywords]
    assert "青岛市" in ranked[:3]
    assert all(len(w) >= 2 for w in ranked)
    assert "开展" not in ranked[:2]
    assert len(keywords) <= MAX_KEYWORDS


def test_no_words_no_keywords() -> None:
    assert top_keywords(Counter(), 0) == []


def test_segment_once_words_only() -> None:
    tokens = segment("你好，世界！Hello world.")
    assert words_of(tokens) == ["你好", "世界", "Hello", "world"]


def test_numbers_and_single_characters_are_never_keywords() -> None:
    words = ["2023", "1.44", "的", "山", "反诈", "反诈", "宣传"]
    ranked = [str(w) for w, _ in top_keywords(Counter(words), len(words))]
    assert ranked[0] == "反诈"
    assert set(ranked) == {"反诈", "宣传"}
