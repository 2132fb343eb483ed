"""Thin Celery tasks: ids in, call a service, nothing else."""

from celery import shared_task

from . import jobs, services


@shared_task(name="safety.tasks.notify_emergency_access")
def notify_emergency_access(*, access_id: int) -> int:
    return services.emergency_access_notify(access_id=access_id)


@shared_task(name="safety.tasks.raise_safety_alerts")
def raise_safety_alerts() -> dict:
    """The daily sweep (jobs.raise_safety_alerts); idempotent."""
    result = jobs.raise_safety_alerts()
    return {"alerts": result.alerts_raised, "emails": result.emails_sent}
