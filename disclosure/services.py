"""Personal-data requests (個人情報保護法, the city as 行政機関等): disclosure requests
(開示請求) from receipt to hand-over, and correction requests (訂正請求).

Every state change is a service here, in one transaction with its audit entry. What the city
holds is gathered through ``people.hooks.resident_data_held`` (each app answers for its own
data) and stored on the request when compiled (収集), so that the reviewer decides on, and the
resident receives, exactly what was collected."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.lib import pdf
from mamoru.lib.closed_days import next_open_day
from mamoru.lib.held import flatten_sections, held_date
from mamoru.lib.wareki import fiscal_year
from mamoru.policy.loader import current as current_policy
from people.held import CORRECTABLE_FIELDS, resident_item_key
from people.hooks import resident_data_held
from people.models import Resident
from people.services import resident_update

from . import permissions
from .choices import (
    CorrectionDecision,
    CorrectionState,
    Decision,
    DeliveryMethod,
    IdentityDocument,
    RequestChannel,
    RequesterKind,
    RequestState,
    WithholdingGround,
)
from .models import CorrectionRequest, DisclosureRequest, Withholding

# The short words a withheld field reads as: 「不開示（第三者の個人情報：…）」.
GROUND_SHORT = {
    WithholdingGround.REQUESTER_HARM: _("本人の生命等を害するおそれ"),
    WithholdingGround.THIRD_PARTY: _("第三者の個人情報"),
    WithholdingGround.STAFF_NAME: _("職員の氏名"),
    WithholdingGround.WORK_HINDRANCE: _("事務・事業への支障"),
    WithholdingGround.OTHER: _("その他"),
}
# A day a request may be dated: not before the law's 2023 extension to cities, never in the future.
EARLIEST_DAY = dt.date(2000, 1, 1)
REASON_LIMIT = 2000


# --- deadlines ---------------------------------------------------------------------------------


def decision_deadline(received_on: dt.date) -> dt.date:
    """The day the decision is due: ``MAMORU_DISCLOSURE_DECISION_DAYS`` (30) days after receipt
    (the day of receipt not counted), moved off a closed day."""
    return next_open_day(received_on + dt.timedelta(days=settings.MAMORU_DISCLOSURE_DECISION_DAYS))


def extended_deadline(deadline: dt.date) -> dt.date:
    return next_open_day(deadline + dt.timedelta(days=settings.MAMORU_DISCLOSURE_EXTENSION_DAYS))


# --- checks ------------------------------------------------------------------------------------


def _check_day(day, field: str, label: str) -> dt.date:
    if not isinstance(day, dt.date):
        raise ValidationError({field: _("{label}を入力してください。").format(label=label)})
    if isinstance(day, dt.datetime):
        day = day.date()
    if day > timezone.localdate():
        raise ValidationError({field: _("{label}に未来の日付は入力できません。").format(label=label)})
    if day < EARLIEST_DAY:
        raise ValidationError({field: _("{label}が古すぎます。").format(label=label)})
    return day


def _text(value, field: str, label: str, *, required: bool = True, limit: int = REASON_LIMIT) -> str:
    text = str(value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise ValidationError({field: _("{label}を入力してください。").format(label=label)})
    if len(text) > limit:
        raise ValidationError({field: _("{label}は{limit}文字以内にしてください。").format(label=label, limit=limit)})
    return text


def _choice(value, choices, field: str, label: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("{label}を選んでください。").format(label=label)})
    return value


def _require_state(request: DisclosureRequest, *states: str) -> None:
    if request.state not in states:
        raise ValidationError(
            _("この開示請求は「{state}」のため、この操作はできません。").format(state=request.get_state_display())
        )


def _locked(request: DisclosureRequest) -> DisclosureRequest:
    return DisclosureRequest.objects.select_for_update().get(pk=request.pk)


# --- disclosure requests -----------------------------------------------------------------------


def disclosure_request_register(
    *,
    actor,
    resident: Resident,
    received_on: dt.date,
    channel: str,
    requester_kind: str,
    identity_document: str,
    content: str,
    delivery_method: str,
    representative_name: str = "",
    identity_note: str = "",
) -> DisclosureRequest:
    """Receive a disclosure request (受付): who asked, how their identity was confirmed, what they
    asked for; the deadline follows from the day of receipt."""
    permissions.require_request_handler(actor)
    if resident.merged_into_id is not None:
        raise ValidationError(_("統合された住民等には受け付けられません。統合先の住民等で受け付けてください。"))
    received_on = _check_day(received_on, "received_on", _("受付日"))
    values = {
        "channel": _choice(channel, RequestChannel, "channel", _("請求の方法")),
        "requester_kind": _choice(requester_kind, RequesterKind, "requester_kind", _("請求者の区分")),
        "identity_document": _choice(identity_document, IdentityDocument, "identity_document", _("本人確認書類")),
        "delivery_method": _choice(delivery_method, DeliveryMethod, "delivery_method", _("交付の方法")),
        "content": _text(content, "content", _("請求する保有個人情報")),
        "representative_name": _text(
            representative_name, "representative_name", _("代理人の氏名"), required=False, limit=100
        ),
        "identity_note": _text(identity_note, "identity_note", _("本人確認の備考"), required=False, limit=300),
    }
    if values["requester_kind"] != RequesterKind.SELF and not values["representative_name"]:
        raise ValidationError({"representative_name": _("代理人による請求では代理人の氏名を入力してください。")})
    if values["identity_document"] == IdentityDocument.OTHER and not values["identity_note"]:
        raise ValidationError({"identity_note": _("「その他」の本人確認書類は備考に書類名を記載してください。")})
    year = fiscal_year(received_on)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                serial = (DisclosureRequest.objects.filter(fiscal_year=year).aggregate(n=Max("serial"))["n"] or 0) + 1
                request = DisclosureRequest.objects.create(
                    fiscal_year=year,
                    serial=serial,
                    resident=resident,
                    received_on=received_on,
                    deadline=decision_deadline(received_on),
                    registered_by=actor,
                    **values,
                )
                audit_record(
                    actor=actor,
                    action="disclosure.request.registered",
                    obj=request,
                    after={
                        "number": request.number,
                        "resident_id": resident.pk,
                        "received_on": received_on.isoformat(),
                        "deadline": request.deadline.isoformat(),
                        "requester_kind": request.requester_kind,
                        "identity_document": request.identity_document,
                    },
                )
                return request
        except IntegrityError:  # two requests numbered at once: take the next number
            continue
    raise ValidationError(_("受付番号を採番できませんでした。もう一度お試しください。"))


def disclosure_request_collect(*, actor, request: DisclosureRequest) -> DisclosureRequest:
    """Gather everything held about the resident from every app (収集) and keep it on the request.
    Collecting again before the review starts replaces what was collected."""
    permissions.require_request_handler(actor)
    with transaction.atomic():
        request = _locked(request)
        _require_state(request, RequestState.RECEIVED, RequestState.COLLECTED)
        subject = request.resident
        while subject.merged_into_id is not None:  # merged since the request came in: the records moved there
            subject = subject.merged_into
        sections = flatten_sections(resident_data_held.collect(actor=actor, resident=subject))
        sections = json.loads(json.dumps(sections, ensure_ascii=False))  # plain JSON, as stored
        request.snapshot = sections
        request.collected_at = timezone.now()
        request.collected_by = actor
        request.state = RequestState.COLLECTED
        request.save(update_fields=["snapshot", "collected_at", "collected_by", "state"])
        audit_record(
            actor=actor,
            action="disclosure.request.collected",
            obj=request,
            after={"sections": {section["key"]: len(section["items"]) for section in sections}},
        )
    return request


def disclosure_review_start(*, actor, request: DisclosureRequest) -> DisclosureRequest:
    """A second specialist takes the compiled request into review (審査中)."""
    with transaction.atomic():
        request = _locked(request)
        permissions.require_request_decider(actor, request)
        _require_state(request, RequestState.COLLECTED)
        request.state = RequestState.IN_REVIEW
        request.reviewer = actor
        request.review_started_at = timezone.now()
        if settings.MAMORU_DISCLOSURE_WITHHOLD_STAFF_NAMES:
            request.withhold_staff_names = True
            request.staff_names_reason = _("市の定めにより、職員の氏名は開示しないこととしています。")
        request.save(
            update_fields=["state", "reviewer", "review_started_at", "withhold_staff_names", "staff_names_reason"]
        )
        audit_record(actor=actor, action="disclosure.request.review_started", obj=request)
    return request


def _require_reviewer(actor, request: DisclosureRequest) -> None:
    permissions.require_request_decider(actor, request)
    _require_state(request, RequestState.IN_REVIEW)
    if request.reviewer_id != actor.pk:
        raise ValidationError(_("この開示請求は{name}さんが審査中です。").format(name=request.reviewer.display_name))


def snapshot_item(request: DisclosureRequest, item_key: str) -> dict | None:
    for section in request.snapshot or []:
        for item in section.get("items", []):
            if item.get("key") == item_key:
                return item
    return None


def disclosure_withhold(
    *, actor, request: DisclosureRequest, item_key: str, field_label: str = "", ground: str, reason: str
) -> Withholding:
    """Withhold an item, or one labelled field of it, with the ground and the reason (審査)."""
    with transaction.atomic():
        request = _locked(request)
        _require_reviewer(actor, request)
        item = snapshot_item(request, item_key)
        if item is None:
            raise ValidationError({"target": _("不開示とする項目が収集した情報にありません。")})
        if field_label and field_label not in {field.get("label") for field in item.get("fields", [])}:
            raise ValidationError({"target": _("不開示とする欄が項目にありません。")})
        ground = _choice(ground, WithholdingGround, "ground", _("不開示情報の区分"))
        reason = _text(reason, "reason", _("不開示の理由"))
        if request.withholdings.filter(item_key=item_key, field_label=field_label).exists():
            raise ValidationError({"target": _("この部分はすでに不開示としています。")})
        withholding = Withholding.objects.create(
            request=request, item_key=item_key, field_label=field_label, ground=ground, reason=reason, created_by=actor
        )
        audit_record(
            actor=actor,
            action="disclosure.request.withheld",
            obj=request,
            after={"item_key": item_key, "field_label": field_label, "ground": ground, "reason": reason},
        )
    return withholding


def disclosure_withholding_remove(*, actor, withholding: Withholding) -> None:
    with transaction.atomic():
        request = _locked(withholding.request)
        _require_reviewer(actor, request)
        before = {
            "item_key": withholding.item_key,
            "field_label": withholding.field_label,
            "ground": withholding.ground,
            "reason": withholding.reason,
        }
        withholding.delete()
        audit_record(actor=actor, action="disclosure.request.withholding_removed", obj=request, before=before)


def disclosure_staff_names_set(
    *, actor, request: DisclosureRequest, withhold: bool, reason: str = ""
) -> DisclosureRequest:
    """Withhold (or disclose) every staff member's name in what was collected, with the reason."""
    with transaction.atomic():
        request = _locked(request)
        _require_reviewer(actor, request)
        reason = _text(reason, "staff_names_reason", _("職員の氏名を不開示とする理由"), required=withhold)
        request.withhold_staff_names = bool(withhold)
        request.staff_names_reason = reason if withhold else ""
        request.save(update_fields=["withhold_staff_names", "staff_names_reason"])
        audit_record(
            actor=actor,
            action="disclosure.request.staff_names_set",
            obj=request,
            after={"withhold_staff_names": request.withhold_staff_names, "reason": request.staff_names_reason},
        )
    return request


