"""Garbled spans: GBK text decoded one byte out of step, repaired where the bytes allow it.

The mechanism, read off the sample's bytes (docs/cleaning-input.md has the byte dumps): the text was
GBK-encoded, one character's lead byte was lost and written as `?`, and the bytes after it were
decoded shifted by one: every character is made of the trail byte of one original character and the
lead byte of the next (`。”青島` -> `?!鼻鄭u`; a full-width `！` there was later narrowed to `!`).
The shift ends by itself where a trail byte falls in the ASCII range (`u` is the second byte of
`島` in GBK) or at an invalid pair, written as a second `?`. Pinyin annotations in the text at the
time come out as residues without their `(`: `?fù)`, `?jīng)`. They are garbage and go with the
span, but first say something about the lost bytes: the one after a lost trail byte names that
character's reading, the one after a lost lead the reading of the character an annotator saw in
the previous trail byte and the lost lead (`購?fù)`: d9 **8f** + cd is `復`, and cd cb is `退`).

Repair re-encodes the span to GBK, puts a lead byte back in front and decodes again. The lost lead
(and, for a span ending in `?`, the lost last trail) is chosen among all byte values by character
frequency, dictionary words around it and the pinyin residues that name it. The result
is kept only if it reads as far more likely text than the garbled span (mean log character frequency,
tables built from jieba's dictionary: data/README.md). What cannot be repaired is dropped only when it is
plainly garbage (Private Use Area characters among rare ones); everything else is left alone, so clean text
comes through unchanged.
"""

from __future__ import annotations

import math
import re
import sys
import zlib
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise, repeat
from operator import truediv
from typing import Final, NamedTuple

from docproc.charclass import CharClass
from docproc.data import DATA_DIR
from docproc.data import to_simplified as fold_to_simplified
from docproc.patterns import compiled, runs_of
from docproc.result import StepOutput, StepReport

_TONE_LETTERS: Final = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
_PINYIN_LETTERS: Final = "a-z" + _TONE_LETTERS
# The pinyin right after a lost-lead marker: `?fù)` (the `?` swallowed the `(`) or `\ufffd(fù)` (a
# replacing decoder keeps it).
_RESIDUE: Final = compiled(rf"\(?([{_PINYIN_LETTERS}]{{1,7}})\)")
# Lost-lead markers: `?` as written by the garbling, U+FFFD as written by a replacing decoder.
_MARKERS: Final = "?\ufffd"
_MARKER: Final = compiled("[?\ufffd]")
_PUA: Final = CharClass(r"[\ue000-\uf8ff]")
_PUA_RUN: Final = compiled(runs_of(r"[\ue000-\uf8ff]"))
# A neighbour at most this frequent (natural log) marks a PUA character as part of a garbled run.
_RARE_NEIGHBOUR: Final = -10.5
# A shift lasts until an ASCII byte: in Chinese prose that can be hundreds of characters. Candidate
# endings are tried up to this many (each costs one decode of the span).
_MAX_SPAN: Final = 1000  # characters; the sample's longest shifted run is 12
_MAX_ENDINGS: Final = 6
# Pinyin after an invalid pair, with or without its `(`: `?jīng)` (the sample) or `\ufffd(jīng)`;
# either way it names the reading of the character whose trail byte was lost.
_HINT: Final = compiled(rf"(\(?)([{_PINYIN_LETTERS}]{{1,7}})\)")
# Log-frequency of characters outside the table, of Private Use Area characters, and of ASCII.
_UNKNOWN: Final = -16.0
_PRIVATE: Final = -22.0
_ASCII: Final = -9.0
# A repair must beat the garbled span by this much (mean natural log per character) and read at
# least as well as this absolute level; measured on the sample and the thucnews articles.
_MIN_GAIN: Final = 2.5
_MIN_REPAIRED: Final = -9.5
# A character at most this frequent (natural log; about 75 in a million) is rare. The dictionary
# tables rate rare characters higher than news text does (鼻 -9.9, 鄭 -9.8): at -11 the sample's
# `?!鼻鄭u` run would not count as garbled.
_RARE: Final = -9.5
# Runs after a `?` that read better than this (mean log frequency) are ordinary text: not tried.
_CLEAN_RUN: Final = -7.5
_PRECHECK: Final = 6  # characters looked at before walking a run
_MAX_BACKTRACK: Final = 40  # characters looked at before a PUA character for the start of an unmarked run
_MAX_UNMARKED_TRIES: Final = 8
_EARLIER_STARTS: Final = 8
# Interpolation weight of the bigram estimate against the unigram one.
_LAMBDA: Final = 0.7
# Bonus (natural log) for a restored byte that a surviving pinyin annotation names (_misread_pair,
# _best_trail): the bytes themselves say so, where frequencies only guess.
_PINYIN_BONUS: Final = 12.0


