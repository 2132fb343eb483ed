import datetime

import pytest

from cases.models import Person, normalise_name
from tests.project import project_app_configs, project_app_labels

# Transport rows of the operations floor, not records of anybody's work: the e-mail outbox (its
# messages carry no personal data, only links) and the jobs' heartbeats.
WITHOUT_HISTORY = {"operations.outboxemail", "operations.jobheartbeat"}


def test_the_project_apps_are_derived_from_the_settings():
    labels = set(project_app_labels())
    assert {"cases", "referrals", "services", "rehabilitation", "reintegration", "safety"} <= labels
    assert {"accounts", "monitoring", "privacy", "operations"} <= labels
    assert not labels & {"auth", "admin", "guardian", "simple_history", "axes"}


@pytest.mark.django_db
def test_every_model_of_the_project_keeps_history():
    from simple_history.models import registered_models

    models = [
        m
        for config in project_app_configs()
        for m in config.get_models()
        if not m.__name__.startswith("Historical")
    ]
    assert len(models) >= 40  # not vacuous: every app's models are here
    labels = {m._meta.label_lower for m in models}
    assert {"rehabilitation.rehabilitationcourse", "accounts.securityevent"} <= labels
    tracked = {m._meta.label_lower for m in registered_models.values()}
    missing = sorted(labels - tracked - WITHOUT_HISTORY)
    assert missing == []
    assert labels >= WITHOUT_HISTORY


def test_normalise_name_strips_latvian_diacritics():
    assert normalise_name("  Bērziņa  Šteinberga ") == "berzina steinberga"
    assert normalise_name("ĀČĒĢĪĶĻŅŌŖŠŪŽ") == "acegiklnorsuz"


def test_age_exact_and_estimated():
    born = Person(date_of_birth=datetime.date(2008, 12, 1))
    assert born.age_on(datetime.date(2026, 11, 30)) == 17
    assert born.is_minor_on(datetime.date(2026, 11, 30)) is True
    assert born.age_on(datetime.date(2026, 12, 1)) == 18
    assert born.is_minor_on(datetime.date(2026, 12, 1)) is False
    estimated = Person(estimated_age=16, estimated_age_on=datetime.date(2025, 6, 1))
    assert estimated.age_on(datetime.date(2026, 6, 1)) == 17
    assert estimated.age_is_estimated
    assert Person().age_on(datetime.date(2026, 1, 1)) is None
    assert Person().is_minor_on(datetime.date(2026, 1, 1)) is None


def test_third_country_national_is_derived():
    assert Person(citizenships=["UA"]).is_third_country_national is True
    assert Person(citizenships=["LV"]).is_third_country_national is False
    assert Person(citizenships=["UA", "PL"]).is_third_country_national is False
    assert Person(citizenships=["CH"]).is_third_country_national is False
    assert Person(citizenships=["NO"]).is_third_country_national is False
    assert Person(stateless=True).is_third_country_national is True
    assert Person().is_third_country_national is None


@pytest.mark.django_db
def test_person_constraints_refuse_exact_and_estimated_age_together():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Person.objects.create(
            date_of_birth=datetime.date(2000, 1, 1),
            estimated_age=20,
            estimated_age_on=datetime.date(2020, 1, 1),
        )


@pytest.mark.django_db
def test_person_display_name_unknown():
    p = Person.objects.create()
    assert p.display_name == "Name unknown"
    assert p.search_name == ""


@pytest.mark.parametrize(
    "name, folded",
    [
        ("Łukasz Wójcik", "lukasz wojcik"),
        ("Søren Østergård", "soren ostergard"),
        ("Heinz Strauß", "heinz strauss"),
        ("Đorđe Đukić", "dorde dukic"),
        ("Оксана Коваленко", "oksana kovalenko"),
        ("Ёлка Щукина", "iolka shchukina"),
    ],
)
def test_normalise_name_transliterates_other_letters_and_scripts(name, folded):
    assert normalise_name(name) == folded


@pytest.mark.django_db
def test_the_migration_recomputes_stale_search_names():
    import importlib

    from django.apps import apps as django_apps

    from tests.factories import PersonFactory

    migration = importlib.import_module("cases.migrations.0016_search_name_transliterated")
    polish = PersonFactory(given_name="Łukasz", family_name="Wójcik", other_names="")
    cyrillic = PersonFactory(given_name="Оксана", family_name="Коваленко", other_names="")
    # As the old folding left them: ł and the Cyrillic letters were kept as they were.
    Person.objects.filter(pk=polish.pk).update(search_name="łukasz wojcik")
    Person.objects.filter(pk=cyrillic.pk).update(search_name="оксана коваленко")
    migration.recompute(django_apps, None)
    assert Person.objects.get(pk=polish.pk).search_name == "lukasz wojcik"
    assert Person.objects.get(pk=cyrillic.pk).search_name == "oksana kovalenko"
