"""One-character classes whose first occurrence in a text is looked for in C, and sets of phrases
whose occurrence is tested there.

re's search for a pattern like `[\ue000-\uf8ff]` tests each character against the class's ranges
one after another: about 15 instructions a character for the cleaning steps' classes, and the
steps ask over whole texts that usually hold none (is there a control character, a Private
Use Area character, one NFKC would fold?). docproc's C module tests a character with one bit
of a table made from the class (`native.class_table`). Where the module is not built, the
class's own pattern searches, with the same answer.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any

from docproc.native import native
from docproc.patterns import any_of, compiled

_LITERAL, _RANGE, _IN = "LITERAL", "RANGE", "IN"


class CharClass:
    """A pattern of one character class (`[...]`), with a `find` that runs in C."""

    __slots__ = ("_ranges", "_table", "pattern")

    def __init__(self, source: str, ranges: list[tuple[int, int]] | None = None) -> None:
        """`ranges`: the class's (low, high) code points when the caller has them (of_codes),
        so that a class of thousands of characters needs no parse of its source (a few ms)."""
        self.pattern = compiled(source)
        self._ranges = ranges
        self._table: Any = None  # made on first use: most classes serve a few steps of a document

    @classmethod
    def of_codes(cls, codes: Iterable[int]) -> CharClass:
        """The class of exactly these code points, written as ranges of consecutive ones (a
        class of a thousand single characters took 3 ms to compile)."""
        ranges = _runs(sorted(codes))
        body = "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in ranges)
        return cls(f"[{body}]", ranges)

    def find(self, text: str, start: int = 0) -> int:
        """The index of the first character of the class in text[start:], or -1."""
        if native is None:
            found = self.pattern.search(text, start)
            return -1 if found is None else found.start()
        index: int = native.find_in_class(text, self.c_table(), start)
        return index

    def count(self, text: str) -> int:
        """How many characters of `text` are in the class."""
        if native is None:
            return len(self.pattern.findall(text))
        counted: int = native.count_in_class(text, self.c_table())
        return counted

    def c_table(self) -> Any:
        """The class as docproc/_native.c's table (made on first use)."""
        if self._table is None:
            assert native is not None
            ranges = self._ranges if self._ranges is not None else class_ranges(self.pattern.pattern)
            self._table = native.class_table(ranges)
        return self._table


class Phrases:
    """Phrases whose occurrence anywhere in a text is tested in C: the one-character ones as a
    CharClass, the longer ones as a native phrase set (a bit test a character, and a binary
    search where one may start). re's search of their alternation, even nested by prefix,
    tried a branch at every character that starts one; it still serves where the module is not
    built (compiled on first use there)."""

    __slots__ = ("_longer", "_phrases", "_singles", "_source")

    def __init__(self, phrases: Iterable[str]) -> None:
        self._phrases = sorted({p for p in phrases if p})
        singles = [p for p in self._phrases if len(p) == 1]
        longer = [p for p in self._phrases if len(p) > 1]
        self._singles = CharClass("[" + "".join(map(re.escape, singles)) + "]") if singles else None
        self._longer: Any = native.phrase_set(longer) if native is not None and longer else None
        self._source: re.Pattern[str] | None = None

    def found_in(self, text: str) -> bool:
        """Whether any of the phrases occurs in `text`."""
        if not self._phrases:
            return False
        if native is None:
            if self._source is None:
                self._source = compiled(any_of(self._phrases))
            return self._source.search(text) is not None
        if self._singles is not None and self._singles.find(text) >= 0:
            return True
        if self._longer is None:
            return False
        held: bool = native.holds_phrase(text, self._longer)
        return held


def class_ranges(source: str) -> list[tuple[int, int]]:
    """The (low, high) code point ranges of a one-character class pattern, as re parses it.
    Only literal characters and ranges: a class with a category (`\\d`), a negation or flags
    is refused, so a pattern this cannot read exactly is never searched by the table."""
    parser: Any = importlib.import_module("re._parser")
    parsed = parser.parse(source)
    items = list(parsed)
    if len(items) != 1 or str(items[0][0]) not in (_IN, _LITERAL) or parsed.state.flags & ~re.UNICODE:
        raise ValueError(f"not a plain one-character class: {source!r}")
    op, value = items[0]
    members = value if str(op) == _IN else [(op, value)]
    ranges = []
    for kind, arg in members:
        if str(kind) == _LITERAL:
            ranges.append((arg, arg))
        elif str(kind) == _RANGE:
            ranges.append((arg[0], arg[1]))
        else:
            raise ValueError(f"not a plain one-character class: {source!r} ({kind})")
    return ranges


def _runs(codes: list[int]) -> list[tuple[int, int]]:
    """The (low, high) runs of consecutive code points in `codes` (ascending)."""
    runs: list[tuple[int, int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1] = (runs[-1][0], code)
        else:
            runs.append((code, code))
    return runs