# The compact table (infra/build_garble_tables.py; sources and licenses in data/README.md): this
# line, then two zlib streams, characters first, then pairs and words: a document whose `?` is
# ordinary punctuation needs only the first.
_TABLE_FILE: Final = "garble_tables.bin"
_TABLE_MAGIC: Final = b"docproc garble tables 1\n"


@lru_cache(maxsize=1)
def _table_streams() -> tuple[bytes, bytes]:
    """The characters' section, decompressed, and the pairs' and words' one, still compressed."""
    raw = (DATA_DIR / _TABLE_FILE).read_bytes()  # importlib.resources cost 10 ms to import
    if not raw.startswith(_TABLE_MAGIC):
        raise ValueError(f"{_TABLE_FILE}: not a garble table (rebuild: python -m infra.build_garble_tables)")
    stream = zlib.decompressobj()
    chars = stream.decompress(raw[len(_TABLE_MAGIC) :])
    return chars, stream.unused_data


def _sections(payload: bytes) -> dict[str, bytes]:
    """`name:length ...` on the first line, then the sections back to back."""
    header_end = payload.index(b"\n")
    out: dict[str, bytes] = {}
    offset = header_end + 1
    for item in payload[:header_end].decode("ascii").split():
        name, length = item.rsplit(":", 1)
        out[name] = payload[offset : offset + int(length)]
        offset += int(length)
    return out


def _uint32(raw: bytes) -> array[int]:
    numbers = array("I")
    numbers.frombytes(raw)
    if sys.byteorder == "big":  # stored little-endian
        numbers.byteswap()
    return numbers


@lru_cache(maxsize=1)
def _stored_chars() -> tuple[str, array[int], int]:
    """The characters (most frequent first), their counts and the total, as stored."""
    sections = _sections(_table_streams()[0])
    counts = _uint32(sections["char_counts#"])
    return sections["chars"].decode("utf-8"), counts, sum(counts)


@lru_cache(maxsize=1)
def _counts() -> tuple[dict[str, int], int]:
    """Character -> count, and the total (jieba's dictionary and icwced punctuation, data/README.md)."""
    chars, counts, total = _stored_chars()
    return dict(zip(chars, counts, strict=True)), total


@lru_cache(maxsize=1)
def _log_freq() -> dict[str, float]:
    """Character -> natural log of its relative frequency."""
    counts, total = _counts()
    return dict(zip(counts, map(math.log, map(truediv, counts.values(), repeat(total))), strict=False))


class _PairTable(NamedTuple):
    """Character pairs (in Simplified) and the dictionary words they make.

    The pairs after `a` are the characters seconds[row_ends[r - 1]:row_ends[r]], r = rows[a]; pair
    counts and two-character word frequencies (0: no word) are aligned with `seconds`. The
    three-character words starting with pair number i end in thirds[third_ends[k - 1]:third_ends[k]],
    k = third_rows[i], with their frequencies aligned with `thirds`.
    """

    rows: dict[str, int]
    row_ends: array[int]
    seconds: str
    counts: array[int]
    word_freqs: array[int]
    third_rows: dict[int, int]
    third_ends: array[int]
    thirds: str
    word3_freqs: array[int]


