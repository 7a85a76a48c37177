"""Keep or drop: named rules over the statistics; each rule that fails adds its reason.

Each rule reads one or two statistics (docs/statistics.md) and one threshold from Settings
(set through template.yaml parameters). Where each default comes from is in docs/decision.md.
Rules that only mean something for Chinese (low_han_ratio) apply only to documents identified
as Chinese; other languages are kept if otherwise fine, with their language recorded.

Besides the reasons (which drop the document), `flags` name the same kinds of trouble found
in a document that is still kept (the sample's one spam line: removed, flagged, kept).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docproc.config import Settings
from docproc.result import Status


@dataclass(frozen=True, slots=True)
class Rule:
    reason: str  # machine-readable, stable: consumers filter on it
    fails: Callable[[dict[str, Any], Settings], bool]


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def spam_share(stats: dict[str, Any]) -> float:
    """Share of the document (as it came in, less markup) that the spam step removed."""
    spam = stats.get("chars_removed", {}).get("remove_seo_spam", 0)
    return _ratio(spam, stats["chars_out"] + spam)


def boilerplate_share(stats: dict[str, Any]) -> float:
    """Share of the text that was page furniture (menus, comment boxes, share bars...)."""
    removed = stats.get("chars_removed", {}).get("remove_boilerplate", 0)
    return _ratio(removed, stats["chars_out"] + removed)


def duplicate_line_share(stats: dict[str, Any]) -> float:
    """Lines repeated before dedup: those the repeats step removed plus those still repeated."""
    removed = stats.get("duplicate_lines", 0)
    lines = stats["lines"]
    still = stats["dup_line_frac"] * lines
    return _ratio(removed + still, lines + removed)


def _fractions(spec: str) -> list[float]:
    return [float(x) for x in spec.split(",") if x.strip()]


def _too_repetitive(stats: dict[str, Any], s: Settings) -> bool:
    if duplicate_line_share(stats) > s.max_dup_line_frac:
        return True
    if stats["dup_para_frac"] > s.max_dup_para_frac:
        return True
    if stats["dup_line_char_frac"] > s.max_dup_line_char_frac:
        return True
    if stats["dup_para_char_frac"] > s.max_dup_para_char_frac:
        return True
    tops = zip((2, 3, 4), _fractions(s.max_top_ngram_char_fracs), strict=False)
    if any(stats[f"top_{n}gram_char_frac"] > limit for n, limit in tops):
        return True
    dups = zip(range(5, 11), _fractions(s.max_dup_ngram_char_fracs), strict=False)
    return any(stats[f"dup_{n}gram_char_frac"] > limit for n, limit in dups)


def _is_chinese(stats: dict[str, Any]) -> bool:
    return bool(stats.get("language") == "zh")


# Order is the order reasons are listed in.
RULES: tuple[Rule, ...] = (
    Rule("too_short", lambda st, s: st["chars_out"] < s.min_chars_out),
    Rule("spam", lambda st, s: spam_share(st) > s.max_spam_share),
    Rule("mostly_boilerplate", lambda st, s: boilerplate_share(st) > s.max_boilerplate_share),
    Rule("not_text", lambda st, s: st["chars_out"] > 0 and st["alpha_word_ratio"] < s.min_alpha_word_ratio),
    Rule(
        "garbled",
        lambda st, s: _ratio(st["replacement_chars_out"], st["chars_out"]) > s.max_replacement_ratio,
    ),
    Rule("low_han_ratio", lambda st, s: _is_chinese(st) and st["han_ratio"] < s.min_han_ratio),
    Rule("repetitive", _too_repetitive),
    Rule(
        "few_sentence_lines",
        lambda st, s: st["lines"] > 1 and st["terminal_punct_line_frac"] < s.min_terminal_punct_line_frac,
    ),
    Rule("short_lines", lambda st, s: st["lines"] > 1 and st["short_line_frac"] > s.max_short_line_frac),
)

# Noise that was found and removed, reported as a flag on a kept document.
FLAGS: tuple[tuple[str, str], ...] = (
    ("spam", "spam_lines"),
    ("spam", "spam_phrases"),
    ("garbled", "garbled_spans_dropped"),
)


def decide(stats: dict[str, Any], settings: Settings) -> tuple[Status, list[str]]:
    """(kept or dropped, the reasons for dropping it). Adds `flags` to stats."""
    if stats["chars_out"] == 0:
        reasons = ["too_short"]  # nothing left after cleaning: no other rule means anything
    else:
        reasons = [rule.reason for rule in RULES if rule.fails(stats, settings)]
    stats["flags"] = sorted({flag for flag, stat in FLAGS if stats.get(stat, 0) > 0} - set(reasons))
    return (Status.DROPPED if reasons else Status.KEPT), reasons
