"""Settings for the core, read from environment variables declared in template.yaml.

Every variable has a default that works, so the core runs with no environment at all.
This is the only module of the core that reads the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Final, Literal, get_args

TargetScript = Literal["simplified", "traditional", "keep"]


@dataclass(frozen=True, slots=True)
class Settings:
    # Script of the cleaned text: OpenCC t2s, s2t, or leave it as it arrived.
    target_script: TargetScript = "simplified"
    # Objects above this size are rejected without being read whole (bytes).
    max_object_bytes: int = 20 * 1024 * 1024
    # A kept document whose estimated Jaccard similarity (MinHash over 4-character shingles)
    # to an earlier kept one reaches this is marked a near duplicate. 0.6 still catches a copy
    # with its last third cut (J ~ 0.67); 99.99% of pairs of distinct news articles score below 0.15.
    near_duplicate_threshold: float = 0.6

    # Keep / drop thresholds (docproc.decide). Each default, its source and the calibration
    # that set it are in docs/decision.md.
    min_chars_out: int = 20  # too_short: characters left after cleaning
    max_spam_share: float = 0.3  # spam: share of the text the spam step removed
    max_boilerplate_share: float = 0.7  # mostly_boilerplate: share removed as page furniture
    min_alpha_word_ratio: float = 0.6  # not_text: share of words holding a letter
    max_replacement_ratio: float = 0.01  # garbled: U+FFFD left per character
    min_han_ratio: float = 0.15  # low_han_ratio (Chinese documents only): Han share of visible characters
    max_dup_line_frac: float = 0.55  # repetitive: lines repeating an earlier line
    max_top_ngram_char_fracs: str = "0.384,0.302,0.257"  # repetitive: most frequent 2/3/4-gram
    max_dup_ngram_char_frac: float = 0.6  # repetitive: characters in repeated 5..10-grams
    min_terminal_punct_line_frac: float = 0.106  # few_sentence_lines: FineWeb-2 cmn_Hani line_punct_thr
    max_short_line_frac: float = 0.67  # short_lines: FineWeb short_line_thr

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from `env` (default: os.environ); unknown or empty values keep defaults."""
        source = os.environ if env is None else env
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = source.get(ENV_NAMES[f.name])
            if raw is None or raw == "":
                continue
            default = getattr(cls(), f.name)
            if isinstance(default, bool):
                values[f.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif isinstance(default, int):
                values[f.name] = int(raw)
            elif isinstance(default, float):
                values[f.name] = float(raw)
            else:
                values[f.name] = raw.strip()
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.target_script not in get_args(TargetScript):
            raise ValueError(f"TARGET_SCRIPT must be one of {get_args(TargetScript)}")
        return settings


# Field name -> environment variable. Every name here must be declared in template.yaml
# (a template test checks it).
ENV_NAMES: Final[dict[str, str]] = {
    "target_script": "TARGET_SCRIPT",
    "max_object_bytes": "MAX_OBJECT_BYTES",
    "near_duplicate_threshold": "NEAR_DUPLICATE_THRESHOLD",
    "min_chars_out": "MIN_CHARS_OUT",
    "max_spam_share": "MAX_SPAM_SHARE",
    "max_boilerplate_share": "MAX_BOILERPLATE_SHARE",
    "min_alpha_word_ratio": "MIN_ALPHA_WORD_RATIO",
    "max_replacement_ratio": "MAX_REPLACEMENT_RATIO",
    "min_han_ratio": "MIN_HAN_RATIO",
    "max_dup_line_frac": "MAX_DUP_LINE_FRAC",
    "max_top_ngram_char_fracs": "MAX_TOP_NGRAM_CHAR_FRACS",
    "max_dup_ngram_char_frac": "MAX_DUP_NGRAM_CHAR_FRAC",
    "min_terminal_punct_line_frac": "MIN_TERMINAL_PUNCT_LINE_FRAC",
    "max_short_line_frac": "MAX_SHORT_LINE_FRAC",
}
