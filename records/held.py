"""What records holds about a resident, for a disclosure request (``people.hooks.resident_data_held``):
every contact with them, city-wide, with what was said and done as recorded (the exact words)."""

from django.utils.translation import gettext as _

from mamoru.lib.held import STAFF, held_datetime, held_field, held_item, held_section

from .fields import CONTACT_FIELDS, MOMENT
from .models import Contact
from .services import contact_snapshot

# Not repeated in each contact: the contact is the requester's.
LEFT_OUT = {"resident"}
STAFF_FIELDS = {"staff", "other_staff"}


def contact_item_key(contact_id: int) -> str:
    return f"records.contact:{contact_id}"


def _fields(contact: Contact) -> list[dict]:
    snapshot = contact_snapshot(contact)
    fields = []
    for spec in CONTACT_FIELDS:
        if spec.name in LEFT_OUT:
            continue
        if spec.kind == MOMENT:
            value = held_datetime(getattr(contact, spec.name))
        else:
            value = snapshot.get(spec.name, "")
        if value in ("", None, []) and spec.name not in ("summary", "words_and_behaviour"):
            continue
        fields.append(held_field(spec.label, value, kind=STAFF if spec.name in STAFF_FIELDS else ""))
    if contact.deleted_at:
        fields.append(held_field(_("削除日時"), contact.deleted_at))
        fields.append(held_field(_("削除理由"), contact.deletion_reason))
    return fields


def resident_data_held(*, actor, resident, **kwargs):
    contacts = (
        Contact.objects.filter(resident=resident)
        .select_related("department", "staff", "resident")
        .prefetch_related("other_staff", "categories")
        .order_by("started_at", "id")
    )
    items = [
        held_item(
            contact_item_key(contact.pk),
            _("対応記録 No.{number}（{started}）{deleted}").format(
                number=contact.number,
                started=held_datetime(contact.started_at),
                deleted=_("【削除済み】") if contact.deleted_at else "",
            ),
            _fields(contact),
        )
        for contact in contacts
    ]
    if not items:
        return None
    return held_section(
        "records.contacts",
        _("対応記録"),
        items,
        order=20,
        note=_("窓口・電話などでの対応の記録です。住民等の発言は記録したとおりに記載しています。"),
    )
