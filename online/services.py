"""Changes to online posts: registering a post (or joining the one already registered at
the same address), adding an address, recording a step of its timeline. Each in one
transaction with its audit entry; the affected staff are told of each step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import handles_contacts
from audit.services import audit_read, audit_record
from mamoru.lib.post_urls import NotAUrl, normalise_url
from mamoru.policy.loader import current as current_policy
from mamoru.policy.schema_online import OTHER_PLATFORM
from notifications.mail import mail_on_commit
from notifications.services import notification_send

from .choices import (
    STEP_ORDER,
    Answer,
    DisclosureDecision,
    Exposure,
    LegalAction,
    PostState,
    RequestRoute,
    StepKind,
)
from .models import OnlinePost, PostStep, PostUrl
from .permissions import may_report_post, require_record_step, require_see_post
from .selectors import specialist_users

MAX_URLS = 20


@dataclass
class Registered:
    post: OnlinePost
    joined: bool  # the address was already registered: the report joined that post


def platform_label(post: OnlinePost) -> str:
    if post.platform == OTHER_PLATFORM:
        return post.platform_name or _("その他")
    platform = current_policy().online_posts.platform(post.platform)
    return platform.name if platform else (post.platform_name or post.platform)


def platform_choices() -> list[tuple[str, str]]:
    rules = current_policy().online_posts
    return [(p.code, p.name) for p in rules.platforms] + [(OTHER_PLATFORM, _("その他（サイト名を入力）"))]


def _clean_urls(urls) -> list[tuple[str, str]]:
    cleaned, seen, errors = [], set(), []
    for raw in urls or []:
        if not (raw or "").strip():
            continue
        try:
            normalised = normalise_url(raw)
        except NotAUrl as exc:
            errors.append(str(exc))
            continue
        if normalised not in seen:
            seen.add(normalised)
            cleaned.append((raw.strip(), normalised))
    if errors:
        raise ValidationError({"urls": errors})
    if not cleaned:
        raise ValidationError({"urls": _("投稿の URL を1件以上入力してください。")})
    if len(cleaned) > MAX_URLS:
        raise ValidationError({"urls": _("URL は1件の投稿につき{n}件までです。").format(n=MAX_URLS)})
    return cleaned


def _resolve_staff(values) -> list[User]:
    ids, users = [], []
    for value in values or []:
        if isinstance(value, User):
            users.append(value)
        else:
            try:
                ids.append(int(value))
            except (TypeError, ValueError):
                raise ValidationError(
                    {"affected_staff": _("対象の職員「{v}」は職員ではありません。").format(v=value)}
                ) from None
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {
                "affected_staff": _("対象の職員（ID {ids}）は mamoru の職員ではありません。").format(
                    ids="、".join(missing)
                )
            }
        )
    users.extend(found.values())
    unique = list({u.pk: u for u in users}.values())
    if not unique:
        raise ValidationError({"affected_staff": _("投稿の対象になっている職員を1人以上選んでください。")})
    if any(u.role == "administrator" for u in unique):
        raise ValidationError({"affected_staff": _("システム管理者のアカウントは対象の職員にできません。")})
    return unique


def _notify(users, *, text: str, url: str, actor=None) -> None:
    recipients = [u for u in users if actor is None or u.pk != actor.pk]
    if not recipients:
        return
    notification_send(users=recipients, kind="online.post", text=text, url=url)
    mail_on_commit(users=recipients, text=text, url=url, request_line=_("内容を確認してください"))


def post_url(post: OnlinePost) -> str:
    return reverse("online:post_detail", args=[post.pk])


@transaction.atomic
def post_register(
    *,
    actor,
    urls: list[str],
    platform: str,
    affected_staff: list,
    platform_name: str = "",
    content: str = "",
    posted_at: dt.datetime | None = None,
    found_at: dt.datetime | None = None,
    exposures: list[str] | tuple = (),
    exposure_note: str = "",
    resident=None,
    contacts=(),
) -> Registered:
    """Register a post about staff. A post at an address already registered is not
    registered twice: the report joins it (its new addresses, staff and exposures are
    added) and ``joined`` says so."""
    if not handles_contacts(actor):
        raise PermissionDenied(_("投稿を登録する権限がありません。"))
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    try:
        cleaned = _clean_urls(urls)
    except ValidationError as exc:
        cleaned = []
        for message in exc.message_dict["urls"]:
            add("urls", message)
    try:
        staff = _resolve_staff(affected_staff)
    except ValidationError as exc:
        staff = []
        for message in exc.message_dict["affected_staff"]:
            add("affected_staff", message)
    rules = current_policy().online_posts
    platform = (platform or "").strip()
    platform_name = (platform_name or "").strip()[:100]
    if platform != OTHER_PLATFORM and rules.platform(platform) is None:
        add(
            "platform",
            _("サイト「{p}」はポリシーパックの一覧にありません。「その他」を選んでサイト名を入力してください。").format(
                p=platform or "（空）"
            ),
        )
    elif platform == OTHER_PLATFORM and not platform_name:
        add("platform_name", _("「その他」のときはサイト名を入力してください。"))
    known = {code for code, _label in Exposure.choices}
    exposures = list(dict.fromkeys(exposures or []))
    bad = [e for e in exposures if e not in known]
    if bad:
        add("exposures", _("公開されているものの選択肢「{v}」はありません。").format(v="、".join(map(str, bad))))
    now = timezone.now()
    found_at = found_at or now
    if found_at > now + dt.timedelta(minutes=5):
        add("found_at", _("発見日時が未来になっています。"))
    if posted_at is not None and posted_at > found_at:
        add("posted_at", _("投稿日時が発見日時より後になっています。"))
    if staff and not may_report_post(actor, staff):
        raise PermissionDenied(
            _(
                "自分についての投稿は本人が、ほかの職員についての投稿は専門部署が登録します。専門部署に相談してください。"
            )
        )
    if errors:
        raise ValidationError(errors)

    existing = (
        PostUrl.objects.select_for_update()
        .filter(normalised__in=[n for _raw, n in cleaned])
        .select_related("post")
        .order_by("id")
        .first()
    )
    if existing is not None:
        post = OnlinePost.objects.select_for_update().get(pk=existing.post_id)
        return Registered(
            post=_join(actor=actor, post=post, cleaned=cleaned, staff=staff, exposures=exposures), joined=True
        )

    post = OnlinePost.objects.create(
        platform=platform,
        platform_name=platform_name,
        content=(content or "").strip(),
        posted_at=posted_at,
        found_at=found_at,
        found_by=actor,
        exposures=exposures,
        exposure_note=(exposure_note or "").strip()[:200],
        resident=resident,
        created_by=actor,
    )
    post.affected_staff.set(staff)
    if contacts:
        post.contacts.set(contacts)
    PostUrl.objects.bulk_create(PostUrl(post=post, url=raw, normalised=n, added_by=actor) for raw, n in cleaned)
    PostStep.objects.create(
        post=post,
        kind=StepKind.FOUND,
        happened_on=timezone.localdate(found_at),
        details={"found_by": actor.display_name},
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="online.post.registered",
        obj=post,
        after={
            "platform": platform_label(post),
            "urls": [raw for raw, _n in cleaned],
            "affected_staff": [u.display_name for u in staff],
            "exposures": post.exposure_labels(),
        },
    )
    _notify(
        [*staff, *specialist_users()],
        text=_("職員についてのインターネット上の投稿が登録されました（投稿 {n}）").format(n=post.number),
        url=post_url(post),
        actor=actor,
    )
    return Registered(post=post, joined=False)


def _join(*, actor, post: OnlinePost, cleaned, staff, exposures) -> OnlinePost:
    # The reporter may report (checked by post_register); the post is about them too, so they join its audience.
    known = set(PostUrl.objects.filter(normalised__in=[n for _r, n in cleaned]).values_list("normalised", flat=True))
    new_urls = [(raw, n) for raw, n in cleaned if n not in known]
    PostUrl.objects.bulk_create(PostUrl(post=post, url=raw, normalised=n, added_by=actor) for raw, n in new_urls)
    before_staff = set(post.affected_staff.values_list("pk", flat=True))
    post.affected_staff.add(*staff)
    added_staff = [u for u in staff if u.pk not in before_staff]
    merged = list(dict.fromkeys([*(post.exposures or []), *exposures]))
    if merged != post.exposures:
        post.exposures = merged
        post.save(update_fields=["exposures"])
    audit_record(
        actor=actor,
        action="online.post.joined",
        obj=post,
        after={
            "urls": [raw for raw, _n in new_urls],
            "affected_staff": [u.display_name for u in added_staff],
        },
    )
    _notify(
        specialist_users(),
        text=_("登録済みの投稿（投稿 {n}）について、同じ URL の報告がありました").format(n=post.number),
        url=post_url(post),
        actor=actor,
    )
    return post


@transaction.atomic
def post_url_add(*, actor, post: OnlinePost, url: str) -> PostUrl:
    """Add another address of the same post (a copy, a repost). An address another post
    already has is refused, naming that post."""
    require_see_post(actor, post)
    ((raw, normalised),) = _clean_urls([url])
    other = PostUrl.objects.filter(normalised=normalised).first()
    if other is not None:
        if other.post_id == post.pk:
            raise ValidationError({"url": _("この URL は既にこの投稿に登録されています。")})
        raise ValidationError(
            {"url": _("この URL は別の投稿（投稿 No.{n:05d}）に登録されています。").format(n=other.post_id)}
        )
    added = PostUrl.objects.create(post=post, url=raw, normalised=normalised, added_by=actor)
    audit_record(actor=actor, action="online.post.url_added", obj=post, after={"url": raw})
    return added


# What each step needs before it (the reason a step out of order is refused).
PREREQUISITES = {
    StepKind.PRESERVED: (),
    StepKind.REMOVAL_REQUESTED: (
        (StepKind.PRESERVED,),
        _("先に証拠保全を記録してください（削除されると証拠が残りません）。"),
    ),
    StepKind.ANSWERED: (
        (StepKind.REMOVAL_REQUESTED,),
        _("回答は、削除申出・送信防止措置依頼を記録してから記録します。"),
    ),
    StepKind.REMOVAL_CONFIRMED: ((StepKind.ANSWERED,), _("削除の確認は、事業者の回答を記録してから記録します。")),
    StepKind.DISCLOSURE_ORDER: (
        (StepKind.PRESERVED,),
        _("発信者情報開示命令の申立ては、証拠保全を記録してから記録します（裁判所に投稿の証拠が必要です）。"),
    ),
    StepKind.LEGAL_ACTION: ((StepKind.PRESERVED,), _("法的措置は、証拠保全を記録してから記録します。")),
    StepKind.CLOSED: (),
}


def _parse_date(value, field: str, errors: dict) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors.setdefault(field, []).append(_("「{v}」は日付として読めません（例: 2026-04-01）。").format(v=value))
        return None


def _choice(details: dict, key: str, choices, label: str, errors: dict, *, required=True) -> str:
    value = (details.get(key) or "").strip() if isinstance(details.get(key), str) else details.get(key)
    if not value:
        if required:
            errors.setdefault(key, []).append(_("{label}を選んでください。").format(label=label))
        return ""
    if value not in choices.values:
        errors.setdefault(key, []).append(_("{label}の選択肢「{v}」はありません。").format(label=label, v=value))
        return ""
    return value


def _text(details: dict, key: str, label: str, errors: dict, *, required=False, limit=300) -> str:
    value = details.get(key) or ""
    value = str(value).strip()[:limit]
    if required and not value:
        errors.setdefault(key, []).append(_("{label}を入力してください。").format(label=label))
    return value


def _clean_details(kind: str, details: dict, found_on: dt.date, errors: dict) -> dict:
    details = dict(details or {})
    out: dict = {}
    if kind == StepKind.PRESERVED:
        out["archive_url"] = _text(details, "archive_url", _("アーカイブの URL"), errors, limit=2000)
        if out["archive_url"]:
            try:
                normalise_url(out["archive_url"])
            except NotAUrl as exc:
                errors.setdefault("archive_url", []).append(str(exc))
    elif kind == StepKind.REMOVAL_REQUESTED:
        out["route"] = _choice(details, "route", RequestRoute, _("申出の方法"), errors)
        out["to_whom"] = _text(details, "to_whom", _("申出先"), errors, required=True, limit=200)
        due = _parse_date(details.get("answer_due"), "answer_due", errors)
        if due is not None:
            if due < found_on:
                errors.setdefault("answer_due", []).append(
                    _("回答期限（{d}）が発見日（{f}）より前になっています。").format(d=due, f=found_on)
                )
            out["answer_due"] = due.isoformat()
        if details.get("letter_id"):
            out["letter_id"] = int(details["letter_id"])
    elif kind == StepKind.ANSWERED:
        out["answer"] = _choice(details, "answer", Answer, _("回答"), errors)
        out["reason"] = _text(details, "reason", _("回答の理由"), errors)
    elif kind == StepKind.REMOVAL_CONFIRMED:
        out["removed"] = bool(details.get("removed", True))
    elif kind == StepKind.DISCLOSURE_ORDER:
        out["court"] = _text(details, "court", _("裁判所"), errors, required=True, limit=100)
        out["provision_order"] = bool(details.get("provision_order"))  # 提供命令
        out["erasure_ban_order"] = bool(details.get("erasure_ban_order"))  # 消去禁止命令
        out["decision"] = _choice(details, "decision", DisclosureDecision, _("決定"), errors, required=False) or (
            DisclosureDecision.PENDING.value
        )
        decided = _parse_date(details.get("decided_on"), "decided_on", errors)
        out["decided_on"] = decided.isoformat() if decided else ""
        out["identified_poster"] = _text(details, "identified_poster", _("特定された発信者"), errors, limit=200)
        identified = _parse_date(details.get("identified_on"), "identified_on", errors)
        if out["identified_poster"] and identified is None:
            identified = decided
        if identified is not None and identified < found_on:
            errors.setdefault("identified_on", []).append(_("発信者を知った日が発見日より前になっています。"))
        out["identified_on"] = identified.isoformat() if identified else ""
    elif kind == StepKind.LEGAL_ACTION:
        out["action"] = _choice(details, "action", LegalAction, _("法的措置の種類"), errors)
        out["against"] = _text(details, "against", _("相手方"), errors, limit=200)
        out["filed_with"] = _text(details, "filed_with", _("提出先（警察署・裁判所・弁護士）"), errors, limit=200)
    elif kind == StepKind.CLOSED:
        out["reason"] = _text(details, "reason", _("終結の理由"), errors, required=True)
    return out


@transaction.atomic
def post_step_record(
    *,
    actor,
    post: OnlinePost,
    kind: str,
    happened_on: dt.date | None = None,
    details: dict | None = None,
    note: str = "",
) -> PostStep:
    """Record a step of the post's timeline. A step out of order (a deletion request before
    the evidence is preserved, an answer before a request, anything after 終結) is refused
    with the reason."""
    require_see_post(actor, post)
    require_record_step(actor, post)
    post = OnlinePost.objects.select_for_update().get(pk=post.pk)
    if kind not in STEP_ORDER or kind == StepKind.FOUND:
        raise ValidationError({"kind": _("段階「{k}」は記録できません。").format(k=kind)})
    if post.state == PostState.CLOSED:
        raise ValidationError({"kind": _("この投稿は終結しています。段階を追加できません。")})
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    happened_on = happened_on or today
    found_on = timezone.localdate(post.found_at)
    if happened_on > today:
        errors.setdefault("happened_on", []).append(_("日付が未来になっています。"))
    if happened_on < found_on:
        errors.setdefault("happened_on", []).append(
            _("日付（{d}）が発見日（{f}）より前になっています。").format(d=happened_on, f=found_on)
        )
    done = list(post.steps.values_list("kind", "happened_on"))
    rule = PREREQUISITES.get(kind, ())
    if rule:
        needed, reason = rule
        prior = [day for k, day in done if k in needed]
        if not prior:
            raise ValidationError({"kind": reason})
        if happened_on < min(prior):
            errors.setdefault("happened_on", []).append(
                _("日付が前の段階（{d}）より前になっています。").format(d=min(prior))
            )
    cleaned = _clean_details(kind, details or {}, found_on, errors)
    if errors:
        raise ValidationError(errors)
    step = PostStep.objects.create(
        post=post, kind=kind, happened_on=happened_on, details=cleaned, note=(note or "").strip(), recorded_by=actor
    )
    recorded = {k for k, _d in done} | {kind}
    post.last_step = max(recorded, key=STEP_ORDER.index)
    fields = ["last_step"]
    if kind == StepKind.CLOSED:
        post.state = PostState.CLOSED
        fields.append("state")
    post.save(update_fields=fields)
    label = StepKind(kind).label
    audit_record(
        actor=actor,
        action="online.post.step_recorded",
        obj=post,
        after={"step": str(label), "happened_on": happened_on.isoformat(), **cleaned},
    )
    _notify(
        post.affected_staff.all(),
        text=_("あなたについての投稿（投稿 {n}）: 「{step}」を記録しました").format(n=post.number, step=label),
        url=post_url(post),
        actor=actor,
    )
    return step


def post_mark_viewed(*, actor, post: OnlinePost) -> None:
    audit_read(actor=actor, action="online.post.viewed", obj=post)
