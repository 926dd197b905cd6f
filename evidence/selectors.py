"""Reading evidence, narrowed to what the user may see (``permissions.may_view``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts import permissions as base

from . import permissions, subjects
from .models import Evidence, Handover


def evidence_visible(*, user) -> QuerySet[Evidence]:
    """Every piece of evidence ``user`` may see (none for the administrator)."""
    evidence = Evidence.objects.select_related("stored_file", "uploaded_by", "department")
    if not base.handles_contacts(user):
        return evidence.none()
    if base.is_specialist(user):
        return evidence
    from online.selectors import post_list

    # An online post's evidence goes to the post's audience, not by department (online.permissions).
    posts = Q(post__in=post_list(user=user).values("pk"))
    # A registered subject's evidence (evidence.subjects) goes to whom its app says.
    others = posts | subjects.visible_condition(user)
    own = Q(post__isnull=True, subject_type__isnull=True)
    if base.is_department_responder(user, user.department_id):
        return evidence.filter((own & (Q(department_id=user.department_id) | Q(uploaded_by=user))) | others)
    return evidence.filter((own & Q(uploaded_by=user)) | others)


def evidence_for(*, user, contact=None, case=None, post=None, subject=None) -> QuerySet[Evidence]:
    """The evidence of a contact, a case, an online post or a registered subject (``subject``:
    ``(Subject, obj)``) that ``user`` may see, deleted ones included (marked)."""
    evidence = evidence_visible(user=user)
    if subject is not None:
        evidence = evidence.filter(**subjects.attach_fields(*subject))
    if post is not None:
        evidence = evidence.filter(post=post)
    if contact is not None:
        evidence = evidence.filter(contact=contact)
    if case is not None:
        evidence = evidence.filter(case=case)
    return evidence


def evidence_get(*, user, pk: int) -> Evidence:
    try:
        evidence = Evidence.objects.select_related("stored_file", "uploaded_by", "department").get(pk=pk)
    except Evidence.DoesNotExist:
        raise Http404(_("証拠が見つかりません。")) from None
    if not permissions.may_view(user, evidence):
        raise Http404(_("証拠が見つかりません。"))
    return evidence


def require_view(user, evidence) -> None:
    if not permissions.may_view(user, evidence):
        raise PermissionDenied(_("この証拠を閲覧する権限がありません。"))


# -- worker stream: recording analysis ---------------------------------------------
def recording_analysis_for(*, user, evidence: Evidence):
    """The analysis of ``evidence``'s recording when ``user`` may see the evidence, else None."""
    from .models import RecordingAnalysis

    if not permissions.may_view(user, evidence):
        return None
    return RecordingAnalysis.objects.filter(stored_file_id=evidence.stored_file_id).first()


def recording_analyses_of_contact(*, user, contact):
    """(evidence, analysis) for each recording of ``contact`` that ``user`` may see and that is analysed."""
    from .choices import AnalysisStatus
    from .models import RecordingAnalysis

    evidence = list(evidence_for(user=user, contact=contact).filter(deleted_at__isnull=True))
    analyses = RecordingAnalysis.objects.filter(
        stored_file_id__in=[item.stored_file_id for item in evidence], status=AnalysisStatus.DONE
    ).in_bulk(field_name="stored_file_id")
    return [(item, analyses[item.stored_file_id]) for item in evidence if item.stored_file_id in analyses]


# --- export stream (issue 14) ---


def evidence_of_case(*, user, case) -> QuerySet[Evidence]:
    """The evidence of a case that ``user`` may see: attached to the case itself or to one
    of its contacts, oldest first (the order of the 証拠一覧 and of the export)."""
    contact_ids = list(case.contacts.values_list("pk", flat=True))
    return (
        evidence_visible(user=user)
        .filter(Q(case=case) | Q(contact_id__in=contact_ids))
        .select_related("contact")
        .order_by("uploaded_at", "id")
    )


def handover_list(*, user, case=None, evidence=None):
    """Hand-overs to the police that ``user`` may see: of a case (only for those who may
    export it), or those that included one piece of evidence ``user`` may see."""
    handovers = Handover.objects.select_related("recorded_by").prefetch_related("evidence")
    if case is not None:
        if not permissions.may_export_case(user, case):
            return handovers.none()
        return handovers.filter(case=case)
    if evidence is not None:
        if not permissions.may_view(user, evidence):
            return handovers.none()
        return handovers.filter(evidence=evidence)
    return handovers.none()