@lru_cache(maxsize=1)
def _pairs() -> _PairTable:
    """Loaded only when a span is being repaired: two small dicts, the rest is sliced as stored."""
    sections = _sections(zlib.decompress(_table_streams()[1]))
    firsts = sections["firsts"].decode("utf-8")
    third_pairs = _uint32(sections["third_pairs#"])
    return _PairTable(
        rows=dict(zip(firsts, range(len(firsts)), strict=True)),
        row_ends=_uint32(sections["row_ends#"]),
        seconds=sections["seconds"].decode("utf-8"),
        counts=_uint32(sections["pair_counts#"]),
        word_freqs=_uint32(sections["word2_freqs#"]),
        third_rows=dict(zip(third_pairs, range(len(third_pairs)), strict=True)),
        third_ends=_uint32(sections["third_ends#"]),
        thirds=sections["thirds"].decode("utf-8"),
        word3_freqs=_uint32(sections["word3_freqs#"]),
    )


def _pair_index(a: str, b: str) -> int:
    """Where the pair `ab` sits in the pair table, or -1."""
    seconds = _row(a)
    if seconds is None or len(b) != 1:
        return -1
    return seconds.get(b, -1)


@lru_cache(maxsize=4096)
def _row(a: str) -> dict[str, int] | None:
    """The characters that follow `a` in the pair table, each with its index; None if none do.
    A candidate byte's score looks up pairs with the same first character about 126 times:
    a dict of the row, made once, where a search along it (a common character's row holds up
    to 507) took most of the repair's time. All 4,225 rows as dicts would hold 8.5 MiB."""
    table = _pairs()
    row = table.rows.get(a)
    if row is None:
        return None
    start, end = table.row_ends[row - 1] if row else 0, table.row_ends[row]
    # From the end, so that a character listed twice keeps its first index, as str.find gives.
    return dict(zip(reversed(table.seconds[start:end]), range(end - 1, start - 1, -1), strict=True))


def _bigram_count(a: str, b: str) -> int:
    """How often `b` follows `a` (pairs within dictionary words, plus pairs with punctuation)."""
    index = _pair_index(a, b)
    return _pairs().counts[index] if index >= 0 else 0


def _word_freq(word: str) -> int:
    """The dictionary frequency of a two- or three-character word (jieba's, from 40 up), or 0."""
    if len(word) not in (2, 3):
        return 0
    index = _pair_index(word[0], word[1])
    if index < 0:
        return 0
    table = _pairs()
    if len(word) == 2:
        return table.word_freqs[index]
    row = table.third_rows.get(index)
    if row is None:
        return 0
    found = table.thirds.find(word[2], table.third_ends[row - 1] if row else 0, table.third_ends[row])
    return table.word3_freqs[found] if found >= 0 else 0


def char_log_frequency(char: str) -> float:
    return _log_score(char, _log_freq())


def _log_score(char: str, freq: dict[str, float]) -> float:
    """char_log_frequency with its table given (a walk looks it up once, not per character)."""
    if char < "\x80":
        return _ASCII
    if "\ue000" <= char <= "\uf8ff":
        return _PRIVATE
    return freq.get(char, _UNKNOWN)


def mean_log_frequency(text: str) -> float:
    """Mean log frequency of the non-space characters: higher reads more like ordinary Chinese text."""
    chars = "".join(text.split())
    if not chars:
        return 0.0
    # It scores every candidate decoding of a document, not only garbled spans: a compiled loop
    # over the dict (most texts scored are a few characters long, where map() and sum() cost
    # more to set up than the loop takes).
    return _mean_in(chars, _scoring_table())


