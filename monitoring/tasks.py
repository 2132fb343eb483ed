"""Thin Celery tasks: ids in, a service called, nothing else."""

from celery import shared_task

from . import services


# Rendering is 0.6-1.6 s a summary (docs/decisions.md): 500 summaries fit well within the limit.
@shared_task(time_limit=30 * 60, soft_time_limit=28 * 60)
def build_summary_export(*, export_id: int) -> None:
    services.summary_export_build(export_id=export_id)


@shared_task
def purge_expired_summary_exports() -> None:
    services.summary_exports_purge_expired()
