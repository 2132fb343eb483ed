"""Each periodic job's start, success and failure, recorded by the worker that ran it."""

from __future__ import annotations

import logging

from celery import signals as celery_signals

logger = logging.getLogger(__name__)


def _periodic(sender) -> str | None:
    from . import services

    name = getattr(sender, "name", None)
    return name if name in services.periodic_job_names() else None


def _record(call, **kwargs) -> None:
    # The heartbeat must never be why a job fails.
    try:
        call(**kwargs)
    except Exception:
        logger.exception("could not record a job heartbeat")


def on_prerun(sender=None, task_id=None, **_):
    from . import services
    from .logs import task_request_id

    task_request_id(task_id)

    if name := _periodic(sender):
        _record(services.heartbeat_started, name=name)


def on_success(sender=None, **_):
    from . import services

    if name := _periodic(sender):
        _record(services.heartbeat_succeeded, name=name)


def on_failure(sender=None, exception=None, **_):
    from . import services

    if name := _periodic(sender):
        _record(services.heartbeat_failed, name=name, error=exception or RuntimeError())


def on_postrun(**_):
    from .logs import task_request_id

    task_request_id(None)


def connect() -> None:
    celery_signals.task_postrun.connect(on_postrun, weak=False, dispatch_uid="operations-postrun")
    celery_signals.task_prerun.connect(on_prerun, weak=False, dispatch_uid="operations-prerun")
    celery_signals.task_success.connect(on_success, weak=False, dispatch_uid="operations-success")
    celery_signals.task_failure.connect(on_failure, weak=False, dispatch_uid="operations-failure")
