"""Every change to a request from another business: keyword-only, one transaction each,
with its audit entry. Steps go in order — 受付 → 担当決定（調査中）→ 聴取・調査記録 →
事実認定 → 措置決定（事実ありのとき）→ 回答 → 終結 — and a step out of order is refused
with the reason, nothing saved."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions as base
from audit.services import audit_record
from notifications.services import notification_send

from . import permissions
from .choices import Channel, Outcome, RequestState
from .letters import reply_letter_issue
from .models import BusinessRequest, Hearing, RequestNote


def _text(value) -> str:
    return (value or "").strip()


def _check_day(errors: dict, field: str, day, *, label: str, not_before: dt.date | None = None) -> None:
    if day is None:
        return
    if day > timezone.localdate():
        errors.setdefault(field, []).append(_("{label}に未来の日付は入力できません。").format(label=label))
    elif not_before is not None and day < not_before:
        errors.setdefault(field, []).append(
            _("{label}は受付日（{day}）より前にはできません。").format(label=label, day=not_before.isoformat())
        )


def _locked(request: BusinessRequest) -> BusinessRequest:
    return BusinessRequest.objects.select_for_update().get(pk=request.pk)


def _require_state(request: BusinessRequest, allowed: tuple[str, ...], step: str) -> None:
    if request.state not in allowed:
        raise ValidationError(
            _("状態が「{state}」の申入れには「{step}」を行えません。").format(state=request.state_name, step=step)
        )


def _tell(users, request: BusinessRequest, text: str) -> None:
    """In-app notices (お知らせ) in the step's transaction; they name the business, never its workers."""
    users = [user for user in users if user is not None]
    if users:
        notification_send(
            users=users,
            kind="business_request",
            text=text.format(business=request.business_name),
            url=reverse("business_requests:detail", args=[request.pk]),
        )


def _staff_checked(staff) -> list:
    staff = list(staff or [])
    for user in staff:
        if not base.handles_contacts(user):
            raise ValidationError(
                {"staff": _("「{name}」は対象職員に指定できません（職員ではありません）。").format(name=user)}
            )
    return staff


