"""The C module (docproc/_native.c) is built where a compiler is, and gives exactly what the
pure-Python statistics give: the same numbers, the same signature, the same record."""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from array import array
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docproc import charclass, decode, dedup, html, keywords, language, patterns, quantities, segment
from docproc import stats as stats_module
from docproc.native import native
from docproc.pipeline import process_document
from docproc.stats import lines as lines_module
from docproc.stats import repetition
from docproc.steps import pinyin, repeats, script, spam, whitespace

# The module, not the function docproc.stats re-exports under its name.
composition = importlib.import_module("docproc.stats.composition")

# Every module that takes the C path where the module is built.
USERS = (
    repetition, dedup, stats_module, composition, language, keywords, lines_module, segment, script, html, quantities,
    repeats, charclass, decode, spam, whitespace, pinyin,
)  # fmt: skip

T = TypeVar("T")
SEEDS = Path(__file__).resolve().parents[2] / "seeds"
HAS_COMPILER = shutil.which(os.environ.get("CC", "cc").split()[0]) is not None

pytestmark = pytest.mark.skipif(
    not HAS_COMPILER, reason="no C compiler here: the pure-Python statistics run, tested everywhere else"
)


def _pure(monkeypatch: pytest.MonkeyPatch, call: Callable[[], T]) -> T:
    """call() as on a package built without the module."""
    with monkeypatch.context() as m:
        for module in USERS:
            m.setattr(module, "native", None)
        return call()


def test_the_module_is_built_where_a_compiler_is() -> None:
    # `make` builds it (functions/processor/build_native.py); a stale or missing build would
    # silently run the slow path everywhere.
    assert native is not None
    source = Path(repetition.__file__).parents[1] / "_native.c"
    assert Path(str(native.__file__)).stat().st_mtime >= source.stat().st_mtime, "rebuild: make"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=60),
)
def test_word_ngram_fractions_are_the_pure_ones(words: list[tuple[int, int]]) -> None:
    # Few distinct ids: long repeats, overlapping repeats and ties for the top n-gram are common.
    ids = [w for w, _ in words]
    chars = [length for _, length in words]  # words of length 0 included: the sums must still agree
    with pytest.MonkeyPatch.context() as m:
        fast = repetition.word_ngram_fractions(ids, chars)
        m.setattr(repetition, "native", None)
        assert fast == repetition.word_ngram_fractions(ids, chars)


@pytest.mark.parametrize("seed", range(4))
def test_word_ngram_fractions_where_most_ngrams_are_unique(seed: int) -> None:
    # Thousands of distinct n-grams: their bits in the C filter collide often, repeats are rare.
    import random

    rng = random.Random(seed)
    phrases = [[rng.randrange(20000) for _ in range(rng.randrange(2, 14))] for _ in range(30)]
    ids: list[int] = []
    while len(ids) < 40000:
        ids.extend(rng.choice(phrases) if rng.random() < 0.05 else [rng.randrange(20000)])
    chars = [1 + i % 4 for i in ids]
    fast = repetition.word_ngram_fractions(ids, chars)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(repetition, "native", None)
        assert fast == repetition.word_ngram_fractions(ids, chars)


def test_word_ngram_fractions_on_a_repeated_paragraph() -> None:
    ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] * 3 + [13, 14]
    chars = [2] * len(ids)
    fast = repetition.word_ngram_fractions(ids, chars)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(repetition, "native", None)
        assert fast == repetition.word_ngram_fractions(ids, chars)
    assert fast["dup_10gram_char_frac"] == round(48 / 76, 4)  # the 2nd and 3rd copies
    assert fast["top_2gram_char_frac"] == round(4 * 3 / 76, 4)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab中é\U00020000", max_size=80), st.integers(1, 12))
def test_char_ngram_repetition_is_the_pure_one(text: str, n: int) -> None:
    with pytest.MonkeyPatch.context() as m:
        fast = repetition.char_ngram_repetition(text, n)
        m.setattr(repetition, "native", None)
        assert fast == repetition.char_ngram_repetition(text, n)


