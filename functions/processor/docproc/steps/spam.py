"""Keyword-stuffed SEO spam lines and injected gambling / porn brand phrases.

Word lists alone flag hundreds of clean news articles (a third of THUCNews contains some word
of the public obscenity lists), so a line is removed only when its *shape* is keyword
stuffing as well: many short segments split by `_ | / , 、` or spaces, no sentence
punctuation, and enough segments that contain a listed word. The first and last lines of a
document, where SEO blocks sit, need fewer hits. Brand phrases (`乐虎国际登录器下载`,
`【欧宝体育app】`) are different: they are injected into real sentences, so they are cut out
where they stand, using a short list of names that never occur in ordinary news.

Both scripts: segments are folded to Simplified before lookup, and the brand pattern lists
each name with its Traditional spellings, because this step runs before script conversion.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Final

from docproc.charclass import CharClass
from docproc.data import load_phrases, script_variants, to_simplified
from docproc.native import native
from docproc.patterns import WHITESPACE, any_of, compiled, runs_of, sub_from
from docproc.result import StepOutput, StepReport

# Thresholds (measured on the sample, the 60 Common Crawl pages and 1000 THUCNews articles).
MIN_SEGMENTS: Final = 3  # a keyword block has at least this many separated phrases
MAX_MEAN_SEGMENT: Final = 16  # ... each short (characters, on average)
MIN_HITS: Final = 3  # segments holding a listed word, anywhere in the document
MIN_HIT_SHARE: Final = 0.4  # ... and at least this share of the segments
EDGE_LINES: Final = 2  # within this many non-blank lines of either end ...
EDGE_MIN_HITS: Final = 2  # ... fewer hits suffice
EDGE_MIN_HIT_SHARE: Final = 0.25

_SEPARATOR_CHARS: Final = r"_|｜/\\,，、;；·•~\-–—"
_SEPARATORS: Final = compiled(runs_of(rf"[{_SEPARATOR_CHARS}\s]"))
# Sentence punctuation: a keyword block has none; a sentence always has some.
_SENTENCE_CHARS: Final = CharClass(r"[。！？；“”]")
_SENTENCE: Final = _SENTENCE_CHARS.pattern
_SEPARATOR_CLASS: Final = CharClass(f"[{_SEPARATOR_CHARS}]")  # and spaces: the C scan tests those itself
MIN_LINE: Final = 8  # characters of a stripped keyword block, at least

# What follows a brand name in an injected phrase: `乐虎国际登录器下载`, `欧宝体育app`.
_SUFFIX_WORDS: Final = (
    "国际 娱乐 娱乐城 现金网 体育 集团 电竞 彩票 平台 官网 官方网站 官方 网站 网址 登录器 登录 登陆 入口 "
    "下载 注册 开户 app 手机版 网页版 客户端 线路 链接 首页 最新 地址 .com"
)
_OPEN, _CLOSE = "【[（(「『<《", "】]）)」』>》"


@dataclass(slots=True)
class _Terms:
    terms: frozenset[str]
    lengths: dict[str, tuple[int, ...]]  # first character -> lengths of the words it starts
    # The same test in C where the module is built: the one-character words as a class, the
    # longer ones as a phrase set (a set lookup per substring cost 1-2% of a document's time).
    singles: CharClass | None
    phrases: Any


def _terms_of(terms: set[str]) -> _Terms:
    singles = "".join(sorted(re.escape(t) for t in terms if len(t) == 1))
    return _Terms(
        frozenset(terms),
        _by_first_char(terms),
        CharClass(f"[{singles}]") if native is not None and singles else None,
        native.phrase_set(sorted(t for t in terms if len(t) > 1)) if native is not None else None,
    )


@dataclass(slots=True)
class _Lexicon:
    words: _Terms
    # The names alone, nested by prefix (patterns.any_of: 22 -> 13 ms over the corpus against a
    # flat alternation): a cheap first pass, as most texts have none.
    any_brand: re.Pattern[str]
    brands_pattern: str  # the names with suffixes, brackets and separators (compiled on first use)
    brand_set: Any  # the same first pass in C (native.phrase_set of the names' cases), or None
    # What the brand pattern's matches start with: it is tried only there (patterns.sub_from), as
    # its second branch starts with `\s*` and re has no scan for it.
    brand_starts: CharClass


def _by_first_char(terms: Iterable[str]) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for t in terms:
        lengths.setdefault(t[0], set()).add(len(t))
    return {c: tuple(sorted(ks)) for c, ks in lengths.items()}


@cache
def _terms() -> _Terms:
    """The spam words (no regex), once per process."""
    terms = {t for name in ("seo_spam_terms",) for t in load_phrases(name)}
    # The public lists hold single characters (性, 干) that are everyday words: keep 2+ only.
    terms |= {t for name in ("konsheng_porn_words", "ldnoobw_zh") for t in load_phrases(name) if len(t) > 1}
    return _terms_of(terms)


@cache
def _keyword_terms() -> _Terms:
    """The spam words and the brand names: what a document's keywords are checked against."""
    terms = set(_terms().terms) | set(load_phrases("spam_brands"))
    return _terms_of(terms)


