"""convert_script: the arriving script is recorded; conversion follows TARGET_SCRIPT."""

from __future__ import annotations

from functools import partial

from docproc.clean import text_steps
from docproc.config import Settings
from docproc.steps.script import convert_script, detect_script, to_simplified

TRAD = "青島市刑偵支隊聯合教育、人社部門構建家校協同體系。"
SIMP = "青岛市刑侦支队联合教育、人社部门构建家校协同体系。"


def test_detects_the_script_it_arrived_in() -> None:
    assert detect_script(TRAD) == "traditional"
    assert detect_script(SIMP) == "simplified"
    assert detect_script(TRAD + SIMP) == "mixed"
    assert detect_script("2023年，上山下水，人口中心。") == "none"  # nothing differs between scripts
    assert detect_script("plain English") == "none"


def test_converts_to_simplified_by_default() -> None:
    out = convert_script(TRAD)
    assert out.text == SIMP
    assert out.metadata == {"script_in": "traditional"}
    assert out.report.count == sum(a != b for a, b in zip(TRAD, SIMP, strict=True))


def test_converts_to_traditional_or_keeps() -> None:
    assert convert_script(SIMP, target="traditional").text == TRAD
    kept = convert_script(TRAD, target="keep")
    assert kept.text == TRAD and kept.metadata == {"script_in": "traditional"}
    assert kept.report.count == 0


def test_a_simplified_document_is_left_alone() -> None:
    # OpenCC would turn these variants into something else (乾 -> 干): a document already in the
    # target script is not converted.
    text = "某基金通乾昨日下跌，他说自己捱骂最多。" + SIMP * 5
    out = convert_script(text)
    assert out.text == text and out.metadata == {"script_in": "simplified"}


def test_a_mixed_document_is_converted() -> None:
    assert convert_script(TRAD + SIMP).text == SIMP + SIMP


def test_target_script_setting_binds_the_step() -> None:
    for target in ("simplified", "traditional", "keep"):
        steps = text_steps(Settings(target_script=target))
        bound = [s for s in steps if isinstance(s, partial) and s.func is convert_script]
        assert len(bound) == 1 and bound[0].keywords == {"target": target}


def test_precomputed_script_fold_matches_a_rebuild() -> None:
    # data/t2s_chars.txt stands in for OpenCC's t2s at start-up: it must be what
    # infra/build_script_tables.py makes from the installed OpenCC.
    from infra.build_script_tables import DATA_DIR, build_t2s_chars

    assert (DATA_DIR / "t2s_chars.txt").read_text(encoding="utf-8") == build_t2s_chars()


def test_the_fast_conversion_tables_match_a_rebuild() -> None:
    # data/t2s_fast.txt decides when the C fold may stand in for OpenCC's t2s (_native.c,
    # t2s_fold): it must be what infra/build_script_tables.py makes from the installed OpenCC.
    from infra.build_script_tables import DATA_DIR, build_t2s_fast

    assert (DATA_DIR / "t2s_fast.txt").read_text(encoding="utf-8") == build_t2s_fast()


def test_the_steps_script_variants_are_precomputed_and_right() -> None:
    # A phrase missing from data/s2t_phrases.tsv is still converted right, by OpenCC's s2t, but
    # loading s2t costs the first document ~105 ms. Entries no step asks about any more do no harm.
    import opencc

    from docproc.data import _s2t_phrases
    from infra.build_script_tables import script_variant_phrases

    table = _s2t_phrases()
    missing = [p for p in script_variant_phrases() if p not in table]
    assert missing == [], "a step's phrases changed: run `python -m infra.build_script_tables`"
    s2t = opencc.OpenCC("s2t")
    assert {p: t for p, t in table.items() if s2t.convert(p) != t} == {}


def test_script_variants_of_a_phrase_not_in_the_table_come_from_opencc() -> None:
    from docproc.data import script_variants

    assert script_variants("没有这个词组的发票") == {"没有这个词组的发票", "沒有這個詞組的發票"}


def test_one_character_converts_as_opencc_converts_it() -> None:
    # script.to_simplified answers one character from the fold table: that must be OpenCC's t2s of
    # that character alone, for every character the table covers.
    import opencc

    from docproc.data import t2s_char

    t2s = opencc.OpenCC("t2s")
    chars = [chr(c) for c in (*range(0x3400, 0x4DC0), *range(0x4E00, 0xA000))]
    assert [t2s_char(c) for c in chars] == [t2s.convert(c) for c in chars]
    assert t2s_char("a") is None and t2s_char("\U00020000") is None
    assert to_simplified("網") == "网" and to_simplified("𠁞") == t2s.convert("𠁞")


def test_the_fold_finds_every_character_it_folds() -> None:
    from docproc.data import _t2s_table, to_simplified

    fold = _t2s_table()
    chars = [chr(c) for c in fold.table]
    assert [c for c in chars if fold.folded.find(c) != 0] == []
    # Its class (the C table from the keys' runs, and the pattern where the module is not built)
    # holds nothing else: a text with none of the keys is left as it is.
    assert [c for c in map(chr, range(0x3400, 0xA000)) if ord(c) not in fold.table and fold.folded.find(c) >= 0] == []
    assert fold.folded.pattern.fullmatch(chars[0]) and not fold.folded.pattern.match("网")
    assert to_simplified("麽網a") == "么网a"
