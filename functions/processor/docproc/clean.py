"""The ordered list of text-cleaning steps: text in, cleaned text + metadata + reports out."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from docproc.config import Settings
from docproc.result import StepOutput, StepReport
from docproc.steps.boilerplate import remove_boilerplate
from docproc.steps.byline import extract_byline
from docproc.steps.chars import normalize_characters
from docproc.steps.garble import repair_garbled_spans
from docproc.steps.pinyin import remove_pinyin_annotations
from docproc.steps.repeats import remove_repeated_lines
from docproc.steps.script import convert_script
from docproc.steps.spam import remove_seo_spam
from docproc.steps.tags import remove_html_tags
from docproc.steps.whitespace import normalize_whitespace

Step = Callable[[str], StepOutput]


@dataclass(slots=True, init=False)
class CleanOutput:
    text: str
    metadata: dict[str, str]
    steps: list[StepReport]

    # Written out: mypyc compiles this one, where dataclass's generated __init__ runs interpreted.
    def __init__(
        self, text: str, metadata: dict[str, str] | None = None, steps: list[StepReport] | None = None
    ) -> None:
        self.text = text
        self.metadata = {} if metadata is None else metadata
        self.steps = [] if steps is None else steps


def text_steps(settings: Settings) -> list[Step]:
    """The steps in the order they run. Order matters: see docs/cleaning.md."""
    return [
        # character-level repairs first: the garble repair needs the `?` and rare characters as they
        # came, and pinyin sits inside and right after garbled spans (docs/cleaning-input.md)
        normalize_characters,
        remove_html_tags,
        repair_garbled_spans,
        remove_pinyin_annotations,
        # line-level noise: before script conversion, so these match both scripts
        remove_seo_spam,
        remove_boilerplate,
        partial(extract_byline, target=settings.target_script),
        remove_repeated_lines,
        partial(convert_script, target=settings.target_script),
        normalize_whitespace,
    ]


def clean_text(text: str, settings: Settings) -> CleanOutput:
    out = CleanOutput(text)
    for step in text_steps(settings):
        result = step(out.text)
        out.text = result.text
        out.steps.append(result.report)
        for k, v in result.metadata.items():
            out.metadata.setdefault(k, v)
    return out