def business_request_receive(
    *,
    actor,
    business_name: str,
    contact_person: str,
    contact_details: str,
    description: str,
    asked_for: str,
    received_on: dt.date | None = None,
    channel: str = Channel.PHONE,
    incident_on: dt.date | None = None,
    incident_place: str = "",
    staff=(),
    staff_description: str = "",
    evidence_description: str = "",
) -> BusinessRequest:
    """Enter a request as the business made it (by phone, mail or letter)."""
    permissions.require_handler(actor)
    received_on = received_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    for field, value, label in (
        ("business_name", business_name, _("事業者名")),
        ("contact_person", contact_person, _("事業者の担当者")),
        ("contact_details", contact_details, _("連絡先")),
        ("description", description, _("申入れの内容")),
        ("asked_for", asked_for, _("事業者の要望")),
    ):
        if not _text(value):
            errors.setdefault(field, []).append(_("{label}を入力してください。").format(label=label))
    if channel not in Channel.values:
        errors.setdefault("channel", []).append(_("受付方法を選んでください。"))
    _check_day(errors, "received_on", received_on, label=_("受付日"))
    if incident_on is not None and incident_on > received_on:
        errors.setdefault("incident_on", []).append(_("発生日は受付日より後にはできません。"))
    try:
        staff = _staff_checked(staff)
    except ValidationError as error:
        errors.update(error.message_dict)
        staff = []
    if not staff and not _text(staff_description) and "staff" not in errors:
        errors.setdefault("staff_description", []).append(
            _("対象職員を選ぶか、分からない場合は特徴（窓口、時間帯、外見など）を入力してください。")
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = BusinessRequest.objects.create(
            business_name=_text(business_name),
            contact_person=_text(contact_person),
            contact_details=_text(contact_details),
            channel=channel,
            incident_on=incident_on,
            incident_place=_text(incident_place),
            description=_text(description),
            staff_description=_text(staff_description),
            evidence_description=_text(evidence_description),
            asked_for=_text(asked_for),
            received_on=received_on,
            received_by=actor,
        )
        request.staff.set(staff)
        audit_record(
            actor=actor,
            action="business_requests.request.received",
            obj=request,
            after={
                "business_name": request.business_name,
                "received_on": received_on.isoformat(),
                "staff": [user.pk for user in staff],
            },
        )
    return request


def business_request_assign(*, actor, request: BusinessRequest, handler, managers=()) -> BusinessRequest:
    """Name the handler (specialist section) and the managers who may see the request
    (one of them decides the measures). Allowed until the measures are decided; the state
    moves from 受付 to 調査中 only."""
    permissions.require_handler(actor)
    if not base.is_specialist(handler):
        raise ValidationError({"handler": _("担当者は専門部署の職員から選んでください。")})
    managers = list(managers or [])
    for manager in managers:
        if not base.is_manager(manager):
            raise ValidationError({"managers": _("「{name}」は管理職ではありません。").format(name=manager)})
    with transaction.atomic():
        request = _locked(request)
        # Until the measures are decided: a manager can still be named after the outcome.
        _require_state(request, (RequestState.RECEIVED, RequestState.ASSIGNED, RequestState.DECIDED), _("担当者の指定"))
        before = {"handler": request.handler_id, "managers": sorted(request.managers.values_list("pk", flat=True))}
        request.handler = handler
        if request.state == RequestState.RECEIVED:
            request.state = RequestState.ASSIGNED
        request.assigned_on = request.assigned_on or timezone.localdate()
        request.save(update_fields=["handler", "state", "assigned_on"])
        newly_named = [manager for manager in managers if manager.pk not in before["managers"]]
        request.managers.set(managers)
        _tell(newly_named, request, _("他事業者からの申入れ（{business}）の関係する管理職に指名されました。"))
        audit_record(
            actor=actor,
            action="business_requests.request.assigned",
            obj=request,
            before=before,
            after={"handler": handler.pk, "managers": sorted(manager.pk for manager in managers)},
        )
    return request


def business_request_note_add(*, actor, request: BusinessRequest, text: str) -> RequestNote:
    permissions.require_handler(actor)
    if not _text(text):
        raise ValidationError({"text": _("調査記録の内容を入力してください。")})
    with transaction.atomic():
        request = _locked(request)
        if request.closed_on is not None:
            raise ValidationError(_("終結した申入れには調査記録を追加できません。"))
        note = RequestNote.objects.create(request=request, text=_text(text), written_by=actor)
        audit_record(actor=actor, action="business_requests.note.added", obj=request, after={"note": note.pk})
    return note


def business_request_hearing_record(
    *, actor, request: BusinessRequest, staff, held_on: dt.date, account: str
) -> Hearing:
    """Record a hearing with a member of staff concerned: their own account (the right to respond)."""
    permissions.require_handler(actor)
    errors: dict[str, list[str]] = {}
    if not _text(account):
        errors.setdefault("account", []).append(_("本人の説明を入力してください（説明を拒んだ場合はその旨）。"))
    if held_on is None:
        errors.setdefault("held_on", []).append(_("聴取日を入力してください。"))
    _check_day(errors, "held_on", held_on, label=_("聴取日"), not_before=request.received_on)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = _locked(request)
        _require_state(request, (RequestState.ASSIGNED,), _("聴取の記録"))
        if staff is None or not request.staff.filter(pk=staff.pk).exists():
            raise ValidationError({"staff": _("聴取の相手は、この申入れの対象職員から選んでください。")})
        hearing = Hearing.objects.create(
            request=request, staff=staff, held_on=held_on, heard_by=actor, account=_text(account)
        )
        _tell([staff], request, _("申入れ（{business}）についての聴取の記録を確認してください。"))
        audit_record(
            actor=actor,
            action="business_requests.hearing.recorded",
            obj=request,
            after={"hearing": hearing.pk, "staff": staff.pk, "held_on": held_on.isoformat()},
        )
    return hearing


def business_request_hearing_confirm(*, actor, hearing: Hearing) -> Hearing:
    """The member of staff heard confirms the record of their own account (本人確認)."""
    if actor is None or actor.pk != hearing.staff_id or not base.handles_contacts(actor):
        raise PermissionDenied(_("聴取の内容を確認できるのは聴取を受けた本人のみです。"))
    with transaction.atomic():
        hearing = Hearing.objects.select_for_update().get(pk=hearing.pk)
        if hearing.confirmed_at is not None:
            raise ValidationError(_("この聴取はすでに確認済みです。"))
        hearing.confirmed_at = timezone.now()
        hearing.save(update_fields=["confirmed_at"])
        audit_record(
            actor=actor,
            action="business_requests.hearing.confirmed",
            obj=hearing.request,
            after={"hearing": hearing.pk},
        )
    return hearing


def business_request_decide_outcome(*, actor, request: BusinessRequest, outcome: str, reasons: str) -> BusinessRequest:
    """事実あり / 事実なし / 判断できず, with the reasons. 事実あり needs a hearing of every
    member of staff concerned first (nobody is found at fault unheard)."""
    permissions.require_handler(actor)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("調査結果を選んでください。")})
    if not _text(reasons):
        raise ValidationError({"reasons": _("判断の理由を入力してください。")})
    with transaction.atomic():
        request = _locked(request)
        _require_state(request, (RequestState.ASSIGNED,), _("事実認定"))
        if outcome == Outcome.FACT_FOUND:
            heard = set(request.hearings.values_list("staff_id", flat=True))
            unheard = [user for user in request.staff.all() if user.pk not in heard]
            if unheard:
                raise ValidationError(
                    _("「事実あり」とする前に、対象職員（{names}）の聴取を記録してください。").format(
                        names="、".join(str(user) for user in unheard)
                    )
                )
        request.outcome = outcome
        request.outcome_reasons = _text(reasons)
        request.outcome_on = timezone.localdate()
        request.outcome_by = actor
        request.state = RequestState.DECIDED
        request.save(update_fields=["outcome", "outcome_reasons", "outcome_on", "outcome_by", "state"])
        _tell(
            request.staff.all(),
            request,
            _("申入れ（{business}）の調査結果：") + request.outcome_name,
        )
        if outcome == Outcome.FACT_FOUND:
            _tell(
                request.managers.all(),
                request,
                _("申入れ（{business}）：対象職員への措置（指導・研修）を決定してください。"),
            )
        audit_record(
            actor=actor,
            action="business_requests.request.outcome_decided",
            obj=request,
            after={"outcome": outcome, "outcome_on": request.outcome_on.isoformat()},
        )
    return request


