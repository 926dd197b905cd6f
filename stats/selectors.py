"""Reading the figures, narrowed to the departments the user may count."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Department
from mamoru.lib.figures import Period, Scope, Section, Table, sections_for

from .permissions import may_read_all_departments, may_read_statistics


def stats_department_list(*, user) -> QuerySet[Department]:
    """The departments whose figures ``user`` may read: a manager's own; every
    department, those closed since included (their history), for the specialist section."""
    if not may_read_statistics(user):
        return Department.objects.none()
    if may_read_all_departments(user):
        return Department.objects.all()
    return Department.objects.filter(pk=user.department_id)


def stats_scope(*, user, period: Period, department_ids=None, public: bool = False) -> Scope:
    """The scope to count: the chosen departments (all the user may read when none is
    chosen). A department the user may not read is answered as not found."""
    allowed = list(stats_department_list(user=user).values_list("pk", flat=True))
    if department_ids:
        chosen = sorted({int(pk) for pk in department_ids})
        if any(pk not in allowed for pk in chosen):
            raise Http404
    else:
        chosen = allowed
    return Scope(period=period, department_ids=tuple(chosen), user=user, public=public)


def stats_sections(*, scope: Scope) -> list[tuple[Section, list[Table]]]:
    """Every registered section's tables for ``scope``; in the public report, only the
    tables meant for publication and never one that names a person."""
    results = []
    for section in sections_for(None if scope.public else scope.user):
        tables = section.compute(scope)
        if scope.public:
            tables = [t for t in tables if t.public and not t.names_people]
        if tables:
            results.append((section, tables))
    return results
