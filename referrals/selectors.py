"""Every read of stage 1, already scoped to the user."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from cases.collation import lv_collated
from cases.models import Case, Person, Role, User, normalise_name
from cases.permissions import case_visibility_filter

from . import permissions
from .models import ANONYMOUS, IDENTIFIED, Referral
from .permissions import Action
from .workdays import overdue_cutoff


def referral_list_for_user(*, user: User) -> QuerySet[Referral]:
    """Every referral the user may read, newest first."""
    visible = permissions.referral_visibility_filter(user)
    if visible is None:
        return Referral.objects.none()
    return (
        Referral.objects.filter(visible)
        .select_related("organisation", "created_by")
        .order_by("-created_at", "-pk")
    )


def referral_get_for_user_or_404(*, user: User, pk: int) -> Referral:
    """One referral, or a 404 that looks the same whether it is missing or out of scope."""
    visible = permissions.referral_visibility_filter(user)
    if visible is None:
        raise Http404
    referral = (
        Referral.objects.filter(visible)
        .select_related("organisation", "created_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if referral is None or not permissions.can(user, Action.VIEW, referral):
        raise Http404
    return referral


def referral_observations_for_case(*, case: Case) -> Referral | None:
    """The accepted referral that opened the case, for what was observed (the indicators).

    The caller has already shown that the user may read the case."""
    return (
        Referral.objects.filter(case=case, status=Referral.Status.ACCEPTED)
        .order_by("-decided_at", "-pk")
        .first()
    )


def referral_list_for_organisation(*, user: User, limit: int | None = None) -> QuerySet[Referral]:
    """A first responder's view: their organisation's referrals (and their own drafts)."""
    if not permissions.is_first_responder(user) or user.organisation_id is None:
        return Referral.objects.none()
    qs = referral_list_for_user(user=user).filter(organisation_id=user.organisation_id)
    return qs[:limit] if limit else qs


def _overdue_annotation(today: datetime.date) -> models.Case:
    return models.Case(
        models.When(submitted_at__date__lte=overdue_cutoff(today), then=models.Value(True)),
        default=models.Value(False),
        output_field=models.BooleanField(),
    )


QUEUE_FILTERS = ("overdue", "urgent", "child")


def referral_queue_for_user(*, user: User, q: str = "", show: str = "") -> QuerySet[Referral]:
    """The intake queue: submitted referrals with consent, oldest first, overdue ones flagged.

    `q` finds a referral by its number or the person's name; `show` keeps only the overdue ones,
    those with urgent needs, or presumed children (under 18 by the date of birth or the estimate).
    """
    if not permissions.is_intake_coordinator(user):
        return Referral.objects.none()
    today = timezone.localdate()
    qs = Referral.objects.filter(IDENTIFIED, status=Referral.Status.SUBMITTED)
    q = (q or "").strip()
    if q:
        number = q.lstrip("#")
        match = Q(given_name__icontains=q) | Q(family_name__icontains=q)
        if number.isdigit():
            match |= Q(pk=int(number))
        qs = qs.filter(match)
    if show == "overdue":
        qs = qs.filter(submitted_at__date__lte=overdue_cutoff(today))
    elif show == "urgent":
        qs = qs.exclude(urgent_needs=[])
    elif show == "child":
        try:
            adult_born_by = today.replace(year=today.year - 18)
        except ValueError:  # 29 February
            adult_born_by = today.replace(year=today.year - 18, day=28)
        qs = qs.filter(
            Q(date_of_birth__gt=adult_born_by) | Q(date_of_birth__isnull=True, estimated_age__lt=18)
        )
    return (
        qs.select_related("organisation")
        .annotate(is_overdue=_overdue_annotation(today))
        .order_by("submitted_at", "pk")
    )


def queue_row_facts(referrals: Iterable[Referral], today: datetime.date | None = None) -> list[Any]:
    """Per row of the queue: the working days left of the three (negative: overdue by)."""
    from .workdays import INTAKE_WORKING_DAYS, working_days_after

    today = today or timezone.localdate()
    # The rows carry the two figures as attributes the template reads.
    rows: list[Any] = list(referrals)
    for referral in rows:
        submitted = timezone.localtime(referral.submitted_at).date()
        referral.working_days_left = INTAKE_WORKING_DAYS - working_days_after(submitted, today)
        referral.working_days_over = -referral.working_days_left
    return rows


def referral_queue_counts(*, user: User) -> dict[str, int] | None:
    if not permissions.is_intake_coordinator(user):
        return None
    cutoff = overdue_cutoff(timezone.localdate())
    counts = Referral.objects.filter(IDENTIFIED, status=Referral.Status.SUBMITTED).aggregate(
        waiting=Count("pk"), overdue=Count("pk", filter=Q(submitted_at__date__lte=cutoff))
    )
    return counts


def referral_anonymous_for_user(*, user: User, limit: int = 20) -> QuerySet[Referral]:
    """Anonymous notifications, newest first, for the intake coordinator's information."""
    if not permissions.is_intake_coordinator(user):
        return Referral.objects.none()
    return (
        Referral.objects.filter(ANONYMOUS, status=Referral.Status.SUBMITTED)
        .select_related("organisation")
        .order_by("-submitted_at", "-pk")[:limit]
    )


