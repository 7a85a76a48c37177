"""docproc's local stack on moto and operator tooling (the `docproc` command).

The function's code lives in functions/processor (the template's CodeUri); the tooling
imports it from there, as Lambda would.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUNCTION_DIR = ROOT / "functions" / "processor"
TEMPLATE = ROOT / "template.yaml"

if str(FUNCTION_DIR) not in sys.path:
    sys.path.insert(0, str(FUNCTION_DIR))
