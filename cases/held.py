"""What cases holds about a resident, for a disclosure request (``people.hooks.resident_data_held``):
the cases (事案) about them with their timelines. Staff care (職員のケア) is about staff, not the
resident, and is not answered."""

from django.utils.translation import gettext as _

from mamoru.lib.held import STAFF, held_field, held_item, held_section

from .models import Case
from .selectors import event_label


def resident_data_held(*, actor, resident, **kwargs):
    cases = (
        Case.objects.filter(resident=resident)
        .select_related("department", "handler", "reported_by")
        .prefetch_related("events__actor", "contacts")
        .order_by("opened_at", "id")
    )
    items = []
    for case in cases:
        fields = [
            held_field(_("担当課"), case.department.name),
            held_field(_("概要"), case.summary),
            held_field(_("状態"), case.state_name),
            held_field(_("報告日時"), case.opened_at),
            held_field(_("終結日時"), case.closed_at),
            held_field(_("担当者"), case.handler.display_name if case.handler else "", kind=STAFF),
            held_field(_("関係する対応記録"), "、".join(f"No.{c.number}" for c in case.contacts.all())),
        ]
        for event in case.events.all():
            text = event_label(event.kind)
            if event.count:
                text += _("（{count}回目）").format(count=event.count)
            if event.note:
                text += f"：{event.note}"
            fields.append(held_field(_("経過"), text))
            fields.append(held_field(_("経過の日時"), event.occurred_at))
            fields.append(held_field(_("経過の記録者"), event.actor.display_name, kind=STAFF))
        items.append(held_item(f"cases.case:{case.pk}", _("事案 No.{number}").format(number=case.number), fields))
    if not items:
        return None
    return held_section("cases.cases", _("事案"), items, order=30)