def referral_decided_for_user(*, user: User, limit: int = 20) -> QuerySet[Referral]:
    """The latest intake decisions of the coordinator's NGO."""
    if not permissions.is_intake_coordinator(user):
        return Referral.objects.none()
    return (
        Referral.objects.filter(intake_organisation_id=user.organisation_id)
        .select_related("organisation", "decided_by", "case")
        .order_by("-decided_at", "-pk")[:limit]
    )


def referral_counts_for_user(*, user: User) -> dict[str, int] | None:
    """Counts and status only, no personal details: statistics for the national coordinator.

    Anonymous notifications are counted apart; drafts are not referrals yet.
    """
    if not permissions.can(user, Action.VIEW_COUNTS):
        return None
    # The whole country's referrals (over a million at scale): precomputed every 15 minutes
    # (cases/snapshots.py, docs/performance.md); computed here while no fresh snapshot exists.
    from cases.snapshots import snapshot_latest

    snapshot = snapshot_latest(kind=COUNTS_SNAPSHOT, organisation_id=None)
    if snapshot is not None:
        return {key: int(n) for key, n in snapshot.data.items()}
    return referral_counts_compute()


COUNTS_SNAPSHOT = "referral_counts"


def referral_counts_compute() -> dict[str, int]:
    submitted = ~Q(status=Referral.Status.DRAFT)
    counts = Referral.objects.aggregate(
        total=Count("pk", filter=submitted),
        waiting=Count("pk", filter=Q(status=Referral.Status.SUBMITTED) & IDENTIFIED),
        accepted=Count("pk", filter=Q(status=Referral.Status.ACCEPTED)),
        declined=Count("pk", filter=Q(status=Referral.Status.DECLINED)),
        anonymous=Count("pk", filter=submitted & ANONYMOUS),
    )
    return counts


def caseworkers_for_intake(*, user: User) -> QuerySet[User]:
    """The active caseworkers of the coordinator's NGO, to take an accepted referral."""
    if not permissions.is_intake_coordinator(user) or user.organisation_id is None:
        return User.objects.none()
    return (
        User.objects.filter(
            organisation_id=user.organisation_id, is_active=True, role_grants__role=Role.CASEWORKER
        )
        .order_by(lv_collated("last_name"), lv_collated("first_name"), "username")
        .distinct()
    )


# --- possible duplicates ----------------------------------------------------------------------

# Close spellings (rapidfuzz): a similarity of the normalised names of at least this much (0-100,
# the Indel ratio), or at most this many single-letter edits (Levenshtein).
SIMILARITY_RATIO = 85
MAX_EDITS = 2


