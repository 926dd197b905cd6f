"""Incident cases (事案): opening or joining, the state, the timeline of steps,
the handler, and the care of affected staff.

Every function checks the actor's scope, validates against the policy pack,
runs in one transaction and leaves an audit entry. Notifications (in-app rows,
a live push and e-mail) go out only when the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import department_responder_list, department_visible_ids, staff_selectable_list
from audit.services import audit_record
from mamoru.lib.text import clean_text
from mamoru.policy.loader import current as current_policy
from notifications.mail import mail_on_commit
from notifications.services import notification_send
from realtime import events, groups
from records.models import Contact

from .choices import CaseReason, EventKind
from .models import Case, CaseEvent, StaffFollowUp
from .permissions import require_case_action, require_case_handler, require_case_visible

logger = logging.getLogger(__name__)

NOTE_LIMIT = 2000


def _note(note: str, field: str = "note") -> str:
    note = clean_text(note).strip()  # no control characters; line breaks and tabs kept
    if len(note) > NOTE_LIMIT:
        raise ValidationError({field: _("{limit}文字以内で入力してください。").format(limit=NOTE_LIMIT)})
    return note


def _touch(case: Case, when: dt.datetime | None = None) -> None:
    case.last_activity_at = max(case.last_activity_at, when or timezone.now())


def case_recipients(case: Case) -> list[User]:
    """Who hears of a case at once: the department's supervisors and managers,
    and the specialist section (``cases.permissions.is_case_audience``)."""
    return list(department_responder_list(department_id=case.department_id).order_by("id"))


def _push_on_commit(group_names: list[str], event: dict) -> None:
    """Like ``realtime.events.publish_on_commit``, but a push that fails (channel
    layer down) is logged instead of turning the committed report into an error
    page: the notification rows are stored and read on the next page load."""

    def push():
        try:
            events.publish(group_names, event)
        except Exception:
            logger.exception("事案の通知をリアルタイムで送れませんでした（%s）", event.get("case_id"))

    transaction.on_commit(push)


def _notify(*, actor, case: Case, contact: Contact, opened: bool) -> None:
    recipients = [user for user in case_recipients(case) if user.pk != actor.pk]
    url = reverse("cases:case_detail", args=[case.pk])
    if opened:
        text = _("{department}で事案が報告されました（{case}、報告者 {actor}）").format(
            department=case.department.name, case=case, actor=actor.display_name
        )
    else:
        text = _("{case}に対応記録が追加されました（{contact}、{actor}）").format(
            case=case, contact=contact, actor=actor.display_name
        )
    notification_send(users=recipients, kind="case.reported" if opened else "case.joined", text=text, url=url)
    _push_on_commit(
        groups.department_responders(case.department_id),
        {
            "kind": "case.reported" if opened else "case.joined",
            "case_id": case.pk,
            "department_id": case.department_id,
            "actor_id": actor.pk,
            "text": text,
            "url": url,
        },
    )
    mail_on_commit(users=recipients, text=text, url=url, request_line=_("事案の内容を確認してください"))


def _case_summary(contact: Contact, reason: str, detail: str) -> str:
    """A new case's 概要: the contact's subject; for a case opened by a backup call
    (a live contact rarely has a subject yet) also the call's reason, and, where
    the contact has no subject, what is known of it (channel, resident, time)."""
    parts = []
    if reason == CaseReason.BACKUP_CALL:
        parts.append(_("応援要請（{detail}）").format(detail=detail) if detail else _("応援要請"))
    if contact.summary:
        parts.append(contact.summary)
    else:
        who = str(contact.resident) if contact.resident_id else contact.resident_description or _("住民等不明")
        parts.append(
            _("{when} {channel}での対応（{who}）").format(
                when=timezone.localtime(contact.started_at).strftime("%Y-%m-%d %H:%M"),
                channel=current_policy().channel_name(contact.channel),
                who=who,
            )
        )
    return "：".join(parts)[:200]


@transaction.atomic
def case_open_or_join(*, actor, contact: Contact, reason: str, detail: str = "") -> Case:
    """Bring a contact into a case: the open case of the same resident in the
    contact's department if there is one, else a new case in the pack's first
    state (報告). Idempotent: a contact already in a case returns that case.

    Called with ``reason="harassment"`` when a contact is judged harassment,
    ``"backup_call"`` by a backup call (``detail``: the call's reason), ``"report"``
    by 「事案として報告」.
    A contact with no known resident only joins a case that already holds it."""
    require_case_handler(actor)
    if reason not in CaseReason.values:
        raise ValidationError({"reason": _("事案にする理由「{reason}」は使えません。").format(reason=reason)})
    if contact.department_id not in department_visible_ids(user=actor) or contact.deleted_at is not None:
        raise PermissionDenied(_("この対応記録を扱う権限がありません。"))
    contact = Contact.objects.select_for_update().select_related("department").get(pk=contact.pk)
    existing = Case.objects.filter(contacts=contact).order_by("opened_at", "id").first()
    if existing is not None:
        return existing

    now = timezone.now()
    case = None
    if contact.resident_id:
        from people.models import Resident

        Resident.objects.select_for_update().filter(pk=contact.resident_id).first()  # one opener at a time
        case = (
            Case.objects.select_for_update()
            .filter(resident_id=contact.resident_id, department_id=contact.department_id, closed_at__isnull=True)
            .order_by("opened_at", "id")
            .first()
        )
    opened = case is None
    if opened:
        case = Case.objects.create(
            department=contact.department,
            resident_id=contact.resident_id,
            state=current_policy().case_state_codes()[0],
            summary=_case_summary(contact, reason, clean_text(detail, multiline=False).strip()),
            reported_by=actor,
            opened_at=now,
            last_activity_at=now,
        )
    else:
        _touch(case, now)
        case.save(update_fields=["last_activity_at"])
    case.contacts.add(contact)
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.OPENED if opened else EventKind.CONTACT_ADDED,
        actor=actor,
        occurred_at=now,
        details={"reason": reason, "contact_id": contact.pk},
    )
    audit_record(
        actor=actor,
        action="cases.case.opened" if opened else "cases.case.joined",
        obj=case,
        after={"contact": str(contact), "reason": str(CaseReason(reason).label), "state": case.state},
    )
    _notify(actor=actor, case=case, contact=contact, opened=opened)
    return case


@transaction.atomic
def case_change_state(*, actor, case: Case, state: str, reason: str = "") -> Case:
    """Move a case one step along the pack's states. Skipping a step is refused
    naming the step skipped; closing needs a note; going back one step needs a
    reason. Supervisors, managers and the specialist section only."""
    require_case_action(actor, case, _("事案の状態を変更できるのは上司・管理職・専門部署のみです。"))
    case = Case.objects.select_for_update().get(pk=case.pk)
    pack = current_policy()
    codes = pack.case_state_codes()
    name = pack.case_state_name
    reason = _note(reason, "reason")
    if state not in codes:
        raise ValidationError({"state": _("状態「{state}」はポリシーパックにありません。").format(state=state)})
    if state == case.state:
        raise ValidationError({"state": _("この事案は既に「{state}」です。").format(state=name(state))})
    current_index = codes.index(case.state) if case.state in codes else 0
    target = codes.index(state)
    if target > current_index + 1:
        raise ValidationError(
            {
                "state": _("「{missing}」を経ずに「{state}」にはできません。").format(
                    missing=name(codes[current_index + 1]), state=name(state)
                )
            }
        )
    if target < current_index - 1:
        raise ValidationError(
            {
                "state": _("状態は1段階ずつしか戻せません（「{state}」の次は「{back}」です）。").format(
                    state=name(case.state), back=name(codes[current_index - 1])
                )
            }
        )
    if target < current_index and not reason:
        raise ValidationError({"reason": _("状態を戻す理由を入力してください。")})
    if state == codes[-1] and not reason:
        raise ValidationError({"reason": _("終結にするには、経過のまとめ（終結の理由）を入力してください。")})

    now = timezone.now()
    previous = case.state
    case.state = state
    case.closed_at = now if state == codes[-1] else None
    _touch(case, now)
    case.save(update_fields=["state", "closed_at", "last_activity_at"])
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.STATE_CHANGED,
        actor=actor,
        occurred_at=now,
        note=reason,
        details={"from": previous, "to": state},
    )
    audit_record(
        actor=actor,
        action="cases.case.state_changed",
        obj=case,
        before={"state": name(previous)},
        after={"state": name(state), "reason": reason},
    )
    return case


@transaction.atomic
def case_record_step(
    *,
    actor,
    case: Case,
    step: str,
    note: str = "",
    occurred_at: dt.datetime | None = None,
    details: dict | None = None,
) -> CaseEvent:
    """Record a pack step on the timeline (e.g. 退去命令). Counted steps get
    their running number; a step asking for the police station needs one
    (「110」 for an emergency call). Anyone who may see the case records."""
    require_case_visible(actor, case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.is_closed:
        raise ValidationError(_("終結した事案には記録できません。"))
    pack_step = current_policy().case_step(step)
    if pack_step is None:
        raise ValidationError({"step": _("手順「{step}」はポリシーパックにありません。").format(step=step)})
    note = _note(note)
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("日時が未来になっています。")})
    details = {key: str(value).strip()[:200] for key, value in (details or {}).items() if str(value or "").strip()}
    unknown = sorted(set(details) - set(pack_step.details))
    if unknown:
        raise ValidationError(
            {"details": _("この手順では記録できない項目です: {value}").format(value=", ".join(unknown))}
        )
    if "station" in pack_step.details and not details.get("station"):
        raise ValidationError({"station": _("通報先（110番または警察署名）を入力してください。")})
    count = None
    if pack_step.counted:
        count = CaseEvent.objects.filter(case=case, kind=step).count() + 1
    event = CaseEvent.objects.create(
        case=case, kind=step, actor=actor, occurred_at=occurred_at, note=note, count=count, details=details
    )
    _touch(case, now)
    case.save(update_fields=["last_activity_at"])
    audit_record(
        actor=actor,
        action="cases.event.recorded",
        obj=case,
        after={"step": pack_step.name, "count": count, "note": note, **details},
    )
    return event


@transaction.atomic
def case_assign_handler(*, actor, case: Case, handler: User | None) -> Case:
    """Name the member of staff in charge of a case (担当者), or clear it.
    Supervisors, managers and the specialist section only."""
    require_case_action(actor, case, _("事案の担当者を指定できるのは上司・管理職・専門部署のみです。"))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if handler is not None and not staff_selectable_list(user=actor).filter(pk=handler.pk).exists():
        raise ValidationError({"handler": _("担当者は、あなたが指定できる課の職員から選んでください。")})
    previous = case.handler
    case.handler = handler
    now = timezone.now()
    _touch(case, now)
    case.save(update_fields=["handler", "last_activity_at"])
    CaseEvent.objects.create(
        case=case,
        kind=EventKind.HANDLER_ASSIGNED,
        actor=actor,
        occurred_at=now,
        details={"handler": handler.display_name if handler else ""},
    )
    audit_record(
        actor=actor,
        action="cases.case.handler_assigned",
        obj=case,
        before={"handler": previous.display_name if previous else ""},
        after={"handler": handler.display_name if handler else ""},
    )
    return case


@transaction.atomic
def follow_up_record(
    *,
    actor,
    case: Case,
    staff: User,
    kind: str,
    due_date: dt.date,
    note: str = "",
    past_due_confirmed: bool = False,
) -> StaffFollowUp:
    """Plan care for a member of staff affected by a case (面談, referral, rest,
    rotation) with a due date. A due date in the past is refused unless the user
    confirmed it (``past_due_confirmed``: the care is overdue from the start).
    Supervisors, managers and the specialist section."""
    require_case_action(actor, case, _("職員のケアを記録できるのは上司・管理職・専門部署のみです。"))
    errors = {}
    if kind not in {code for code, _ in current_policy().follow_up_kind_choices()}:
        errors["kind"] = _("ケアの内容「{kind}」はポリシーパックにありません。").format(kind=kind)
    if staff is None or not staff_selectable_list(user=actor).filter(pk=staff.pk).exists():
        errors["staff"] = _("職員は、あなたが記録できる課の職員から選んでください。")
    if due_date is None:
        errors["due_date"] = _("期限を入力してください。")
    elif due_date < timezone.localdate() and not past_due_confirmed:
        errors["due_date"] = _(
            "期限が過去の日付（{date}）です。今日以降の日付を入力してください。"
            "過去の期限のまま記録する場合は「期限が過去の日付でも記録する」にチェックを入れてください。"
        ).format(date=due_date.strftime("%Y-%m-%d"))
    if errors:
        raise ValidationError(errors)
    follow_up = StaffFollowUp.objects.create(
        case=case, staff=staff, kind=kind, due_date=due_date, note=_note(note), recorded_by=actor
    )
    audit_record(
        actor=actor,
        action="cases.follow_up.recorded",
        obj=case,
        after={
            "staff": staff.display_name,
            "kind": current_policy().follow_up_kind_name(kind),
            "due_date": due_date.isoformat(),
        },
    )
    return follow_up


@transaction.atomic
def follow_up_complete(*, actor, follow_up: StaffFollowUp, note: str = "") -> StaffFollowUp:
    """Record that a follow-up was done."""
    require_case_action(actor, follow_up.case, _("職員のケアを記録できるのは上司・管理職・専門部署のみです。"))
    follow_up = StaffFollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_at is not None:
        raise ValidationError(_("このケアは既に実施済みです。"))
    follow_up.done_at = timezone.now()
    note = _note(note)
    if note:
        follow_up.note = f"{follow_up.note}\n{note}".strip()
    follow_up.save(update_fields=["done_at", "note"])
    audit_record(
        actor=actor,
        action="cases.follow_up.completed",
        obj=follow_up.case,
        after={"staff": follow_up.staff.display_name, "kind": current_policy().follow_up_kind_name(follow_up.kind)},
    )
    return follow_up


def case_mark_viewed(*, actor, case: Case, printed: bool = False) -> None:
    audit_record(actor=actor, action="cases.case.printed" if printed else "cases.case.viewed", obj=case)
