"""How the command talks about its run: :mod:`logging` to stderr, loud or quiet as asked.

``configure(verbose=False, quiet=False)`` installs one handler on the ``dllm_atlas`` logger: errors
and warnings print as ``dllm-atlas: message``, information as the bare message; ``quiet`` keeps only
errors, ``verbose`` adds debug messages. Results (reports, JSON, diffs) are not logged: the commands
print them to stdout.
"""

from __future__ import annotations

import logging
import sys

LOGGER = "dllm_atlas"


class _Handler(logging.Handler):
    # The stream is looked up at emit time, so output captured by tests (or redirected) catches it.
    def emit(self, record: logging.LogRecord) -> None:
        prefix = "dllm-atlas: " if record.levelno >= logging.WARNING else ""
        sys.stderr.write(f"{prefix}{record.getMessage()}\n")


def configure(*, verbose: bool = False, quiet: bool = False) -> logging.Logger:
    log = logging.getLogger(LOGGER)
    log.handlers[:] = [_Handler()]
    log.propagate = False
    log.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO)
    return log
