"""What online adds to the pages of the apps it builds on (registered in ``OnlineConfig.ready()``):
on the staff-care page (``cases.staff_care``), the staff with an open post about them and the
follow-up it suggests (面談, 相談窓口への紹介); on the specialist section's home page, the due
dates of open posts that are near or passed. Reads only."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from accounts.permissions import handles_contacts, is_specialist
from mamoru.lib.panels import register_panel
from mamoru.lib.todo import TodoItem, deadline_shown, panel_context
from mamoru.policy.loader import current as current_policy

from .deadlines import deadlines_of
from .selectors import post_list
from .services import platform_label

# The pack's follow-up kinds a post about a member of staff suggests (in this order), when the pack has them.
SUGGESTED_FOLLOW_UPS = ("interview", "referral")


def staff_care_posts_panel(*, request, obj=None):
    """Each member of staff with an open post about them that the reader may see."""
    posts = list(post_list(user=request.user, open_only=True).order_by("found_at"))
    if not posts:
        return None
    names = {kind.code: kind.name for kind in current_policy().follow_up_kinds}
    suggestions = [names[code] for code in SUGGESTED_FOLLOW_UPS if code in names] or ["面談", "相談窓口の案内"]
    rows = []
    for post in posts:
        for person in post.affected_staff.all():
            rows.append({"staff": person, "post": post, "platform": platform_label(post)})
    rows.sort(key=lambda row: (row["staff"].department_id or 0, row["staff"].pk, row["post"].found_at))
    return {"rows": rows, "suggestions": suggestions}


def home_post_deadlines_panel(*, request, obj):
    """The open posts' due dates from the day their reminder starts (a deletion request's
    answer, the disclosure order before the access logs are gone, the time for a complaint),
    overdue first. The open posts and their steps are read in a bounded number of queries."""
    today = timezone.localdate()
    rules = current_policy().online_posts
    posts = post_list(user=obj, open_only=True).prefetch_related("steps")
    items = [
        TodoItem(
            obj=post,
            url=deadline.url,
            label=deadline.title,
            detail=deadline.basis,
            due=deadline.due_on,
            overdue=deadline.due_on < today,
        )
        for post in posts
        for deadline in deadlines_of(post, rules=rules)
        if deadline_shown(deadline, today)
    ]
    return panel_context(items, list_url=reverse("online:post_list"))


def register() -> None:
    register_panel(
        page="records.home",
        slot="todo",
        name="online.home_post_deadlines",
        template="online/_home_post_deadlines.html",
        context=home_post_deadlines_panel,
        order=60,
        audience=is_specialist,
    )
    register_panel(
        page="cases.staff_care",
        slot="main",
        name="online.staff_care_posts",
        template="online/_staff_care_posts.html",
        context=staff_care_posts_panel,
        order=50,
        audience=handles_contacts,
    )
