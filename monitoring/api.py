"""The coordinator's figures and the audit trail over the API: the same selectors as the pages.

Out of scope is a 404 like on the pages; a malformed period is a 400 with the form's messages.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from cases import selectors as case_selectors

from . import permissions, selectors, statistics
from .forms import PeriodForm, default_period
from .permissions import Action


class RowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class BreakdownSerializer(serializers.Serializer):
    title = serializers.CharField()
    rows = RowSerializer(many=True)
    extra = serializers.DictField(child=serializers.CharField())


class FiguresSerializer(serializers.Serializer):
    period_from = serializers.DateField()
    period_to = serializers.DateField()
    median_days_to_identification = serializers.FloatField(allow_null=True)
    identifications_timed = serializers.IntegerField()
    headline = serializers.DictField(child=serializers.IntegerField())
    breakdowns = serializers.DictField(child=BreakdownSerializer())


class AuditEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField()
    organisation = serializers.CharField()
    what = serializers.CharField()
    kind = serializers.CharField(help_text="view, download or change")
    details = serializers.ListField(child=serializers.CharField())


def _figures_data(figures: statistics.Figures) -> dict:
    return {
        "period_from": figures.period.start,
        "period_to": figures.period.end,
        "median_days_to_identification": figures.median_days_to_identification,
        "identifications_timed": figures.identifications_timed,
        "headline": figures.headline,
        "breakdowns": {
            key: {
                "title": b.title,
                "rows": [{"key": k, "label": label, "count": n} for k, label, n in b.rows],
                "extra": {name: str(value) for name, value in b.extra.items()},
            }
            for key, b in figures.breakdowns.items()
        },
    }


class FiguresViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="Monitoring figures for a period (national coordinator: all; NGO coordinator: their NGO)",
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First day (default: 1 January this year)"
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)"),
        ],
        responses=FiguresSerializer,
    )
    def list(self, request):
        if not permissions.can(request.user, Action.VIEW_MONITORING):
            raise NotFound
        params = request.query_params
        if "from" in params or "to" in params:
            form = PeriodForm(params)
            if not form.is_valid():
                raise serializers.ValidationError(form.errors)
            period = statistics.Period(form.cleaned_data["from"], form.cleaned_data["to"])
        else:
            period = statistics.Period(*default_period())
        figures = statistics.figures_for_user(user=request.user, period=period)
        return Response(FiguresSerializer(_figures_data(figures)).data)


AUDIT_KIND_UNKNOWN = _("Choose one of: %(kinds)s.")


class AuditTrailPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AuditEntrySerializer(many=True)


AUDIT_API_PAGE_SIZE = 50


class AuditTrailViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="Every view, download and change of a case, newest first, a page at a time (national coordinator)",
        parameters=[
            OpenApiParameter("page", OpenApiTypes.INT, description="Page number (50 entries a page)"),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=list(selectors.AUDIT_KINDS),
                description="Only views, downloads or changes",
            ),
        ],
        responses=AuditTrailPageSerializer,
    )
    def list(self, request, reference: str = ""):
        kind = request.query_params.get("kind", "")
        if kind and kind not in selectors.AUDIT_KINDS:
            raise serializers.ValidationError(
                {"kind": [AUDIT_KIND_UNKNOWN % {"kinds": ", ".join(selectors.AUDIT_KINDS)}]}
            )
        try:
            case = case_selectors.case_get_for_user_or_404(user=request.user, reference=reference)
            # Paged by the database, like the page (monitoring.selectors.case_audit_page).
            page = selectors.case_audit_page(
                user=request.user,
                case=case,
                kind=kind,
                page=request.query_params.get("page"),
                per_page=AUDIT_API_PAGE_SIZE,
            )
        except Http404 as exc:
            raise NotFound from exc

        def link(number: int) -> str:
            return replace_query_param(request.build_absolute_uri(), "page", number)

        return Response(
            AuditTrailPageSerializer(
                {
                    "count": page.paginator.count,
                    "next": link(page.next_page_number()) if page.has_next() else None,
                    "previous": link(page.previous_page_number()) if page.has_previous() else None,
                    "results": page.object_list,
                }
            ).data
        )