def names_close(a: str, b: str) -> bool:
    """Names compared without diacritics and case, also with given and family name swapped."""
    a, b = normalise_name(a), normalise_name(b)
    if not a or not b:
        return False
    swapped = " ".join(reversed(b.split()))
    for other in {b, swapped}:
        if (
            a == other
            or Levenshtein.distance(a, other, score_cutoff=MAX_EDITS) <= MAX_EDITS
            or fuzz.ratio(a, other) >= SIMILARITY_RATIO
        ):
            return True
        # Name by name: Oksana Kovalenko and Oxana Kowalenko differ by three letters in all, but
        # each name is a close spelling of the other.
        mine, theirs = a.split(), other.split()
        if len(mine) == len(theirs) and all(_token_close(x, y) for x, y in zip(mine, theirs, strict=True)):
            return True
    return False


def _token_close(a: str, b: str) -> bool:
    allowed = 1 if min(len(a), len(b)) < 5 else MAX_EDITS
    return Levenshtein.distance(a, b, score_cutoff=allowed) <= allowed


@dataclass
class PossibleDuplicate:
    person: Person
    same_name: bool
    same_date_of_birth: bool
    cases: list[Case]


def referral_possible_duplicates(*, referral: Referral, user: User) -> list[PossibleDuplicate]:
    """People the coordinator's NGO already knows who may be the referred person.

    The same name and date of birth, or a close spelling of the name (Bērziņa, Berzina, Berzins).
    The comparison runs in Python over the names the NGO holds: a national register of victims
    is a few hundred people a year, and edit distance has no index.
    """
    if referral.is_anonymous or not permissions.is_intake_coordinator(user):
        return []
    name = f"{referral.given_name} {referral.family_name}".strip()
    if not name and not referral.other_names:
        return []
    visible = case_visibility_filter(user)
    if visible is None:
        return []
    candidates = (
        Person.objects.filter(pk__in=Case.objects.filter(visible).values("person_id"))
        .only("pk", "given_name", "family_name", "other_names", "date_of_birth")
        .order_by("pk")
    )
    wanted = normalise_name(name)
    found: list[tuple[Person, bool, bool]] = []
    for person in candidates.iterator(chunk_size=2000):
        theirs = normalise_name(f"{person.given_name} {person.family_name}")
        names = [theirs] + [n for n in (person.other_names or "").split(",") if n.strip()]
        close = any(names_close(name, n) for n in names if n) or (
            referral.other_names and names_close(referral.other_names, theirs)
        )
        if not close:
            continue
        same_dob = referral.date_of_birth is not None and referral.date_of_birth == person.date_of_birth
        found.append((person, wanted == theirs, same_dob))
    if not found:
        return []
    people = {p.pk: p for p in Person.objects.filter(pk__in=[p.pk for p, _s, _d in found])}
    cases_by_person: dict[int, list[Case]] = {}
    for case in Case.objects.filter(visible, person_id__in=people).order_by("-opened_on"):
        cases_by_person.setdefault(case.person_id, []).append(case)
    result = [
        PossibleDuplicate(people[p.pk], same_name, same_dob, cases_by_person.get(p.pk, []))
        for p, same_name, same_dob in found
    ]
    # The strongest matches first: the same name and date of birth, then the same name.
    result.sort(
        key=lambda d: (not (d.same_name and d.same_date_of_birth), not d.same_date_of_birth, not d.same_name)
    )
    return result


def case_first_met_on(*, case: Case) -> datetime.date | None:
    """The earliest day a first responder met the person of this case (their referrals' met_on),
    for the rules that nothing about the person can begin before they were met."""
    return (
        Referral.objects.filter(case=case, met_on__isnull=False)
        .order_by("met_on")
        .values_list("met_on", flat=True)
        .first()
    )
