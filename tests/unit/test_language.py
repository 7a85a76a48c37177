"""Language identification and Han script."""

from __future__ import annotations

from docproc.language import han_script, identify_language
from docproc.stats.composition import composition


def _identify(text: str) -> tuple[str, float]:
    comp = composition(text)
    lang = identify_language(
        text,
        han=comp.counts.get("han", 0),
        kana=comp.counts.get("kana", 0),
        hangul=comp.counts.get("hangul", 0),
        letters=comp.letters,
    )
    return lang.code, lang.confidence


def test_chinese_by_script_share() -> None:
    code, confidence = _identify("青岛市电信网络诈骗发案数持续下降，全民反诈防火墙越筑越牢。")
    assert code == "zh"
    assert confidence == 1.0


def test_other_languages_through_cld2() -> None:
    assert _identify("Corpus builders decide from numbers: how long, which language and script.")[0] == "en"
    assert _identify("Les constructeurs de corpus décident à partir des chiffres et de la langue.")[0] == "fr"
    assert _identify("日本語の文章です。これはテストのためのひらがなとカタカナを含む文章です。")[0] == "ja"


def test_nothing_to_identify() -> None:
    assert _identify("12345 !!!")[0] == "und"


def test_han_script() -> None:
    assert han_script("電信網絡詐騙發案數持續下降")[0] == "traditional"
    assert han_script("电信网络诈骗发案数持续下降")[0] == "simplified"
    assert han_script("電信網絡詐騙 电信网络诈骗")[0] == "mixed"
    assert han_script("的人在中") == ("none", 0.0)
    assert han_script("no han") == ("none", 0.0)