def spam_word_count(words: Iterable[str]) -> int:
    """How many of `words` (Simplified, e.g. a document's top keywords) hold a spam word or brand."""
    return sum(map(_is_spam_word, words))


@lru_cache(maxsize=16384)
def _is_spam_word(word: str) -> bool:
    """Whether `word` holds a spam word or brand. Cached: the same keywords come back document
    after document (a lookup instead of a fold, a lower-casing and the test, ~1 µs each)."""
    return _holds_term(to_simplified(word).lower(), _keyword_terms())


@cache
def _lexicon() -> _Lexicon:
    """Load the word lists and compile the brand pattern, once per process."""
    terms = _terms()
    brands = _alternation(v for b in load_phrases("spam_brands") for v in script_variants(b))
    suffixes = _alternation(v for s in _SUFFIX_WORDS.split() for v in script_variants(s))
    phrase = f"(?:{brands})(?:{suffixes}){{0,4}}"
    opened, closed = re.escape(_OPEN), re.escape(_CLOSE)
    # Alternatives, tried left to right at each position:
    #   a bracketed phrase `【欧宝体育app】`, removed with its brackets;
    #   a phrase hung on with a separator `..._乐虎国际登录器下载`, removed with the separator;
    #   a bare phrase, with a colon or comma that only served to attach it.
    pattern = (
        rf"[{opened}]\s*{phrase}\s*[{closed}]"
        rf"|\s*[_|｜]\s*{phrase}(?=\s*(?:$|[_|｜]))"
        rf"|{phrase}(?:\s*[:：,，])?"
    )
    names = _cases(v for b in load_phrases("spam_brands") for v in script_variants(b))
    # Where a match can start: an opening bracket, a separator or the space before one, a name.
    starts = set(_OPEN) | set("_|｜") | set(WHITESPACE) | {name[0] for name in names}
    return _Lexicon(
        terms,
        compiled(any_of(names)),
        pattern,
        native.phrase_set(sorted(names)) if native is not None else None,
        CharClass("[" + "".join(map(re.escape, sorted(starts))) + "]"),
    )


def names_a_brand(text: str, lex: _Lexicon) -> bool:
    """Whether `text` holds a brand name (any_brand's search; in C where the module is built:
    the names' first characters are common ones, at each of which re tried a branch)."""
    if lex.brand_set is not None and native is not None:
        found: bool = native.holds_phrase(text, lex.brand_set)
        return found
    return lex.any_brand.search(text) is not None


@cache
def _compiled_brands(pattern: str) -> re.Pattern[str]:
    """The phrase pattern holds the brand alternation three times: about two thirds of the
    lexicon's compile time, paid only by the first document that names a brand."""
    return compiled(pattern, re.MULTILINE)


def _alternation(phrases: Iterable[str]) -> str:
    """One regex alternative per phrase, longest first, with the usual cases of Latin letters
    spelled out: re.IGNORECASE makes a large alternation about 20 times slower."""
    cased = _cases(phrases)
    # Longest first, then in order: the same pattern in every process (docproc/patterns.py).
    return "|".join(map(re.escape, sorted(cased, key=lambda s: (-len(s), s))))


def _cases(phrases: Iterable[str]) -> set[str]:
    """Each phrase with the usual cases of its Latin letters (as _alternation spells them)."""
    return {v for p in phrases for v in (p, p.lower(), p.upper(), p.capitalize())}


def _holds_term(seg: str, lex: _Terms) -> bool:
    """Whether any substring of `seg` is a listed word. Segments are short: a set lookup per
    candidate substring is cheaper than scanning with a 1300-word pattern (and a bit test per
    character in C cheaper still)."""
    if lex.phrases is not None and native is not None:
        if lex.singles is not None and lex.singles.find(seg) >= 0:
            return True
        held: bool = native.holds_phrase(seg, lex.phrases)
        return held
    for i, c in enumerate(seg):
        for k in lex.lengths.get(c, ()):
            if seg[i : i + k] in lex.terms:
                return True
    return False


def _folded(line: str, segments: list[str], folded_line: str | None) -> list[str]:
    """`segments` (of `line`) folded to Simplified and lower-cased: from `folded_line` (the whole
    line's fold, _folded_line), as folding keeps the separators where they are; one by one when
    there is none or the split comes out otherwise."""
    if folded_line is not None:
        folded = [s for s in _SEPARATORS.split(folded_line) if s]
        if len(folded) == len(segments):
            return folded
    return [to_simplified(s).lower() for s in segments]


def _folded_line(line: str) -> str | None:
    """`line` folded to Simplified and lower-cased, or None with a `Σ`, which lower() turns into
    `σ` or `ς` depending on the characters around it: a segment's fold may then not be part of
    the line's."""
    return None if "Σ" in line else to_simplified(line).lower()


