"""Recompute Person.search_name with the transliterating name folding (Unidecode): names in
Polish, Danish, German, Serbo-Croatian or Cyrillic letters become findable in Latin letters."""

from django.db import migrations
from unidecode import unidecode

BATCH = 2000


def _fold(value):
    # A frozen copy of cases.models.normalise_name as of this migration.
    return " ".join(unidecode(value or "").lower().split())


def recompute(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    changed = []
    rows = Person.objects.only("pk", "given_name", "family_name", "other_names", "search_name")
    for person in rows.order_by("pk").iterator(chunk_size=BATCH):
        folded = _fold(f"{person.given_name} {person.family_name} {person.other_names}")
        if folded != person.search_name:
            person.search_name = folded
            changed.append(person)
        if len(changed) >= BATCH:
            Person.objects.bulk_update(changed, ["search_name"])
            changed = []
    if changed:
        Person.objects.bulk_update(changed, ["search_name"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_caseaccess_kind_download")]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
