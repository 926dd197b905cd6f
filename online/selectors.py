"""Reads of online posts, narrowed to what the user may see (``online.permissions``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from accounts.choices import Role
from accounts.models import User
from accounts.permissions import DEPARTMENT_RESPONDER_ROLES, handles_contacts, is_specialist
from mamoru.lib.dates import on_days

from .models import OnlinePost


def post_list(*, user, open_only: bool = False) -> QuerySet[OnlinePost]:
    if not handles_contacts(user):
        return OnlinePost.objects.none()
    posts = OnlinePost.objects.all()
    if not is_specialist(user):
        audience = Q(affected_staff=user)
        if user.role in DEPARTMENT_RESPONDER_ROLES and user.department_id:
            audience |= Q(affected_staff__department_id=user.department_id)
        posts = posts.filter(pk__in=OnlinePost.objects.filter(audience).values("pk"))
    if open_only:
        posts = posts.filter(state="open")
    return posts.prefetch_related("urls", "affected_staff").select_related("found_by")


def post_list_narrowed(
    posts: QuerySet[OnlinePost],
    *,
    platform: str = "",
    department: int | None = None,
    found_from: dt.date | None = None,
    found_to: dt.date | None = None,
) -> QuerySet[OnlinePost]:
    """``posts`` (already narrowed to a user) narrowed by the list's filters: the site, the
    department of a staff member concerned (today's), the days found (Asia/Tokyo, both included)."""
    if platform:
        posts = posts.filter(platform=platform)
    if department:
        posts = posts.filter(pk__in=OnlinePost.objects.filter(affected_staff__department_id=department).values("pk"))
    return posts.filter(**on_days("found_at", found_from, found_to))


def post_get(*, user, pk: int) -> OnlinePost | None:
    return post_list(user=user).filter(pk=pk).first()


def specialist_users():
    return User.objects.filter(role=Role.SPECIALIST, is_active=True)