def withheld_text(ground: str, reason: str) -> str:
    short = GROUND_SHORT.get(ground, GROUND_SHORT[WithholdingGround.OTHER])
    return _("不開示（{ground}：{reason}）").format(ground=short, reason=" ".join(reason.split()))


def disclosure_document(request: DisclosureRequest, *, decision: str | None = None) -> dict:
    """What the resident receives, as data: the collected sections with every withheld item and
    field replaced by 「不開示（理由）」, and the withheld parts listed with their reasons. The
    JSON export is this; the PDF lays it out."""
    decision = decision or request.decision
    withholdings = {(w.item_key, w.field_label): w for w in request.withholdings.all()}
    staff_text = withheld_text(WithholdingGround.STAFF_NAME, request.staff_names_reason)
    withheld_parts = []
    sections = []
    if decision != Decision.NONE:
        for section in request.snapshot or []:
            items = []
            for item in section.get("items", []):
                whole = withholdings.get((item["key"], ""))
                if whole is not None:
                    items.append(
                        {
                            "key": item["key"],
                            "title": item["title"],
                            "withheld": True,
                            "withheld_text": withheld_text(whole.ground, whole.reason),
                            "fields": [],
                        }
                    )
                    withheld_parts.append(_part(item, "", whole))
                    continue
                fields = []
                for field in item.get("fields", []):
                    label, value = field.get("label", ""), field.get("value", "")
                    partial = withholdings.get((item["key"], label))
                    if partial is not None:
                        fields.append(
                            {"label": label, "value": withheld_text(partial.ground, partial.reason), "withheld": True}
                        )
                    elif field.get("kind") == "staff" and request.withhold_staff_names and value:
                        fields.append({"label": label, "value": staff_text, "withheld": True})
                    else:
                        fields.append({"label": label, "value": value, "withheld": False})
                for label in {f.get("label") for f in item.get("fields", [])}:
                    if (item["key"], label) in withholdings:
                        withheld_parts.append(_part(item, label, withholdings[(item["key"], label)]))
                items.append({"key": item["key"], "title": item["title"], "withheld": False, "fields": fields})
            sections.append(
                {"key": section["key"], "title": section["title"], "note": section.get("note", ""), "items": items}
            )
        if request.withhold_staff_names:
            withheld_parts.append(
                {
                    "part": _("職員の氏名（すべて）"),
                    "ground": str(WithholdingGround.STAFF_NAME.label),
                    "reason": request.staff_names_reason,
                }
            )
    return {
        "request": {
            "number": request.number,
            "received_on": request.received_on.isoformat(),
            "content": request.content,
            "resident": request.resident.name,
        },
        "decision": {
            "code": decision,
            "label": str(Decision(decision).label) if decision in Decision.values else "",
            "reason": request.decision_reason,
            "decided_on": request.decided_on.isoformat() if request.decided_on else None,
            "notice_number": request.notice_number,
        },
        "withheld": withheld_parts,
        "sections": sections,
    }


