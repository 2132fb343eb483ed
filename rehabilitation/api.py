"""The course, consultations and court support under /api/v1/cases/<reference>/...: the same
selectors, services and messages as the pages. A refused rule is a 400 carrying the service's
message; out of scope is a 404; a role that may not write gets a 403.

Also the `entitlements` key of GET /api/v1/cases/<reference>/ (registered through
cases.sections.register_case_api_extra, so that cases/ does not import this app)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cases.drf import VOID_FIELDS, CaseNestedMixin

from . import limits, permissions, selectors, services
from .models import (
    CourseService,
    CourtSupportEntry,
    FamilyConsultation,
    FamilyMember,
    MaterialAssistance,
    PostCourseConsultation,
    RehabilitationCourse,
    RehabilitationPlan,
    SpecialistKind,
)
from .permissions import Action

REFERENCE = OpenApiParameter(
    "reference", str, OpenApiParameter.PATH, description="The case reference, e.g. NRM-2026-0042."
)


class HoursField(serializers.DecimalField):
    """Hours as a decimal string with two decimals ("148.00")."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=5, decimal_places=2, coerce_to_string=True, **kwargs)


# --- entitlements -----------------------------------------------------------------------------


class CourseEntitlementSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    last_day = serializers.DateField()
    days_used = serializers.IntegerField()
    days_remaining = serializers.IntegerField()
    days_limit = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RehabilitationCourse.Status.choices)


class CourtSupportEntitlementSerializer(serializers.Serializer):
    hours_used = HoursField()
    hours_remaining = HoursField()
    hours_limit = HoursField()


class CountEntitlementSerializer(serializers.Serializer):
    used = serializers.IntegerField()
    limit = serializers.IntegerField()


class PostCourseEntitlementSerializer(CountEntitlementSerializer):
    last_day = serializers.DateField(
        allow_null=True, help_text="The last day a post-course consultation may be dated."
    )


class ReflectionEntitlementSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    last_day = serializers.DateField()
    days_remaining = serializers.IntegerField()
    status = serializers.CharField()


class EntitlementsSerializer(serializers.Serializer):
    """What the state pays for, consumed and remaining (source="*": it receives the case)."""

    course = CourseEntitlementSerializer(allow_null=True)
    court_support = CourtSupportEntitlementSerializer()
    post_course_consultations = PostCourseEntitlementSerializer()
    family_consultations = CountEntitlementSerializer()
    reflection_period = ReflectionEntitlementSerializer(allow_null=True)

    def to_representation(self, case):
        request = self.context.get("request")
        if request is None or not permissions.can(request.user, Action.VIEW, case):
            return None
        e = selectors.entitlements_for_case(case=case)
        course = None
        if e.course is not None:
            course = {
                "start_date": e.course.start_date.isoformat(),
                "last_day": e.course.last_day.isoformat(),
                "days_used": e.course.days_used,
                "days_remaining": e.course.days_remaining,
                "days_limit": e.course.days_limit,
                "status": e.course.status,
            }
        reflection = None
        if e.reflection is not None:
            reflection = {
                "start_date": e.reflection.period.start_date.isoformat(),
                "last_day": e.reflection.last_day.isoformat(),
                "days_remaining": e.reflection.days_remaining,
                "status": e.reflection.period.status,
            }
        return {
            "course": course,
            "court_support": {
                "hours_used": limits.hours_text(e.court_hours_used),
                "hours_remaining": limits.hours_text(e.court_hours_remaining),
                "hours_limit": limits.hours_text(e.court_hours_limit),
            },
            "post_course_consultations": {
                "used": e.post_course_used,
                "limit": e.post_course_limit,
                "last_day": e.post_course_last_day.isoformat() if e.post_course_last_day else None,
            },
            "family_consultations": {"used": e.family_used, "limit": e.family_limit},
            "reflection_period": reflection,
        }


def entitlements_field():
    return EntitlementsSerializer(source="*", read_only=True, allow_null=True)


# --- serializers of the entries ---------------------------------------------------------------


