"""Statistics in bounded memory: chunked counts equal whole-text counts, and huge documents are
measured on a bounded prefix for words and n-grams."""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Literal

from hypothesis import given, settings
from hypothesis import strategies as st

from docproc.language import CHUNK_CHARS, count_chars, han_script
from docproc.stats import MAX_MEASURED_CHARS, compute_stats, measured_prefix
from docproc.stats.composition import composition
from docproc.stats.repetition import char_ngram_repetition

ARTICLE = "青岛市公安局近日联合社区开展反诈宣传活动，向老年人讲解常见诈骗手段。這是繁體字。\n"


def _reference_char_repetition(text: str, n: int = 10) -> float:
    """data-juicer's definition, on the n-gram strings themselves."""
    if len(text) < n:
        return 0.0
    freqs = sorted(Counter(text[i : i + n] for i in range(len(text) - n + 1)).values(), reverse=True)
    top = min(int(math.sqrt(len(freqs))), len(freqs) - freqs.count(1))
    return round(sum(freqs[:top]) / sum(freqs), 4) if top else 0.0


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("的一是在不了有和人这中大为上个国我以要他"), max_size=400))
def test_char_repetition_by_hash_equals_the_definition(text: str) -> None:
    assert char_ngram_repetition(text) == _reference_char_repetition(text)


def test_chunked_counts_equal_whole_text_counts() -> None:
    pattern = re.compile("[这們们這]+")
    text = ("这们" * 7 + "x") * (3 * CHUNK_CHARS // 15)  # runs straddle the chunk boundaries
    assert len(text) > 2 * CHUNK_CHARS
    assert count_chars(pattern, text) == sum(map(len, pattern.findall(text)))


def test_composition_and_script_of_a_large_text() -> None:
    text = ARTICLE * (3 * CHUNK_CHARS // len(ARTICLE))
    small = composition(ARTICLE)
    large = composition(text)
    factor = len(text) // len(ARTICLE)
    assert large.counts == {k: v * factor for k, v in small.counts.items()}
    assert han_script(text) == han_script(ARTICLE)


def test_measured_prefix_ends_at_a_line_end() -> None:
    assert measured_prefix(ARTICLE) == ARTICLE
    text = ARTICLE * (MAX_MEASURED_CHARS // len(ARTICLE) + 10)
    prefix = measured_prefix(text)
    assert len(prefix) <= MAX_MEASURED_CHARS and text.startswith(prefix)
    assert text[len(prefix)] == "\n"
    assert measured_prefix("字" * 20, limit=10) == "字" * 10  # no line end: cut at the limit


def test_huge_document_words_are_measured_on_the_prefix() -> None:
    text = ARTICLE * (MAX_MEASURED_CHARS // len(ARTICLE) * 2)
    stats = compute_stats(text.encode(), text, text, [])
    assert stats["chars_out"] == len(text)
    assert stats["measured_chars"] < len(text) // 2 + len(ARTICLE)
    one = compute_stats(ARTICLE.encode(), ARTICLE, ARTICLE, [])
    assert one["measured_chars"] == len(ARTICLE)
    # Whole-text counts still see everything; word counts see the prefix only.
    assert stats["lines"] == len(text.splitlines())
    assert stats["words"] < 2 * one["words"] * stats["measured_chars"] / len(ARTICLE)


def test_script_out_from_the_script_step_equals_a_recount() -> None:
    from pathlib import Path

    from docproc.clean import clean_text
    from docproc.config import Settings

    seed = Path(__file__).resolve().parents[2] / "seeds" / "000_9d31691385c9101d.txt"
    cases: tuple[tuple[str, Literal["simplified", "traditional"]], ...] = (
        (seed.read_text(encoding="utf-8"), "simplified"),
        (ARTICLE, "traditional"),
    )
    for text, target in cases:
        settings = Settings(target_script=target)
        cleaned = clean_text(text, settings)
        assert "trad_chars_out" in cleaned.steps[-2].detail
        reused = compute_stats(b"", text, cleaned.text, cleaned.steps)
        recounted = compute_stats(b"", text, cleaned.text, [])
        for key in ("script_out", "traditional_share_out"):
            assert reused[key] == recounted[key]
    assert reused["script_out"] == "traditional"


def test_char_repetition_of_a_long_text_by_hash_equals_the_definition() -> None:
    from docproc.stats.repetition import SHORT_TEXT_CHARS

    text = (ARTICLE * 3 + "".join(chr(0x4E00 + i % 5000) for i in range(SHORT_TEXT_CHARS)))[: SHORT_TEXT_CHARS + 500]
    assert len(text) > SHORT_TEXT_CHARS
    assert char_ngram_repetition(text) == _reference_char_repetition(text) > 0


def test_minhash_in_slices_equals_one_update() -> None:
    import rensa

    from docproc import dedup

    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3 * dedup._UPDATE_TOKENS))
    tokens = dedup._shingle_tokens(dedup.normalize(text))
    assert len(tokens) > 2 * dedup._UPDATE_TOKENS
    whole = rensa.CMinHash(dedup.NUM_PERM, dedup.SEED)
    whole.update(list(map(str, tokens.tolist())))
    assert dedup.minhash(text) == [int(v) for v in whole.digest()]