def test_char_ngram_repetition_past_the_short_text_size() -> None:
    # Past SHORT_TEXT_CHARS the Python path counts hashes of the n-grams; C counts them exactly.
    text = ("新华社北京电" * 7 + "记者报道。\n") * 2000 + "".join(map(chr, range(0x4E00, 0x4E00 + 5000)))
    assert len(text) > repetition.SHORT_TEXT_CHARS
    with pytest.MonkeyPatch.context() as m:
        fast = repetition.char_ngram_repetition(text)
        m.setattr(repetition, "native", None)
        assert fast == repetition.char_ngram_repetition(text)


@pytest.mark.parametrize("seed", range(4))
def test_char_ngram_top_counts_exactly_where_most_ngrams_are_unique(seed: int) -> None:
    # Long texts of mostly unique n-grams: their bits in the C filter collide often (a unique
    # n-gram is then counted in the table too), and the top counts must still be exact.
    import math
    import random

    rng = random.Random(seed)
    phrases = ["".join(chr(rng.randrange(0x4E00, 0x4E00 + 3000)) for _ in range(12)) for _ in range(40)]
    pieces = [rng.choice(phrases) if rng.random() < 0.2 else chr(rng.randrange(0x4E00, 0x4E00 + 3000)) for _ in range(30000)]
    text = "".join(pieces)
    assert native is not None
    for n in (2, 5, 10):
        counts = Counter(text[i : i + n] for i in range(len(text) - n + 1))
        repeated = sorted((c for c in counts.values() if c > 1), reverse=True)
        assert native.char_ngram_top(text, n) == sum(repeated[: math.isqrt(len(counts))])


@settings(max_examples=300, deadline=None)
# Small values too (one to three digits: the hash's byte tail alone), repeats, every digit count;
# slot counts that are not a power of two, and other seeds than the stored layout's.
@given(
    st.lists(st.integers(0, 999) | st.integers(0, (1 << 64) - 1), max_size=60),
    st.sampled_from([1, 2, 3, 17, 128, 200]),
    st.sampled_from([dedup.SEED, 0, (1 << 64) - 1]) | st.integers(0, (1 << 64) - 1),
)
def test_cminhash_is_rensas_digest_of_the_decimal_strings(values: list[int], num_perm: int, seed: int) -> None:
    import rensa

    assert native is not None
    hasher = rensa.CMinHash(num_perm, seed)
    hasher.update(list(map(str, values)))
    assert native.cminhash(memoryview(array("Q", values)), seed, num_perm) == [int(v) for v in hasher.digest()]


def test_cminhash_of_real_shingles_is_rensas() -> None:
    import rensa

    assert native is not None
    for path in sorted(SEEDS.glob("*.txt")):
        tokens = dedup._shingle_tokens(dedup.normalize(path.read_text(encoding="utf-8")))
        hasher = rensa.CMinHash(dedup.NUM_PERM, dedup.SEED)
        hasher.update(list(map(str, tokens.tolist())))
        assert native.cminhash(tokens, dedup.SEED, dedup.NUM_PERM) == [int(v) for v in hasher.digest()]


def test_cminhash_rejects_slot_counts_it_cannot_hold() -> None:
    assert native is not None
    for num_perm in (0, -1, 1025):
        with pytest.raises(ValueError):
            native.cminhash(b"\0" * 8, dedup.SEED, num_perm)
    with pytest.raises(TypeError):
        native.cminhash("not a buffer", dedup.SEED, 128)


def test_native_rejects_mismatched_inputs() -> None:
    assert native is not None
    with pytest.raises(ValueError):
        native.ngram_levels(array("I", [1, 2]), array("I", [1]), 10)
    args = (keywords.stopword_set(), keywords.idf_lookup(), 1.0, 9.0, 2, 10)
    dictionary = segment.segment_dictionary()
    with pytest.raises(TypeError):
        native.word_stats(b"\xe4\xb8\xad", dictionary, *args)
    with pytest.raises(TypeError):
        native.word_stats("中国经济", object(), *args)
    with pytest.raises(ValueError):  # not the capsules word_set and idf_index make
        native.word_stats("中国", dictionary, keywords.idf_lookup(), keywords.idf_lookup(), *args[2:])
    with pytest.raises(ValueError):
        native.word_stats("中国", dictionary, keywords.stopword_set(), dictionary, *args[2:])
    with pytest.raises(TypeError):
        native.word_set(["的", 1])


