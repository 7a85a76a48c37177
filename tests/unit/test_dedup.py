"""Duplicate signatures on real edits of the sample document.

The sample is a news article with an SEO spam title line; the edits below are the ones a
corpus builder meets: the same article re-uploaded without its spam line, with one paragraph
rewritten, and with its last third cut off.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from docproc import dedup
from docproc.config import Settings

SAMPLE = (Path(__file__).resolve().parents[2] / "seeds" / "000_9d31691385c9101d.txt").read_text("utf-8")
THRESHOLD = Settings().near_duplicate_threshold
# Three standard errors of a 128-slot estimate at J = 0.5 (the widest case): 3 * sqrt(0.25 / 128).
ESTIMATE_TOLERANCE = 0.133


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def without_spam_line(text: str) -> str:
    return "\n".join(text.split("\n")[1:])


def with_paragraph_changed(text: str) -> str:
    # Rewrite the longest paragraph: keep its first sentence, replace the rest.
    longest = max(_paragraphs(text), key=len)
    first_sentence = longest.split("。")[0] + "。"
    rewritten = first_sentence + "记者从相关部门获悉，今年以来各区市持续加大宣传力度，群众识骗防骗能力增强。"
    return text.replace(longest, rewritten)


def with_last_third_cut(text: str) -> str:
    return text[: len(text) * 2 // 3]


EDITS = {
    "spam line removed": without_spam_line,
    "paragraph changed": with_paragraph_changed,
    "last third cut": with_last_third_cut,
}


@pytest.mark.parametrize("name", list(EDITS))
def test_light_edits_are_near_duplicates_with_an_accurate_estimate(name: str) -> None:
    edited = EDITS[name](SAMPLE)
    assert edited != SAMPLE
    true = dedup.jaccard(SAMPLE, edited)
    estimate = dedup.estimate_similarity(dedup.minhash(SAMPLE), dedup.minhash(edited))
    assert abs(estimate - true) <= ESTIMATE_TOLERANCE
    assert estimate >= THRESHOLD, f"{name}: true {true:.3f}, estimate {estimate:.3f}"


@pytest.mark.parametrize("name", list(EDITS))
def test_light_edits_share_an_lsh_band_so_the_table_finds_them(name: str) -> None:
    original = set(dedup.band_keys(dedup.minhash(SAMPLE)))
    edited = set(dedup.band_keys(dedup.minhash(EDITS[name](SAMPLE))))
    assert original & edited


def test_two_halves_of_an_article_are_not_duplicates() -> None:
    half = len(SAMPLE) // 2
    first, second = SAMPLE[:half], SAMPLE[half:]
    estimate = dedup.estimate_similarity(dedup.minhash(first), dedup.minhash(second))
    assert dedup.jaccard(first, second) < 0.05
    assert estimate < THRESHOLD
    assert not set(dedup.band_keys(dedup.minhash(first))) & set(dedup.band_keys(dedup.minhash(second)))


def test_estimate_tracks_true_jaccard_across_cuts() -> None:
    errors = []
    for keep in range(40, 100, 5):
        cut = SAMPLE[: len(SAMPLE) * keep // 100]
        true = dedup.jaccard(SAMPLE, cut)
        errors.append(dedup.estimate_similarity(dedup.minhash(SAMPLE), dedup.minhash(cut)) - true)
    assert max(abs(e) for e in errors) <= ESTIMATE_TOLERANCE
    # No systematic bias: the errors average out.
    assert abs(sum(errors) / len(errors)) < 0.04


def test_rewrapping_and_full_width_forms_change_neither_signature() -> None:
    rewrapped = SAMPLE.replace("\n\n", "\n").replace("，", "， ").replace("2023", "２０２３")
    assert rewrapped != SAMPLE
    assert dedup.content_hash(rewrapped) == dedup.content_hash(SAMPLE)
    assert dedup.minhash(rewrapped) == dedup.minhash(SAMPLE)


def test_any_real_edit_changes_the_content_hash() -> None:
    assert dedup.content_hash(without_spam_line(SAMPLE)) != dedup.content_hash(SAMPLE)


def test_signature_has_a_full_minhash_and_one_key_per_band() -> None:
    sig = dedup.signature(SAMPLE)
    assert sig.content_hash == dedup.content_hash(SAMPLE)
    assert len(sig.minhash) == dedup.NUM_PERM
    assert all(0 <= v < 2**32 for v in sig.minhash)
    keys = dedup.band_keys(sig.minhash)
    assert [k.split("#")[0] for k in keys] == [str(i) for i in range(dedup.BANDS)]


def test_signature_is_stable_across_calls_and_order_of_work() -> None:
    first = dedup.minhash(SAMPLE)
    dedup.minhash(with_last_third_cut(SAMPLE))
    assert dedup.minhash(SAMPLE) == first


def test_texts_shorter_than_a_shingle_have_no_minhash() -> None:
    assert dedup.minhash("") == []
    assert dedup.minhash("反诈") == []
    assert dedup.band_keys([]) == []
    assert dedup.estimate_similarity([], []) == 0.0
    assert len(dedup.minhash("反诈宣传")) == dedup.NUM_PERM


def test_astral_characters_and_lone_surrogates_do_not_break_signing() -> None:
    text = "𠀀𠀁𠀂 古籍用字" + "\udc80" + "反诈宣传进社区"
    assert len(dedup.minhash(text)) == dedup.NUM_PERM
    assert dedup.jaccard(text, text) == 1.0


@pytest.mark.parametrize("use_native", [True, False])
def test_repeated_shingles_are_hashed_once_with_the_same_signature(
    use_native: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rensa

    # A page that prints its body twice: half its shingles are repeats, which the hasher is spared.
    text = SAMPLE + "\n" + SAMPLE
    tokens = dedup._shingle_tokens(dedup.normalize(text)).tolist()
    assert len(set(tokens)) < 0.6 * len(tokens)
    every = rensa.CMinHash(dedup.NUM_PERM, dedup.SEED)
    every.update(list(map(str, tokens)))
    if not use_native:
        monkeypatch.setattr(dedup, "native", None)
    assert dedup.minhash(text) == [int(v) for v in every.digest()]
    assert len(dedup._decimal_tokens(dedup._shingle_tokens(dedup.normalize(text)))) == len(set(tokens))


def test_packed_minhash_round_trips_in_four_bytes_per_slot() -> None:
    values = dedup.minhash(SAMPLE)
    packed = dedup.pack_minhash(values)
    assert len(packed) == 4 * dedup.NUM_PERM
    assert dedup.unpack_minhash(packed) == values


def test_best_match_takes_the_most_similar_candidate_over_the_threshold() -> None:
    original = dedup.minhash(SAMPLE)
    cut = dedup.minhash(with_last_third_cut(SAMPLE))
    half = dedup.minhash(SAMPLE[len(SAMPLE) // 2 :])
    candidates = [("cut", cut), ("half", half), ("same", list(original))]
    assert dedup.best_match(original, candidates, THRESHOLD) == ("same", 1.0)
    # Without the identical copy, the cut copy (J ~ 0.7) still matches; the second half does not.
    match = dedup.best_match(original, candidates[:2], THRESHOLD)
    assert match is not None and match[0] == "cut" and THRESHOLD <= match[1] < 1.0
    assert dedup.best_match(original, [("half", half)], THRESHOLD) is None
    # Equal similarity: the smaller key wins, whatever order the candidates came in.
    assert dedup.best_match(original, [("b", original), ("a", original)], THRESHOLD) == ("a", 1.0)
