"""The evidence page's side panel of retention and legal hold (``evidence.evidence_detail``
slot ``side``): until when the file is kept and why, and the hold with its buttons for
those who may set or release it. Reads only."""

from django.utils import timezone

from . import permissions
from .choices import HoldGround
from .retention import retention_of


def retention_panel(*, request, obj):
    evidence = obj
    if evidence is None or not permissions.may_view(request.user, evidence):
        return None
    retention = retention_of(evidence)
    return {
        "evidence": evidence,
        "retention": retention,
        "expired": retention.expired(timezone.now()),
        "may_manage": permissions.may_manage(request.user, evidence),
        "grounds": HoldGround.choices,
        # A stored value the choices no longer know is shown as it is (never a 500).
        "ground_label": dict(HoldGround.choices).get(evidence.legal_hold_ground, evidence.legal_hold_ground),
    }
