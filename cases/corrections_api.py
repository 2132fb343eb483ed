"""The API of cases.corrections: POST /api/v1/entries/<kind>/<pk>/correct/ and .../void/, one
route per registered kind (each with its own request body in the OpenAPI schema), over the same
scoped selectors, permissions and services as the pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .corrections import REASON_MAX, CorrectableKind, kinds

PK = OpenApiParameter("pk", int, OpenApiParameter.PATH, description="The entry's id.")


class EntryVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX, help_text="Why the entry is void; it stays in the history and counts no more."
    )


def _correction_serializer(kind: CorrectableKind) -> type[serializers.Serializer]:
    base = kind.serializer_class
    name = base.__name__.removesuffix("Serializer")
    meta = type("Meta", (base.Meta,), {"fields": [*base.Meta.fields, "reason"]})
    return type(
        f"{name}CorrectionSerializer",
        (base,),
        {
            "reason": serializers.CharField(
                max_length=REASON_MAX, write_only=True, help_text="Why the entry is corrected."
            ),
            "Meta": meta,
            "__doc__": f"The fields to correct (any of them) and the reason: {kind.label}.",
        },
    )


def viewset_for(kind: CorrectableKind) -> type[viewsets.GenericViewSet]:
    correction = _correction_serializer(kind)

    class EntryViewSet(viewsets.GenericViewSet):
        serializer_class = kind.serializer_class
        lookup_value_regex = r"[0-9]+"

        def get_serializer_context(self):
            # Only whoever may write the entry gets here, and they may read all of it.
            return {**super().get_serializer_context(), "can_view_notes": True}

        def _entry(self):
            entry = kind.get_for_user_or_404(user=self.request.user, pk=int(self.kwargs["pk"]))
            if not kind.can_write(self.request.user, entry):
                raise PermissionDenied
            return entry

        @extend_schema(
            summary=f"Correct an entry ({kind.label}) with a reason; the rules are checked again",
            parameters=[PK],
            request=correction,
            responses=kind.serializer_class,
        )
        @action(detail=True, methods=["post"])
        def correct(self, request, pk=None):
            entry = self._entry()
            data = correction(
                instance=entry, data=request.data, partial=True, context=self.get_serializer_context()
            )
            data.is_valid(raise_exception=True)
            given = dict(data.validated_data)
            reason = given.pop("reason", "")
            values = {**kind.initial(entry), **kind.from_api(entry, given)}
            entry = kind.correct(entry=entry, actor=request.user, reason=reason, **values)
            return Response(kind.serializer_class(entry, context=self.get_serializer_context()).data)

        @extend_schema(
            summary=f"Void an entry ({kind.label}) with a reason; it no longer counts toward its limit",
            parameters=[PK],
            request=EntryVoidSerializer,
            responses=kind.serializer_class,
        )
        @action(detail=True, methods=["post"])
        def void(self, request, pk=None):
            entry = self._entry()
            data = EntryVoidSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            entry = kind.void(entry=entry, actor=request.user, reason=data.validated_data["reason"])
            return Response(kind.serializer_class(entry, context=self.get_serializer_context()).data)

    EntryViewSet.__name__ = f"{kind.model.__name__}EntryViewSet"
    EntryViewSet.__qualname__ = EntryViewSet.__name__
    return EntryViewSet


def register_routes(router) -> None:
    for kind in kinds():
        router.register(f"entries/{kind.slug}", viewset_for(kind), basename=f"entry-{kind.slug}")