def _precheck_mean(text: str) -> float:
    """mean_log_frequency of the few characters after a `?`, without building the tables' dicts
    while none is built: a document whose `?` are ordinary punctuation (`李?琴`, 6 % of the
    THUCNews articles) then loads ~1 ms of table, not ~7."""
    if _SCORING_BUILT:
        return mean_log_frequency(text)
    chars = "".join(text.split())
    return _mean(chars, _stored_score) if chars else 0.0


def _stored_score(char: str, default: float) -> float:
    """What _scoring_table().get(char, default) gives, found in the stored character string."""
    if char < "\x80":
        return _ASCII
    stored, counts, total = _stored_chars()
    index = stored.find(char)
    return math.log(counts[index] / total) if index >= 0 else default


def _mean(chars: str, score: Callable[[str, float], float]) -> float:
    """The mean of score(c, _UNKNOWN) over `chars` (not empty), a Private Use Area character
    scored _PRIVATE - _UNKNOWN lower: the scores summed first, left to right (as sum() does),
    then the PUA characters' share, so that _mean_in gives the very same float."""
    total = 0.0
    private = 0
    for c in chars:
        total += score(c, _UNKNOWN)
        if "\ue000" <= c <= "\uf8ff":
            private += 1
    if private:
        total += private * (_PRIVATE - _UNKNOWN)
    return total / len(chars)


def _mean_in(chars: str, table: dict[str, float]) -> float:
    """_mean(chars, table.get), with the dict's own lookup (compiled, no call through get)."""
    total = 0.0
    private = 0
    for c in chars:
        total += table.get(c, _UNKNOWN)
        if "\ue000" <= c <= "\uf8ff":
            private += 1
    if private:
        total += private * (_PRIVATE - _UNKNOWN)
    return total / len(chars)


@lru_cache(maxsize=1)
def _scoring_table() -> dict[str, float]:
    """The log-frequency table with every ASCII character at the flat ASCII score."""
    table = dict(_log_freq())
    table.update((chr(c), _ASCII) for c in range(128))
    _SCORING_BUILT.append(True)
    return table


# Holds True once _scoring_table has run: the pre-check's test (cache_info() built a tuple).
_SCORING_BUILT: Final[list[bool]] = []


class _Ending(NamedTuple):
    """One way a shifted run can end."""

    end: int  # index after the span's last character
    used: int  # shifted pairs that belong to the span
    final: bytes  # a trail byte the span ends on (the resync character), or nothing
    trail_lost: bool = False  # ended at an invalid pair: the last character's trail byte is lost
    hint: str | None = None  # pinyin written after it, naming the last character's reading
    drop_to: int = 0  # where the replaced text ends: past a pinyin residue that lost its `(`


@dataclass(slots=True)
class _Repair:
    start: int
    end: int  # exclusive, in the original text
    text: str
    gain: float


def repair_garbled_spans(text: str) -> StepOutput:
    """Repair GBK text decoded one byte out of step; drop Private Use Area garbage that cannot be repaired."""
    report = StepReport("repair_garbled_spans")
    has_marker = "?" in text or "\ufffd" in text
    has_pua = _PUA.find(text) >= 0
    if not has_marker and not has_pua:  # the common case: nothing to look at
        return StepOutput(text, report)
    before = len(text)
    # Whether the text holds a PUA character is searched again only after a repair changed it
    # (a restored GBK pair may decode into the PUA): each search reads the whole text.
    if has_marker:
        text, repaired = _splice(text, _marked_repairs(text))
        report.detail["repaired"] = repaired
        report.count += repaired
        if repaired:
            has_pua = _PUA.find(text) >= 0
    if has_pua:
        text, unmarked = _splice(text, _unmarked_repairs(text))
        if unmarked:
            report.detail["repaired_unmarked"] = unmarked
            report.count += unmarked
            has_pua = _PUA.find(text) >= 0
    if has_pua:
        text, dropped = _drop_private_use_garbage(text)
        if dropped:
            report.detail["dropped_chars"] = dropped
            report.count += 1
    report.chars_removed = max(0, before - len(text))
    return StepOutput(text, report)