def _part(item: dict, label: str, withholding: Withholding) -> dict:
    return {
        "part": f"{item['title']}" + (_("の「{label}」").format(label=label) if label else _("（全体）")),
        "ground": str(WithholdingGround(withholding.ground).label),
        "reason": withholding.reason,
    }


def disclosure_pdf(request: DisclosureRequest, document: dict, *, sample: bool = False) -> bytes:
    """The notice (開示決定通知書) and, after it, what is disclosed (別紙), as A4 PDF bytes."""
    pack = current_policy()
    decision = document["decision"]["code"]
    decided_on = request.decided_on or timezone.localdate()
    received = held_date(request.received_on)
    body: list[str] = []
    if decision == Decision.NONE:
        title = _("保有個人情報の開示をしない旨の決定について（通知）")
        body.append(
            _(
                "　{received}付けで請求のありました保有個人情報の開示について、個人情報の保護に関する法律"
                "第82条第2項の規定により、下記のとおり開示をしないことと決定しましたので通知します。"
            ).format(received=received)
        )
    else:
        title = _("保有個人情報の開示をする旨の決定について（通知）")
        extent = _("その全部を開示する") if decision == Decision.FULL else _("その一部を開示する")
        body.append(
            _(
                "　{received}付けで請求のありました保有個人情報の開示について、個人情報の保護に関する法律"
                "第82条第1項の規定により、下記のとおり{extent}ことと決定しましたので通知します。"
            ).format(received=received, extent=extent)
        )
    body += ["", "記", ""]
    body.append(_("1　開示請求に係る保有個人情報の名称等"))
    body += [f"　　{line}" for line in request.content.splitlines() if line.strip()]
    number = 2
    if decision != Decision.NONE:
        count = sum(len(section["items"]) for section in document["sections"])
        body.append(_("{n}　開示する保有個人情報").format(n=number))
        body.append(_("　　別紙のとおり（{count}件）").format(count=count))
        number += 1
    if decision != Decision.FULL:
        body.append(
            _("{n}　開示しない部分及び開示しない理由").format(n=number)
            if decision == Decision.PARTIAL
            else _("{n}　開示しない理由").format(n=number)
        )
        if decision == Decision.NONE:
            body += [f"　　{line}" for line in request.decision_reason.splitlines() if line.strip()]
        for index, part in enumerate(document["withheld"], start=1):
            body.append(f"（{index}）{part['part']}")
            body.append(f"　　{part['ground']}。{' '.join(part['reason'].split())}")
        number += 1
    if decision != Decision.NONE:
        body.append(_("{n}　開示の実施の方法").format(n=number))
        body.append(f"　　{request.get_delivery_method_display()}")
        number += 1
    body.append(_("{n}　教示").format(n=number))
    body.append(
        _(
            "　　この決定に不服がある場合は、この決定があったことを知った日の翌日から起算して3か月以内に、"
            "{issuer}に対して審査請求をすることができます。"
        ).format(issuer=pack.documents.issuer)
    )
    body.append(_("　　問合せ先　{contact}").format(contact=pack.city.contact))
    body += ["", "以上"]
    if decision != Decision.NONE:
        body += ["\f", _("別紙　開示する保有個人情報"), ""]
        for section in document["sections"]:
            body.append(_("■ {title}（{count}件）").format(title=section["title"], count=len(section["items"])))
            if section.get("note"):
                body.append(f"　{section['note']}")
            for index, item in enumerate(section["items"], start=1):
                body.append(f"（{index}）{item['title']}")
                if item["withheld"]:
                    body.append(f"　　{item['withheld_text']}")
                    continue
                for field in item["fields"]:
                    lines = str(field["value"]).splitlines() or [""]
                    body.append(f"　　{field['label']}：{lines[0]}")
                    body += [f"　　　　{line}" for line in lines[1:]]
            body.append("")
    letter = pdf.Letter(
        document_number=request.notice_number or _("第　　号"),
        date=held_date(decided_on),
        addressee_name=request.resident.name,
        addressee_address=request.resident.address,
        title=title,
        issuer=pack.documents.issuer,
        seal_label=pack.documents.seal_label,
        body=body,
        sample_label=_("見本") if sample else "",
        author=pack.city.name,
    )
    return pdf.render_letter(letter, font_dirs=settings.MAMORU_LETTER_FONT_DIRS)


