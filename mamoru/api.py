"""The JSON API (OpenAPI schema at /api/openapi.json), token-authenticated.

Other city systems (a phone-recording system, a case system) push and read
contacts and residents through the same services and selectors as the pages,
so the same scope applies."""

import datetime as dt
import hashlib
import json
import logging
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Header, NinjaAPI, Path, Query, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from pydantic import Field, create_model

from accounts.models import Department, User
from accounts.services import (
    TokenRefused,
    idempotency_claim,
    idempotency_complete,
    token_areas,
    token_authenticate,
    token_failure_record,
    token_failures_wait,
)
from audit.middleware import client_address
from audit.services import audit_read
from evidence import selectors as evidence_selectors
from evidence import services as evidence_services
from evidence.choices import EvidenceKind
from evidence.incoming import TooLarge, incoming_from_stream
from people import selectors as people_selectors
from people import services as people_services
from people.models import Resident
from records import selectors as record_selectors
from records import services as record_services
from records.fields import CHOICE, CONTACT_FIELDS, MOMENT, RELATION, STAFF_LIST, ContactField
from records.models import Contact
from records.selectors import ContactFilter
from records.services import ContactData, ContactVersionConflict

from .views import api_server_error, database_failed, database_unavailable

# The largest id or offset the databases store (a signed 64-bit integer): anything larger
# is refused by validation (422) instead of overflowing in the database (500).
MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000_000
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TooManyTokenFailures(Exception):
    def __init__(self, wait: int):
        self.wait = wait


class TokenAuth(HttpBearer):
    """A bearer token, checked for its expiry, scope and addresses; an address that keeps
    sending wrong tokens is made to wait (429)."""

    def authenticate(self, request, token):
        address = client_address(request)
        wait = token_failures_wait(address=address)
        if wait is not None:
            raise TooManyTokenFailures(wait)
        try:
            user = token_authenticate(
                token,
                address=address,
                write=request.method not in SAFE_METHODS,
                areas=token_areas(request.path),
            )
        except TokenRefused as refused:
            if refused.status == 401:
                token_failure_record(address=address)
            raise
        if user is None:
            token_failure_record(address=address)
            return None
        request.user = user
        return user


class TokenRateThrottle(BaseThrottle):
    """At most ``MAMORU_API_RATE_PER_MINUTE`` requests per token per minute (a fixed
    window in Django's cache: one process, or a shared cache with several)."""

    def allow_request(self, request) -> bool:
        rate = settings.MAMORU_API_RATE_PER_MINUTE
        token = getattr(getattr(request, "auth", None), "api_token", None)
        if not rate or token is None:
            return True
        window = int(time.time() // 60)
        key = f"mamoru:api-rate:{token.pk}:{window}"
        cache.add(key, 0, timeout=120)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=120)
            count = 1
        self._wait = 60 - time.time() % 60
        return count <= rate

    def wait(self):
        return getattr(self, "_wait", 60)


api = NinjaAPI(
    title="mamoru API",
    version="1",
    description=_("対応記録・住民等の API。Authorization: Bearer <トークン> で認証します。"),
    auth=TokenAuth(),
    urls_namespace="api",
    docs_url=None,  # the interactive docs page loads assets from a CDN: closed networks have none
    throttle=[TokenRateThrottle()],
)


class ErrorOut(Schema):
    """Every refusal: a Japanese ``detail``, and for invalid input the ``errors`` by field."""

    detail: str
    errors: Any = None


# The answers every operation may give besides its own (documented in the OpenAPI schema).
ERRORS = {
    400: ErrorOut,  # invalid input, or NUL anywhere in the request (mamoru.middleware.RefuseNulMiddleware)
    401: ErrorOut,  # no token, unknown, expired or awaiting approval
    403: ErrorOut,  # outside the token's scope or addresses, or the user's role
    422: ErrorOut,  # a parameter of the wrong type or out of range
    429: ErrorOut,  # too many requests (Retry-After says how long to wait)
}
WRITE_ERRORS = {**ERRORS, 409: ErrorOut}


