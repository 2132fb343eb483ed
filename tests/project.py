"""The project's own apps, derived from INSTALLED_APPS: those whose code lives in this repository.

Tests that must cover every app use this instead of a list of their own, so a new app is in them
from its first commit.
"""

from functools import cache
from importlib import import_module
from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings


@cache
def _project_app_configs() -> tuple[AppConfig, ...]:
    base = Path(settings.BASE_DIR).resolve()
    configs = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.relative_to(base).parts:
            configs.append(config)
    return tuple(configs)


def project_app_configs() -> list[AppConfig]:
    # The app registry is fixed once Django has started: found once, a fresh list each call.
    return list(_project_app_configs())


def project_app_labels() -> list[str]:
    return [config.label for config in project_app_configs()]


# --- what only a migration creates ------------------------------------------------------------
#
# The suite's databases are built from the models (docs/decisions/0006-test-schema-from-models.md).
# A migration operation that changes the database without changing the models' state must be
# listed here: as created for the tests (with the function that creates it), or as a data
# migration, which has nothing to change in a new, empty database.
# tests/cases/test_demo_and_project.py fails on an operation listed in neither.


def _latvian_collation(schema_editor) -> None:
    migration = import_module("cases.migrations.0006_latvian_collation").Migration
    for operation in migration.operations:
        if schema_editor.connection.vendor == "postgresql":
            operation.create_collation(schema_editor)


def _trigram_indexes(schema_editor) -> None:
    import_module("cases.migrations.0010_list_indexes").create_trigram_indexes(None, schema_editor)


DATABASE_ONLY_OPERATIONS = {
    ("cases", "0006_latvian_collation"): _latvian_collation,
    ("cases", "0010_list_indexes"): _trigram_indexes,
}
DATA_MIGRATIONS = {
    ("cases", "0007_caseaccess_reader_name"),
    ("cases", "0014_bring_stages_into_line"),
    ("cases", "0016_search_name_transliterated"),
    ("cases", "0019_reasons_as_codes"),
    # The libraries': content types' legacy names, proxy models' permissions, duplicate lockouts.
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0011_update_proxy_permissions"),
    ("axes", "0007_alter_accessattempt_unique_together"),
}


def create_what_only_migrations_create(schema_editor) -> None:
    """The objects above, and every migration on disk recorded as applied (as `migrate --fake`
    would), so that the database reads as a migrated one (a backup carries its migrations)."""
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder
    from django.test.utils import override_settings

    recorder = MigrationRecorder(schema_editor.connection)
    if recorder.has_table() and recorder.migration_qs.exists():
        return  # a database kept from an earlier run (--reuse-db): built already
    for create in DATABASE_ONLY_OPERATIONS.values():
        create(schema_editor)
    with override_settings(MIGRATION_MODULES={}):
        migrations = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    recorder.ensure_schema()
    recorder.migration_qs.bulk_create(recorder.Migration(app=app, name=name) for app, name in migrations)