def _fewest_hits(n: int, near_edge: bool) -> int:
    """The fewest listed-word segments (of n) with which _spam_hits can call a line spam."""
    fewest = max(MIN_HITS, math.ceil(MIN_HIT_SHARE * n))
    if near_edge:
        fewest = min(fewest, max(EDGE_MIN_HITS, math.ceil(EDGE_MIN_HIT_SHARE * n)))
    return fewest


def _count_hits(segments: list[str], fewest: int, lex: _Lexicon) -> int:
    """Segments holding a listed word; counting stops (short) once `fewest` is out of reach, as for
    most lines it is after a miss or two."""
    hits = 0
    misses_left = len(segments) - fewest
    for seg in segments:
        if _holds_term(seg, lex.words):
            hits += 1
        elif (misses_left := misses_left - 1) < 0:
            break
    return hits


def _keyword_block_segments(line: str) -> list[str]:
    """The segments of `line` (stripped) if it has a keyword block's shape, else []."""
    if len(line) < MIN_LINE or _SENTENCE.search(line):
        return []
    segments = [s for s in _SEPARATORS.split(line) if s]
    n = len(segments)
    if n < MIN_SEGMENTS or sum(map(len, segments)) / n > MAX_MEAN_SEGMENT:
        return []
    return segments


def keyword_block_lines(text: str) -> list[int]:
    """The numbers of the lines of `text.split("\n")` with a keyword block's shape: the only
    ones _spam_hits looks further at. In one pass in C where the module is built."""
    if native is None:
        return [i for i, line in enumerate(text.split("\n")) if _keyword_block_segments(line.strip())]
    numbers: list[int] = native.keyword_lines(
        text,
        _SENTENCE_CHARS.c_table(),
        _SEPARATOR_CLASS.c_table(),
        MIN_LINE,
        MIN_SEGMENTS,
        MAX_MEAN_SEGMENT,
    )
    return numbers


def _spam_hits(line: str, near_edge: bool, lex: _Lexicon) -> int:
    """Number of listed-word segments if `line` is a keyword-stuffed line, else 0."""
    segments = _keyword_block_segments(line)
    if not segments:
        return 0
    # Each folded segment is part of the folded line: a line without a listed word anywhere (most
    # keyword-shaped lines are menus and lists, not spam) needs one test, not one a segment.
    folded_line = _folded_line(line)
    if folded_line is not None and not _holds_term(folded_line, lex.words):
        return 0
    n = len(segments)
    hits = _count_hits(_folded(line, segments, folded_line), _fewest_hits(n, near_edge), lex)
    if hits >= MIN_HITS and hits >= MIN_HIT_SHARE * n:
        return hits
    if near_edge and hits >= EDGE_MIN_HITS and hits >= EDGE_MIN_HIT_SHARE * n:
        return hits
    return 0


def _edge_lines(lines: list[str]) -> set[int]:
    """The numbers of the first and the last EDGE_LINES non-blank lines."""
    edges: set[int] = set()
    for numbers in (range(len(lines)), range(len(lines) - 1, -1, -1)):
        found = 0
        for i in numbers:
            if found == EDGE_LINES:
                break
            if lines[i].strip():
                edges.add(i)
                found += 1
    return edges


def remove_seo_spam(text: str) -> StepOutput:
    """Drop keyword-stuffed spam lines, then cut injected brand phrases out of the rest."""
    lex = _lexicon()
    spam: dict[int, int] = {}  # line number -> listed-word segments
    lines: list[str] = []
    # Only lines shaped as keyword blocks can be spam: found in one pass (in C), most lines of a
    # text never cost a pattern call.
    candidates = keyword_block_lines(text)
    if candidates:
        lines = text.split("\n")
        edges = _edge_lines(lines)
        for i in candidates:
            hits = _spam_hits(lines[i].strip(), i in edges, lex)
            if hits:
                spam[i] = hits
    spam_lines, terms = len(spam), sum(spam.values())
    spam_chars = sum(len(lines[i]) + 1 for i in spam)
    body = "\n".join(line for i, line in enumerate(lines) if i not in spam) if spam else text
    injected = 0
    injected_chars = 0

    def _cut(match: re.Match[str]) -> str:
        nonlocal injected, injected_chars
        injected += 1
        injected_chars += len(match.group())
        return ""

    if names_a_brand(body, lex):
        body = sub_from(_compiled_brands(lex.brands_pattern), _cut, body, lex.brand_starts.find)
    report = StepReport(
        "remove_seo_spam",
        count=spam_lines + injected,
        chars_removed=len(text) - len(body),
        detail={
            "spam_lines": spam_lines,
            "spam_line_chars": spam_chars,
            "spam_terms": terms,
            "injected_phrases": injected,
            "injected_chars": injected_chars,
        },
    )
    return StepOutput(body, report)
