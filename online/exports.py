"""The online posts (インターネット上の投稿) as CSV or Excel (through ``mamoru.exports``)."""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from mamoru.exports import ROW_LIMIT, ListFile

from .choices import PostState


def post_list_file(posts: list) -> ListFile:
    """``posts``: the list page's posts, in its order, each with ``platform_label``,
    ``next_deadline`` and ``days_left`` set by the view."""
    posts = posts[:ROW_LIMIT]
    prefetch_related_objects(posts, "affected_staff", "urls")
    return ListFile(
        title=_("インターネット上の投稿"),
        stem="online-posts",
        header=[
            _("番号"),
            _("サイト・サービス"),
            _("URL"),
            _("対象の職員"),
            _("投稿日時"),
            _("発見日時"),
            _("段階"),
            _("次の期限"),
            _("期限の内容"),
            _("残り日数"),
            _("投稿の内容（原文どおり）"),
        ],
        rows=(
            [
                post.number,
                post.platform_label,
                "\n".join(url.url for url in post.urls.all()),
                "、".join(person.display_name for person in post.affected_staff.all()),
                post.posted_at,
                post.found_at,
                _("終結") if post.state == PostState.CLOSED else post.get_last_step_display(),
                post.next_deadline.due_on if post.next_deadline else None,
                str(post.next_deadline.title) if post.next_deadline else "",
                post.days_left,
                post.content,
            ]
            for post in posts
        ),
        count=len(posts),
        widths=(10, 16, 40, 20, 17, 17, 14, 11, 30, 8, 50),
    )
