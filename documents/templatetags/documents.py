"""Documents shown on other apps' pages without those apps importing this one: the ground
document beside an identification proposal, the files shared with a partner."""

from django import template

from .. import permissions, selectors
from ..models import RecordKind
from ..permissions import Action

register = template.Library()


@register.inclusion_tag("documents/_record_documents.html", takes_context=True)
def record_documents(context, case, kind, record_id, heading="", compact=False):
    """The active documents of one record of the case, with a link to attach one (compact: only
    the links to the files, inside another card)."""
    user = context["request"].user
    if not permissions.can(user, Action.VIEW, case):
        return {"visible": False}
    documents = list(selectors.document_list_for_record(case=case, kind=kind, record_id=record_id))
    record = kind if record_id is None else f"{kind}:{record_id}"
    return {
        "visible": True,
        "case": case,
        "documents": documents,
        "heading": heading,
        "compact": compact,
        "record": record,
        "is_identification": kind == RecordKind.IDENTIFICATION,
        "can_attach": permissions.can(user, Action.ATTACH, case),
        "next": context["request"].get_full_path(),
    }


@register.inclusion_tag("documents/_shared_documents.html", takes_context=True)
def shared_documents(context, referral):
    """The documents the NGO shared with this onward referral, for the partner's narrow view."""
    user = context["request"].user
    return {"documents": selectors.document_shared_with_referral(user=user, referral=referral)}
