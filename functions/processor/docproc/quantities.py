"""Numbers with their units, and dates, exactly as written in the text.

`1.44萬個`, `339.9萬人`, `1.5億人次`, `3.8萬余場次`, `三個100%`, `2023年`, `2023年5月1日`,
`2023-05-01`. One regular-expression pass finds both; dates are tried first so that
`2023年` is a date, not 2023 years.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from docproc.native import native
from docproc.patterns import compiled

# Caps keep the statistics small enough for one DynamoDB item whatever the document.
MAX_QUANTITIES: Final = 20
MAX_DATES: Final = 10

_NUM: Final = r"\d+(?:[.,，]\d+)*"
# Bounded: an unbounded run made every position of a long run of numerals rescan it to its end
# (quadratic: 7 s on 20,000 characters). The longest real numeral before a magnitude is about
# 8 characters (九千九百九十九), so 16 changes nothing on text.
MAX_CN_NUM: Final = 16
_CN_NUM: Final = rf"[零〇一二两兩三四五六七八九十百千]{{1,{MAX_CN_NUM}}}"
_MAGNITUDE: Final = r"[万萬亿億千百]"
_ABOUT: Final = r"[余餘多]"  # "150余场": more than 150
# Units and measure words, longest first so 人次 wins over 人.
_UNIT_WORDS: Final = """
    人次 场次 場次 万人 公里 千米 公斤 千克 平方米 平方公里 立方米 小时 小時 分钟 分鐘 个月 個月 周岁 週歲
    美元 欧元 歐元 港元 日元 英镑 英鎊 元 块 塊 角 分 亿元 億元
    个 個 人 次 场 場 部 名 家 辆 輛 座 条 條 处 處 份 户 戶 所 件 项 項 起 本 篇 页 頁 台 臺 张 張 位
    只 隻 艘 架 枚 股 批 期 届 屆 轮 輪 级 級 倍 岁 歲 天 年 月 日 秒 米 吨 噸 克 斤 亩 畝 度 层 層
"""
_UNITS: Final = sorted(_UNIT_WORDS.split(), key=len, reverse=True)
# Latin units must end the word: "5km" is a distance, "5kmart" is not.
_LATIN_UNIT_WORDS: Final = ["km", "kg", "KB", "MB", "GB", "TB", "cm", "mm", "m", "g", "t"]
_LATIN_UNITS: Final = "(?:" + "|".join(_LATIN_UNIT_WORDS) + ")(?![A-Za-z])"
_UNIT: Final = "(?:" + "|".join(map(re.escape, _UNITS)) + "|" + _LATIN_UNITS + ")"
_PERCENT: Final = r"[%％‰]"

_DATE: Final = (
    r"(?P<date>"
    r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号號])?)?"  # 2023年 / 2023年5月 / 2023年5月1日
    r"|(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)"  # 2023-05-01
    r"|\d{1,2}\s*月\s*\d{1,2}\s*[日号號]"  # 5月1日
    r")"
)
_QUANTITY: Final = (
    r"(?P<quantity>"
    rf"[一二两兩三四五六七八九十][个個]{_NUM}{_PERCENT}"  # 三個100%: a count of percentages
    rf"|{_NUM}{_ABOUT}?{_MAGNITUDE}?{_ABOUT}?(?:{_PERCENT}|{_UNIT})?"  # 1.44萬個, 150余場, 1260余萬份
    rf"|{_CN_NUM}{_MAGNITUDE}{_ABOUT}?{_UNIT}"  # 三千萬元: Chinese numerals need a magnitude and a unit
    r")"
)
# The lookahead lets the regex engine skip, at C speed, every position that cannot start a
# number (3x faster on news text than trying both alternatives everywhere).
_PATTERN: Final = compiled(f"(?=[\\d零〇一二两兩三四五六七八九十])(?:{_DATE}|{_QUANTITY})")


@cache
def _unit_table() -> object:
    """The units for the C matcher, in the pattern's order."""
    assert native is not None
    return native.quantity_units(_UNITS, _LATIN_UNIT_WORDS)


def find_quantities(text: str) -> tuple[list[str], int, list[str], int]:
    """(distinct quantities, how many in all, distinct dates, how many in all), as written."""
    if native is not None:  # _PATTERN's matches, found in C (a quarter of the regex's time)
        found: tuple[list[str], int, list[str], int] = native.quantities(
            text, _unit_table(), MAX_QUANTITIES, MAX_DATES
        )
        return found
    return regex_quantities(text, MAX_QUANTITIES, MAX_DATES)


def regex_quantities(text: str, max_quantities: int, max_dates: int) -> tuple[list[str], int, list[str], int]:
    """find_quantities from _PATTERN itself (where the C module is not built; the tests' oracle)."""
    quantities: dict[str, None] = {}
    dates: dict[str, None] = {}
    n_quantities = n_dates = 0
    for match in _PATTERN.finditer(text):
        date = match.group("date")
        if date is not None:
            n_dates += 1
            dates[date] = None
        else:
            n_quantities += 1
            quantities[match.group("quantity")] = None
    return list(quantities)[:max_quantities], n_quantities, list(dates)[:max_dates], n_dates
