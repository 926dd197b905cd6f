"""What online adds to the pages of the apps it builds on (registered in ``OnlineConfig.ready()``):
on the staff-care page (``cases.staff_care``), the staff with an open post about them and the
follow-up it suggests (面談, 相談窓口への紹介). Reads only."""

from __future__ import annotations

from accounts.permissions import handles_contacts
from mamoru.lib.panels import register_panel
from mamoru.policy.loader import current as current_policy

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


def register() -> None:
    register_panel(
        page="cases.staff_care",
        slot="main",
        name="online.staff_care_posts",
        template="online/_staff_care_posts.html",
        context=staff_care_posts_panel,
        order=50,
        audience=handles_contacts,
    )
