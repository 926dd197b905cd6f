"""Changing which policy pack is in force (administrators only)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record

from .loader import reset_cache
from .models import PolicyPackRevision
from .schema import parse_pack


def policy_pack_activate(*, actor, source: str) -> PolicyPackRevision:
    """Validate an uploaded pack and make it the one in force.

    Raises PolicyPackError (naming the bad field) for an invalid pack."""
    if not actor.is_administrator:
        raise PermissionDenied(_("ポリシーパックを変更できるのはシステム管理者のみです。"))
    pack = parse_pack(source)
    with transaction.atomic():
        PolicyPackRevision.objects.filter(is_active=True).update(is_active=False)
        revision = PolicyPackRevision.objects.create(
            code=pack.code, title=pack.title, source=source, is_active=True, uploaded_by=actor
        )
        audit_record(actor=actor, action="policy.pack.activated", obj=revision, after={"code": pack.code})
    reset_cache()
    return revision


def policy_pack_revert_to_file(*, actor) -> None:
    """Deactivate every uploaded pack, so the pack file is in force again."""
    if not actor.is_administrator:
        raise PermissionDenied(_("ポリシーパックを変更できるのはシステム管理者のみです。"))
    with transaction.atomic():
        for revision in PolicyPackRevision.objects.filter(is_active=True):
            revision.is_active = False
            revision.save(update_fields=["is_active"])
            audit_record(actor=actor, action="policy.pack.deactivated", obj=revision)
    reset_cache()