@api.exception_handler(TokenRefused)
def _token_refused(request, exc):
    response = api.create_response(request, {"detail": exc.message}, status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return response


@api.exception_handler(TooManyTokenFailures)
def _too_many_token_failures(request, exc):
    response = api.create_response(
        request,
        {
            "detail": _(
                "誤った API トークンによるアクセスが続いたため、このアドレスからの利用を一時的に制限しています。"
                "{seconds}秒後に再度お試しください。"
            ).format(seconds=exc.wait)
        },
        status=429,
    )
    response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(Throttled)
def _throttled(request, exc):
    seconds = math.ceil(exc.wait) if exc.wait else 60
    return api.create_response(
        request,
        {
            "detail": _("リクエストが多すぎます。{seconds}秒後に再度お試しください。").format(seconds=seconds),
        },
        status=429,
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


@api.exception_handler(Exception)
def _server_error(request, exc):
    """Anything else: logged with its traceback, answered in JSON without it (never Django's debug page);
    503 in JSON when the database cannot be reached."""
    request_id = getattr(request, "request_id", "")
    response = database_unavailable(request, request_id) if database_failed(exc) else api_server_error(request_id)
    logging.getLogger("django.request").error(
        "%s: %s",
        response.reason_phrase,
        request.path,
        exc_info=exc,
        extra={"status_code": response.status_code, "request": request},
    )
    return response


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
        elif spec.kind == RELATION and spec.lookup == "id":
            fields[_api_name(spec)] = (kind_type | None, Field(None, ge=1, le=MAX_ID))
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


def _contact_data(request, payload: ContactIn, current: Contact | None = None) -> ContactData:
    """The service's input from a payload. Without ``staff_username`` a new contact is the
    token user's own, and an updated one keeps its 対応職員."""
    department = Department.objects.filter(pk=payload.department_id).first()
    if payload.staff_username:
        staff = _user_by_username(payload.staff_username, "staff")
    else:
        staff = current.staff if current is not None else request.user
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


IDEMPOTENCY_HEADER = "Idempotency-Key"


def _idempotent(request, schema, create):
    """Run ``create`` (which answers ``(201, object)``) once per ``Idempotency-Key``: a retry
    with the same key and the same body gets the first answer again, never a duplicate."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return create()
    key = key.strip()
    if not 1 <= len(key) <= 200 or not key.isascii() or not key.isprintable():
        raise HttpError(400, _("Idempotency-Key は200文字以内の英数字・記号で指定してください。"))
    fingerprint = hashlib.sha256(request.method.encode() + request.path.encode() + b"\n" + request.body).hexdigest()
    with transaction.atomic():
        record = idempotency_claim(actor=request.user, key=key, fingerprint=fingerprint)
        if record.status is None:
            status, obj = create()
            response = api.create_response(request, schema.from_orm(obj).model_dump(), status=status)
            idempotency_complete(record=record, status=status, body=json.loads(response.content))
            return response
    response = api.create_response(request, record.body, status=record.status)
    response["Idempotent-Replayed"] = "true"
    return response


# Declared so the schema shows it; ``_idempotent`` reads and checks it.
_IDEMPOTENCY_KEY = Header(
    None, alias=IDEMPOTENCY_HEADER, description="再送で二重に登録しないためのキー（200文字以内の英数字・記号）"
)
_CONTACT_ID = Path(..., ge=1, le=MAX_ID, description="対応記録の ID")
_RESIDENT_ID = Path(..., ge=1, le=MAX_ID, description="住民等の ID")


@api.get("/contacts", response={200: ContactPage, **ERRORS}, summary=_("対応記録の一覧（新しい順）"))
def contacts_list(
    request,
    q: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    department_id: int | None = Query(None, ge=1, le=MAX_ID),
    channel: str = "",
    category: str = "",
    harassment: str = "",
    resident_id: int | None = Query(None, ge=1, le=MAX_ID),
    limit: int = 50,
    offset: int = 0,
):
    if not 1 <= limit <= 500 or not 0 <= offset <= MAX_OFFSET:
        raise HttpError(400, _("limit は1〜500、offset は0〜1000000000で指定してください。"))
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


@api.get("/contacts/{contact_id}", response={200: ContactOut, 404: ErrorOut, **ERRORS}, summary=_("対応記録1件"))
def contacts_get(request, contact_id: int = _CONTACT_ID):
    contact = record_selectors.contact_get(user=request.user, pk=contact_id)
    record_services.contact_mark_viewed(actor=request.user, contact=contact)
    return contact


@api.post(
    "/contacts",
    response={201: ContactOut, **WRITE_ERRORS},
    summary=_("対応記録の登録"),
    description=_(
        "「Idempotency-Key」ヘッダー（任意の文字列）を付けると、接続が切れた後の再送で同じキー・同じ内容なら"
        "最初の結果を返し、二重に登録しません（結果は MAMORU_API_IDEMPOTENCY_HOURS 時間保持）。"
    ),
)
def contacts_create(request, payload: ContactIn, idempotency_key: str | None = _IDEMPOTENCY_KEY):
    def create():
        contact = record_services.contact_create(actor=request.user, data=_contact_data(request, payload))
        return 201, record_selectors.contact_get(user=request.user, pk=contact.pk)

    return _idempotent(request, ContactOut, create)


@api.put(
    "/contacts/{contact_id}",
    response={200: ContactOut, 404: ErrorOut, 428: ErrorOut, **WRITE_ERRORS},
    summary=_("対応記録の更新（全項目）"),
    description=_(
        "取得時の version を ?version= で必ず指定します（他の更新を上書きしないため。指定がなければ 428）。"
        "staff_username を省略すると、対応職員は変わりません。"
    ),
)
def contacts_update(
    request, payload: ContactIn, contact_id: int = _CONTACT_ID, version: int | None = Query(None, ge=1, le=MAX_ID)
):
    contact = record_selectors.contact_get(user=request.user, pk=contact_id)
    if version is None:
        raise HttpError(
            428,
            _(
                "更新には、取得した対応記録の version を「?version=」で指定してください（他の職員の更新を上書きしないため）。"
            ),
        )
    record_services.contact_update(
        actor=request.user, contact=contact, data=_contact_data(request, payload, contact), expected_version=version
    )
    return record_selectors.contact_get(user=request.user, pk=contact_id)


@api.get(
    "/residents",
    response={200: list[ResidentOut], **ERRORS},
    summary=_("住民等の検索（氏名・かな・電話番号）"),
)
def residents_list(request, q: str = "", limit: int = 50):
    if not 1 <= limit <= 500:
        raise HttpError(400, _("limit は1〜500で指定してください。"))
    residents = list(people_selectors.resident_list(user=request.user, query=q)[:limit])
    audit_read(
        actor=request.user, action="api.residents.listed", filters={"q": q, "limit": limit}, count=len(residents)
    )
    return residents


@api.get("/residents/{resident_id}", response={200: ResidentOut, 404: ErrorOut, **ERRORS}, summary=_("住民等1件"))
def residents_get(request, resident_id: int = _RESIDENT_ID):
    resident = people_selectors.resident_get(user=request.user, pk=resident_id)
    people_services.resident_mark_viewed(actor=request.user, resident=resident)
    return resident


@api.post(
    "/residents",
    response={201: ResidentOut, **WRITE_ERRORS},
    summary=_("住民等の登録"),
    description=_("「Idempotency-Key」ヘッダーで再送による二重登録を防げます（対応記録の登録と同じ）。"),
)
def residents_create(request, payload: ResidentIn, idempotency_key: str | None = _IDEMPOTENCY_KEY):
    def create():
        resident = people_services.resident_create(actor=request.user, **payload.dict())
        return 201, people_selectors.resident_get(user=request.user, pk=resident.pk)

    return _idempotent(request, ResidentOut, create)


@api.get(
    "/residents/{resident_id}/contacts",
    response={200: list[ContactOut], 404: ErrorOut, **ERRORS},
    summary=_("住民等の対応履歴（閲覧できる課のみ）"),
)
def residents_contacts(request, resident_id: int = _RESIDENT_ID, limit: int = 100):
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


# --- evidence (issue 14, ui stream): a phone-recording system pushes its recording of a contact ---


class EvidenceOut(Schema):
    """One piece of evidence: what is known about the file (never its bytes)."""

    id: int
    contact_id: int | None
    case_id: int | None
    kind: str
    original_name: str
    content_type: str
    extension: str
    size: int
    sha256: str
    captured_by: str
    captured_at: dt.datetime | None
    captured_place: str
    description: str
    uploaded_by_username: str
    uploaded_at: dt.datetime
    deleted: bool

    @staticmethod
    def resolve_content_type(obj):
        return obj.stored_file.content_type

    @staticmethod
    def resolve_extension(obj):
        return obj.stored_file.extension

    @staticmethod
    def resolve_size(obj):
        return obj.stored_file.size

    @staticmethod
    def resolve_sha256(obj):
        return obj.stored_file.sha256

    @staticmethod
    def resolve_captured_by(obj):
        return obj.captured_by_name

    @staticmethod
    def resolve_uploaded_by_username(obj):
        return obj.uploaded_by.username

    @staticmethod
    def resolve_deleted(obj):
        return obj.deleted_at is not None


class EvidenceAddedOut(Schema):
    """The answer to a pushed file: its evidence id, SHA-256, whether the same bytes were
    already evidence (``duplicate``) and any note (the name said one type, the content another)."""

    id: int
    sha256: str
    size: int
    content_type: str
    duplicate: bool
    duplicate_of: int | None
    note: str


EVIDENCE_KINDS = ", ".join(EvidenceKind.values)
_EVIDENCE_FILE = File(..., description="ファイル本体（録音・動画・写真など）")
_EVIDENCE_KIND = Form("", description=f"証拠の種類（{EVIDENCE_KINDS}。空なら内容から判定）", max_length=20)
_EVIDENCE_CAPTURED_AT = Form(None, description="記録日時（録音・撮影した日時、ISO 8601。時差なしは日本時間）")
_EVIDENCE_CAPTURED_BY = Form("", description="記録した人", max_length=100)
_EVIDENCE_CAPTURED_PLACE = Form("", description="記録した場所", max_length=200)
_EVIDENCE_DESCRIPTION = Form("", description="内容の説明", max_length=2000)


@api.post(
    "/contacts/{contact_id}/evidence",
    response={201: EvidenceAddedOut, 404: ErrorOut, 413: ErrorOut, **ERRORS},
    summary=_("対応記録への証拠（録音など）の登録"),
    description=_(
        "multipart/form-data で file（ファイル本体）と kind・captured_at・captured_by・captured_place・description を送ります。"
        "書き込み可能で対象に contacts を含むトークンが必要です。同じ内容のファイルは1つだけ保存され、duplicate が true になります。"
    ),
)
def contacts_evidence_add(
    request,
    contact_id: int = _CONTACT_ID,
    file: UploadedFile = _EVIDENCE_FILE,
    kind: str = _EVIDENCE_KIND,
    captured_at: dt.datetime | None = _EVIDENCE_CAPTURED_AT,
    captured_by: str = _EVIDENCE_CAPTURED_BY,
    captured_place: str = _EVIDENCE_CAPTURED_PLACE,
    description: str = _EVIDENCE_DESCRIPTION,
):
    contact = record_selectors.contact_get(user=request.user, pk=contact_id)
    if kind and kind not in EvidenceKind.values:
        raise HttpError(400, _("kind は {kinds} のいずれかで指定してください。").format(kinds=EVIDENCE_KINDS))
    try:
        incoming = incoming_from_stream(file, name=file.name or "")
    except TooLarge:
        raise HttpError(
            413,
            _("ファイルが大きすぎます（上限 {limit} MB）。").format(
                limit=settings.MAMORU_EVIDENCE_MAX_BYTES // (1024 * 1024)
            ),
        ) from None
    added = evidence_services.evidence_add(
        actor=request.user,
        incoming=incoming,
        contact=contact,
        kind=kind,
        description=description,
        captured_by_name=captured_by,
        captured_at=_aware(captured_at),
        captured_place=captured_place,
    )
    stored = added.evidence.stored_file
    return 201, {
        "id": added.evidence.pk,
        "sha256": stored.sha256,
        "size": stored.size,
        "content_type": stored.content_type,
        "duplicate": added.duplicate_of is not None,
        "duplicate_of": added.duplicate_of.pk if added.duplicate_of is not None else None,
        "note": added.note,
    }


@api.get(
    "/contacts/{contact_id}/evidence",
    response={200: list[EvidenceOut], 404: ErrorOut, **ERRORS},
    summary=_("対応記録の証拠の一覧（ファイルの情報のみ）"),
)
def contacts_evidence_list(request, contact_id: int = _CONTACT_ID):
    contact = record_selectors.contact_get(user=request.user, pk=contact_id)
    items = list(evidence_selectors.evidence_for(user=request.user, contact=contact))
    audit_read(actor=request.user, action="evidence.evidence.listed", obj=contact, count=len(items))
    return items
