"""What measures holds about a resident, for a disclosure request (``people.hooks.resident_data_held``):
the measures (措置) towards them, drafts included, with their reasons, timeline, objections and the
letters issued with them (文書番号, the letter's facts)."""

from django.utils.translation import gettext as _

from mamoru.lib.held import STAFF, held_field, held_item, held_section

from .models import Measure


def resident_data_held(*, actor, resident, **kwargs):
    measures = (
        Measure.objects.filter(resident=resident)
        .select_related("lead_department", "drafted_by", "letter", "letter__issued_by")
        .prefetch_related("contacts", "events__actor", "appeals")
        .order_by("drafted_at", "id")
    )
    items = []
    for measure in measures:
        fields = [
            held_field(_("措置"), measure.title),
            held_field(_("状態"), measure.get_status_display()),
            held_field(_("主管課"), measure.lead_department.name),
            held_field(_("理由"), measure.reasons),
            held_field(_("理由となる対応記録"), "、".join(f"No.{c.number}" for c in measure.contacts.all())),
            held_field(_("開始日"), measure.starts_on),
            held_field(_("終了日"), measure.ends_on),
            held_field(_("見直し日"), measure.review_on),
            held_field(_("条件"), "\n".join(measure.conditions_text())),
            held_field(_("事実（通知文書に記載）"), measure.letter_facts),
            held_field(_("今後守っていただく事項"), measure.letter_requests),
            held_field(_("起案者"), measure.drafted_by.display_name, kind=STAFF),
            held_field(_("撤回の理由"), measure.withdrawal_reason),
        ]
        if measure.letter_id:
            letter = measure.letter
            fields += [
                held_field(_("通知文書"), f"{letter.title}（{letter.document_number}）"),
                held_field(_("通知文書の発出日"), letter.issued_on),
                held_field(_("通知文書の発出者"), letter.issued_by.display_name, kind=STAFF),
            ]
        for event in measure.events.all():
            text = event.get_kind_display() + (f"：{event.note}" if event.note else "")
            fields.append(held_field(_("経過"), text))
            fields.append(held_field(_("経過の日時"), event.at))
            if event.actor_id:
                fields.append(held_field(_("経過の職員"), event.actor.display_name, kind=STAFF))
        for appeal in measure.appeals.all():
            fields += [
                held_field(_("不服の申出（受付日）"), appeal.received_on),
                held_field(_("不服の申出の内容"), appeal.content),
                held_field(_("不服の申出への判断"), appeal.get_outcome_display() if appeal.outcome else ""),
                held_field(_("判断の理由"), appeal.decision_reason),
            ]
        fields = [f for f in fields if f["value"] != ""]
        items.append(held_item(f"measures.measure:{measure.pk}", f"{measure.title}（No.{measure.pk}）", fields))
    if not items:
        return None
    return held_section("measures.measures", _("措置・通知文書"), items, order=40)
