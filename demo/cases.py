"""Incident cases for the demo, made through the real services.

The bulk load writes contacts directly, so it opens no cases. Here the recent
harassment contacts are brought into cases the way a saved judgement would,
and older cases are moved along the pack's states by a supervisor of the
department, so every page of the case workflow has something to show."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from cases.models import Case, CaseEvent, StaffFollowUp
from cases.services import (
    case_change_state,
    case_open_or_join,
    case_record_step,
    follow_up_complete,
    follow_up_record,
)
from mamoru.policy.loader import current as current_policy
from records.models import Contact


def _deciders() -> dict[int, User]:
    """The supervisor (or else the manager) of each department."""
    deciders: dict[int, User] = {}
    for role in ("manager", "supervisor"):  # supervisors win where both exist
        for user in User.objects.filter(role=role, is_active=True, department__isnull=False):
            deciders[user.department_id] = user
    return deciders


def cases_create(*, days: int = 60, today: dt.date | None = None) -> int:
    """Open or join cases for the harassment contacts of the last ``days`` days;
    cases older than three weeks are taken through to 終結, those older than a
    week to 上司確認. Returns the number of cases."""
    now = timezone.now() if today is None else timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    contacts = (
        Contact.objects.filter(harassment="yes", started_at__gte=now - dt.timedelta(days=days), deleted_at__isnull=True)
        .select_related("staff", "department")
        .order_by("started_at", "id")
    )
    deciders = _deciders()
    cases, first_contact = {}, {}
    for contact in contacts:
        case = case_open_or_join(actor=contact.staff, contact=contact, reason="harassment")
        cases[case.pk] = case
        first_contact.setdefault(case.pk, contact.started_at)
    states = [state.code for state in current_policy().case_states]
    for case in cases.values():
        decider = deciders.get(case.department_id)
        if decider is None:
            continue
        age = now - first_contact[case.pk]  # the case is as old as the contact that opened it
        if age > dt.timedelta(days=7):
            case = case_change_state(actor=decider, case=case, state=states[1])
        if age > dt.timedelta(days=21):
            case_record_step(actor=decider, case=case, step="several_staff", note="上司が同席し、複数職員で対応した。")
            for state in states[2:-1]:
                case = case_change_state(actor=decider, case=case, state=state)
            case_change_state(
                actor=decider,
                case=case,
                state=states[-1],
                reason="その後の来庁・入電はなく、経過観察のうえ終結とする。",
            )
    _date_from_first_contact(first_contact)
    return len(cases)


def _date_from_first_contact(first_contact: dict) -> None:
    """The services stamp everything with the seeding time. A demo case is
    instead dated from the contact that opened it, its timeline following an
    hour apart, so the lists read as a year of work rather than one moment."""
    for case in Case.objects.filter(pk__in=first_contact).prefetch_related("events"):
        start = first_contact[case.pk]
        events = sorted(case.events.all(), key=lambda event: (event.occurred_at, event.pk))
        for index, event in enumerate(events):
            event.occurred_at = start + dt.timedelta(hours=index)
        CaseEvent.objects.bulk_update(events, ["occurred_at"])
        last = events[-1].occurred_at if events else start
        closed = last if case.closed_at else None
        Case.objects.filter(pk=case.pk).update(opened_at=start, last_activity_at=last, closed_at=closed)


def follow_ups_create(*, today: dt.date | None = None) -> int:
    """Care follow-ups (面談, 紹介, 休養) for the member of staff who handled the contact
    that opened each case, recorded by the department's supervisor (or manager): due
    two weeks after the contact; four in five of those past due are done, so that
    the staff pages show care done, care due and care overdue. Returns the number
    of follow-ups."""
    now = timezone.now() if today is None else timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
    today = timezone.localdate(now)
    deciders = _deciders()
    kinds = [code for code, _name in current_policy().follow_up_kind_choices()]
    made = 0
    cases = Case.objects.select_related("department").order_by("opened_at", "pk")
    for number, case in enumerate(cases):
        decider = deciders.get(case.department_id)
        first = case.contacts.select_related("staff").order_by("started_at", "pk").first()
        if decider is None or first is None:
            continue
        opened = timezone.localdate(first.started_at)
        kind = kinds[0] if number % 4 else kinds[min(1, len(kinds) - 1)]  # every fourth a referral
        follow_up = follow_up_record(
            actor=decider,
            case=case,
            staff=first.staff,
            kind=kind,
            due_date=opened + dt.timedelta(days=14),
            note="事案の対応後、本人の様子を確認する。",
            past_due_confirmed=True,
        )
        made += 1
        # Recorded the day after the contact, as a supervisor would (the service stamps the seeding time).
        StaffFollowUp.objects.filter(pk=follow_up.pk).update(
            recorded_at=min(now, first.started_at + dt.timedelta(days=1))
        )
        due = follow_up.due_date
        if due < today and number % 5:  # one in five left undone: overdue
            follow_up_complete(actor=decider, follow_up=follow_up, note="面談を実施した。")
            done_at = timezone.make_aware(dt.datetime.combine(due - dt.timedelta(days=2), dt.time(15)))
            StaffFollowUp.objects.filter(pk=follow_up.pk).update(done_at=done_at)
    return made
