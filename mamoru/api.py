"""The JSON API (OpenAPI schema at /api/openapi.json), token-authenticated.

Other city systems (a phone-recording system, a case system) push and read
contacts and residents through the same services and selectors as the pages,
so the same scope applies."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer
from pydantic import Field, create_model

from accounts.models import Department, User
from accounts.services import token_authenticate
from audit.services import audit_read
from people import selectors as people_selectors
from people import services as people_services
from people.models import Resident
from records import selectors as record_selectors
from records import services as record_services
from records.fields import CHOICE, CONTACT_FIELDS, MOMENT, RELATION, STAFF_LIST, ContactField
from records.models import Contact
from records.selectors import ContactFilter
from records.services import ContactData, ContactVersionConflict


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="mamoru API",
    version="1",
    description=_("対応記録・住民等の API。Authorization: Bearer <トークン> で認証します。"),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url=None,  # the interactive docs page loads assets from a CDN: closed networks have none
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = api.create_response(
        request,
        {"detail": _("認証できません。有効な API トークンを「Authorization: Bearer <トークン>」で送ってください。")},
        status=401,
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request, exc):
    detail = str(exc)
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail = _("リクエスト本文を JSON として読み取れません。")
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(NinjaValidationError)
def _malformed(request, exc):
    return api.create_response(
        request, {"detail": _("リクエストの形式が正しくありません。"), "errors": exc.errors}, status=422
    )


@api.exception_handler(ValidationError)
def _validation_error(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": _("入力内容に誤りがあります。"), "errors": detail}, status=400)


@api.exception_handler(ContactVersionConflict)
def _version_conflict(request, exc):
    return api.create_response(
        request, {"detail": _("他の職員が先に更新しています。"), "errors": {"__all__": exc.messages}}, status=409
    )


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or _("権限がありません。")}, status=403)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"detail": _("見つからないか、閲覧する権限がありません。")}, status=404)


class ResidentIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    name_kana: str = Field("", max_length=100)
    phones: list[str] = Field(default_factory=list, max_length=10)
    address: str = Field("", max_length=300)
    notes: str = Field("", max_length=5000)


class ResidentOut(Schema):
    id: int
    name: str
    name_kana: str
    phones: list[str]
    address: str
    notes: str

    @staticmethod
    def resolve_phones(obj):
        return [phone.number for phone in obj.phones.all()]


def _api_name(spec: ContactField) -> str:
    """The API's name for a field: a relation by its lookup (``department_id``, ``staff_username``)."""
    if spec.kind == STAFF_LIST:
        return f"{spec.name}_{spec.lookup}s"
    if spec.kind == RELATION:
        return f"{spec.name}_{spec.lookup}"
    return spec.name


def _api_type(spec: ContactField):
    if spec.kind == RELATION:
        return int if spec.lookup == "id" else str
    if spec.is_list:
        return list[str]
    return dt.datetime if spec.kind == MOMENT else str


def _contact_in_fields() -> dict:
    """What a client sends, from ``records.fields``. The member of staff, left
    out, is the token's user; the service's rules answer anything else in Japanese."""
    fields = {}
    for spec in CONTACT_FIELDS:
        kind_type = _api_type(spec)
        if spec.is_list:
            fields[_api_name(spec)] = (kind_type, Field(default_factory=list))
        elif spec.kind in (RELATION, MOMENT) and not (spec.required and spec.lookup != "username"):
            fields[_api_name(spec)] = (kind_type | None, None)
        elif spec.kind == CHOICE and spec.pack_choices:  # a pack's code fits the column
            fields[_api_name(spec)] = (kind_type, Field(max_length=Contact._meta.get_field(spec.name).max_length))
        elif spec.required and spec.default is None:
            fields[_api_name(spec)] = (kind_type, ...)
        else:
            fields[_api_name(spec)] = (kind_type, spec.default_value())
    return fields


# Read-only values the API adds after a recorded field: the department's name, the duration.
_CONTACT_OUT_EXTRAS = {"department": {"department": str}, "ended_at": {"duration_seconds": int | None}}


def _contact_out_fields() -> dict:
    fields = {}
    for spec in CONTACT_FIELDS:
        kind_type = _api_type(spec)
        optional = spec.kind in (RELATION, MOMENT) and not spec.required
        fields[_api_name(spec)] = (kind_type | None if optional else kind_type, ...)
        for name, extra_type in _CONTACT_OUT_EXTRAS.get(spec.name, {}).items():
            fields[name] = (extra_type, ...)
    return fields


ContactIn = create_model("ContactIn", __base__=Schema, **_contact_in_fields())


class _ContactOutBase(Schema):
    id: int
    version: int

    @staticmethod
    def resolve_department(obj):
        return obj.department.name

    @staticmethod
    def resolve_staff_username(obj):
        return obj.staff.username

    @staticmethod
    def resolve_other_staff_usernames(obj):
        return [user.username for user in obj.other_staff.all()]

    @staticmethod
    def resolve_categories(obj):
        return sorted(category.code for category in obj.categories.all())


ContactOut = create_model("ContactOut", __base__=_ContactOutBase, **_contact_out_fields())


