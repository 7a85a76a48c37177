from typing import Final

"""docproc core: bytes in, a cleaned document with statistics and a decision out.

Nothing in this package talks to AWS or reads the environment outside `config`.
"""

# Bumped whenever the output for the same input may change: records made by an
# older pipeline are reprocessed by `docproc backfill`.
PIPELINE_VERSION: Final = "0.1.0"
