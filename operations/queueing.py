"""Queue a Celery job after the commit without ever turning a broker failure into a 500.

`transaction.on_commit(lambda: task.delay(...))` raises after the data is committed when the
broker is unreachable: the user sees an error page while the row stays "queued" forever. Here
the publish is tried (kombu retries it briefly), and on failure the caller's `on_failure`
records the job as failed where the user sees it, or, for work a periodic sweep picks up anyway
(the outbox), nothing more is needed than the log line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

# Publishing gives up after about a second: a page must not hang on a dead broker.
PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}


def enqueue(task, *, kwargs: dict, on_failure: Callable[[], None] | None = None) -> bool:
    """Publish now; True when the broker took it."""
    try:
        task.apply_async(kwargs=kwargs, retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as error:  # kombu's OperationalError, redis' ConnectionError, socket errors
        logger.warning("could not queue %s: %s", task.name, type(error).__name__, exc_info=True)
        if on_failure is not None:
            on_failure()
        return False
    return True


def enqueue_on_commit(task, *, kwargs: dict, on_failure: Callable[[], None] | None = None) -> None:
    transaction.on_commit(lambda: enqueue(task, kwargs=kwargs, on_failure=on_failure))