def _splice(text: str, repairs: Iterator[_Repair]) -> tuple[str, int]:
    """`text` with each repair's span replaced by its text (repairs in order, not overlapping)."""
    out: list[str] = []
    pos = 0
    for fix in repairs:
        out.append(text[pos : fix.start])
        out.append(fix.text)
        pos = fix.end
    out.append(text[pos:])
    return "".join(out), (len(out) - 1) // 2


def _marked_repairs(text: str) -> Iterator[_Repair]:
    """Repairs of the spans around each `?` (or U+FFFD) a lost lead byte left."""
    pos = 0
    for match in _MARKER.finditer(text):
        if match.start() < pos:  # inside a span already repaired
            continue
        fix = _repair_at(text, match.start())
        if fix is not None:
            pos = fix.end
            yield fix


def _unmarked_repairs(text: str) -> Iterator[_Repair]:
    """Shifted runs whose lost lead byte left no `?`: found by the Private Use Area characters a
    shifted GBK run often decodes to (user-defined rows), started where the rare characters start."""
    pos = 0
    tries = 0
    skip_until = 0
    for match in _PUA.pattern.finditer(text):
        if match.start() < max(pos, skip_until):
            continue
        # Each try walks a run from up to four starts: a few per document bound the work on texts
        # full of PUA characters (a symbol font), where nothing is shifted.
        tries += 1
        if tries > _MAX_UNMARKED_TRIES:
            break
        start = match.start()
        while start > pos and match.start() - start < _MAX_BACKTRACK:
            before = text[start - 1]
            if before < "\x80" or char_log_frequency(before) > _RARE_NEIGHBOUR:
                break
            start -= 1
        # The first shifted characters may read as common ones by chance: try earlier starts too.
        earliest = max(pos, start - _EARLIER_STARTS)
        candidates = (_repair_at(text, s, unmarked=True) for s in range(start, earliest - 1, -1))
        found = [c for c in candidates if c is not None]
        if not found:
            skip_until = match.end() + _PRECHECK  # the same run is not tried again
            continue
        # Compare them over the same stretch of text (a start too late leaves garbage before it), by
        # character bigrams: unigram frequencies cannot tell `意督先王的` from `意识较弱的`.
        stop = max(c.end for c in found)
        fix = max(found, key=lambda c: _bigram_score(text[earliest : c.start] + c.text + text[c.end : stop]))
        pos = fix.end
        yield fix


@lru_cache(maxsize=8192)
def _gbk_pair(char: str) -> bytes | None:
    """The two GBK bytes a character came from, or None if it is not a double-byte GBK character.
    Cached: each call looked the codec up by name (a quarter of a repair's walk)."""
    try:
        raw = char.encode("gb18030")
    except UnicodeEncodeError:
        return None
    return raw if len(raw) == 2 else None


def _fullwidth(char: str) -> str | None:
    """`!` -> `！`: the full-width form the sample's narrowing step turned into ASCII."""
    if "!" <= char <= "~":
        return chr(ord(char) + 0xFEE0)
    return None