@pytest.mark.parametrize("path", sorted(p for p in SEEDS.glob("*") if p.is_file()), ids=lambda p: p.name)
def test_a_seed_document_gives_the_same_result_both_ways(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    fast = process_document(data, key=path.name)
    slow = _pure(monkeypatch, lambda: process_document(data, key=path.name))
    assert fast == slow
    assert fast.stats["char_10gram_rep_ratio"] == slow.stats["char_10gram_rep_ratio"]


def test_a_repetitive_page_gives_the_same_result_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n".join(
        ["热门推荐 热门推荐 点击查看 更多精彩内容"] * 12
        + [f"第{i}段：本报记者从市统计局获悉，今年前三季度全市经济运行总体平稳。" for i in range(30)]
        + ["Buy cheap watches buy cheap watches online now"] * 8
    ).encode()
    fast = process_document(text, key="page.txt")
    assert fast == _pure(monkeypatch, lambda: process_document(text, key="page.txt"))
    assert fast.stats["dup_10gram_char_frac"] > 0.5  # the numbered lines differ in one word only
    assert fast.stats["char_10gram_rep_ratio"] > 0.3


def test_the_module_is_loaded_from_this_checkout() -> None:
    assert native is not None
    assert Path(str(native.__file__)).parent == Path(repetition.__file__).parents[1]
    assert sys.modules["docproc._native"] is native


_TOKENS = st.sampled_from(
    ["中国", "Hello", "hello", "HELLO", "İstanbul", "ß", "_", "3.5", "，", " ", "...", "①", "x_y", "", "Ⅻ", "ǅ",
     "的", "我们", "经济", "发展", "the", "The", "新华社", "2024", "\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKENS | st.text(alphabet="aA中国_.， 1\r\nΣσ", max_size=4), max_size=40))
def test_word_census_is_the_pure_one(tokens: list[str]) -> None:
    # The C census of the C cut against Python's census of rjieba's tokens.
    text = "".join(tokens)
    with pytest.MonkeyPatch.context() as m:
        fast = stats_module.word_census(text)
        m.setattr(stats_module, "native", None)
        m.setattr(segment, "native", None)
        pure = stats_module.word_census(text)
    assert _fields(fast) == _fields(pure)


def _fields(census: stats_module.WordCensus) -> tuple[object, ...]:
    return (
        census.n_words,
        census.unique_words,
        census.n_stop,
        census.n_no_letter,
        list(census.ids),
        list(census.chars),
        census.total_chars,
        census.keywords,
    )


_SCRIPT_SAMPLE = "這個简体中文網络的人們说，English 123 〇\U00020000😀\ue000"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_SCRIPT_SAMPLE, max_size=60))
def test_script_and_composition_counts_are_the_pure_ones(text: str) -> None:
    with pytest.MonkeyPatch.context() as m:
        script = language.script_char_counts(text)
        comp = composition.composition(text)
        han_and_rest = composition.native.han_census(text) if composition.native else None
        m.setattr(language, "native", None)
        m.setattr(composition, "native", None)
        assert script == language.script_char_counts(text)
        assert comp == composition.composition(text)
        pure_han, pure_rest = composition._han_census(text)
    assert han_and_rest is not None
    assert han_and_rest[0] == pure_han and list(han_and_rest[1].items()) == list(pure_rest.items())


def test_script_counts_of_known_characters() -> None:
    assert language.script_char_counts("這個網絡 这个网络 中文") == (4, 4)


def test_word_census_lower_cases_every_character_as_str_lower() -> None:
    # The C census skips str.lower() for tokens whose characters all map to themselves.
    assert native is not None
    # Every character as a token of its own (none joins another across "\n"; ASCII letters and
    # digits would join each other, so they stand between newlines too).
    tokens = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    fast = stats_module.word_census("\n".join(tokens))
    words = segment.words_of(tokens)
    lowered = [w.lower() for w in words]
    vocab = {w: i for i, w in enumerate(dict.fromkeys(lowered))}
    assert fast.n_words == len(words) and fast.unique_words == len(vocab)
    assert list(fast.ids) == [vocab[w] for w in lowered]
    assert vocab["σ"] == fast.ids[words.index("Σ")] and fast.ids[words.index("İ")] == vocab["İ".lower()]
    # ... and decides "no letter" for each of them as the keywords' regular expression does.
    no_letter = keywords.words_without_letter(vocab)
    assert fast.n_no_letter == sum(w in no_letter for w in lowered)
    assert {"1", "٣", "_"} <= no_letter and not {"a", "中", "²", "①"} & no_letter


