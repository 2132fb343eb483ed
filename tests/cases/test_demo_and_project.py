"""The demo data `make run` loads, and project-wide checks."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

from cases.demo import USERS, load_demo

DEMO_PASSWORD = "demo-password-for-tests"


@pytest.mark.django_db
def test_demo_loads_once_and_every_demo_user_logs_in(client):
    load_demo(password=DEMO_PASSWORD)
    project_models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"cases", "referrals", "services", "reintegration", "monitoring", "accounts"}
        and not m.__name__.startswith("Historical")
    ]
    before = {m.__name__: m._default_manager.count() for m in project_models}
    load_demo(password=DEMO_PASSWORD)
    after = {m.__name__: m._default_manager.count() for m in project_models}
    # Running it again duplicates nothing (the read log and security log aside: nobody read anything).
    assert after == before
    assert before["Case"] >= 9
    from cases.models import Case

    # Every stage a user's clicks can reach: a case opens from an accepted referral straight into
    # identification, so no case is ever in "referral" (the referral itself is that stage).
    reachable = set(Case.Stage.values) - {Case.Stage.REFERRAL}
    assert set(Case.objects.values_list("stage", flat=True)) == reachable
    # Built through the services, every demo case agrees with its records.
    from cases.lifecycle import integrity_problems

    assert integrity_problems() == []
    for username, *_ in USERS:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        assert client.get("/").status_code == 200, username
        client.logout()


@pytest.mark.django_db
def test_caseworkers_each_have_cases_the_other_does_not(client):
    from cases.models import User
    from cases.selectors import case_list_for_user

    load_demo(password=DEMO_PASSWORD)
    one = set(case_list_for_user(user=User.objects.get(username="caseworker")))
    two = set(case_list_for_user(user=User.objects.get(username="caseworker2")))
    assert one - two and two - one


@pytest.mark.django_db
def test_no_missing_migrations(settings):
    # The suite's databases are built from the models (--no-migrations, which hides the
    # migrations from Django); this test reads them again.
    settings.MIGRATION_MODULES = {}
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "No changes detected"


@pytest.mark.django_db
def test_the_demo_writes_every_entry_through_the_services():
    """Each entry the stages record is written by the service a user's action calls (docs/
    lifecycle.md, "The demo"): no demo loader saves a domain row itself, except the dates it
    shifts back, and what only a service does shows in the data."""
    import inspect
    import re

    from cases import demo
    from cases.models import Alert
    from documents import demo as documents_demo
    from referrals import demo as referrals_demo
    from rehabilitation import demo as rehabilitation_demo
    from reintegration import demo as reintegration_demo
    from safety import demo as safety_demo
    from services import demo as services_demo

    direct = re.compile(r"\.objects\.create\(|bulk_create|\.save\(")
    for module in (rehabilitation_demo, reintegration_demo, safety_demo, documents_demo):
        assert not direct.search(inspect.getsource(module)), module.__name__
    # The referrals' and the identifications' dates are shifted back (a click only says "now"),
    # and nothing else: the users and the training record are not case records.
    for module in (referrals_demo, services_demo):
        assert len(direct.findall(inspect.getsource(module))) == 1, module.__name__
        assert "save(update_fields=list(dates))" in inspect.getsource(module)
    assert len(direct.findall(inspect.getsource(demo))) == 4

    load_demo(password="demo-password-2026!")
    from rehabilitation.models import RehabilitationPlan
    from services.models import AssistanceRecord

    assert RehabilitationPlan.objects.get().history.get().history_user.username == "caseworker"
    # A compensation claim later awarded: the award is a correction, with its reason.
    awarded = AssistanceRecord.objects.get(compensation_status="awarded")
    assert [v.compensation_status for v in awarded.history.order_by("history_date")] == ["claimed", "awarded"]
    assert awarded.corrected_at is not None
    # The court-support entry that crossed 80 % raised its alert at once, as on the page.
    alert = Alert.objects.get(kind=Alert.Kind.COURT_HOURS_80)
    assert alert.history.earliest("history_date").history_change_reason == (
        "Raised by the entry that reached the limit"
    )


# Operations Django reproduces from the models' current state (what --no-migrations builds).
MODEL_STATE_OPERATIONS = (
    "CreateModel",
    "DeleteModel",
    "RenameModel",
    "AlterModelTable",
    "AlterModelTableComment",
    "AlterModelOptions",
    "AlterModelManagers",
    "AlterUniqueTogether",
    "AlterIndexTogether",
    "AlterOrderWithRespectTo",
    "AddField",
    "RemoveField",
    "AlterField",
    "RenameField",
    "AddIndex",
    "RemoveIndex",
    "RenameIndex",
    "AddConstraint",
    "RemoveConstraint",
    "AlterConstraint",
)


def test_every_migration_that_changes_the_database_beyond_the_models_is_known(settings):
    """The suite's databases are built from the models (docs/decisions/0006-test-schema-from-models.md):
    every other kind of operation of every installed app's migrations is listed in tests/project.py,
    as created for the tests or as a data migration."""
    from django.apps import apps
    from django.db.migrations.loader import MigrationLoader

    from tests.project import DATA_MIGRATIONS, DATABASE_ONLY_OPERATIONS

    settings.MIGRATION_MODULES = {}
    loader = MigrationLoader(None, ignore_no_migrations=True)
    found = set()
    for (app_label, name), migration in loader.disk_migrations.items():
        if not apps.is_installed(apps.get_app_config(app_label).name):
            continue
        for operation in migration.operations:
            if type(operation).__name__ not in MODEL_STATE_OPERATIONS:
                found.add((app_label, name))
    known = set(DATABASE_ONLY_OPERATIONS) | DATA_MIGRATIONS
    assert found - known == set(), "list these migrations in tests/project.py"
    assert known - found == set(), "tests/project.py lists migrations that change nothing beyond the models"
