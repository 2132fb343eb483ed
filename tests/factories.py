"""factory_boy factories for the ground floor; stage apps add theirs beside their tests."""

import datetime

import factory
from django.utils import timezone

from cases import services
from cases.models import Case, Organisation, Person, Role, User, UserRole

DEFAULT_PASSWORD = "test-password-2026!"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.MANDATED_NGO

    class Params:
        municipal = factory.Trait(kind=Organisation.Kind.MUNICIPAL_SOCIAL_SERVICE, municipality="Rīga")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.save()
        for role in extracted or []:
            UserRole.objects.get_or_create(user=self, role=role)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.LazyFunction(lambda: datetime.date(1990, 5, 17))
    sex = Person.Sex.FEMALE
    citizenships = ["LV"]
    languages = "latviešu"


def make_case(
    *,
    organisation: Organisation,
    person: Person | None = None,
    caseworkers=(),
    actor=None,
    opened_on=None,
    **changes,
) -> Case:
    """A case opened through the service, with caseworkers assigned through the service."""
    case = services.case_open(
        person=person or PersonFactory(),
        organisation=organisation,
        actor=actor,
        opened_on=opened_on or timezone.localdate(),
    )
    for worker in caseworkers:
        services.case_assign_caseworker(case=case, caseworker=worker, actor=None)
    if changes:
        Case.objects.filter(pk=case.pk).update(**changes)
        case.refresh_from_db()
    return case


__all__ = ["DEFAULT_PASSWORD", "OrganisationFactory", "PersonFactory", "Role", "UserFactory", "make_case"]


# The legal basis an onward referral to a partner records: the person's consent.
CONSENT = {
    "legal_basis": "consent",
    "consent_given_on": datetime.date(2026, 1, 2),
    "consent_how": "signed_form",
    "consent_covers": "Name, contact and needs, for assistance with housing and work.",
}
