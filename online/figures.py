"""The online-post figures of the statistics pages (issue 16): posts by platform, by
step of the timeline (the dates ``PostStep.happened_on`` are kept for this), and the
days from finding a post to confirming its removal, where removal was confirmed.

A post has no department of its own: it counts for the chosen departments when one
of the staff members it concerns belongs to one of them (their department today), once
whatever the number of such staff. A post whose staff have no department any more
(they left the city's departments) counts only when every department is chosen. A few grouped queries, whatever the number of posts."""

from __future__ import annotations

from django.db.models import Count, DateField, DurationField, Exists, ExpressionWrapper, F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from accounts.models import Department
from mamoru.lib.figures import Row, Scope, Table, nearest_rank
from mamoru.policy.loader import current as current_policy

from .choices import PostState, StepKind
from .models import OnlinePost, PostStep

OTHER = "other"
DEPARTMENT_NOTE = (
    "対象の職員の今の所属で数え、複数の所属の職員に関わる投稿も1件とする。"
    "対象の職員がどの所属にもいなくなった投稿は、すべての所属を選んだときだけ数える。"
)


def posts_in_scope(scope: Scope):
    """The posts that count for the scope's departments (whenever found), one row each."""
    concerns = Q(affected_staff__department_id__in=scope.department_ids)
    if set(scope.department_ids) >= set(Department.objects.values_list("pk", flat=True)):
        concerned = OnlinePost.affected_staff.through.objects.filter(
            onlinepost_id=OuterRef("pk"), user__department__isnull=False
        )
        concerns |= ~Exists(concerned)
    return OnlinePost.objects.filter(pk__in=OnlinePost.objects.filter(concerns).values("pk"))


def _removed():
    return PostStep.objects.filter(post_id=OuterRef("pk"), kind=StepKind.REMOVAL_CONFIRMED)


def posts_by_platform(scope: Scope) -> Table:
    start, end = scope.period.bounds(timezone.get_current_timezone())
    grouped = (
        posts_in_scope(scope)
        .filter(found_at__gte=start, found_at__lt=end)
        .values("platform")
        .annotate(
            total=Count("id"),
            removed=Count("id", filter=Exists(_removed())),
            open=Count("id", filter=Q(state=PostState.OPEN)),
        )
        .order_by()
    )
    counted = {row["platform"]: row for row in grouped}
    platforms = [(p.code, p.name) for p in current_policy().online_posts.platforms] + [(OTHER, "その他")]
    known = {code for code, _ in platforms}
    platforms += [(code, code) for code in sorted(counted) if code not in known]
    rows = [
        Row(
            label=name,
            values=[
                counted.get(code, {}).get("total", 0),
                counted.get(code, {}).get("removed", 0),
                counted.get(code, {}).get("open", 0),
            ],
        )
        for code, name in platforms
    ]
    return Table(
        key="online_posts_by_platform",
        title="サイト・サービス別の投稿（期間内に発見）",
        row_header="サイト・サービス",
        columns=["投稿", "うち削除を確認", "うち対応中"],
        rows=rows,
        public=True,
        note="発見日時（日本時間）で数える。削除の確認・対応中は集計時点のもの。" + DEPARTMENT_NOTE,
    )


def posts_by_step(scope: Scope) -> Table:
    grouped = (
        PostStep.objects.filter(
            post__in=posts_in_scope(scope).values("pk"),
            happened_on__gte=scope.period.start,
            happened_on__lte=scope.period.end,
        )
        .values("kind")
        .annotate(posts=Count("post_id", distinct=True))
        .order_by()
    )
    counted = {row["kind"]: row["posts"] for row in grouped}
    return Table(
        key="online_posts_by_step",
        title="段階別の投稿（期間内にその段階に進んだ投稿）",
        row_header="段階",
        columns=["投稿"],
        rows=[Row(label=str(kind.label), values=[counted.get(kind.value, 0)]) for kind in StepKind],
        additive=False,
        public=True,
        note="段階の日付で数える。1件の投稿が期間内に複数の段階に進むため、合計はしない。" + DEPARTMENT_NOTE,
    )


def days_to_removal(scope: Scope) -> Table:
    """Days from the day found to the (first) day removal was confirmed, of the posts
    whose removal was confirmed in the period."""
    found_on = PostStep.objects.filter(post_id=OuterRef("pk"), kind=StepKind.FOUND).order_by("happened_on")
    removed_on = _removed().order_by().values("post_id").annotate(first=Min("happened_on")).values("first")
    removed = (
        posts_in_scope(scope)
        .annotate(
            found_on=Subquery(found_on.values("happened_on")[:1], output_field=DateField()),
            removed_on=Subquery(removed_on, output_field=DateField()),
        )
        .filter(removed_on__gte=scope.period.start, removed_on__lte=scope.period.end, found_on__isnull=False)
    )
    took = ExpressionWrapper(F("removed_on") - F("found_on"), output_field=DurationField())
    count = removed.count()

    def days(value):
        return None if value is None else value.days

    return Table(
        key="online_days_to_removal",
        title="発見から削除の確認までの日数",
        row_header="",
        columns=["削除を確認した投稿", "中央値（日）", "95パーセンタイル（日）"],
        rows=[
            Row(
                label="期間内に削除を確認した投稿",
                values=[
                    count,
                    days(nearest_rank(removed, took, 0.5, count=count)),
                    days(nearest_rank(removed, took, 0.95, count=count)),
                ],
            )
        ],
        chart="",
        additive=False,
        public=False,
        note="発見日から最初に「削除の確認」を記録した日までの日数（順位による正確な値）。削除されていない投稿は含めない。",
    )


def online_figures(scope: Scope) -> list[Table]:
    return [posts_by_platform(scope), posts_by_step(scope), days_to_removal(scope)]
