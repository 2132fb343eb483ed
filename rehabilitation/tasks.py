"""Thin Celery tasks: call the service, nothing else."""

from celery import shared_task

from . import jobs


@shared_task(name="rehabilitation.tasks.enforce_limits")
def enforce_limits() -> dict:
    """The daily sweep over the limits (jobs.enforce_limits); idempotent."""
    result = jobs.enforce_limits()
    return {
        "alerts": result.alerts_raised,
        "courses_ended": result.courses_ended,
        "emails": result.emails_sent,
    }
