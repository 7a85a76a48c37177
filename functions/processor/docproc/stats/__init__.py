"""Document statistics: one flat, documented dict of numbers over the input and the cleaned text.

Every field and its formula is in docs/statistics.md. The cleaned text is segmented once and
the words shared by word statistics, stop words, repetition and keywords. The dict is plain
JSON (numbers, strings, short capped lists) and small: it goes into the DynamoDB item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from docproc.keywords import (
    MAX_KEYWORDS,
    MIN_KEYWORD_CHARS,
    default_idf,
    idf_ceiling,
    idf_lookup,
    stopword_set,
    stopwords,
    top_keywords,
    words_without_letter,
)
from docproc.language import han_script, identify_language, script_of_counts
from docproc.native import native
from docproc.quantities import find_quantities
from docproc.result import StepReport
from docproc.rounding import round_to
from docproc.segment import segment, segment_dictionary, words_of
from docproc.stats.composition import REPLACEMENT, composition, pua_chars
from docproc.stats.lines import count_sentences, line_stats, split_lines, split_paragraphs
from docproc.stats.noise import noise_stats
from docproc.stats.repetition import repetition_stats
from docproc.steps.spam import spam_word_count

SCHEMA_VERSION: Final = 2  # 2: word and repetition statistics of huge documents on a bounded prefix
# Word, keyword and n-gram statistics read at most this many characters of `out` (cut at a line
# end): every token and n-gram of a 10 MB document as Python objects took ~270 MiB. 100,000
# characters are a 300 KB Chinese text, ten times the longest news article; line and character counts,
# composition, language and quantities still read the whole text.
MAX_MEASURED_CHARS: Final = 100_000
COMPOSITION_CLASSES: Final = ("han", "latin", "digit", "punct", "symbol")
CJK_LANGUAGES: Final = frozenset({"zh", "ja", "ko"})


def compute_stats(
    data: bytes,
    text_in: str,
    text_out: str,
    steps: list[StepReport],
    *,
    encoding: str = "",
    content_type: str = "",
    chars_decoded: int | None = None,
) -> dict[str, Any]:
    """All statistics of one document (see docs/statistics.md for each field).

    `text_in` is what cleaning started from (for HTML, the extracted main content);
    `chars_decoded` the length of the decoded document before extraction (default: text_in's).
    """
    lines = split_lines(text_out)
    paragraphs = split_paragraphs(text_out)
    stats: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "bytes_in": len(data),
        "chars_decoded": len(text_in) if chars_decoded is None else chars_decoded,
        "chars_in": len(text_in),
        "chars_out": len(text_out),
        "lines": len(lines),
        "paragraphs": len(paragraphs),
        "sentences": count_sentences(text_out),
        "encoding": encoding,
        "content_type": content_type,
    }
    stats.update(noise_stats(steps, len(text_in)))
    stats.update(_composition_and_language(text_in, text_out, _script_counts_out(steps)))
    measured = measured_prefix(text_out)
    stats["measured_chars"] = len(measured)
    census = word_census(measured)
    stats.update(_word_stats(census))
    stats.update(repetition_stats(lines, paragraphs, measured, census.ids, census.chars, census.total_chars))
    stats.update(line_stats(lines, cjk=stats["language"] in CJK_LANGUAGES))
    stats["keywords"] = census.keywords
    # Spam left in the kept text shows in what the text is most about.
    stats["spam_keywords"] = spam_word_count(str(k[0]) for k in stats["keywords"])
    quantities, n_quantities, dates, n_dates = find_quantities(text_out)
    stats.update(quantities=quantities, quantity_count=n_quantities, dates=dates, date_count=n_dates)
    return stats


@dataclass(slots=True, init=False)
class WordCensus:
    """The words of a segmented text and what the word statistics read of them."""

    n_words: int  # how many tokens are words
    unique_words: int  # how many distinct lower-cased words
    n_stop: int  # words whose lower-cased form is a stop word
    n_no_letter: int  # words without a letter (numbers)
    ids: Sequence[int]  # each word's id: its lower-cased form's number in order of first occurrence
    chars: Sequence[int]  # each word's length
    total_chars: int  # the words' characters in all
    keywords: list[list[str | float]]  # keywords.top_keywords of the lower-cased words' counts

    # Written out: mypyc compiles this one, where dataclass's generated __init__ runs interpreted.
    def __init__(
        self,
        n_words: int,
        unique_words: int,
        n_stop: int,
        n_no_letter: int,
        ids: Sequence[int],
        chars: Sequence[int],
        total_chars: int,
        keywords: list[list[str | float]],
    ) -> None:
        self.n_words = n_words
        self.unique_words = unique_words
        self.n_stop = n_stop
        self.n_no_letter = n_no_letter
        self.ids = ids
        self.chars = chars
        self.total_chars = total_chars
        self.keywords = keywords


def word_census(text: str) -> WordCensus:
    """The words of `text` as segment() cuts it: their counts, ids, lengths and keywords."""
    if native is not None and text:
        # The same in C, from the cut's spans: no str for any word but the keywords.
        n_words, unique, n_stop, n_no_letter, total, ids, chars, best = native.word_stats(
            text,
            segment_dictionary(),
            stopword_set(),
            idf_lookup(),
            default_idf(),
            idf_ceiling(),
            MIN_KEYWORD_CHARS,
            MAX_KEYWORDS,
        )
        # ids and lengths stay native uint32: the n-gram pass reads them as they are.
        as_uint32 = memoryview(ids).cast("I"), memoryview(chars).cast("I")
        keywords = [[word, round_to(score / n_words, 4)] for score, word in best]
        return WordCensus(n_words, unique, n_stop, n_no_letter, *as_uint32, total, keywords)
    return tokens_census(segment(text))


def tokens_census(tokens: list[str]) -> WordCensus:
    """The census of segment's `tokens`, in Python (where the C module is not built)."""
    words = words_of(tokens)
    lowered = list(map(str.lower, words))
    counts = Counter(lowered)
    # Word ids from the Counter's keys: no second pass to number the words.
    vocab = dict(zip(counts, range(len(counts)), strict=False))
    lengths = list(map(len, words))
    ids = list(map(vocab.__getitem__, lowered))
    no_letter = words_without_letter(counts)
    n_stop = sum(map(counts.__getitem__, stopwords().intersection(counts)))
    n_no_letter = sum(map(counts.__getitem__, no_letter))
    keywords = top_keywords(counts, len(words), no_letter=no_letter)
    return WordCensus(len(words), len(counts), n_stop, n_no_letter, ids, lengths, sum(lengths), keywords)


def measured_prefix(text: str, limit: int = MAX_MEASURED_CHARS) -> str:
    """`text` itself when it is short enough, else its start up to the last line end before `limit`
    (or `limit` characters when that start has no line end)."""
    if len(text) <= limit:
        return text
    end = text.rfind("\n", 0, limit)
    return text[: end if end > 0 else limit]


def _script_counts_out(steps: list[StepReport]) -> tuple[int, int] | None:
    """(Traditional-only, Simplified-only) characters of `out`, as convert_script counted them
    in its output, when only whitespace normalisation ran after it; else None (count again)."""
    names = [report.step for report in steps[-2:]]
    if names != ["convert_script", "normalize_whitespace"]:
        return None
    detail = steps[-2].detail
    if "trad_chars_out" not in detail:
        return None
    return detail["trad_chars_out"], detail["simp_chars_out"]


def _composition_and_language(
    text_in: str, text_out: str, script_counts_out: tuple[int, int] | None = None
) -> dict[str, Any]:
    comp = composition(text_out)
    out: dict[str, Any] = {f"{cls}_ratio": comp.ratio(cls) for cls in COMPOSITION_CLASSES}
    listed = sum(comp.counts.get(cls, 0) for cls in COMPOSITION_CLASSES)
    # Everything else that is visible: kana, Hangul, other letters, controls, marks.
    out["other_ratio"] = round_to((comp.visible - listed) / comp.visible, 4) if comp.visible else 0.0
    out["han_letter_ratio"] = round_to(comp.counts.get("han", 0) / comp.letters, 4) if comp.letters else 0.0
    out["pua_chars_in"] = pua_chars(text_in)
    out["replacement_chars_in"] = text_in.count(REPLACEMENT)
    out["replacement_chars_out"] = text_out.count(REPLACEMENT)
    lang = identify_language(
        text_out,
        han=comp.counts.get("han", 0),
        kana=comp.counts.get("kana", 0),
        hangul=comp.counts.get("hangul", 0),
        letters=comp.letters,
    )
    out["language"], out["language_confidence"] = lang.code, lang.confidence
    out["script_in"], out["traditional_share_in"] = han_script(text_in)
    out["script_out"], out["traditional_share_out"] = (
        han_script(text_out) if script_counts_out is None else script_of_counts(*script_counts_out)
    )
    return out


def _word_stats(census: WordCensus) -> dict[str, Any]:
    """Word counts."""
    n_words = census.n_words
    if not n_words:
        return {
            "words": 0,
            "unique_words": 0,
            "mean_word_chars": 0.0,
            "stopword_ratio": 0.0,
            "alpha_word_ratio": 0.0,
        }
    return {
        "words": n_words,
        "unique_words": census.unique_words,
        "mean_word_chars": round_to(census.total_chars / n_words, 3),
        "stopword_ratio": round_to(census.n_stop / n_words, 4),
        "alpha_word_ratio": round_to(1 - census.n_no_letter / n_words, 4),
    }
