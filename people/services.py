"""Registering and changing residents (住民等)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.permissions import require_handler
from audit.services import audit_record
from mamoru.lib.japanese import normalize_compact, phone_digits, to_hiragana
from mamoru.lib.text import clean_text

from .matching import resident_match_keys
from .models import Resident, ResidentPhone

FIELDS = ("name", "name_kana", "address", "notes")


def resident_search_key(name: str, name_kana: str) -> str:
    return f"{normalize_compact(name)} {to_hiragana(name_kana)}".strip()


def _clean(field: str, value) -> str:
    """A field as stored: no control characters; the notes keep their line
    breaks and tabs, the one-line fields are trimmed."""
    if field == "notes":
        return clean_text(str(value or ""))
    return clean_text(str(value or ""), multiline=False).strip()


def _require_record_handler(actor) -> None:
    require_handler(actor, _("住民等の情報を扱う権限がありません。"))


def _clean_phones(phones: list[str]) -> list[tuple[str, str]]:
    cleaned = []
    for number in phones:
        number = _clean("phones", number)
        if not number:
            continue
        digits = phone_digits(number)
        if not 6 <= len(digits) <= 15:
            raise ValidationError(
                {"phones": _("電話番号「{number}」は正しい形式ではありません。").format(number=number)}
            )
        cleaned.append((number, digits))
    return cleaned


def _snapshot(resident: Resident) -> dict:
    data = {field: getattr(resident, field) for field in FIELDS}
    data["phones"] = [phone.number for phone in resident.phones.all()]
    return data


def _save_phones(resident: Resident, phones: list[tuple[str, str]]) -> None:
    resident.phones.all().delete()
    ResidentPhone.objects.bulk_create(
        ResidentPhone(resident=resident, number=number, digits=digits) for number, digits in phones
    )


@transaction.atomic
def resident_create(
    *, actor, name: str, name_kana: str = "", address: str = "", notes: str = "", phones: list[str] = ()
) -> Resident:
    _require_record_handler(actor)
    name, name_kana, address, notes = (
        _clean(field, value) for field, value in zip(FIELDS, (name, name_kana, address, notes), strict=True)
    )
    if not name:
        raise ValidationError({"name": _("氏名を入力してください。")})
    cleaned_phones = _clean_phones(list(phones))
    resident = Resident.objects.create(
        name=name,
        name_kana=name_kana,
        address=address,
        notes=notes,
        search_key=resident_search_key(name, name_kana),
        **resident_match_keys(name=name, kana=name_kana, address=address),
        created_by=actor,
    )
    _save_phones(resident, cleaned_phones)
    audit_record(actor=actor, action="people.resident.created", obj=resident, after=_snapshot(resident))
    return resident


@transaction.atomic
def resident_update(*, actor, resident: Resident, phones: list[str] | None = None, **changes) -> Resident:
    _require_record_handler(actor)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError(_("変更できない項目です: {value}").format(value=", ".join(sorted(unknown))))
    changes = {field: _clean(field, value) for field, value in changes.items()}
    if "name" in changes and not changes["name"]:
        raise ValidationError({"name": _("氏名を入力してください。")})
    before = _snapshot(resident)
    cleaned_phones = _clean_phones(phones) if phones is not None else None
    for field, value in changes.items():
        setattr(resident, field, value)
    resident.search_key = resident_search_key(resident.name, resident.name_kana)
    for key, value in resident_match_keys(
        name=resident.name, kana=resident.name_kana, address=resident.address
    ).items():
        setattr(resident, key, value)
    resident.save()
    if cleaned_phones is not None:
        _save_phones(resident, cleaned_phones)
    after = _snapshot(resident)
    if after != before:
        audit_record(actor=actor, action="people.resident.updated", obj=resident, before=before, after=after)
    return resident


@transaction.atomic
def resident_delete(*, actor, resident: Resident) -> None:
    """Delete a resident registered by mistake. Only the specialist section may,
    and only while no contact refers to the resident."""
    if not actor.is_specialist:
        raise PermissionDenied(_("住民等を削除できるのは専門部署のみです。"))
    if resident.contacts.exists():
        raise ValidationError(_("対応記録がある住民等は削除できません。"))
    before = _snapshot(resident)
    audit_record(actor=actor, action="people.resident.deleted", obj=resident, before=before)
    resident.delete()


def resident_mark_viewed(*, actor, resident: Resident) -> None:
    audit_record(actor=actor, action="people.resident.viewed", obj=resident)