def disclosure_json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def disclosure_request_decide(
    *, actor, request: DisclosureRequest, decision: str, reason: str = "", decided_on: dt.date | None = None
) -> DisclosureRequest:
    """Decide (開示決定等) and make the export once: the PDF and the JSON are stored with the
    request, so what is handed over is what was decided."""
    decision = _choice(decision, Decision, "decision", _("決定"))
    with transaction.atomic():
        request = _locked(request)
        _require_reviewer(actor, request)
        decided_on = _check_day(decided_on or timezone.localdate(), "decided_on", _("決定日"))
        if decided_on < request.received_on:
            raise ValidationError({"decided_on": _("決定日は受付日より後にしてください。")})
        withheld = request.withholdings.exists() or request.withhold_staff_names
        if decision == Decision.FULL and withheld:
            raise ValidationError(
                {"decision": _("不開示とする部分があります。部分開示を選ぶか、不開示とする部分を取り消してください。")}
            )
        if decision == Decision.PARTIAL and not withheld:
            raise ValidationError({"decision": _("部分開示では、不開示とする部分を1つ以上指定してください。")})
        reason = _text(reason, "reason", _("決定の理由"), required=decision == Decision.NONE)
        pack = current_policy()
        request.decision = decision
        request.decision_reason = reason
        request.decided_on = decided_on
        request.decided_at = timezone.now()
        request.decided_by = actor
        request.notice_number = _("{prefix}個第{serial}号").format(
            prefix=pack.documents.number_prefix, serial=request.serial
        )
        document = disclosure_document(request, decision=decision)
        content = disclosure_pdf(request, document)
        request.export_pdf = content
        request.export_json = disclosure_json(document)
        request.export_sha256 = hashlib.sha256(content).hexdigest()
        request.state = RequestState.DECIDED
        request.save()
        audit_record(
            actor=actor,
            action="disclosure.request.decided",
            obj=request,
            after={
                "decision": decision,
                "reason": reason,
                "decided_on": decided_on.isoformat(),
                "notice_number": request.notice_number,
                "withheld": len(document["withheld"]),
                "sha256": request.export_sha256,
                "late": decided_on > request.due_on,
            },
        )
    return request


