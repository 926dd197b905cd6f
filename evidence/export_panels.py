"""Panels of the export stream, registered in ``EvidenceConfig.ready()``: on the case
page, the export (ZIP, 証拠一覧) and the hand-overs to the police; on the evidence
page, where that file was handed over. Reads only."""

from accounts.permissions import handles_contacts
from mamoru.lib.panels import register_panel

from . import permissions, selectors


def case_export_panel(*, request, obj):
    """For those who may export the case: its hand-overs and the export buttons, once it has evidence."""
    if not permissions.may_export_case(request.user, obj):
        return None
    handovers = list(selectors.handover_list(user=request.user, case=obj))
    if not handovers and not selectors.evidence_of_case(user=request.user, case=obj).exists():
        return None
    return {"case": obj, "handovers": handovers}


def evidence_handovers_panel(*, request, obj):
    """The hand-overs to the police that included this file (nothing when there are none)."""
    handovers = list(selectors.handover_list(user=request.user, evidence=obj))
    if not handovers:
        return None
    return {"evidence": obj, "handovers": handovers}


def register() -> None:
    register_panel(
        page="cases.case_detail",
        slot="main",
        name="evidence.case_export",
        template="evidence/_case_handovers.html",
        context=case_export_panel,
        order=45,
        audience=handles_contacts,
    )
    register_panel(
        page="evidence.evidence_detail",
        slot="side",
        name="evidence.evidence_handovers",
        template="evidence/_evidence_handovers.html",
        context=evidence_handovers_panel,
        order=50,
        audience=handles_contacts,
    )
