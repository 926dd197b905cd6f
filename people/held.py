"""What people holds about a resident, for a disclosure request (``hooks.resident_data_held``):
the registered details, the records merged into them (名寄せ), and who read or changed them (the
audit entries about the resident)."""

from django.utils.translation import gettext as _

from audit.selectors import audit_entry_list
from mamoru.lib.held import STAFF, held_field, held_item, held_section

from .models import Resident, ResidentMerge

# The fields a correction (訂正請求) may change through ``services.resident_update``, by label.
CORRECTABLE_FIELDS = {"name": _("氏名"), "name_kana": _("氏名（かな）"), "address": _("住所"), "notes": _("備考")}


def resident_item_key(resident: Resident) -> str:
    return f"people.resident:{resident.pk}"


def resident_data_held(*, actor, resident: Resident, **kwargs):
    resident = Resident.objects.prefetch_related("phones").get(pk=resident.pk)
    details = held_item(
        resident_item_key(resident),
        _("登録されている情報"),
        [
            held_field(_("氏名"), resident.name),
            held_field(_("氏名（かな）"), resident.name_kana),
            held_field(_("住所"), resident.address),
            held_field(_("電話番号"), "、".join(phone.number for phone in resident.phones.all())),
            held_field(_("備考"), resident.notes),
            held_field(_("登録日時"), resident.created_at),
            held_field(_("更新日時"), resident.updated_at),
        ],
    )
    merges = [
        held_item(
            f"people.residentmerge:{merge.pk}",
            _("別に登録されていた記録の統合（名寄せ）"),
            [
                held_field(_("統合日時"), merge.merged_at),
                held_field(_("統合された記録の氏名"), merge.source.name),
                held_field(_("統合の理由"), merge.reason),
                held_field(_("統合した職員"), merge.merged_by.display_name, kind=STAFF),
            ],
        )
        for merge in ResidentMerge.objects.filter(target=resident, undone_at__isnull=True).select_related(
            "source", "merged_by"
        )
    ]
    entries = audit_entry_list(user=actor, object_type="people.resident", object_id=str(resident.pk)).order_by("id")
    history = [
        held_item(
            f"audit.auditentry:{entry.pk}",
            entry.action_label,
            [held_field(_("日時"), entry.created_at), held_field(_("職員"), entry.actor_name, kind=STAFF)],
        )
        for entry in entries
    ]
    sections = [held_section("people.resident", _("住民等として登録されている情報"), [details, *merges], order=10)]
    if history:
        sections.append(
            held_section(
                "people.resident_audit",
                _("登録情報の閲覧・変更の記録"),
                history,
                order=90,
                note=_("この住民等の登録情報を閲覧・変更した記録（監査ログ）です。"),
            )
        )
    return sections