def disclosure_request_extend(*, actor, request: DisclosureRequest, reason: str) -> DisclosureRequest:
    """Extend the deadline by ``MAMORU_DISCLOSURE_EXTENSION_DAYS`` (30) days, with the reason the
    resident is told in writing (法第83条第2項). Once, and only before the decision."""
    permissions.require_request_handler(actor)
    with transaction.atomic():
        request = _locked(request)
        if not request.is_open:
            raise ValidationError(_("決定済みの開示請求の期限は延長できません。"))
        if request.extended_deadline:
            raise ValidationError(_("期限はすでに延長しています。"))
        reason = _text(reason, "extension_reason", _("延長の理由"))
        request.extended_deadline = extended_deadline(request.deadline)
        request.extension_reason = reason
        request.save(update_fields=["extended_deadline", "extension_reason"])
        audit_record(
            actor=actor,
            action="disclosure.request.extended",
            obj=request,
            before={"deadline": request.deadline.isoformat()},
            after={"deadline": request.extended_deadline.isoformat(), "reason": reason},
        )
    return request


def disclosure_request_deliver(
    *, actor, request: DisclosureRequest, delivered_on: dt.date, note: str = ""
) -> DisclosureRequest:
    """Record the hand-over (交付) of the notice and what was disclosed."""
    permissions.require_request_handler(actor)
    with transaction.atomic():
        request = _locked(request)
        _require_state(request, RequestState.DECIDED)
        delivered_on = _check_day(delivered_on, "delivered_on", _("交付日"))
        if delivered_on < request.decided_on:
            raise ValidationError({"delivered_on": _("交付日は決定日より後にしてください。")})
        request.delivered_on = delivered_on
        request.delivered_by = actor
        request.delivery_note = _text(note, "note", _("交付の備考"), required=False)
        request.state = RequestState.DELIVERED
        request.save(update_fields=["delivered_on", "delivered_by", "delivery_note", "state"])
        audit_record(
            actor=actor,
            action="disclosure.request.delivered",
            obj=request,
            after={"delivered_on": delivered_on.isoformat(), "method": request.delivery_method},
        )
    return request


