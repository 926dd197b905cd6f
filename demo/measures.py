"""Demo measures (措置) in every state, made through the real services.

The residents with the most harassment contacts get: an issued response
restriction (so starting a contact with them shows the shorter clock and the
conditions), an issued warning with a recorded objection, a restriction
waiting for the specialist section's approval (walk it as ``specialist2``),
a caution sent back with a comment, a draft, and a withdrawn warning."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from accounts.models import Department, User
from mamoru.policy.loader import current as current_policy
from measures.services import (
    MeasureTerms,
    RestrictionConditions,
    measure_appeal_decide,
    measure_appeal_record,
    measure_approve,
    measure_draft,
    measure_issue,
    measure_send_back,
    measure_submit,
    measure_withdraw,
)
from people.models import Resident
from records.models import Contact


def _approver(role: str, department_id: int, drafter: User) -> User | None:
    users = User.objects.filter(role=role, is_active=True).exclude(pk=drafter.pk).order_by("id")
    if role != "specialist":
        users = users.filter(department_id=department_id)
    return users.filter(username="specialist2").first() or users.first()


def _approve_all(measure, drafter: User, *, leave_last: bool = False) -> None:
    steps = current_policy().measure(measure.kind).approvers
    for role in steps[:-1] if leave_last else steps:
        measure_approve(actor=_approver(role, measure.lead_department_id, drafter), measure=measure, comment="")


def measures_create(*, today: dt.date) -> int:
    """Create the demo measures; returns how many."""
    pack = current_policy()
    drafter = User.objects.filter(username="specialist1").first()
    if drafter is None or not pack.measures:
        return 0
    caution = pack.measures[0]
    warning = next((m for m in pack.measures if m.letter and not m.restricts), caution)
    restriction = next((m for m in pack.measures if m.restricts), None)
    residents = list(
        Resident.objects.filter(merged_into__isnull=True)
        .annotate(harassment=Count("contacts", filter=Q(contacts__harassment="yes", contacts__deleted_at__isnull=True)))
        .filter(harassment__gte=2)
        .order_by("-harassment", "id")[:6]
    )
    made = 0
    for index, resident in enumerate(residents):
        contacts = list(
            Contact.objects.filter(resident=resident, harassment="yes", deleted_at__isnull=True).order_by(
                "-started_at"
            )[:5]
        )
        lead = (
            Contact.objects.filter(resident=resident, deleted_at__isnull=True)
            .exclude(department__code=pack.city.specialist_section_code)
            .values("department")
            .annotate(n=Count("id"))
            .order_by("-n")
            .first()
        )
        if lead is None:
            continue
        department = Department.objects.get(pk=lead["department"])
        kind = (restriction or warning, warning, restriction or warning, caution, caution, warning)[index]
        conditions = None
        if kind.restricts:
            supervisor = User.objects.filter(role="supervisor", department=department, is_active=True).first()
            conditions = RestrictionConditions(
                designated_staff=[supervisor] if supervisor else [],
                max_minutes=max(1, pack.response_time.limit_minutes // 2),
                allowed_weekdays=[0, 1, 2, 3, 4],
                allowed_from=dt.time(9, 0),
                allowed_until=dt.time(12, 0),
                counter_department=department,
            )
        measure = measure_draft(
            actor=drafter,
            resident=resident,
            kind=kind.code,
            terms=MeasureTerms(
                reasons="別紙の対応記録のとおり、職員に対する威圧的な言動が繰り返されたため。",
                contacts=contacts,
                lead_department=department,
                starts_on=today - dt.timedelta(days=7) if index in (0, 1, 5) else today + dt.timedelta(days=7),
                ends_on=today + dt.timedelta(days=180) if kind.restricts else None,
                review_on=today + dt.timedelta(days=10) if kind.restricts else None,
                conditions=conditions or RestrictionConditions(),
                requests=""
                if kind.restricts
                else "窓口や電話で大声を出したり、職員を威圧したりしないこと。\n御用件は1回30分以内でお話しください。",
            ),
        )
        made += 1
        if index == 4:
            continue  # 起案中
        measure_submit(actor=drafter, measure=measure)
        if index == 3:
            first = current_policy().measure(measure.kind).approvers[0]
            measure_send_back(
                actor=_approver(first, department.pk, drafter),
                measure=measure,
                comment="理由となった日時と発言を具体的に書き加えてください。",
            )
            continue
        _approve_all(measure, drafter, leave_last=index == 2)
        if index == 2:
            continue  # 決裁中: the specialist section's step is left for the demo
        measure = measure_issue(actor=drafter, measure=measure)
        if index == 1:
            appeal = measure_appeal_record(
                actor=drafter, measure=measure, received_on=today, content="警告の理由に納得できないとの申出（電話）。"
            )
            measure_appeal_decide(
                actor=drafter, appeal=appeal, outcome="upheld", reason="対応記録を再確認し、措置を維持する。"
            )
        if index == 5:
            measure_withdraw(actor=drafter, measure=measure, reason="本人から謝罪があり、その後の言動も改善したため。")
    return made
