"""Demo data for the course and its limits, and one run of the daily job so that its alerts show
after `make run`:

- 'marija' (a minor, caseworker): a course at day 55 with a plan and consultations, a family
  member with a consultation, and 148.00 of 150 court-support hours (the browser journey logs 2.00
  more and is refused 0.25);
- 'ahmed' (caseworker and caseworker2): a course at day 175, so its 14-day warning is raised
  ('lan' was opened only 170 days ago and identified 160 days ago: a course there cannot be at day
  175 without starting before the case existed);
- 'lan' (caseworker2): a course at day 150.
The reflection period ending in 3 days is the identification app's ('oksana'); the job raises its
warning here.

Idempotent: a case that already has a course or court-support entries is left alone, and the job
raises nothing twice.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from cases import services as case_services
from cases.models import Case

from . import jobs, services
from .models import CourtSupportEntry, RehabilitationCourse


def _course(case, actor, start):
    """Started through the service, as the caseworker's click would."""
    return services.course_start(case=case, start_date=start, actor=actor)


def load(state: dict) -> None:
    cases, users, today = state["cases"], state["users"], state["today"]
    caseworker, caseworker2 = users["caseworker"], users["caseworker2"]
    days = lambda n: today - datetime.timedelta(days=n)  # noqa: E731

    # Every entry through its service, as the caseworker's forms would record it.
    marija = cases.get("marija")
    if marija is not None and not RehabilitationCourse.objects.filter(case=marija).exists():
        _course(marija, caseworker, days(54))
        services.plan_save(
            case=marija,
            goals="Drošs mājoklis, skolas turpināšana, psiholoģiskais atbalsts.",
            planned={"social_worker": 10, "psychologist": 12, "lawyer": 4, "medical": 2},
            actor=caseworker,
        )
        for n, (specialist, hours, notes) in enumerate(
            [
                ("social_worker", "1.50", "Pirmā tikšanās pēc identifikācijas."),
                ("psychologist", "1.00", "Stabilizācija; miega grūtības."),
                ("lawyer", "2.00", "Tiesības kriminālprocesā izskaidrotas."),
            ]
        ):
            services.course_service_log(
                case=marija,
                date=days(50 - 10 * n),
                specialist=specialist,
                hours=Decimal(hours),
                notes=notes,
                actor=caseworker,
            )
        mother = services.family_member_add(
            case=marija, given_name="Inga", family_name="Ozoliņa", relationship="māte", actor=caseworker
        )
        services.family_consultation_log(
            case=marija,
            family_member=mother,
            date=days(30),
            specialist="psychologist",
            notes="Atbalsts ģimenei.",
            actor=caseworker,
        )
    if marija is not None and not CourtSupportEntry.objects.filter(case=marija).exists():
        # 148.00 hours over the proceedings: nine long days in court and a last entry of 13.00.
        for n in range(10):
            services.court_support_log(
                case=marija,
                date=days(52 - 4 * n),
                hours=Decimal("15.00" if n < 9 else "13.00"),
                activity="Pavadīšana uz tiesas sēdi un sagatavošanās",
                actor=caseworker,
            )

    ahmed = cases.get("ahmed")
    if ahmed is not None and not RehabilitationCourse.objects.filter(case=ahmed).exists():
        _course(ahmed, caseworker, days(174))
        services.course_service_log(
            case=ahmed,
            date=days(170),
            specialist="social_worker",
            hours=Decimal("2.00"),
            notes="Vajadzību izvērtējums.",
            actor=caseworker,
        )

    lan = cases.get("lan")
    if lan is not None and not RehabilitationCourse.objects.filter(case=lan).exists():
        _course(lan, caseworker2, days(149))
        services.course_service_log(
            case=lan,
            date=days(140),
            specialist="psychologist",
            hours=Decimal("1.00"),
            notes="Konsultācija ar tulku.",
            actor=caseworker2,
        )

    inese = cases.get("inese")
    if inese is not None and not RehabilitationCourse.objects.filter(case=inese).exists():
        # A completed course, one post-course consultation, and the coordinator's decision that the
        # rest of the case is done: it waits in the post-course follow-up (docs/lifecycle.md).
        course = _course(inese, caseworker, days(400))
        services.course_end(case=inese, ended_on=course.last_day, status="completed", actor=caseworker)
        services.post_course_consultation_log(
            case=inese,
            date=days(150),
            specialist="psychologist",
            notes="Pārbaude pēc kursa; stabila.",
            actor=caseworker,
        )
        case_services.case_move_to_stage(
            case=inese,
            stage=Case.Stage.FOLLOW_UP,
            actor=users["coordinator"],
            reason="Kurss pabeigts; atlikušas tikai konsultācijas pēc kursa.",
        )

    jobs.enforce_limits(today=today)
