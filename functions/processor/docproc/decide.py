"""Keep or drop: named rules over the statistics. A rule past its drop threshold adds its reason
(the document is dropped); past its flag threshold only, it adds a flag (the document is kept).

Each rule reads one number from the statistics (docs/statistics.md). Flag levels are the
published values (FineWeb-2's cmn_Hani config, Gopher, FineWeb, ChineseWebText); drop levels are
Settings (template.yaml parameters), set past the published value where that would drop clean
Chinese news. docs/decision.md gives each value's source and the calibration that moved it.
Rules that only mean something for Chinese (low_han_ratio) apply only to documents identified
as Chinese; other languages are kept if otherwise fine, with their language recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from docproc.config import Settings
from docproc.result import Status

# Gopher applies its repetition rules to documents of 50 words or more: below that, one repeated
# phrase (a headline quoted in the first sentence) is already a large share.
MIN_WORDS_FOR_NGRAM_RULES: Final = 50

Measure = Callable[[dict[str, Any]], float | None]  # None: the rule does not apply


@dataclass(frozen=True, slots=True)
class Rule:
    reason: str  # machine-readable and stable: consumers filter on it
    measure: Measure
    drop_at: Callable[[Settings], float]  # threshold from Settings
    flag_at: float | None  # published value; None: no flag level
    upper: bool = True  # True: too much when above; False: too little when below
    # When set, past its drop level the rule drops the document only if this holds of the
    # statistics or another rule drops it too; otherwise it flags.
    confirm: Callable[[dict[str, Any]], bool] | None = None

    def fails(self, value: float, threshold: float) -> bool:
        return value > threshold if self.upper else value < threshold


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _removed(stats: dict[str, Any], step: str) -> int:
    removed: dict[str, int] = stats.get("chars_removed", {})
    return removed.get(step, 0)


def spam_share(stats: dict[str, Any]) -> float:
    """Share of the text (cleaned text + what the spam step took) that the spam step removed."""
    spam = _removed(stats, "remove_seo_spam")
    return _ratio(spam, stats["chars_out"] + spam)


# A page whose spam the cleaner removed still reads as spam when this many of its top keywords
# (of 10) are spam words or brands. 1000 THUCNews articles have at most 2 (a hosiery feature:
# 丝袜, 裤袜), the Common Crawl and ChineseWebText pages at most 1.
SPAM_KEYWORDS_REMAIN: Final = 3


def spam_remains(stats: dict[str, Any]) -> bool:
    """Whether the kept text is still about spam words, on a page the spam step found spam in."""
    return int(stats.get("spam_keywords", 0)) >= SPAM_KEYWORDS_REMAIN


def _spam_measure(stats: dict[str, Any]) -> float:
    """The spam share; 1 (past any drop level) when spam remains in the kept text."""
    share = spam_share(stats)
    return 1.0 if share > 0 and spam_remains(stats) else share


def boilerplate_share(stats: dict[str, Any]) -> float:
    """Share of the text that was page furniture (menus, comment boxes, share bars...)."""
    removed = _removed(stats, "remove_boilerplate")
    return _ratio(removed, stats["chars_out"] + removed)


def duplicate_line_share(stats: dict[str, Any]) -> float:
    """Lines that repeat an earlier line, counting those the repeats step already removed."""
    removed = stats.get("duplicate_lines", 0)
    still = stats["dup_line_frac"] * stats["lines"]
    return _ratio(removed + still, stats["lines"] + removed)


def _ngram(key: str) -> Measure:
    def measure(stats: dict[str, Any]) -> float | None:
        return float(stats[key]) if stats["words"] >= MIN_WORDS_FOR_NGRAM_RULES else None

    return measure


def _top_ngram_limit(i: int) -> Callable[[Settings], float]:
    """The i-th value of the comma-separated MAX_TOP_NGRAM_CHAR_FRACS (n = 2, 3, 4)."""
    return lambda s: _fractions(s.max_top_ngram_char_fracs)[i]


@cache
def _fractions(listed: str) -> tuple[float, ...]:
    """A comma-separated setting's values: parsed once, not for every document."""
    return tuple(float(value) for value in listed.split(","))