_WORDS = ["中国", "经济", "发展", "的", "我们", "ab", "AB", "a", "2024", "3.5", "新华社", "记者", "增长率", "x"]


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(_WORDS), st.integers(1, 6), max_size=len(_WORDS)),
    st.dictionaries(st.sampled_from(_WORDS), st.sampled_from([1.5, 2.0, 7.25, 9.9]), max_size=6),
    st.integers(1, 12),
)
def test_keywords_are_the_pure_ones(counts: dict[str, int], idf: dict[str, float], k: int) -> None:
    # Few distinct scores: ties, broken by the word as heapq.nlargest breaks them, are common.
    text = "\n".join(w for word, n in counts.items() for w in [word] * n)
    with pytest.MonkeyPatch.context() as m:
        # The table as its file holds it: the C side looks words up in an index over these bytes.
        m.setattr(keywords, "_idf_file", lambda: (idf_file_body(idf), 7.25))
        for name in ("idf_table", "idf_lookup", "idf_ceiling", "stopword_set"):  # uncached
            m.setattr(keywords, name, getattr(keywords, name).__wrapped__)
        m.setattr(keywords, "stopwords", lambda: frozenset({"的", "我们"}))
        for name in ("idf_lookup", "idf_ceiling", "stopword_set", "default_idf", "stopwords"):
            m.setattr(stats_module, name, getattr(keywords, name))  # imported by name there
        m.setattr(stats_module, "MAX_KEYWORDS", k)
        m.setattr(keywords, "MAX_KEYWORDS", k)
        m.setattr(keywords.top_keywords, "__defaults__", (k, None))
        fast = stats_module.word_census(text)
        m.setattr(stats_module, "native", None)
        pure = stats_module.word_census(text)
    assert _fields(fast) == _fields(pure)
    assert len(fast.keywords) <= k


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="。！？!?…”」』\"'.a中 \n\u3000\xa0\t\ue000\U000f0001\U00020000", max_size=40))
def test_sentence_and_private_use_counts_are_the_pure_ones(text: str) -> None:
    with pytest.MonkeyPatch.context() as m:
        sentences, private = lines_module.count_sentences(text), composition.pua_chars(text)
        m.setattr(lines_module, "native", None)
        m.setattr(composition, "native", None)
        assert (sentences, private) == (lines_module.count_sentences(text), composition.pua_chars(text))


def idf_file_body(idf: dict[str, float]) -> bytes:
    """`idf<TAB>word word ...` lines, one per value, as in the table file."""
    by_value: dict[float, list[str]] = {}
    for word, value in idf.items():
        by_value.setdefault(value, []).append(word)
    return "".join(f"{v}\t{' '.join(ws)}\n" for v, ws in by_value.items()).encode()


def idf_of(index: object, word: str) -> float | None:
    """The IDF the C side finds for `word`."""
    assert native is not None
    found: float | None = native.idf_of(index, word)
    return found


@pytest.mark.skipif(native is None, reason="the C module is not built here")
def test_the_idf_index_finds_every_word_of_the_table_as_the_dict_does() -> None:
    table, _ = keywords.idf_table()
    index = keywords.idf_lookup()
    assert all(idf_of(index, word) == value for word, value in table.items())
    for absent in ("不在表里的词语", "zz", "a\ud800b", "词" * 300):  # unknown, a lone surrogate, long
        assert idf_of(index, absent) is None


@pytest.mark.skipif(native is None, reason="the C module is not built here")
def test_the_idf_index_keeps_a_repeated_words_last_value_and_rejects_a_bad_file() -> None:
    assert native is not None
    index = native.idf_index("1.5\t甲 乙\n\n2.5\t乙  丙\n".encode())
    assert [idf_of(index, w) for w in ("甲", "乙", "丙", "丁")] == [1.5, 2.5, 2.5, None]
    with pytest.raises(ValueError):
        native.idf_index(b"x1\tword\n")
    with pytest.raises(ValueError, match="no number before the tab"):
        native.idf_index(b"1.0\tword\n\tword\n")
    with pytest.raises(TypeError):
        native.idf_index("1.0\tword")
    with pytest.raises(ValueError):
        native.idf_of(["not", "an", "index"], "词语")


