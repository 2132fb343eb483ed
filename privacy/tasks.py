from celery import shared_task

from . import retention


@shared_task
def apply_retention() -> int:
    """The daily retention job: anonymise what is past its period (idempotent)."""
    return retention.apply_retention().total