def _repair_at(text: str, marker: int, *, unmarked: bool = False) -> _Repair | None:
    """Try every way the span starting at the `?` at `marker` can end; keep the best good repair.

    `unmarked`: the lead byte vanished without a `?`; the shifted run starts at `marker` itself.
    """
    i = marker if unmarked else marker + 1
    residue = None if unmarked else _RESIDUE.match(text, i)
    if residue:
        i = residue.end()
    ahead = text[i : i + _PRECHECK]
    if not _may_be_shifted(ahead):
        return None
    misread = _misread_pair(text, marker, residue.group(1)) if residue else None
    # Cheap pre-check: a question mark in clean text is followed by ordinary characters, a lost lead
    # by garbage from the first character on.
    if _precheck_mean(ahead) > _CLEAN_RUN:
        return None
    # Walk the shifted run: each double-byte character, and ASCII punctuation that was narrowed from
    # a full-width double-byte character, is a (trail, next lead) pair of the original bytes.
    pairs: list[bytes] = []
    endings: list[_Ending] = []
    # A garbled run always holds a character ordinary text almost never uses; a span may end only
    # after one has been seen, which keeps question marks in clean text away from repair.
    rare_seen = False
    # Running sum of the walked characters' log frequencies: window and span means without rescoring.
    sums = [0.0]
    freq = _log_freq()  # char_log_frequency's table, looked up once for the walk
    j = i
    while j < len(text) and j - i < _MAX_SPAN and len(endings) < _MAX_ENDINGS:
        char = text[j]
        score = _log_score(char, freq)
        sums.append(sums[-1] + score)
        if char in _MARKERS and pairs and rare_seen:  # an invalid pair: the last trail byte is lost
            after = _HINT.match(text, j + 1)
            if after or len(pairs) >= 2:  # with no pinyin to name it, one known pair is too little
                hint, paren_lost = (after.group(2), not after.group(1)) if after else (None, False)
                # A residue that lost its `(` is no annotation any more: the span takes it along.
                residue_end = after.end() if after and paren_lost else j + 1
                endings.append(_Ending(j + 1, len(pairs), b"", True, hint, residue_end))
        pair = _gbk_pair(char) if char >= "\x80" else None
        if not rare_seen and j - i >= _PRECHECK:  # no garbage where a shifted run must have some
            break
        if endings and j - i >= _PRECHECK and (sums[-2] - sums[-2 - _PRECHECK]) / _PRECHECK > _CLEAN_RUN:
            break  # reads as ordinary text again: the shift ended at one of the endings already found
        if pair is not None:
            pairs.append(pair)
            rare_seen = rare_seen or score <= _RARE
            j += 1
            if pair[1] < 0x80 and rare_seen:  # the pair swallowed an ASCII byte: back in step after it
                endings.append(_Ending(j, len(pairs), b"", False))
            continue
        if "@" <= char <= "~" and pairs and rare_seen:  # a trail byte in ASCII range ends the shift
            endings.append(_Ending(j + 1, len(pairs), bytes([ord(char)]), False))
        wide = _fullwidth(char) if char < "\x80" else None
        wide_pair = _gbk_pair(wide) if wide else None
        if wide_pair is None:
            break
        pairs.append(wide_pair)
        j += 1
    if j == len(text) and pairs and rare_seen and len(endings) < _MAX_ENDINGS:  # text ends in the run
        endings.append(_Ending(j, len(pairs), b"", False))
    if not pairs or not endings:
        return None
    # Cheap pre-check: a run of ordinary characters after a `?` (a question mark in clean text) is
    # not worth 126 decodings. Garbled runs are made of rare characters.
    if sums[endings[0].end - i] / max(1, endings[0].end - i) > _CLEAN_RUN:
        return None
    # Two characters of context each side: `老年?` + `防范` must give `老年人`, not `老年了`.
    following = b"".join(pairs[:3])[1:5]
    lead = _best_lead(pairs[0][0], following, text[max(0, marker - 2) : marker], misread)
    if lead is None:
        return None
    head = sum(char_log_frequency(c) for c in text[marker:i])  # the `?` and any pinyin residue
    best: _Repair | None = None
    for end, used, final, trail_lost, hint, drop_to in endings:
        restored = bytes([lead]) + b"".join(pairs[:used]) + final
        if trail_lost:  # ended at a `?`: the last trail byte is lost too
            trail = _best_trail(restored[-1], restored[-3:-1], hint)
            if trail is None:
                continue
            restored += bytes([trail])
        try:
            repaired = restored.decode("gb18030")
        except UnicodeDecodeError:
            continue
        score = mean_log_frequency(repaired)
        gain = score - (head + sums[end - i]) / max(1, end - marker)
        if gain >= _MIN_GAIN and score >= _MIN_REPAIRED and (best is None or gain > best.gain):
            # The pinyin residue after a lost trail (`?jīng)`) named the restored character; with its
            # `(` gone it is garbage like the lead's residue (`?fù)`) and is replaced too.
            best = _Repair(marker, max(end, drop_to), repaired, gain)
    return best


