"""Thin views: selector -> permission -> form -> service -> redirect with a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.pages import form_page, page_memo
from cases.pagination import window
from services import selectors as services_selectors

from . import limits, permissions, selectors, services
from .forms import (
    CourseEndForm,
    CourseServiceForm,
    CourseStartForm,
    CourtSupportForm,
    FamilyConsultationForm,
    FamilyMemberForm,
    MaterialAssistanceForm,
    PlanForm,
    PostCourseConsultationForm,
)
from .permissions import Action


def _case(request, reference: str, action: str | None = None):
    case = selectors.rehabilitation_case_for_user_or_404(user=request.user, reference=reference)
    if action is not None and not permissions.can(request.user, action, case):
        raise PermissionDenied
    return case


# --- sections of the case page and the dashboard ----------------------------------------------


def _entitlements(request, case):
    # Both sections show them; computed once per request.
    cache = request.__dict__.setdefault("_rehabilitation_entitlements", {})
    if case.pk not in cache:
        # The services section shows the reflection period too: read once (cases.pages.page_memo).
        cache[case.pk] = selectors.entitlements_for_case(
            case=case,
            reflection_of=lambda: page_memo(
                request,
                f"reflection:{case.pk}",
                lambda: services_selectors.reflection_period_view(case=case),
            ),
        )
    return cache[case.pk]


def entitlements_section_context(request, case) -> dict | None:
    if not permissions.can(request.user, Action.VIEW, case):
        return None
    e = _entitlements(request, case)
    return {
        "case": case,
        "e": e,
        "court_hours_remaining": limits.hours_display(e.court_hours_remaining),
        "court_hours_used": limits.hours_display(e.court_hours_used),
        "court_hours_limit": limits.hours_display(e.court_hours_limit),
        "court_hours_used_raw": limits.hours_text(e.court_hours_used),
        "court_hours_limit_raw": limits.hours_text(e.court_hours_limit),
    }


def case_section_context(request, case) -> dict | None:
    user = request.user
    if not permissions.can(user, Action.VIEW, case):
        return None
    entitlements = _entitlements(request, case)
    course = entitlements.course.course if entitlements.course else None
    can_record = permissions.can(user, Action.RECORD, case)
    plan = getattr(course, "plan", None) if course else None
    return {
        "case": case,
        "e": entitlements,
        "course": course,
        "plan": plan,
        "progress": selectors.plan_progress(course=course, plan=plan) if course else [],
        # Each table a page at a time, with its own parameter (cases.pagination.window).
        "services": window(
            request, selectors.course_services(course=course), param="services_page", anchor="services-h"
        )
        if course
        else [],
        "material": window(
            request,
            selectors.material_assistance_list(course=course),
            param="material_page",
            anchor="material-h",
        )
        if course
        else [],
        "post_course": window(
            request,
            selectors.post_course_consultations(course=course),
            param="post_course_page",
            anchor="post-course-h",
        )
        if course
        else [],
        "family_members": list(selectors.family_members(case=case)),
        "family_consultations": window(
            request, selectors.family_consultations(case=case), param="family_page", anchor="family-h"
        ),
        "court_entries": window(
            request, selectors.court_support_entries(case=case), param="court_page", anchor="court-h"
        ),
        "can_record": can_record,
        "court_hours_used_up": entitlements.court_hours_remaining <= 0,
        "can_view_notes": permissions.can(user, Action.VIEW_NOTES, case),
        "identified": case.victim_status == case.VictimStatus.IDENTIFIED,
        # One course per identification: no "Start the course" once it was given.
        "can_start_course": case.victim_status == case.VictimStatus.IDENTIFIED
        and (
            course is None
            or (not course.is_active and selectors.course_of_current_identification(case=case) is None)
        ),
    }


def alerts_section_context(request, case) -> dict | None:
    if not permissions.can(request.user, Action.VIEW, case):
        return None
    alerts = selectors.alerts_for_case(case=case)
    if not alerts:
        return None
    return {
        "case": case,
        "alerts": alerts,
        "can_acknowledge": permissions.can(request.user, Action.ACKNOWLEDGE_ALERT, case),
    }


def alerts_panel_context(request) -> dict | None:
    alerts = selectors.open_alerts_for_user(user=request.user)
    if alerts is None:
        return None
    return {"alerts": list(alerts)}


# --- form pages -------------------------------------------------------------------------------


def _form_page(
    request,
    case,
    form,
    *,
    title,
    call,
    success,
    template="rehabilitation/form.html",
    extra=None,
    anchor="course-h",
):
    return form_page(
        request,
        form=form,
        save=lambda: call(form),
        template=template,
        context={"case": case, "title": title, **(extra or {})},
        success=success,
        # Back to the section that was changed.
        done_url=f"{case.get_absolute_url()}#{anchor}",
    )


@login_required
def course_start(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = CourseStartForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("Start the rehabilitation course"),
        call=lambda f: services.course_start(case=case, actor=request.user, **f.cleaned_data),
        success=_("The course has started; it may last 180 days."),
    )


@login_required
def course_end(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = CourseEndForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("End the rehabilitation course"),
        call=lambda f: services.course_end(case=case, actor=request.user, **f.cleaned_data),
        success=_("The course was ended."),
    )


@login_required
def plan_edit(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    course = selectors.course_current(case=case)
    plan = getattr(course, "plan", None) if course else None
    initial = None
    if plan is not None:
        initial = {
            "goals": plan.goals,
            **{name: plan.planned()[kind] for kind, name in PlanForm.KINDS.items()},
        }
    form = PlanForm(request.POST or None, initial=initial)
    return _form_page(
        request,
        case,
        form,
        title=_("Client rehabilitation plan"),
        call=lambda f: services.plan_save(case=case, actor=request.user, **f.service_kwargs()),
        success=_("The plan was saved."),
    )


@login_required
def course_service_add(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = CourseServiceForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("Log a consultation or service"),
        call=lambda f: services.course_service_log(case=case, actor=request.user, **f.cleaned_data),
        success=_("The consultation was logged."),
    )


@login_required
def material_assistance_add(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = MaterialAssistanceForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("Record material assistance"),
        call=lambda f: services.material_assistance_log(case=case, actor=request.user, **f.cleaned_data),
        success=_("The material assistance was recorded."),
    )


@login_required
def post_course_consultation_add(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = PostCourseConsultationForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("Log a post-course consultation"),
        call=lambda f: services.post_course_consultation_log(case=case, actor=request.user, **f.cleaned_data),
        success=_("The post-course consultation was logged."),
    )


@login_required
def family_member_add(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = FamilyMemberForm(request.POST or None)
    return _form_page(
        request,
        case,
        form,
        title=_("Record a family member"),
        call=lambda f: services.family_member_add(case=case, actor=request.user, **f.cleaned_data),
        success=_("The family member was recorded."),
        anchor="family-h",
    )


@login_required
def family_consultation_add(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = FamilyConsultationForm(request.POST or None, members=selectors.family_members(case=case))
    return _form_page(
        request,
        case,
        form,
        title=_("Log a family consultation"),
        call=lambda f: services.family_consultation_log(case=case, actor=request.user, **f.cleaned_data),
        success=_("The family consultation was logged."),
        anchor="family-h",
    )


@login_required
def court_support_add(request, reference: str):
    case = _case(request, reference, Action.RECORD)
    form = CourtSupportForm(request.POST or None)
    e = selectors.entitlements_for_case(case=case)
    return _form_page(
        request,
        case,
        form,
        title=_("Log court support"),
        call=lambda f: services.court_support_log(case=case, actor=request.user, **f.cleaned_data),
        success=_("The court-support hours were logged."),
        extra={
            "intro": gettext_lazy("%(remaining)s of %(limit)s hours of court support remain.")
            % {
                "remaining": limits.hours_display(e.court_hours_remaining),
                "limit": limits.hours_display(e.court_hours_limit),
            }
        },
        anchor="court-h",
    )


@require_POST
@login_required
def alert_acknowledge(request, pk: int):
    alert = selectors.alert_get_for_user_or_404(user=request.user, pk=pk)
    try:
        services.alert_acknowledge(alert=alert, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The alert was acknowledged."))
    if request.POST.get("next") == "dashboard":
        return redirect("dashboard")
    return redirect(alert.case.get_absolute_url() + "#alerts-h")
