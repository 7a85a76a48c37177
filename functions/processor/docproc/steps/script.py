"""Script: record whether the document arrived Simplified, Traditional or mixed, and convert it.

Conversion is OpenCC's native converter (t2s / s2t), created once per process on first use and
shared with docproc.data. The arriving script is measured by counting characters that only exist in
one script: those OpenCC's t2s changes (Traditional-only) and those s2t changes (Simplified-only).
Both sets are precomputed from OpenCC's tables, so detection is one regex pass and conversion is
skipped when nothing would change.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final, Literal

from docproc.data import DATA_DIR, converter, t2s_char
from docproc.language import script_char_counts
from docproc.native import native
from docproc.result import StepOutput, StepReport

Target = Literal["simplified", "traditional", "keep"]
# The arriving script is "traditional" (or "simplified") when at least this share of the
# script-specific characters belong to it; otherwise "mixed".
_DOMINANT_SHARE: Final = 0.9


def script_counts(text: str) -> tuple[int, int]:
    """(Traditional-only characters, Simplified-only characters) in `text`: OpenCC's own sets,
    the same classes as the language statistics (docproc.language)."""
    return script_char_counts(text)


def detect_script(text: str) -> str:
    """simplified / traditional / mixed / none (no character that differs between the scripts)."""
    return _script_name(*script_counts(text))


def _script_name(trad: int, simp: int) -> str:
    total = trad + simp
    if total == 0:
        return "none"
    if trad >= _DOMINANT_SHARE * total:
        return "traditional"
    if simp >= _DOMINANT_SHARE * total:
        return "simplified"
    return "mixed"


def to_simplified(text: str) -> str:
    # One character (the garble repair asks hundreds of times a document): the precomputed table.
    if len(text) == 1 and (char := t2s_char(text)) is not None:
        return char
    # A text no phrase rule touches, character by character in C (see _native.c, t2s_fold);
    # OpenCC for the rest, and where the module is not built.
    if native is not None and (folded := native.t2s_fold(text, _t2s_fast())) is not None:
        out: str = folded
        return out
    return str(converter("t2s").convert(text))


@cache
def _t2s_fast() -> Any:
    """The C fold's table (data/t2s_fast.txt, from OpenCC: infra/build_script_tables.py)."""
    assert native is not None
    keys, values, other, *phrases = (DATA_DIR / "t2s_fast.txt").read_text(encoding="utf-8").split("\n")
    return native.t2s_table(keys, values, other, frozenset(p for p in phrases if p))


def to_traditional(text: str) -> str:
    return str(converter("s2t").convert(text))


def convert_script(text: str, target: Target = "simplified") -> StepOutput:
    """Convert to the target script (OpenCC) and record the script the text arrived in (`script_in`)."""
    report = StepReport("convert_script")
    trad, simp = script_counts(text)
    script_in = _script_name(trad, simp)
    metadata = {"script_in": script_in}
    # A document already in the target script is left alone: the few characters that look like the
    # other script in it are variants OpenCC would get wrong (`基金通乾` -> `基金通干`, `捱骂`).
    if target == "simplified" and script_in in ("traditional", "mixed"):
        out = to_simplified(text)
    elif target == "traditional" and script_in in ("simplified", "mixed"):
        out = to_traditional(text)
    else:
        # The output's counts too: the statistics read script_out from them instead of a third
        # pass over the text (only whitespace changes after this step).
        report.detail.update(trad_chars_out=trad, simp_chars_out=simp)
        return StepOutput(text, report, metadata)
    report.detail.update(zip(("trad_chars_out", "simp_chars_out"), script_counts(out), strict=True))
    # Characters converted: those of the other script, already counted (a position-by-position
    # comparison would cost a Python loop over the whole text).
    report.count = trad if target == "simplified" else simp
    report.chars_removed = max(0, len(text) - len(out))
    report.detail["converted_chars"] = report.count
    return StepOutput(out, report, metadata)
