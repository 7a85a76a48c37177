"""Settings for the core, read from environment variables declared in template.yaml.

Every variable has a default that works, so the core runs with no environment at all.
This is the only module of the core that reads the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Literal, get_args

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
ENV_NAMES: dict[str, str] = {
    "target_script": "TARGET_SCRIPT",
    "max_object_bytes": "MAX_OBJECT_BYTES",
    "near_duplicate_threshold": "NEAR_DUPLICATE_THRESHOLD",
}
