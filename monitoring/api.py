"""The coordinator's figures and the audit trail over the API: the same selectors as the pages.

Out of scope is a 404 like on the pages; a malformed period is a 400 with the form's messages.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

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


class AuditTrailViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="Every view, download and change of a case (national coordinator)",
        responses=AuditEntrySerializer(many=True),
    )
    def list(self, request, reference: str = ""):
        try:
            case = case_selectors.case_get_for_user_or_404(user=request.user, reference=reference)
            entries = selectors.case_audit_trail(user=request.user, case=case)
        except Http404 as exc:
            raise NotFound from exc
        return Response(AuditEntrySerializer(entries, many=True).data)
