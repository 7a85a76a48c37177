"""What cleaning removed, per kind of noise, read from the steps' reports.

Each counter names the step that feeds it and, where the step counts several things, the key
of its `detail`. A step that did not run (or is not written yet) leaves its counters at 0,
and its name is missing from `steps_run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from docproc.result import StepReport
from docproc.rounding import round_to


@dataclass(frozen=True, slots=True)
class Counter:
    stat: str  # name in the statistics
    step: str  # StepReport.step of the step that counts it
    detail: str | None = None  # key in StepReport.detail; None: StepReport.count


NOISE_COUNTERS: Final[tuple[Counter, ...]] = (
    Counter("spam_lines", "remove_seo_spam", "spam_lines"),
    Counter("spam_phrases", "remove_seo_spam", "injected_phrases"),
    Counter("boilerplate_lines", "remove_boilerplate"),
    Counter("pinyin_annotations", "remove_pinyin_annotations"),
    Counter("garbled_spans_repaired", "repair_garbled_spans", "repaired"),
    Counter("garbled_chars_dropped", "repair_garbled_spans", "dropped_chars"),
    Counter("tags_removed", "remove_html_tags"),
    Counter("duplicate_lines", "remove_repeated_lines"),
)

# Steps that change the form of the text without taking noise out of it: their characters
# do not count in noise_ratio.
NOT_NOISE_STEPS: Final = frozenset({"normalize_whitespace", "convert_script", "normalize_chars"})


def noise_stats(steps: list[StepReport], chars_in: int) -> dict[str, object]:
    by_name = {report.step: report for report in steps}
    out: dict[str, object] = {}
    for counter in NOISE_COUNTERS:
        report = by_name.get(counter.step)
        if report is None:
            out[counter.stat] = 0
        elif counter.detail is None:
            out[counter.stat] = report.count
        else:
            out[counter.stat] = report.detail.get(counter.detail, 0)
    removed = {report.step: report.chars_removed for report in steps}
    noise_chars = sum(n for step, n in removed.items() if step not in NOT_NOISE_STEPS)
    out["chars_removed"] = removed
    out["noise_ratio"] = round_to(min(1.0, noise_chars / chars_in), 4) if chars_in else 0.0
    out["steps_run"] = [report.step for report in steps]
    return out


def step_chars_removed(steps: list[StepReport], step: str) -> int:
    return sum(report.chars_removed for report in steps if report.step == step)