def _stat(key: str) -> Measure:
    return lambda st: float(st[key])


def _chinese_only(key: str) -> Measure:
    return lambda st: float(st[key]) if st.get("language") == "zh" else None


def _multiline(key: str) -> Measure:
    return lambda st: float(st[key]) if st["lines"] > 1 else None


# FineWeb-2 cmn_Hani (configs/cmn_Hani.yml): the flag levels of the n-gram rules.
FINEWEB2_TOP_NGRAM: Final = {2: 0.256, 3: 0.201, 4: 0.171}
FINEWEB2_DUP_NGRAM: Final = {5: 0.198, 6: 0.182, 7: 0.167, 8: 0.154, 9: 0.14, 10: 0.127}

RULES: Final[tuple[Rule, ...]] = (
    Rule("too_short", _stat("chars_out"), lambda s: s.min_chars_out, 100, upper=False),
    # The share of spam removed drops a page only when what remains is no article (another rule
    # drops it) or still reads as spam: a stuffed line above a short clean article is removed and
    # the article kept, flagged.
    Rule("spam", _spam_measure, lambda s: s.max_spam_share, 0.0, confirm=spam_remains),
    Rule("mostly_boilerplate", boilerplate_share, lambda s: s.max_boilerplate_share, 0.3),
    Rule("not_text", _stat("alpha_word_ratio"), lambda s: s.min_alpha_word_ratio, 0.735, upper=False),
    Rule(
        "garbled",
        lambda st: _ratio(st["replacement_chars_out"], st["chars_out"]),
        lambda s: s.max_replacement_ratio,
        0.0,
    ),
    Rule("low_han_ratio", _chinese_only("han_ratio"), lambda s: s.min_han_ratio, 0.3, upper=False),
    Rule("repetitive", duplicate_line_share, lambda s: s.max_dup_line_frac, 0.287),
    *(
        Rule("repetitive", _ngram(f"top_{n}gram_char_frac"), _top_ngram_limit(i), v)
        for i, (n, v) in enumerate(FINEWEB2_TOP_NGRAM.items())
    ),
    *(
        Rule("repetitive", _ngram(f"dup_{n}gram_char_frac"), lambda s: s.max_dup_ngram_char_frac, v)
        for n, v in FINEWEB2_DUP_NGRAM.items()
    ),
    Rule(
        "few_sentence_lines",
        _multiline("terminal_punct_line_frac"),
        lambda s: s.min_terminal_punct_line_frac,
        0.2,
        upper=False,
    ),
    Rule("short_lines", _multiline("short_line_frac"), lambda s: s.max_short_line_frac, 0.5),
)

# Reasons and flags are listed in the order of their first rule.
_ORDER: Final = {rule.reason: i for i, rule in reversed(list(enumerate(RULES)))}


def decide(stats: dict[str, Any], settings: Settings) -> tuple[Status, list[str]]:
    """(kept or dropped, the reasons for dropping it). Adds `flags` (kept-level findings) to stats."""
    if stats["chars_out"] == 0:
        stats["flags"] = []
        return Status.DROPPED, ["too_short"]  # nothing left after cleaning: no other rule applies
    reasons: list[str] = []
    flags: list[str] = []
    unconfirmed: list[str] = []  # past their drop level, awaiting another reason
    for rule in RULES:
        value = rule.measure(stats)
        if value is None:
            continue
        if rule.fails(value, rule.drop_at(settings)):
            if rule.confirm is None or rule.confirm(stats):
                reasons.append(rule.reason)
            else:
                unconfirmed.append(rule.reason)
        elif rule.flag_at is not None and rule.fails(value, rule.flag_at):
            flags.append(rule.reason)
    if reasons:
        reasons.extend(unconfirmed)
    else:
        flags.extend(unconfirmed)
    reasons = sorted(dict.fromkeys(reasons), key=_ORDER.__getitem__)
    stats["flags"] = sorted((f for f in dict.fromkeys(flags) if f not in reasons), key=_ORDER.__getitem__)
    return (Status.DROPPED if reasons else Status.KEPT), reasons