# --- correction requests -----------------------------------------------------------------------


def correction_register(
    *,
    actor,
    resident: Resident,
    received_on: dt.date,
    identity_document: str,
    item_key: str,
    item_title: str,
    requested_text: str,
    grounds: str,
    field_name: str = "",
    current_text: str = "",
    disclosure_request: DisclosureRequest | None = None,
) -> CorrectionRequest:
    """Receive a correction request (訂正請求): which record, what it says, what it should say, why."""
    permissions.require_request_handler(actor)
    received_on = _check_day(received_on, "received_on", _("受付日"))
    if disclosure_request is not None and disclosure_request.resident_id != resident.pk:
        raise ValidationError(_("開示請求と訂正請求の住民等が異なります。"))
    if field_name and (item_key != resident_item_key(resident) or field_name not in CORRECTABLE_FIELDS):
        raise ValidationError({"target": _("訂正できる登録情報の項目ではありません。")})
    with transaction.atomic():
        correction = CorrectionRequest.objects.create(
            resident=resident,
            disclosure_request=disclosure_request,
            received_on=received_on,
            identity_document=_choice(identity_document, IdentityDocument, "identity_document", _("本人確認書類")),
            item_key=_text(item_key, "target", _("訂正を求める記録"), required=False, limit=100),
            item_title=_text(item_title, "item_title", _("訂正を求める記録"), limit=200),
            field_name=field_name,
            current_text=_text(current_text, "current_text", _("現在の記録"), required=False, limit=10000),
            requested_text=_text(requested_text, "requested_text", _("訂正を求める内容"), limit=10000),
            grounds=_text(grounds, "grounds", _("訂正を求める理由")),
            deadline=decision_deadline(received_on),
            registered_by=actor,
        )
        audit_record(
            actor=actor,
            action="disclosure.correction.registered",
            obj=correction,
            after={
                "resident_id": resident.pk,
                "item_key": correction.item_key,
                "field_name": field_name,
                "requested_text": correction.requested_text,
                "grounds": correction.grounds,
            },
        )
    return correction