def test_the_idf_ceiling_bounds_every_word() -> None:
    table, default = keywords.idf_table()
    assert keywords.idf_ceiling() == max(*table.values(), default)


def test_keywords_on_a_long_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    # Many words seen once or twice, a few often: the C pass scores the frequent ones first and
    # skips the tail it can rule out; the result must be what scoring every word gives.
    counts = Counter({f"w{i:04d}": 1 + (i % 3 == 0) for i in range(3000)})
    counts.update({"经济": 9, "增长": 7, "市场": 7, "发展": 5, "企业": 4, "投资": 4})
    text = "\n".join(w for word, n in counts.items() for w in [word] * n)
    fast = stats_module.word_census(text)
    with monkeypatch.context() as m:
        m.setattr(stats_module, "native", None)
        assert _fields(fast) == _fields(stats_module.word_census(text))
    assert len(fast.keywords) == keywords.MAX_KEYWORDS
    assert fast.keywords == keywords.top_keywords(counts, sum(counts.values()))


def test_results_do_not_depend_on_the_hash_seed() -> None:
    # The seed is random per process (docproc/native.py): n-grams are compared in full.
    assert native is not None
    ids = array("I", [1, 2, 3, 4, 1, 2, 3, 4, 5, 1, 2, 3] * 5)
    chars = array("I", [2] * len(ids))
    text = "新华社北京电，记者报道。" * 40 + "完"
    found = set()
    for value in (1, 2, 0x100000001B3, (1 << 64) - 1, 12345678901234567):
        native.seed(value)
        found.add((tuple(native.ngram_levels(ids, chars, 10)), native.char_ngram_top(text, 10)))
    native.seed(int.from_bytes(os.urandom(8), "little"))
    assert len(found) == 1


# ----------------------------------------------------------------------------- segmentation


def _rjieba_cut(text: str) -> list[str]:
    import rjieba

    tokens: list[str] = rjieba.cut(text, False)
    return tokens


@cache
def _dictionary_words() -> list[str]:
    return [line.split(" ", 1)[0] for line in segment.DICTIONARY.read_text(encoding="utf-8").splitlines()]


# What a block is made of and what ends one: dictionary words (drawn below), Han characters of
# every range jieba-rs counts (and 〇, which it does not), ASCII letters and digits (which join),
# the block's symbols +#&._%-, spaces, "\r\n" (one token outside a block), a lone "\r",
# punctuation, astral and private-use characters, a combining mark.
_PIECES = st.sampled_from(
    ["中", "国", "人", "的", "㐀", "䶵", "豈", "𠀀", "𪜀", "丽", "〇", "a", "Z", "7", "abc", "C", "+", "#", "&", ".",
     "_", "%", "-", " ", "\r\n", "\r", "\n", "\t", "，", "。", "“", "👪", "\ue000", "e\u0301", "\u3000", "γ"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(0, 349_045).map(lambda i: _dictionary_words()[i]) | _PIECES, max_size=40))
def test_cut_is_rjiebas_on_random_texts(pieces: list[str]) -> None:
    text = "".join(pieces)
    tokens = segment.segment(text)
    assert tokens == (_rjieba_cut(text) if text else [])
    assert "".join(tokens) == text


def test_cut_is_rjiebas_on_real_texts() -> None:
    texts = [p.read_bytes().decode("utf-8", "replace") for p in sorted(SEEDS.glob("*")) if p.is_file()]
    texts.append(process_document((SEEDS / "000_9d31691385c9101d.txt").read_bytes()).text)
    # Long blocks: a paragraph without punctuation, and words past the longest dictionary word.
    texts.append("".join(_dictionary_words()[::997]))
    texts.append("中华人民共和国" * 300 + "abc123" * 50)
    assert sum(map(len, texts)) > 8_000
    for text in texts:
        assert segment.segment(text) == _rjieba_cut(text)


def test_a_repeated_word_keeps_its_last_frequency() -> None:
    assert native is not None
    split = native.word_dict("中 10\n中国 1\n国 10\n".encode())
    joined = native.word_dict("中 10\n中国 1\n中国 1000\n国 10\n".encode())
    assert native.cut("中国", split) == ["中", "国"]
    assert native.cut("中国", joined) == ["中国"]


