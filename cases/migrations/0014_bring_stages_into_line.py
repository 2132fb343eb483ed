"""Bring every existing case's stage and victim status into line with its records
(docs/lifecycle.md): before, only the demo loader moved a stage, so accepted, identified and
referred cases stayed in identification. Each changed case gets a history row and a row of its
stage history naming why; unchanged cases are left alone. Idempotent.

The rules are those of cases.lifecycle, written out here over the historical models (a
migration must not import the apps' current code):
- victim status: identified after an approved identification that identified the person; not
  identified after an approved one that did not; presumed otherwise;
- stage: closed while closed; reintegration with an active or completed onward referral;
  rehabilitation for an identified victim; identification otherwise.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef
from django.utils import timezone

REASON = "Brought into line with its records"


def forwards(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    HistoricalCase = apps.get_model("cases", "HistoricalCase")
    StageChange = apps.get_model("cases", "StageChange")
    HistoricalStageChange = apps.get_model("cases", "HistoricalStageChange")
    Identification = apps.get_model("services", "Identification")
    PartnerReferral = apps.get_model("reintegration", "PartnerReferral")

    approved = Identification.objects.filter(case_id=OuterRef("pk"), status="approved")
    cases = Case.objects.annotate(
        identified=Exists(approved.filter(outcome="identified")),
        not_identified=Exists(approved.filter(outcome="not_identified")),
        referred=Exists(
            PartnerReferral.objects.filter(case_id=OuterRef("pk"), status__in=["active", "completed"])
        ),
    )
    now = timezone.now()
    case_fields = [f.attname for f in Case._meta.concrete_fields]
    for case in cases.iterator(chunk_size=1000):
        status = "identified" if case.identified else "not_identified" if case.not_identified else "presumed"
        if case.closed_at is not None:
            stage = "closed"
        elif case.referred:
            stage = "reintegration"
        elif status == "identified":
            stage = "rehabilitation"
        else:
            stage = "identification"
        if stage == case.stage and status == case.victim_status:
            continue
        previous = case.stage
        case.stage, case.victim_status, case.updated_at = stage, status, now
        case.save(update_fields=["stage", "victim_status", "updated_at"])
        HistoricalCase.objects.create(
            **{name: getattr(case, name) for name in case_fields},
            history_date=now,
            history_type="~",
            history_change_reason=REASON,
            history_user_id=None,
        )
        if stage != previous:
            change = StageChange.objects.create(
                case_id=case.pk, from_stage=previous, to_stage=stage, event="aligned", reason="", at=now
            )
            HistoricalStageChange.objects.create(
                id=change.pk,
                case_id=case.pk,
                from_stage=previous,
                to_stage=stage,
                event="aligned",
                reason="",
                actor_id=None,
                at=now,
                history_date=now,
                history_type="+",
                history_change_reason=REASON,
                history_user_id=None,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0013_stage_changes_transfers"),
        ("services", "0002_proposed_at_default"),
        ("reintegration", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
