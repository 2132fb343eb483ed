"""Role fixtures shared by every app's tests: one user per role, and the orgs they belong to."""

import os

import pytest

from cases.models import Organisation, Role

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Django's test environment already sends mail to the locmem outbox. Argon2 is for production;
# hashing it for every factory user would dominate the suite.
TEST_SETTINGS = {
    "LANGUAGE_CODE": "en",
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CELERY_TASK_ALWAYS_EAGER": False,
}


@pytest.fixture(autouse=True)
def _english(settings):
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture(scope="module")
def module_demo(request, django_db_setup, django_db_blocker):
    """The demo (cases.demo.load_demo), loaded once for a module whose tests all read or write
    against it, instead of once per test.

    It is loaded inside a transaction that is rolled back after the module's last test; each test
    (pytest-django's `db`) runs in a savepoint inside it, rolled back after the test, so what one
    test writes the next never sees, exactly as with a demo of its own. Only for modules without
    `transaction=True` tests; mark the module with an xdist_group so that its tests stay on one
    worker and the demo is loaded once there. The password: the module's DEMO_PASSWORD."""
    from django.db import transaction
    from django.test.utils import override_settings

    from cases.demo import load_demo

    password = getattr(request.module, "DEMO_PASSWORD", "module-demo-password-2026")
    with django_db_blocker.unblock(), override_settings(**TEST_SETTINGS):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield load_demo(password=password)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def mandated_ngo(db):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name="Mandated NGO", kind=Organisation.Kind.MANDATED_NGO)


@pytest.fixture
def other_ngo(db):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name="Another mandated NGO", kind=Organisation.Kind.MANDATED_NGO)


def _user(username, org, roles, **extra):
    from tests.factories import UserFactory

    return UserFactory(username=username, organisation=org, roles=roles, **extra)


@pytest.fixture
def caseworker(mandated_ngo):
    return _user("caseworker", mandated_ngo, [Role.CASEWORKER], first_name="Anna", last_name="Kalniņa")


@pytest.fixture
def caseworker2(mandated_ngo):
    return _user("caseworker2", mandated_ngo, [Role.CASEWORKER], first_name="Jānis", last_name="Ozols")


@pytest.fixture
def coordinator(mandated_ngo):
    return _user("coordinator", mandated_ngo, [Role.COORDINATOR], first_name="Līga", last_name="Bērziņa")


@pytest.fixture
def other_ngo_worker(other_ngo):
    return _user("other_ngo_worker", other_ngo, [Role.CASEWORKER, Role.COORDINATOR])


@pytest.fixture
def police(db):
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(name="State police", kind=Organisation.Kind.POLICE)
    return _user("police", org, [Role.FIRST_RESPONDER])


@pytest.fixture
def police_colleague(police):
    return _user("police2", police.organisation, [Role.FIRST_RESPONDER])


@pytest.fixture
def border(db):
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(name="State border guard", kind=Organisation.Kind.BORDER_GUARD)
    return _user("border", org, [Role.FIRST_RESPONDER])


@pytest.fixture
def municipality(db):
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(
        name="Rīga social service", kind=Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE, municipality="Rīga"
    )
    return _user("municipality", org, [Role.MUNICIPAL_SOCIAL_WORKER])


@pytest.fixture
def employment(db):
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(name="State Employment Agency", kind=Organisation.Kind.EMPLOYMENT_AGENCY)
    return _user("employment", org, [Role.EMPLOYMENT_OFFICER])


@pytest.fixture
def ministry(db):
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name="Ministry of the Interior", kind=Organisation.Kind.MINISTRY_INTERIOR)


@pytest.fixture
def national(ministry):
    return _user("national", ministry, [Role.NATIONAL_COORDINATOR])


@pytest.fixture
def sysadmin(ministry):
    return _user("admin", ministry, [Role.SYSTEM_ADMINISTRATOR], is_staff=True)


@pytest.fixture
def case_of_caseworker(mandated_ngo, caseworker):
    from tests.factories import PersonFactory, make_case

    return make_case(
        organisation=mandated_ngo,
        caseworkers=[caseworker],
        person=PersonFactory(given_name="Aija", family_name="Bērziņa"),
    )


@pytest.fixture
def case_of_caseworker2(mandated_ngo, caseworker2):
    from tests.factories import PersonFactory, make_case

    return make_case(
        organisation=mandated_ngo,
        caseworkers=[caseworker2],
        person=PersonFactory(given_name="Oksana", family_name="Kovalenko", citizenships=["UA"]),
    )


@pytest.fixture
def case_of_other_ngo(other_ngo):
    from tests.factories import PersonFactory, make_case

    return make_case(
        organisation=other_ngo, person=PersonFactory(given_name="Elsewhere", family_name="Person")
    )


@pytest.fixture
def all_role_users(
    caseworker,
    caseworker2,
    coordinator,
    other_ngo_worker,
    police,
    border,
    municipality,
    employment,
    national,
    sysadmin,
):
    return {
        "caseworker": caseworker,
        "caseworker2": caseworker2,
        "coordinator": coordinator,
        "other_ngo_worker": other_ngo_worker,
        "police": police,
        "border": border,
        "municipality": municipality,
        "employment": employment,
        "national": national,
        "admin": sysadmin,
    }


def pytest_configure(config):
    # WhiteNoise warns on every request when STATIC_ROOT is missing; the suite serves static files
    # through the finders (live_server) and needs no collectstatic.
    from pathlib import Path

    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    _isolate_the_broker_per_worker(settings)


def _isolate_the_broker_per_worker(settings):
    """Parallel workers (pytest-xdist: gw0, gw1, ...) each have their own test database
    (pytest-django's suffix); on the one Redis database they get their own key prefix, so a task
    one worker queues is never taken by the Celery worker another one started."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        return
    from trafficking_cms.celery import app

    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": f"test-{worker}:"}
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    app.conf.broker_transport_options = options


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """Each worker's test database is created from the models (pytest-django's --no-migrations,
    in pytest's addopts: 2 s instead of half a minute of migrations per worker), then given what
    only a migration creates, by those migrations' own operations (tests/project.py). Why, and
    what keeps the migrations honest: docs/decisions/0006-test-schema-from-models.md."""
    if request.config.getvalue("nomigrations"):
        from django.db import connections

        from tests.project import create_what_only_migrations_create

        with django_db_blocker.unblock():
            for alias in connections:
                with connections[alias].schema_editor() as editor:
                    create_what_only_migrations_create(editor)


def pytest_collection_modifyitems(config, items):
    # Should the browser tests run on parallel workers (`make test` runs them in a serial pass of
    # their own), they stay together on one worker (`--dist loadgroup`): one Chromium at a time.
    # They run without the coverage tracer (pytest-cov's no_cover): each journey's assertions are
    # its measure, and the code under its pages is measured by the tests that call it directly
    # (docs/architecture.md, "Tests").
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
            item.add_marker(pytest.mark.no_cover)