def test_the_dictionary_loader_rejects_what_it_cannot_read() -> None:
    assert native is not None
    for bad in ("国 1\n中 1\n", "中 x1\n", "中 -1\n", "中" * 65 + " 1\n"):
        with pytest.raises(ValueError):
            native.word_dict(bad.encode())
    with pytest.raises(ValueError):
        native.word_dict(b"\xff\xfe 1\n")
    with pytest.raises(TypeError):
        native.word_dict("中 1")
    with pytest.raises(TypeError):
        native.cut("中国", object())
    # A slot holds 17 bits of score index: a dictionary past them is refused, not truncated.
    many = "".join(f"w{i:06d} {i + 1}\n" for i in range(1 << 17))
    assert native.cut("w000001", native.word_dict(many.encode())) == ["w000001"]
    with pytest.raises(ValueError):
        native.word_dict((many + "x 999999999\n").encode())
    # No words, blank lines, tags, tabs: every character stands alone, nothing is lost.
    assert native.cut("中国 ab", native.word_dict(b"")) == ["中", "国", " ", "ab"]
    tagged = native.word_dict("\n中国\t5\tns\n\n".encode())
    assert native.cut("在中国", tagged) == ["在", "中国"]


def test_the_dictionary_file_is_what_its_builder_writes() -> None:
    from infra.build_word_dict import dictionary_text

    text = segment.DICTIONARY.read_text(encoding="utf-8")
    rows = [(word, int(freq)) for word, freq in (line.split(" ") for line in text.splitlines())]
    assert len(rows) == 349_046  # jieba 0.42.1's dict.txt, one repeated word (B超) included
    assert dictionary_text(rows) == text


# ------------------------------------------------------------------ Traditional to Simplified


@cache
def _t2s_pieces() -> tuple[list[str], list[str]]:
    from docproc.data import DATA_DIR

    keys, _, other, *phrases = (DATA_DIR / "t2s_fast.txt").read_text(encoding="utf-8").split("\n")
    return [*keys[::7], *"的是在了和人中大上我以要他时来用们生到作地", *other[::50]], [p for p in phrases if p]


