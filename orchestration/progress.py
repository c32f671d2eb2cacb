"""Progress lines for people watching a run: to Dagster's event log and to the `ksm` terminal.

Dagster's own console output is silenced by `ksm run` (it is far too chatty); the CLI shows the
`ksm.progress` logger instead, so each stage reports in one readable line.
"""

from __future__ import annotations

import logging

logger = logging.getLogger("ksm.progress")


def report(context, message: str) -> None:
    context.log.info(message)
    logger.info(message)