class ContactPage(Schema):
    count: int
    items: list[ContactOut]


def _user_by_username(username: str, field: str) -> User:
    user = User.objects.filter(username=username).select_related("department").first()
    if user is None:
        raise ValidationError({field: _("利用者「{username}」は存在しません。").format(username=username)})
    return user


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A time sent without an offset is the city's local time."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _contact_data(request, payload: ContactIn) -> ContactData:
    department = Department.objects.filter(pk=payload.department_id).first()
    staff = _user_by_username(payload.staff_username, "staff") if payload.staff_username else request.user
    resident = None
    if payload.resident_id is not None:
        resident = Resident.objects.filter(pk=payload.resident_id).first()
        if resident is None:
            raise ValidationError({"resident_id": _("指定された住民等は存在しません。")})
    relations = {_api_name(spec) for spec in CONTACT_FIELDS if spec.kind in (RELATION, STAFF_LIST)}
    values = payload.dict(exclude=relations)
    values.update(started_at=_aware(payload.started_at), ended_at=_aware(payload.ended_at))
    return ContactData(
        department=department,
        staff=staff,
        resident=resident,
        other_staff=[_user_by_username(name, "other_staff") for name in payload.other_staff_usernames],
        **values,
    )


@api.get("/contacts", response=ContactPage, summary=_("対応記録の一覧（新しい順）"))
def contacts_list(
    request,
    q: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    department_id: int | None = None,
    channel: str = "",
    category: str = "",
    harassment: str = "",
    resident_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
):
    if not 1 <= limit <= 500 or offset < 0:
        raise HttpError(400, _("limit は1〜500、offset は0以上で指定してください。"))
    filters = ContactFilter(
        date_from=date_from,
        date_to=date_to,
        department_id=department_id,
        channel=channel,
        category=category,
        harassment=harassment,
        resident_id=resident_id,
        query=q,
    )
    contacts = record_selectors.contact_list_for_display(user=request.user, filters=filters).prefetch_related(
        "other_staff"
    )
    items, count = list(contacts[offset : offset + limit]), contacts.count()
    audit_read(
        actor=request.user,
        action="api.contacts.listed",
        filters={**{k: v for k, v in vars(filters).items() if k != "live_only"}, "limit": limit, "offset": offset},
        count=len(items),
    )
    return {"count": count, "items": items}


@api.get("/contacts/{contact_id}", response=ContactOut, summary=_("対応記録1件"))
def contacts_get(request, contact_id: int):
    contact = record_selectors.contact_get(user=request.user, pk=contact_id)
    record_services.contact_mark_viewed(actor=request.user, contact=contact)
    return contact


@api.post("/contacts", response={201: ContactOut}, summary=_("対応記録の登録"))
def contacts_create(request, payload: ContactIn):
    contact = record_services.contact_create(actor=request.user, data=_contact_data(request, payload))
    return 201, record_selectors.contact_get(user=request.user, pk=contact.pk)


@api.put("/contacts/{contact_id}", response=ContactOut, summary=_("対応記録の更新（全項目）"))
def contacts_update(request, contact_id: int, payload: ContactIn, version: int | None = None):
    contact = record_selectors.contact_get(user=request.user, pk=contact_id)
    record_services.contact_update(
        actor=request.user, contact=contact, data=_contact_data(request, payload), expected_version=version
    )
    return record_selectors.contact_get(user=request.user, pk=contact_id)


@api.get("/residents", response=list[ResidentOut], summary=_("住民等の検索（氏名・かな・電話番号）"))
def residents_list(request, q: str = "", limit: int = 50):
    if not 1 <= limit <= 500:
        raise HttpError(400, _("limit は1〜500で指定してください。"))
    residents = list(people_selectors.resident_list(user=request.user, query=q)[:limit])
    audit_read(
        actor=request.user, action="api.residents.listed", filters={"q": q, "limit": limit}, count=len(residents)
    )
    return residents


@api.get("/residents/{resident_id}", response=ResidentOut, summary=_("住民等1件"))
def residents_get(request, resident_id: int):
    resident = people_selectors.resident_get(user=request.user, pk=resident_id)
    people_services.resident_mark_viewed(actor=request.user, resident=resident)
    return resident


@api.post("/residents", response={201: ResidentOut}, summary=_("住民等の登録"))
def residents_create(request, payload: ResidentIn):
    resident = people_services.resident_create(actor=request.user, **payload.dict())
    return 201, people_selectors.resident_get(user=request.user, pk=resident.pk)


@api.get(
    "/residents/{resident_id}/contacts", response=list[ContactOut], summary=_("住民等の対応履歴（閲覧できる課のみ）")
)
def residents_contacts(request, resident_id: int, limit: int = 100):
    resident = people_selectors.resident_get(user=request.user, pk=resident_id)
    contacts = record_selectors.contact_list_for_display(
        user=request.user, filters=ContactFilter(resident_id=resident.pk)
    ).prefetch_related("other_staff")
    items = list(contacts[: max(1, min(limit, 500))])
    audit_read(
        actor=request.user,
        action="api.resident_contacts.listed",
        obj=resident,
        filters={"limit": limit},
        count=len(items),
    )
    return items