def _may_be_shifted(ahead: str) -> bool:
    """Whether a shifted run can start with `ahead` (the first _PRECHECK characters a walk reads).
    A span ends only after a rare double-byte character among them (rare_seen in _repair_at):
    after ASCII alone (`?id=3`, `? The`, most question marks of a page) no walk can repair."""
    return not ahead.isascii()


def _misread_pair(text: str, marker: int, reading: str) -> tuple[int, str] | None:
    """(trail byte of the character before the marker, the pinyin after the marker), when both exist.

    The annotation after a lost lead was written by an annotator reading the bytes one out of step:
    it read the previous character's trail byte and the lost lead as one character and put that
    character's reading after it. In the sample `購?fù)` is d9 **8f** + cd (`復`, fù), and cd cb is
    `退`; `當?shù)` is ae **94** + b5 (`數`, shù), and b5 c4 is `的`. Of the 126 lead values exactly
    one makes a character with that reading in both cases.
    """
    pair = _gbk_pair(text[marker - 1]) if marker > 0 else None
    return (pair[1], reading) if pair is not None else None


@lru_cache(maxsize=1024)
def _best_lead(trail: int, following: bytes, prev: str, misread: tuple[int, str] | None) -> int | None:
    """The lost lead byte: the one whose character, between `prev` and what follows, reads best; a
    pinyin residue after the marker (`misread`) names the reading of (previous trail byte, lead)."""
    nxt = _decode_or_empty(following[:2]) + _decode_or_empty(following[2:4])
    leads = range(0x81, 0xFF)
    named: frozenset[int] = frozenset()
    if misread:
        named = _named_values([(v, bytes([misread[0], v])) for v in leads], misread[1])
    return _best_byte(_lead_candidates(trail), prev, nxt, named)


@lru_cache(maxsize=1024)
def _best_trail(lead: int, prev_pair: bytes, hint: str | None) -> int | None:
    """The lost last trail byte; the pinyin written after it, when there is one, names its reading."""
    prev = _decode_or_empty(prev_pair)
    candidates = _trail_candidates(lead)
    # Only a candidate can take the bonus, so the named values are looked for among them alone.
    named = frozenset(v for v, char, _ in candidates if _reads_as(char, hint)) if hint else frozenset()
    return _best_byte(candidates, prev, "", named)


def _named_values(candidates: list[tuple[int, bytes]], reading: str) -> frozenset[int]:
    """The byte values whose pair decodes to a character that has `reading`."""
    return frozenset(v for v, pair in candidates if (c := _decode_or_empty(pair)) and _reads_as(c, reading))


def _decode_or_empty(raw: bytes) -> str:
    """One double-byte character, or nothing."""
    try:
        return raw.decode("gb18030") if len(raw) == 2 else ""
    except UnicodeDecodeError:
        return ""


# (byte value, the character it makes, that character in Simplified)
_Candidates = tuple[tuple[int, str, str], ...]


@lru_cache(maxsize=256)
def _lead_candidates(trail: int) -> _Candidates:
    """(lead byte, its character before `trail`, that character in Simplified) for every lead
    that makes a known character: what _best_byte scores, decoded once per trail byte."""
    return _known_characters([(v, bytes([v, trail])) for v in range(0x81, 0xFF)])


