from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Expired sessions are deleted, not left lying in the database."""
    call_command("clearsessions")


@shared_task
def refresh_snapshots() -> None:
    """The precomputed figures of the dashboards, monitoring and the CSV (cases/snapshots.py)."""
    from .snapshots import snapshots_refresh

    snapshots_refresh()
