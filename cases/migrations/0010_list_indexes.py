"""Indexes for the lists and the search at a million cases (docs/performance.md).

The trigram indexes exist on PostgreSQL only (pg_trgm); the SQLite demo migrates without them.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = [
    # person__search_name__contains: LIKE '%...%' on the derived search name.
    "CREATE INDEX IF NOT EXISTS person_search_name_trgm_idx ON cases_person "
    "USING gin (search_name gin_trgm_ops)",
    # reference__icontains: Django writes UPPER("reference"::text) LIKE UPPER(...).
    "CREATE INDEX IF NOT EXISTS case_reference_upper_trgm_idx ON cases_case "
    "USING gin ((UPPER(reference::text)) gin_trgm_ops)",
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for statement in TRIGRAM_INDEXES:
        schema_editor.execute(statement)


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_search_name_trgm_idx")
    schema_editor.execute("DROP INDEX IF EXISTS case_reference_upper_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_external_ids"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["-opened_on", "-number"], name="case_list_order_idx"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["organisation", "-opened_on", "-number"], name="case_org_list_order_idx"
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes, elidable=False),
    ]