def correction_decide(
    *, actor, correction: CorrectionRequest, decision: str, reason: str, corrected_text: str = ""
) -> CorrectionRequest:
    """Decide a correction request (訂正決定等). 訂正する: a resident's registered detail is changed
    through ``people.services.resident_update`` (its own audit entry); any other record is kept as
    it was written and the correction is kept as an annotation (付記) shown with it."""
    decision = _choice(decision, CorrectionDecision, "decision", _("決定"))
    with transaction.atomic():
        correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
        permissions.require_correction_decider(actor, correction)
        if correction.state != CorrectionState.RECEIVED:
            raise ValidationError(_("この訂正請求はすでに決定しています。"))
        reason = _text(reason, "reason", _("決定の理由"))
        applied: dict = {}
        corrected = ""
        if decision == CorrectionDecision.CORRECT:
            corrected = _text(
                corrected_text or correction.requested_text, "corrected_text", _("訂正後の内容"), limit=10000
            )
            if correction.field_name:
                resident = Resident.objects.get(pk=correction.resident_id)
                before = getattr(resident, correction.field_name)
                resident_update(actor=actor, resident=resident, **{correction.field_name: corrected})
                applied = {
                    "how": "resident_update",
                    "field": correction.field_name,
                    "before": before,
                    "after": getattr(resident, correction.field_name),
                }
            else:
                applied = {"how": "annotation", "item_key": correction.item_key}
        correction.decision = decision
        correction.decision_reason = reason
        correction.corrected_text = corrected
        correction.applied = applied
        correction.decided_by = actor
        correction.decided_at = timezone.now()
        correction.state = CorrectionState.DECIDED
        correction.save()
        audit_record(
            actor=actor,
            action="disclosure.correction.decided",
            obj=correction,
            after={"decision": decision, "reason": reason, "corrected_text": corrected, "applied": applied},
        )
    return correction


def correction_extend(*, actor, correction: CorrectionRequest, reason: str) -> CorrectionRequest:
    """Extend a correction request's deadline once by ``MAMORU_DISCLOSURE_EXTENSION_DAYS`` (30) days, with
    the reason the resident is told in writing (法第94条第2項)."""
    permissions.require_request_handler(actor)
    with transaction.atomic():
        correction = CorrectionRequest.objects.select_for_update().get(pk=correction.pk)
        if correction.state != CorrectionState.RECEIVED:
            raise ValidationError(_("決定済みの訂正請求の期限は延長できません。"))
        if correction.extended_deadline:
            raise ValidationError(_("期限はすでに延長しています。"))
        reason = _text(reason, "extension_reason", _("延長の理由"))
        correction.extended_deadline = extended_deadline(correction.deadline)
        correction.extension_reason = reason
        correction.save(update_fields=["extended_deadline", "extension_reason"])
        audit_record(
            actor=actor,
            action="disclosure.correction.extended",
            obj=correction,
            before={"deadline": correction.deadline.isoformat()},
            after={"deadline": correction.extended_deadline.isoformat(), "reason": reason},
        )
    return correction


# --- reads that are audited --------------------------------------------------------------------


def disclosure_request_mark_viewed(*, actor, request: DisclosureRequest) -> None:
    audit_record(actor=actor, action="disclosure.request.viewed", obj=request)
