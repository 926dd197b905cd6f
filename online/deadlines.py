"""The due dates of open posts (answers ``notifications.hooks.deadlines_due``), from the
policy pack's ``[online_posts]`` periods:

- a designated platform's answer to a deletion request (about 7 days after it was sent);
- the disclosure order before the access logs are gone (about 3 months after the post,
  reminded from 2 weeks on);
- the six months for a complaint (告訴) after learning who the poster is."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from mamoru.lib.deadlines import Deadline
from mamoru.policy.loader import current as current_policy
from mamoru.policy.schema_retention import Period

from .choices import LegalAction, PostState, StepKind
from .models import OnlinePost
from .selectors import specialist_users
from .services import platform_label, post_url


def _stored_date(value) -> dt.date | None:
    """A date kept in a step's details; anything unreadable is no date (never an error)."""
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def _plus(day: dt.date, period: Period) -> dt.date:
    return period.after(dt.datetime.combine(day, dt.time())).date()


def deadlines_of(post: OnlinePost, *, recipients=(), rules=None) -> list[Deadline]:
    """The open due dates of one post (none once it is closed)."""
    if post.state == PostState.CLOSED:
        return []
    rules = rules or current_policy().online_posts
    steps = sorted(post.steps.all(), key=lambda s: (s.happened_on, s.id))
    url = post_url(post)
    label = platform_label(post)
    number = post.number
    out: list[Deadline] = []
    for step in steps:
        if step.kind != StepKind.REMOVAL_REQUESTED:
            continue
        answered = any(
            s.kind == StepKind.ANSWERED and (s.happened_on, s.id) >= (step.happened_on, step.id) for s in steps
        )
        if answered:
            continue
        due = None
        basis = ""
        if _stored_date(step.details.get("answer_due")):
            due = _stored_date(step.details["answer_due"])
            basis = _("申出のときに決めた回答期限")
        else:
            period = rules.answer_period_for(post.platform)
            if period is not None:
                due = _plus(step.happened_on, period)
                basis = _("情報流通プラットフォーム対処法：大規模特定電気通信役務提供者はおおむね{p}で応答").format(
                    p=period.label
                )
        if due is not None:
            out.append(
                Deadline(
                    key=f"online.post:{post.pk}:answer:{step.pk}",
                    title=_("投稿 {n}（{site}）: 削除申出への回答期限").format(n=number, site=label),
                    due_on=due,
                    url=url,
                    recipients=tuple(recipients),
                    basis=basis,
                )
            )
    kinds = {s.kind for s in steps}
    if StepKind.DISCLOSURE_ORDER not in kinds:
        base = timezone.localdate(post.posted_at or post.found_at)
        out.append(
            Deadline(
                key=f"online.post:{post.pk}:disclosure_order",
                title=_("投稿 {n}（{site}）: 発信者情報開示命令の申立て（アクセスログの保存期間）").format(
                    n=number, site=label
                ),
                due_on=_plus(base, rules.access_log_period),
                remind_from=_plus(base, rules.disclosure_remind_after),
                url=url,
                recipients=tuple(recipients),
                basis=_("アクセスログの保存はおおむね{p}（{base}の{what}から）").format(
                    p=rules.access_log_period.label,
                    base=base.isoformat(),
                    what=_("投稿") if post.posted_at else _("発見"),
                ),
            )
        )
    complained = any(
        s.kind == StepKind.LEGAL_ACTION and s.details.get("action") == LegalAction.COMPLAINT for s in steps
    )
    if not complained:
        learned = [
            _stored_date(s.details.get("identified_on"))
            for s in steps
            if s.kind == StepKind.DISCLOSURE_ORDER and _stored_date(s.details.get("identified_on"))
        ]
        if learned:
            due = _plus(min(learned), rules.complaint_period)
            out.append(
                Deadline(
                    key=f"online.post:{post.pk}:complaint",
                    title=_("投稿 {n}（{site}）: 名誉毀損・侮辱の告訴期間").format(n=number, site=label),
                    due_on=due,
                    remind_from=due - dt.timedelta(days=rules.complaint_remind_before_days),
                    url=url,
                    recipients=tuple(recipients),
                    basis=_("告訴は犯人を知った日（{d}）から{p}以内（刑事訴訟法235条）").format(
                        d=min(learned).isoformat(), p=rules.complaint_period.label
                    ),
                )
            )
    return out


def post_deadlines(*, today: dt.date | None = None, **kwargs) -> list[Deadline]:
    """Every open post's due dates (the hook's answer); recipients: the specialist section
    and the post's affected staff."""
    specialists = list(specialist_users())
    rules = current_policy().online_posts
    out: list[Deadline] = []
    posts = OnlinePost.objects.filter(state=PostState.OPEN).prefetch_related("steps", "affected_staff")
    for post in posts:
        recipients = {u.pk: u for u in [*specialists, *post.affected_staff.all()]}
        out.extend(deadlines_of(post, recipients=tuple(recipients.values()), rules=rules))
    return out


def next_deadline(post: OnlinePost, today: dt.date) -> Deadline | None:
    found = deadlines_of(post)
    return min(found, key=lambda d: d.due_on) if found else None
