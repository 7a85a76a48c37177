"""docproc.patterns: the package's table of compiled regular expressions makes what re.compile makes."""

from __future__ import annotations

import marshal
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docproc import patterns

ROOT = Path(__file__).resolve().parents[2]
CODE = ROOT / "functions" / "processor"
SAMPLE = ROOT / "seeds" / "000_9d31691385c9101d.txt"


def build_table(out: Path, *documents: Path, hash_seed: str = "0") -> Path:
    """`python -m docproc.patterns` in a fresh process, as the function's Makefile runs it."""
    (out / "docproc" / "data").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(CODE), "PYTHONHASHSEED": hash_seed, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "docproc.patterns", str(out), *map(str, documents)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "compiled into" in done.stdout
    return out / "docproc" / "data" / patterns.TABLE.name


@pytest.fixture(scope="module")
def table(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_table(tmp_path_factory.mktemp("table"), SAMPLE)


@pytest.fixture
def use_table(table: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(patterns, "TABLE", table)
    monkeypatch.setattr(patterns, "counts", {"from_table": 0, "compiled": 0})
    patterns._table.cache_clear()
    yield table
    patterns._table.cache_clear()


def texts() -> list[str]:
    sample = SAMPLE.read_text(encoding="utf-8", errors="replace")
    return [sample, *sample.splitlines(), "", "Copyright © 2024 本网 版權所有\n責任編輯：王五"]


def test_every_stored_pattern_matches_as_re_compile_does(use_table: Path) -> None:
    _, entries = marshal.loads(use_table.read_bytes())
    assert len(entries) > 50  # module patterns, and the lazy ones the built-in documents reach
    for pattern, flags in entries:
        stored, plain = patterns.compiled(pattern, flags), re.compile(pattern, flags)
        assert stored is not plain  # made from the table, not re's cache
        assert (stored.pattern, stored.flags, stored.groups, stored.groupindex) == (
            plain.pattern,
            plain.flags,
            plain.groups,
            plain.groupindex,
        )
        for text in texts():
            subject: str | bytes = text.encode("utf-8") if isinstance(pattern, bytes) else text
            found = [m.span() + m.groups() for m in stored.finditer(subject)]
            assert found == [m.span() + m.groups() for m in plain.finditer(subject)]
    assert patterns.counts == {"from_table": len(entries), "compiled": 0}


def test_a_pattern_not_in_the_table_is_compiled_by_re(use_table: Path) -> None:
    made = patterns.compiled(r"never[ ]stored\d+")
    assert made.fullmatch("never stored42")
    assert patterns.counts == {"from_table": 0, "compiled": 1}


def test_a_table_from_another_interpreter_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "patterns.marshal"
    entries: dict[tuple[str, int], patterns.Entry] = {(r"\d+", 0): (0, [0], 0, {}, ())}
    other.write_bytes(marshal.dumps(((1, 3, 10, 20210101), entries)))
    monkeypatch.setattr(patterns, "TABLE", other)
    patterns._table.cache_clear()
    try:
        assert patterns._table() == {}
        assert patterns.compiled(r"\d+").findall("a1b22") == ["1", "22"]
    finally:
        patterns._table.cache_clear()


def test_without_a_table_every_pattern_is_compiled_by_re(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(patterns, "TABLE", tmp_path / "missing.marshal")  # the dev environment
    patterns._table.cache_clear()
    try:
        assert patterns._table() == {}
        assert patterns.compiled("[报報]道").search("本報道")
    finally:
        patterns._table.cache_clear()


def test_the_table_is_the_same_in_every_build(table: Path, tmp_path: Path) -> None:
    # Patterns built from sets must come out in one order, or a cold start would miss them.
    again = build_table(tmp_path, SAMPLE, hash_seed="12345")
    assert again.read_bytes() == table.read_bytes()


def test_the_sample_needs_no_pattern_the_table_lacks(table: Path, tmp_path: Path) -> None:
    # The Makefile builds the table from the built-in documents only (the seeds are outside the
    # function's folder): they reach every pattern the sample does.
    built_in = build_table(tmp_path, hash_seed="99")
    _, with_sample = marshal.loads(table.read_bytes())
    _, without = marshal.loads(built_in.read_bytes())
    assert set(with_sample) == set(without)


def test_whitespace_is_every_character_backslash_s_matches() -> None:
    space = re.compile(r"\s")
    assert set(patterns.WHITESPACE) == {c for c in map(chr, range(0x110000)) if space.match(c)}


@given(st.text(alphabet="ab_( )x", max_size=30))
def test_sub_from_is_sub_where_matches_start_at_the_places_found(text: str) -> None:
    # Matches of this pattern start with `(`, `_` or a space: trying only there gives sub()'s.
    pattern = re.compile(r"\s*_+a?|\(b*\)?")

    def next_start(s: str, at: int) -> int:
        found = [i for i in (s.find(c, at) for c in "(_ ") if i >= 0]
        return min(found, default=-1)

    def mark(match: re.Match[str]) -> str:
        return f"<{match.group()}>"

    assert patterns.sub_from(pattern, mark, text, next_start) == pattern.sub(mark, text)