def _opencc_t2s(text: str) -> str:
    from docproc.data import converter

    return str(converter("t2s").convert(text))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_t2s_fold_is_opencc_or_declines(data: st.DataObject) -> None:
    chars, phrases = _t2s_pieces()
    piece = (
        st.sampled_from(chars)
        | st.sampled_from(phrases)
        | st.sampled_from(phrases).map(lambda p: p[: len(p) // 2 + 1])  # a phrase's start only
        | st.sampled_from(["\n", " ", "\r\n", "a", "Z", "7", "，", "。", "\x00", "\u3000", "😀", "豈"])
    )
    text = "".join(data.draw(st.lists(piece, max_size=30)))
    folded = native.t2s_fold(text, script._t2s_fast()) if native is not None else None
    assert folded is None or folded == _opencc_t2s(text)
    assert script.to_simplified(text) == _opencc_t2s(text)
    if any(p in text for p in phrases) or any(ord(c) > 0xFFFF for c in text):
        assert folded is None


def test_t2s_fold_takes_ordinary_traditional_text_and_declines_phrases() -> None:
    assert native is not None
    table = script._t2s_fast()
    text = "這個網絡詐騙案件，警方呼籲市民提高警覺。發展經濟，對於國家很重要。"
    assert native.t2s_fold(text, table) == _opencc_t2s(text) == "这个网络诈骗案件，警方呼吁市民提高警觉。发展经济，对于国家很重要。"
    simplified = "这是简体中文。"
    assert native.t2s_fold(simplified, table) is simplified  # nothing to change: the same object
    _, phrases = _t2s_pieces()
    assert native.t2s_fold(text + phrases[0], table) is None
    assert native.t2s_fold(text + "\U00020000", table) is None
    with pytest.raises(TypeError):
        native.t2s_fold(text, object())
    with pytest.raises(ValueError):
        native.t2s_table("a", "bc", "", frozenset())
    with pytest.raises(ValueError):
        native.t2s_table("", "", "", frozenset({"x"}))


_TAG_PIECES = st.sampled_from(
    ["<div", "</div", "<DIV", "<Div>", "<divx", "<div_", "<div中", "<div-", "<span ", "</span>", "<ul>", "</UL",
     "<ol", "<", "</", "<<div", "<table", "<tables", "<blockquote>", "<section/", "</article>", "a", "中", " ", "<p>"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TAG_PIECES, max_size=60))
def test_container_depth_is_the_regex_scans(pieces: list[str]) -> None:
    page = "".join(pieces)
    depth = peak = 0
    for match in html._NESTING_TAG.finditer(page):
        depth = max(0, depth - 1) if match.group(1) else depth + 1
        peak = max(peak, depth)
    assert native is not None
    assert native.container_depth(page) == peak


# Every character class of the pattern, its units and their neighbours: numerals that are also
# magnitudes (千, 百), digits of other scripts (٣, ３: \d), spaces \s takes (\u3000, \x1c),
# Latin units with and without a letter after them.
_QUANTITY_PIECES = st.sampled_from(
    [*"0123456789٣３零〇一二两兩三四五六七八九十百千万萬亿億余餘多个個%％‰.,，-/年月日号號 \u3000\x1c\nab中x",
     "19", "20", "2023", "1999", "12", "km", "kg", "KB", "mm", "m", "g", "t", "cmx", "人次", "场次", "平方公里", "公里",
     "个月", "美元", "小時", "週歲", "亿元", "元", "人"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(_QUANTITY_PIECES, max_size=40), st.integers(0, 4), st.integers(0, 4))
def test_quantities_are_the_regexs_matches(pieces: list[str], max_quantities: int, max_dates: int) -> None:
    text = "".join(pieces)
    assert native is not None
    found = native.quantities(text, quantities._unit_table(), max_quantities, max_dates)
    assert found == quantities.regex_quantities(text, max_quantities, max_dates)


def test_quantities_of_real_and_edge_texts_are_the_regexs() -> None:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(SEEDS.glob("*")) if p.is_file()]
    texts += [
        "2023年5月1日 2023 年 12 月 31 号，2023-05-01 与 2023/5/123，5月1日、12 月 3 號",
        "1.44萬個 339.9万人 1.5億人次 3.8萬余場次 三個100% 三千萬元 三千元 一千二百余万元 九千九百九十九亿美元",
        "5km 5kmart 5mm 5mmx 3KB 2GBs 一二三四五六七八九十百千一二三四五六七八九十百千万元",
        "20234年 2023年123月 12月123日 1,000,000元 1，5 2..3 ٣٣月٣日",
    ]
    for text in texts:
        assert quantities.find_quantities(text) == quantities.regex_quantities(text, quantities.MAX_QUANTITIES, quantities.MAX_DATES)
    assert native is not None
    with pytest.raises(TypeError):
        native.quantities("3个", object(), 1, 1)
    with pytest.raises(ValueError):
        native.quantities("3个", quantities._unit_table(), -1, 1)
    with pytest.raises(TypeError):
        native.quantity_units(["个", ""], [])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="中国\u3400\u4dbf\u9fff\ua000\u33ffa ，\U00020000\uf900é〇", max_size=30), max_size=6))
def test_han_heads_are_the_regex_ones(lines: list[str]) -> None:
    assert native is not None
    assert native.han_heads(lines, repeats.HEAD_HAN) == [repeats._first_han(line) for line in lines]
    assert native.han_heads(lines, 0) == [""] * len(lines)
    with pytest.raises(TypeError):
        native.han_heads([b"x"], 3)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["中国", "新闻", "_", "|", "，", "、", " ", "\u3000", "\xa0", "\x1c", "\n", "\r\n", "。", "“", "a", "é",
             "\U00020000", "-", "—", "·", "\u2028", "\u205f", "\u2060", "ab", "12345678"]
        ),
        max_size=40,
    )
)  # fmt: skip
def test_keyword_block_lines_are_the_line_by_line_test(pieces: list[str]) -> None:
    # The C scan of every line against the shape test _spam_hits starts with, on texts of every
    # string kind (ASCII, BMP, astral) and every kind of space str.strip and regex \s know.
    text = "".join(pieces)
    expected = [i for i, line in enumerate(text.split("\n")) if spam._keyword_block_segments(line.strip())]
    assert spam.keyword_block_lines(text) == expected