def business_request_decide_measures(
    *, actor, request: BusinessRequest, guidance: bool, training: bool, note: str
) -> BusinessRequest:
    """The measures for the staff member (指導, 研修), decided by a manager named on the request."""
    permissions.require_measures_manager(actor, request)
    if not _text(note):
        raise ValidationError({"note": _("措置の内容（措置を取らない場合はその理由）を入力してください。")})
    with transaction.atomic():
        request = _locked(request)
        _require_state(request, (RequestState.DECIDED,), _("措置の決定"))
        if request.outcome != Outcome.FACT_FOUND:
            raise ValidationError(_("措置を決定できるのは、調査結果が「事実あり」の申入れのみです。"))
        request.measure_guidance = bool(guidance)
        request.measure_training = bool(training)
        request.measures_note = _text(note)
        request.measures_on = timezone.localdate()
        request.measures_by = actor
        request.state = RequestState.MEASURES_DECIDED
        request.save(
            update_fields=[
                "measure_guidance",
                "measure_training",
                "measures_note",
                "measures_on",
                "measures_by",
                "state",
            ]
        )
        audit_record(
            actor=actor,
            action="business_requests.request.measures_decided",
            obj=request,
            after={"guidance": request.measure_guidance, "training": request.measure_training},
        )
    return request


def business_request_reply_record(
    *, actor, request: BusinessRequest, sent_on: dt.date, summary: str, issue_letter: bool = False, address: str = ""
) -> BusinessRequest:
    """The answer sent to the business (after the outcome, and after the measures when 事実あり).
    With ``issue_letter`` the 回答書 is issued through the letters app (numbered A4 PDF) in
    the same transaction: if the letter cannot be made, nothing is saved."""
    permissions.require_handler(actor)
    errors: dict[str, list[str]] = {}
    if sent_on is None:
        errors.setdefault("sent_on", []).append(_("回答日を入力してください。"))
    _check_day(errors, "sent_on", sent_on, label=_("回答日"), not_before=request.received_on)
    if not _text(summary):
        errors.setdefault("summary", []).append(_("回答の内容を入力してください。"))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = _locked(request)
        _require_state(request, (RequestState.DECIDED, RequestState.MEASURES_DECIDED), _("回答の記録"))
        if request.outcome == Outcome.FACT_FOUND and request.state != RequestState.MEASURES_DECIDED:
            raise ValidationError(_("「事実あり」の申入れは、管理職が措置を決定してから回答してください。"))
        request.reply_sent_on = sent_on
        request.reply_summary = _text(summary)
        request.state = RequestState.REPLIED
        if issue_letter:
            request.reply_letter = reply_letter_issue(
                actor=actor, request=request, summary=request.reply_summary, sent_on=sent_on, address=_text(address)
            )
        request.save(update_fields=["reply_sent_on", "reply_summary", "reply_letter", "state"])
        audit_record(
            actor=actor,
            action="business_requests.request.replied",
            obj=request,
            after={"reply_sent_on": sent_on.isoformat(), "letter": request.reply_letter_id},
        )
    return request


def business_request_close(*, actor, request: BusinessRequest) -> BusinessRequest:
    permissions.require_handler(actor)
    with transaction.atomic():
        request = _locked(request)
        _require_state(request, (RequestState.REPLIED,), _("終結"))
        request.closed_on = timezone.localdate()
        request.closed_by = actor
        request.state = RequestState.CLOSED
        request.save(update_fields=["closed_on", "closed_by", "state"])
        audit_record(
            actor=actor,
            action="business_requests.request.closed",
            obj=request,
            after={"closed_on": request.closed_on.isoformat()},
        )
    return request


__all__ = [
    "business_request_assign",
    "business_request_close",
    "business_request_decide_measures",
    "business_request_decide_outcome",
    "business_request_hearing_confirm",
    "business_request_hearing_record",
    "business_request_note_add",
    "business_request_receive",
    "business_request_reply_record",
]
