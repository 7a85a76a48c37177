"""Rebuild the tables that spare a fresh process OpenCC's and pypinyin's start-up costs.

    python -m infra.build_script_tables

writes, in functions/processor/docproc/data/ (sources and licenses in its README.md):

- `t2s_chars.txt`: the character fold of docproc.data.to_simplified. Line 1: every CJK unified
  ideograph (basic block and extension A) that OpenCC's t2s turns into one other character, line 2:
  what it turns into, in the same order. Taken from OpenCC at start-up it cost ~40 ms.
- `t2s_fast.txt`: the tables of docproc.steps.script.to_simplified's C path (build_t2s_fast): the BMP
  characters t2s converts one at a time, those it does not, and its phrases' keys.
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


# Characters OpenCC's t2s does not convert one at a time: the CJK compatibility ideographs (its
# normalisation maps them before phrases are matched) and the ideographic description operators
# (a sequence they start is copied whole).
T2S_CONTEXT_RANGES = ((0xF900, 0xFAFF), (0x2FF0, 0x2FFF), (0x31EF, 0x31EF))


def build_t2s_fast() -> str:
    """The tables of docproc.steps.script.to_simplified's C fold, from the installed OpenCC (its
    `opencc_dict` tool dumps the phrase dictionary). Line 1: every BMP character t2s turns into one other BMP
    character on its own; line 2: what it turns into; line 3: the BMP characters t2s treats
    otherwise (into several characters or none, or as context: T2S_CONTEXT_RANGES); then
    TSPhrases' keys, one a line, sorted. A text with neither a character of line 3, nor one past
    the BMP, nor any of the phrases converts character by character (tests compare with OpenCC)."""
    import subprocess
    import tempfile

    import opencc  # only needed to rebuild the data

    clib = Path(opencc.__file__).resolve().parent / "clib"
    chars = [chr(c) for c in range(0x20, 0x10000) if not 0xD800 <= c < 0xE000]
    converted = str(opencc.OpenCC("t2s").convert("\n".join(chars))).split("\n")
    context = {chr(c) for low, high in T2S_CONTEXT_RANGES for c in range(low, high + 1)}
    pairs = [(c, t) for c, t in zip(chars, converted, strict=True) if t != c]
    # On its own into one other BMP character: the table; otherwise (or context): OpenCC decides.
    one = [(c, t) for c, t in pairs if len(t) == 1 and t <= "\uffff" and c not in context]
    other = sorted({c for c, t in pairs if len(t) != 1 or t > "\uffff"} | context)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "TSPhrases.txt"
        subprocess.run(
            [str(clib / "bin" / "opencc_dict"), "-i", str(clib / "share" / "opencc" / "TSPhrases.ocd2"),
             "-o", str(dump), "-f", "ocd2", "-t", "text"],
            check=True,
        )  # fmt: skip
        rows = dump.read_text(encoding="utf-8").splitlines()
    phrases = sorted({row.split("\t", 1)[0] for row in rows if row})
    lines = ["".join(c for c, _ in one), "".join(t for _, t in one), "".join(other), *phrases]
    return "\n".join(lines) + "\n"


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
        ("t2s_fast.txt", build_t2s_fast),
        ("s2t_phrases.tsv", build_s2t_phrases),
        ("pinyin_readings.txt", build_pinyin_readings),
    ):
        (DATA_DIR / name).write_text(build(), encoding="utf-8")
        print(f"wrote {DATA_DIR / name}")


if __name__ == "__main__":
    main()
