"""Figures precomputed by Celery beat, for the pages that would otherwise aggregate a whole NGO or
the whole country on every request: the dashboards' stage counts, the monitoring figures and the
Eurostat CSV (docs/performance.md).

Each app registers what it precomputes (a producer per kind, per scope: the whole country and each
mandated NGO); `snapshots_refresh` (every 15 minutes) computes and replaces them; a page reads the
latest one and shows when it was computed. A snapshot older than STALE_AFTER is not shown: the
page computes its figures itself, as it would without any snapshot (a new installation, a stopped
beat).
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from .models import Case, FigureSnapshot, Organisation

log = logging.getLogger(__name__)

REFRESH_EVERY = datetime.timedelta(minutes=15)
STALE_AFTER = datetime.timedelta(minutes=45)

# The kind of this module: the cases by stage of a scope (the dashboards of coordinators and of
# the national coordinator).
STAGE_COUNTS = "stage_counts"


@dataclass(frozen=True)
class Producer:
    # produce(organisation_id) -> (data, period_start, period_end); organisation_id None: national.
    produce: Callable[[int | None], tuple[object, datetime.date | None, datetime.date | None]]
    per_language: bool


_producers: dict[str, Producer] = {}


def register_snapshot(*, kind: str, produce, per_language: bool = False) -> None:
    _producers[kind] = Producer(produce, per_language)


def _scopes() -> list[int | None]:
    ngos = Organisation.objects.filter(kind=Organisation.Kind.MANDATED_NGO, is_active=True)
    return [None, *ngos.order_by("pk").values_list("pk", flat=True)]


def snapshot_latest(*, kind: str, organisation_id: int | None, language: str = "") -> FigureSnapshot | None:
    """The latest snapshot of the kind and scope, or None when there is none fresh enough."""
    row = (
        FigureSnapshot.objects.filter(kind=kind, organisation_id=organisation_id, language=language)
        .order_by("-computed_at")
        .first()
    )
    if row is None or row.computed_at < timezone.now() - STALE_AFTER:
        return None
    return row


def snapshot_store(
    *,
    kind: str,
    organisation_id: int | None,
    data,
    language: str = "",
    period_start=None,
    period_end=None,
    took_ms: int = 0,
) -> FigureSnapshot:
    """Replace the snapshot of the kind, scope and language (the older ones are deleted)."""
    with transaction.atomic():
        FigureSnapshot.objects.filter(kind=kind, organisation_id=organisation_id, language=language).delete()
        return FigureSnapshot.objects.create(
            kind=kind,
            organisation_id=organisation_id,
            language=language,
            data=data,
            period_start=period_start,
            period_end=period_end,
            took_ms=took_ms,
        )


def snapshots_refresh(*, kinds: list[str] | None = None) -> dict[str, int]:
    """Compute every registered kind for every scope; returns the milliseconds each kind took."""
    took: dict[str, int] = {}
    scopes = _scopes()
    for kind, producer in _producers.items():
        if kinds is not None and kind not in kinds:
            continue
        started = time.perf_counter()
        languages = [code for code, _name in settings.LANGUAGES] if producer.per_language else [""]
        for organisation_id in scopes:
            for language in languages:
                t = time.perf_counter()
                with translation.override(language or settings.LANGUAGE_CODE):
                    data, start, end = producer.produce(organisation_id)
                snapshot_store(
                    kind=kind,
                    organisation_id=organisation_id,
                    language=language,
                    data=data,
                    period_start=start,
                    period_end=end,
                    took_ms=int((time.perf_counter() - t) * 1000),
                )
        took[kind] = int((time.perf_counter() - started) * 1000)
        log.info("snapshot %s refreshed for %d scopes in %d ms", kind, len(scopes), took[kind])
    return took


# --- the cases by stage --------------------------------------------------------------------------


def stage_counts_compute(organisation_id: int | None) -> dict[str, int]:
    from django.db.models import Count

    qs = (
        Case.objects.all()
        if organisation_id is None
        else Case.objects.filter(organisation_id=organisation_id)
    )
    counts = dict.fromkeys(Case.Stage.values, 0)
    counts.update({row["stage"]: row["n"] for row in qs.values("stage").annotate(n=Count("pk")).order_by()})
    return counts


register_snapshot(kind=STAGE_COUNTS, produce=lambda org_id: (stage_counts_compute(org_id), None, None))
