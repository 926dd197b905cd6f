"""What evidence adds to the pages of the apps it builds on, registered in
``EvidenceConfig.ready()``: the evidence list with the form that adds files, on
the contact page and the case page. Reads only."""

from django.conf import settings

from accounts.permissions import handles_contacts
from mamoru.lib.panels import register_panel

from . import permissions, selectors, subjects
from .forms import EvidenceAddForm

# Rows the panel lists; the rest are counted.
PANEL_ROWS = 50


def _panel(request, obj, target: str, **attach):
    evidence = selectors.evidence_for(user=request.user, **attach)
    subject_key = ""
    if target == "subject":
        registration = attach["subject"][0]
        subject_key = registration.key
        may_add = registration.may_add(request.user, obj)
    elif target == "post":
        may_add = permissions.may_add_to_post(request.user, obj) and obj.state != "closed"
    else:
        may_add = permissions.may_add_to(request.user, obj.department_id)
    rows = list(evidence[: PANEL_ROWS + 1])
    if not rows and not may_add:
        return None
    return {
        "obj": obj,
        "target": target,
        "subject_key": subject_key,
        "evidence_list": rows[:PANEL_ROWS],
        "more": len(rows) > PANEL_ROWS,
        "may_add": may_add,
        "add_form": EvidenceAddForm() if may_add else None,
        "evidence_max_bytes": settings.MAMORU_EVIDENCE_MAX_BYTES,
    }


def contact_evidence_panel(*, request, obj):
    """The contact's evidence the user may see, and the form that adds more."""
    return _panel(request, obj, "contact", contact=obj)


def case_evidence_panel(*, request, obj):
    """The case's evidence the user may see, and the form that adds more."""
    return _panel(request, obj, "case", case=obj)


def post_evidence_panel(*, request, obj):
    """An online post's screenshots, saved pages and archives (online stream, issue 15 A)."""
    return _panel(request, obj, "post", post=obj)


def subject_evidence_panel(key: str):
    """The panel context for a registered subject's page (evidence.subjects), for the owning app
    to register on its own page: ``register_panel(..., template="evidence/_evidence_panel.html",
    context=subject_evidence_panel("business_request"))``."""

    def context(*, request, obj):
        registration = subjects.subject_by_key(key)
        if obj is None or registration is None or not registration.may_view(request.user, obj):
            return None
        return _panel(request, obj, "subject", subject=(registration, obj))

    return context


def register() -> None:
    register_panel(
        page="online.post_detail",
        slot="main",
        name="evidence.post_evidence",
        template="evidence/_evidence_panel.html",
        context=post_evidence_panel,
        order=40,
        audience=handles_contacts,
    )
    register_panel(
        page="records.contact_detail",
        slot="main",
        name="evidence.contact_evidence",
        template="evidence/_evidence_panel.html",
        context=contact_evidence_panel,
        order=40,
        audience=handles_contacts,
    )
    register_panel(
        page="cases.case_detail",
        slot="main",
        name="evidence.case_evidence",
        template="evidence/_evidence_panel.html",
        context=case_evidence_panel,
        order=40,
        audience=handles_contacts,
    )
