"""Thin Celery tasks: ids in, a service called, nothing else."""

from celery import shared_task

from . import services


@shared_task(time_limit=60 * 60, soft_time_limit=58 * 60)
def check_import(*, run_id: int) -> None:
    services.import_run_check(run_id=run_id)


@shared_task(time_limit=60 * 60, soft_time_limit=58 * 60)
def run_import(*, run_id: int) -> None:
    services.import_run_execute(run_id=run_id)


@shared_task
def purge_stale_imports() -> None:
    services.import_runs_purge_stale()
