from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Expired sessions are deleted, not left lying in the database."""
    call_command("clearsessions")
