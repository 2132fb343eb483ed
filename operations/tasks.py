"""Thin Celery tasks: call a service, nothing else."""

from celery import shared_task

from . import services


# Retries with backoff live on the rows (next_attempt_at): this task runs after every commit
# that wrote e-mails and every minute from beat, and sends only what is due. No countdown is
# parked in Redis (it would be redelivered after the visibility timeout).
@shared_task(name="operations.tasks.deliver_outbox", time_limit=30 * 60, soft_time_limit=28 * 60)
def deliver_outbox() -> dict:
    result = services.outbox_deliver()
    return {"sent": result.sent, "failed": result.failed}


@shared_task(name="operations.tasks.heartbeat")
def heartbeat() -> None:
    """Beat sends it every minute and a worker runs it: its last success shows both are alive."""


@shared_task(name="operations.tasks.check_stale_jobs")
def check_stale_jobs() -> list[str]:
    return services.stale_jobs_alert()
