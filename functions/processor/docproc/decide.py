"""Keep or drop: named thresholds over the statistics, each failing one adds a reason."""

from __future__ import annotations

from typing import Any

from docproc.config import Settings
from docproc.result import Status


def decide(stats: dict[str, Any], settings: Settings) -> tuple[Status, list[str]]:
    reasons: list[str] = []
    if stats["chars_out"] == 0:
        reasons.append("too_short")
    return (Status.DROPPED if reasons else Status.KEPT), reasons