class _NotesHidden:
    """Drops `notes` for a reader who may not see consultation notes (the national coordinator)."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("can_view_notes"):
            data.pop("notes", None)
        return data


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = RehabilitationCourse
        fields = ["id", "start_date", "last_day", "status", "ended_on", "end_reason"]
        read_only_fields = fields


class CourseStartSerializer(serializers.Serializer):
    start_date = serializers.DateField()


class CourseEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField()
    status = serializers.ChoiceField(
        choices=[RehabilitationCourse.Status.COMPLETED, RehabilitationCourse.Status.ENDED_EARLY]
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


def _planned(source: str, who: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        source=source,
        min_value=0,
        max_value=services.PLAN_MAX_PLANNED,
        help_text=f"Planned consultations with the {who}.",
    )


class PlanSerializer(serializers.ModelSerializer):
    """The client rehabilitation plan: its goals and the consultations planned per specialist."""

    social_worker = _planned("planned_social_worker", "social worker")
    psychologist = _planned("planned_psychologist", "psychologist")
    lawyer = _planned("planned_lawyer", "lawyer")
    medical = _planned("planned_medical", "medical practitioner")
    other = _planned("planned_other", "other specialist")

    class Meta:
        model = RehabilitationPlan
        fields = ["id", "goals", "social_worker", "psychologist", "lawyer", "medical", "other", *VOID_FIELDS]
        read_only_fields = ["id"]


class CourseServiceSerializer(_NotesHidden, serializers.ModelSerializer):
    hours = HoursField()
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Not shown to the national coordinator."
    )

    class Meta:
        model = CourseService
        fields = ["id", "date", "specialist", "hours", "notes", *VOID_FIELDS]
        read_only_fields = ["id"]


class MaterialAssistanceSerializer(serializers.ModelSerializer):
    amount_eur = serializers.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        model = MaterialAssistance
        fields = ["id", "date", "description", "amount_eur", *VOID_FIELDS]
        read_only_fields = ["id"]
        validators = []


class PostCourseConsultationSerializer(_NotesHidden, serializers.ModelSerializer):
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Not shown to the national coordinator."
    )
    hours = serializers.SerializerMethodField()

    class Meta:
        model = PostCourseConsultation
        fields = ["id", "date", "specialist", "hours", "notes", *VOID_FIELDS]
        read_only_fields = ["id", "hours"]

    def get_hours(self, obj) -> str:
        return limits.hours_text(PostCourseConsultation.HOURS)


class FamilyMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyMember
        fields = ["id", "given_name", "family_name", "relationship"]
        read_only_fields = ["id"]


class FamilyConsultationSerializer(_NotesHidden, serializers.ModelSerializer):
    family_member = serializers.IntegerField(source="family_member_id")
    specialist = serializers.ChoiceField(choices=SpecialistKind.choices)
    notes = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Not shown to the national coordinator."
    )

    class Meta:
        model = FamilyConsultation
        fields = ["id", "family_member", "date", "specialist", "notes", *VOID_FIELDS]
        read_only_fields = ["id"]


class CourtSupportSerializer(serializers.ModelSerializer):
    hours = HoursField(
        help_text="In quarter hours (0.25 steps), more than zero; the case's total stays within 150.00."
    )

    class Meta:
        model = CourtSupportEntry
        fields = ["id", "date", "hours", "activity", *VOID_FIELDS]
        read_only_fields = ["id"]
        validators = []


# --- viewsets ---------------------------------------------------------------------------------


class RehabilitationCaseMixin(CaseNestedMixin):
    case_selector = selectors.rehabilitation_case_for_user_or_404

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "reference" in self.kwargs:
            context["can_view_notes"] = permissions.can(self.request.user, Action.VIEW_NOTES, self.get_case())
        return context

    def list(self, request, *args, **kwargs):
        self.record_read()
        return super().list(request, *args, **kwargs)

    def _create(self, request, call, out_serializer=None):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = call(dict(data.validated_data))
        out = (out_serializer or self.get_serializer_class())(obj, context=self.get_serializer_context())
        return Response(out.data, status=status.HTTP_201_CREATED)


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(summary="The rehabilitation courses of a case, newest first"),
    create=extend_schema(
        summary="Start the course (an identified victim; one active course)",
        request=CourseStartSerializer,
        responses={201: CourseSerializer},
    ),
)
class CourseViewSet(RehabilitationCaseMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CourseSerializer

    def get_queryset(self):
        return RehabilitationCourse.objects.filter(case=self.get_case()).order_by("-start_date", "-pk")

    def get_serializer_class(self):
        if self.action == "create":
            return CourseStartSerializer
        if self.action == "end":
            return CourseEndSerializer
        return CourseSerializer

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        return self._create(
            request,
            lambda d: services.course_start(case=case, actor=request.user, **d),
            out_serializer=CourseSerializer,
        )

    @extend_schema(
        summary="End the active course: completed, or ended early with a reason",
        request=CourseEndSerializer,
        responses=CourseSerializer,
    )
    @action(detail=False, methods=["post"])
    def end(self, request, *args, **kwargs):
        case = self.get_case()
        data = CourseEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        course = services.course_end(case=case, actor=request.user, **data.validated_data)
        return Response(CourseSerializer(course).data)


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(summary="The consultations and services of the current course"),
    create=extend_schema(summary="Log a consultation or service (dated within the course's 180 days)"),
)
class CourseServiceViewSet(RehabilitationCaseMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CourseServiceSerializer

    def get_queryset(self):
        course = selectors.course_current(case=self.get_case())
        return selectors.course_services(course=course) if course else CourseService.objects.none()

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        return self._create(
            request, lambda d: services.course_service_log(case=case, actor=request.user, **d)
        )


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(summary="The material assistance of the current course"),
    create=extend_schema(summary="Record material assistance (dated within the course)"),
)
class MaterialAssistanceViewSet(RehabilitationCaseMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MaterialAssistanceSerializer

    def get_queryset(self):
        course = selectors.course_current(case=self.get_case())
        return (
            selectors.material_assistance_list(course=course) if course else MaterialAssistance.objects.none()
        )

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        return self._create(
            request, lambda d: services.material_assistance_log(case=case, actor=request.user, **d)
        )


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(summary="The post-course consultations (at most 5, within 2 years after the course)"),
    create=extend_schema(summary="Log a one-hour post-course consultation"),
)
class PostCourseConsultationViewSet(RehabilitationCaseMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PostCourseConsultationSerializer

    def get_queryset(self):
        course = selectors.course_current(case=self.get_case())
        return (
            selectors.post_course_consultations(course=course)
            if course
            else PostCourseConsultation.objects.none()
        )

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        return self._create(
            request, lambda d: services.post_course_consultation_log(case=case, actor=request.user, **d)
        )


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(summary="The victim's family members recorded for family consultations"),
    create=extend_schema(summary="Record a family member"),
)
class FamilyMemberViewSet(RehabilitationCaseMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = FamilyMemberSerializer

    def get_queryset(self):
        return selectors.family_members(case=self.get_case())

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        return self._create(request, lambda d: services.family_member_add(case=case, actor=request.user, **d))


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(
        summary="The family consultations (at most 5, for a victim under 18 at identification)"
    ),
    create=extend_schema(summary="Log a family consultation"),
)
class FamilyConsultationViewSet(RehabilitationCaseMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = FamilyConsultationSerializer

    def get_queryset(self):
        return selectors.family_consultations(case=self.get_case())

    def create(self, request, *args, **kwargs):
        case = self.get_case()

        def call(d):
            member = selectors.family_members(case=case).filter(pk=d.pop("family_member_id")).first()
            if member is None:
                raise DjangoValidationError({"family_member": services.FAMILY_MEMBER_NOT_OF_CASE})
            return services.family_consultation_log(case=case, family_member=member, actor=request.user, **d)

        return self._create(request, call)


@extend_schema(parameters=[REFERENCE])
@extend_schema_view(
    list=extend_schema(summary="The court-support entries of a case"),
    create=extend_schema(summary="Log hours of court support (quarter hours; at most 150.00 per case)"),
)
class CourtSupportViewSet(RehabilitationCaseMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = CourtSupportSerializer

    def get_queryset(self):
        return selectors.court_support_entries(case=self.get_case())

    def create(self, request, *args, **kwargs):
        case = self.get_case()
        return self._create(request, lambda d: services.court_support_log(case=case, actor=request.user, **d))