@lru_cache(maxsize=256)
def _trail_candidates(lead: int) -> _Candidates:
    """The same for the trail bytes after `lead`."""
    return _known_characters([(v, bytes([lead, v])) for v in range(0x40, 0xFF) if v != 0x7F])


def _known_characters(candidates: list[tuple[int, bytes]]) -> _Candidates:
    out: list[tuple[int, str, str]] = []
    for value, pair in candidates:
        try:
            char = pair.decode("gb18030")
        except UnicodeDecodeError:
            continue
        if len(char) != 1 or char_log_frequency(char) <= _UNKNOWN:
            continue
        out.append((value, char, _simplified_char(char)))
    return tuple(out)


def _best_byte(candidates: _Candidates, prev: str, nxt: str, named: frozenset[int]) -> int | None:
    """The byte value whose character reads best: frequency in context, dictionary words, and a
    large bonus for the values a pinyin annotation names (`named`)."""
    best_score = -math.inf
    best: int | None = None
    before = "".join(_simplified_char(x) for x in prev)
    after = "".join(_simplified_char(x) for x in nxt)
    for value, _, simplified in candidates:
        score = _context_score(before, simplified, after)
        if value in named:
            score += _PINYIN_BONUS
        if score > best_score:
            best_score, best = score, value
    return best


def _context_score(before: str, c: str, after: str) -> float:
    """ln P(c | before) + ln P(after | c), interpolated bigrams over the dictionary tables, plus
    half the log dictionary frequency of each two- or three-character word the character makes
    with its neighbours: bigrams alone see `此款` more often than `退款` in news, jieba's
    dictionary knows better. All in Simplified; `before` and `after` are up to two characters each."""
    score = _conditional(before[-1:], c) + (_conditional(c, after[0]) if after else 0.0)
    for word in {before[-1:] + c, before[-2:] + c, c + after[:1], c + after[:2]}:
        freq = _word_freq(word)
        if freq:
            score += 0.5 * math.log(freq)
    return score


def _bigram_score(text: str) -> float:
    """Mean ln P(next | char) over the text (interpolated bigrams, in Simplified)."""
    chars = [_simplified_char(c) for c in text if not c.isspace()]
    if len(chars) < 2:
        return 0.0
    return sum(_conditional(a, b) for a, b in pairwise(chars)) / (len(chars) - 1)


def _conditional(a: str, b: str) -> float:
    counts, total = _counts()
    p_b = counts.get(b, 0.5) / total
    if not a:
        return math.log(p_b)
    p_ab = _bigram_count(a, b) / counts.get(a, 1) if a in counts else 0.0
    return math.log(_LAMBDA * p_ab + (1 - _LAMBDA) * p_b)


@lru_cache(maxsize=8192)
def _simplified_char(char: str) -> str:
    if not char or char < "\x80":
        return char
    out = _to_simplified(char)
    return out if len(out) == 1 else char


def _to_simplified(text: str) -> str:
    # The shared character fold (a precomputed table every document loads for the line steps), not
    # the script step's OpenCC converter: one character at a time they agree, and a Simplified page
    # never loads the converter.
    return fold_to_simplified(text)


def _reads_as(char: str, pinyin: str) -> bool:
    from docproc.steps.pinyin import is_reading

    return is_reading(char, pinyin)


def _drop_private_use_garbage(text: str) -> tuple[str, int]:
    """Drop runs of Private Use Area characters that sit among rare characters (a garbled run).

    A lone PUA character between ordinary text, like the Wingdings bullet U+F0D8 some news pages
    carry, is left alone.
    """
    dropped = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal dropped
        start, end = match.span()
        around = (text[start - 1] if start else "") + (text[end] if end < len(text) else "")
        if any(c >= "\x80" and not c.isspace() and char_log_frequency(c) < _RARE_NEIGHBOUR for c in around):
            dropped += end - start
            return ""
        return match.group()

    return _PUA_RUN.sub(drop, text), dropped
