"""Rebuild the tables that spare a fresh process OpenCC's and pypinyin's start-up costs.

    python -m infra.build_script_tables

writes, in functions/processor/docproc/data/ (sources and licenses in its README.md):

- `t2s_chars.txt`: the character fold of docproc.data.to_simplified. Line 1: every CJK unified
  ideograph (basic block and extension A) that OpenCC's t2s turns into one other character, line 2:
  what it turns into, in the same order. Taken from OpenCC at start-up it cost ~40 ms.
- `s2t_phrases.tsv`: `phrase<TAB>OpenCC s2t of it` for every phrase the steps ask
  docproc.data.script_variants about while compiling their patterns. Loading OpenCC's s2t
  dictionaries costs ~105 ms, and nothing else needs them when the target script is Simplified.
- `pinyin_readings.txt`: pypinyin's single-character readings (`pinyin_dict.json`). Line
  1 + n holds the comma-separated readings of U+3400 + n, for the block U+3400..U+9FFF; after
  it, `hex code point<TAB>readings` for every other character. Reading it costs ~3 ms where
  loading the JSON cost ~45 ms.

tests/unit/test_steps_script.py and test_steps_pinyin.py check the files against a rebuild (s2t_phrases.tsv:
that it holds every phrase the steps ask about, each converted as OpenCC does).
"""

from __future__ import annotations

import json
from importlib.util import find_spec
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1] / "functions/processor/docproc/data"
# The block the readings file lists densely (one line per code point): nearly every character in
# it has a reading, and a line index is cheaper to read than a key.
PINYIN_BLOCK = (0x3400, 0xA000)


def build_t2s_chars() -> str:
    """Traditional characters (line 1) and the Simplified character each folds to (line 2)."""
    import opencc  # only needed to rebuild the data

    chars = [chr(c) for c in (*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000))]
    # One character per line, so that OpenCC applies its character table and no phrase rule.
    converted = str(opencc.OpenCC("t2s").convert("\n".join(chars))).split("\n")
    pairs = [(c, s) for c, s in zip(chars, converted, strict=True) if s != c and len(s) == 1]
    return "".join(c for c, _ in pairs) + "\n" + "".join(s for _, s in pairs) + "\n"


def script_variant_phrases() -> list[str]:
    """The phrases the steps convert with script_variants, in the order they ask."""
    import docproc.data as data
    from docproc.steps import boilerplate, spam

    data._s2t_phrases.cache_clear()
    data.converted_live.clear()
    saved = data._s2t_phrases
    data._s2t_phrases = lambda: {}  # type: ignore[assignment]  # force every phrase through OpenCC
    try:
        spam._lexicon.__wrapped__()
        boilerplate._compiled.__wrapped__()
    finally:
        data._s2t_phrases = saved
    return list(data.converted_live)


def build_s2t_phrases() -> str:
    import opencc  # only needed to rebuild the data

    s2t = opencc.OpenCC("s2t")
    return "".join(f"{p}\t{s2t.convert(p)}\n" for p in sorted(script_variant_phrases()))


def build_pinyin_readings() -> str:
    spec = find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pypinyin is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    table = {int(k): v for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    first, end = PINYIN_BLOCK
    dense = [table.get(cp, "") for cp in range(first, end)]
    sparse = [f"{cp:x}\t{table[cp]}" for cp in sorted(table) if not first <= cp < end]
    return "\n".join(dense + sparse) + "\n"


def main() -> None:
    for name, build in (
        ("t2s_chars.txt", build_t2s_chars),
        ("s2t_phrases.tsv", build_s2t_phrases),
        ("pinyin_readings.txt", build_pinyin_readings),
    ):
        (DATA_DIR / name).write_text(build(), encoding="utf-8")
        print(f"wrote {DATA_DIR / name}")


if __name__ == "__main__":
    main()