def test_the_c_spaces_are_str_isspace() -> None:
    # The scan's own space test, which str.strip and regex \s follow, over every code point: a
    # line "a\u3000b\u3000c..." splits at each space (and separator) exactly where Python does.
    assert native is not None
    codes = [c for c in range(0x110000) if c != 10]
    lines = [f"{chr(c)}a{chr(c)}b{chr(c)}c{chr(c)}d{chr(c)}e{chr(c)}" for c in codes]
    tables = spam._SENTENCE_CHARS.c_table(), spam._SEPARATOR_CLASS.c_table()
    shaped = set(native.keyword_lines("\n".join(lines), *tables, 5, 5, 1))
    expected = {i for i, line in enumerate(lines) if spam._keyword_block_segments(line.strip())}
    assert shaped == expected
    assert {codes[i] for i in expected} >= {c for c in codes if chr(c).isspace()}


def test_word_ids_are_each_calls_own() -> None:
    # One-character words keep their ids by code point for a call only: the next text numbers
    # its words afresh, in its own order of first occurrence.
    first = stats_module.word_census("的是在，的")
    second = stats_module.word_census("在是的。在")
    assert list(first.ids) == [0, 1, 2, 0]
    assert list(second.ids) == [0, 1, 2, 0]
    with pytest.MonkeyPatch.context() as m:
        m.setattr(stats_module, "native", None)
        assert list(stats_module.word_census("在是的。在").ids) == [0, 1, 2, 0]


# Every character str.split() and str.strip() take for whitespace, the line ends, and letters of
# each str kind (ASCII, Latin-1, the BMP, past it), and a lone surrogate (a lossy decode upstream
# leaves them): a result may be narrower than its text.
_SPACED = st.text(
    st.sampled_from([*patterns.WHITESPACE, "a", "b", "\xe9", "中", "\ud800", "\U0001d11e"]), max_size=60
)


@settings(max_examples=500, deadline=None)
@given(_SPACED)
def test_without_whitespace_is_the_words_joined(text: str) -> None:
    assert native is not None
    assert native.without_whitespace(text) == "".join(text.split())


@settings(max_examples=500, deadline=None)
@given(_SPACED)
def test_tidy_whitespace_is_the_str_methods_one(text: str) -> None:
    assert native is not None
    assert native.tidy_whitespace(text) == whitespace.tidy_whitespace(text)


def test_tidy_whitespace_on_line_ends_and_wide_spaces() -> None:
    assert native is not None
    text = "\u3000\u3000第一段\t\t正文 \xa0 完。\r\n\r\n\r\n  第二段\r第三段\u2028 \n\x0b\n"
    assert native.tidy_whitespace(text) == "第一段 正文 完。\n\n第二段\n\n第三段"
    assert native.tidy_whitespace("a\xa0b").isascii()
    assert native.tidy_whitespace("") == native.without_whitespace(" \n\u3000") == ""


def test_no_whitespace_lies_past_the_ideographic_space() -> None:
    # The whitespace passes skip the Unicode database for every character past U+3000.
    assert max(c for c in range(0x110000) if chr(c).isspace()) == 0x3000


# Annotations and near misses: an ideograph of each range or another character, either bracket
# on each side, 0 to 9 letters with and without tone marks, a tone number in and out of 1-5 or
# none; joined with each other and with filler (a lone surrogate, a character past the BMP).
_ANNOTATION_PART = st.tuples(
    st.sampled_from(["網", "㐀", "豈", "a", "中", "\U00020000", ""]),
    st.sampled_from(["(", "（", ""]),
    st.lists(st.sampled_from(["w", "ǎ", "L", "ü", "ḿ", "é", "1"]), max_size=9).map("".join),
    st.sampled_from(["", "1", "5", "6", "0"]),
    st.sampled_from([")", "）", "", "("]),
).map("".join)
_ANNOTATED = st.lists(st.one_of(_ANNOTATION_PART, st.sampled_from([" ", "\ud800", "a)"])), max_size=8).map(
    "".join
)


@settings(max_examples=800, deadline=None)
@given(_ANNOTATED)
def test_pinyin_annotations_are_the_patterns_matches(text: str) -> None:
    assert native is not None
    expected = [i for m in pinyin._ANNOTATION.finditer(text) for i in (m.start(), m.end())]
    assert native.pinyin_annotations(text) == expected


@settings(max_examples=300, deadline=None)
@given(_ANNOTATED)
def test_the_pinyin_step_is_the_same_without_the_module(text: str) -> None:
    with_c = pinyin.remove_pinyin_annotations(text)
    assert _pure(pytest.MonkeyPatch(), lambda: pinyin.remove_pinyin_annotations(text)) == with_c
