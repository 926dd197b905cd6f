"""What repetition holds about a resident, for a disclosure request (``people.hooks.resident_data_held``):
the proposals that their contacts met a repetition rule (繰り返しの確認) and the decisions on them."""

from django.utils.translation import gettext as _

from mamoru.lib.held import STAFF, held_datetime, held_field, held_item, held_section

from .models import RepetitionFlag


def resident_data_held(*, actor, resident, **kwargs):
    flags = (
        RepetitionFlag.objects.filter(resident=resident)
        .prefetch_related("contacts", "decisions__decided_by")
        .order_by("detected_at", "id")
    )
    items = []
    for flag in flags:
        fields = [
            held_field(_("基準"), f"{flag.rule_name}（{flag.rule_description}）"),
            held_field(_("状態"), flag.get_status_display()),
            held_field(_("検出日時"), flag.detected_at),
            held_field(_("集計期間"), f"{held_datetime(flag.window_start)}〜{held_datetime(flag.window_end)}"),
            held_field(_("対応の回数"), flag.contact_count),
            held_field(_("対応時間の合計（分）"), flag.minutes),
            held_field(_("根拠の対応記録"), "、".join(f"No.{c.number}" for c in flag.contacts.all())),
        ]
        for decision in flag.decisions.all():
            fields += [
                held_field(_("判断"), decision.get_decision_display()),
                held_field(_("判断の理由"), decision.reason),
                held_field(_("判断日時"), decision.decided_at),
                held_field(_("判断した職員"), decision.decided_by.display_name, kind=STAFF),
            ]
        items.append(held_item(f"repetition.repetitionflag:{flag.pk}", str(flag), fields))
    if not items:
        return None
    return held_section("repetition.flags", _("繰り返しの確認"), items, order=50)
