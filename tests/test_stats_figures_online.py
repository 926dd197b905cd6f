"""インターネット上の投稿の集計 (issue 16): posts by platform and by step (the step
dates), and the days from finding a post to confirming its removal; a post counts for
the departments of the staff it concerns."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from online.services import post_register, post_step_record

TOKYO = ZoneInfo("Asia/Tokyo")
D = dt.date


def post(city, number, found, staff, *, platform="x_twitter", removed=None, closed=None, preserved=None):
    """A post registered and taken along its timeline through the services."""
    made = post_register(
        actor=city.specialist,
        urls=[f"https://example.jp/posts/{number}"],
        platform=platform,
        platform_name="地域の掲示板" if platform == "other" else "",
        affected_staff=staff,
        exposures=["name"],
        found_at=found,
    ).post

    def step(kind, day, **details):
        post_step_record(actor=city.specialist, post=made, kind=kind, happened_on=day, details=details)

    if preserved or removed:
        step("preserved", preserved or found.date(), archive_url="https://web.archive.org/web/2025/x")
    if removed:
        step("removal_requested", preserved or found.date(), route="platform_form", to_whom="事業者")
        step("answered", removed, answer="removed")
        step("removal_confirmed", removed)
    if closed:
        step("closed", closed, reason="対応を終えた")
    return made


@pytest.fixture
def posts(city):
    def at(*args):
        return dt.datetime(*args, tzinfo=TOKYO)

    post(city, 1, at(2025, 5, 1, 10), [city.staff], removed=D(2025, 5, 11))  # 10 days
    post(city, 2, at(2025, 6, 1, 10), [city.zeimu_staff], removed=D(2025, 7, 1))  # 30 days
    post(city, 3, at(2025, 8, 1, 10), [city.staff, city.zeimu_staff], platform="google", preserved=D(2025, 8, 1))
    post(city, 4, at(2026, 3, 31, 23), [city.staff], platform="other", closed=D(2026, 3, 31))
    # Found the fiscal year before; its later steps fall within the year (6 days to removal).
    post(city, 5, at(2025, 3, 31, 23, 30), [city.staff], preserved=D(2025, 4, 1), removed=D(2025, 4, 6))


def tables_for(client, **query):
    page = client.get(reverse("stats:dashboard"), query)
    assert page.status_code == 200
    return {t.table.key: t.table for _, tables in page.context["sections"] for t in tables}


def test_posts_by_platform_step_and_days_to_removal(city, client_for, posts):
    tables = tables_for(client_for(city.specialist), fiscal_year=2025)
    platforms = {r.label: r.values for r in tables["online_posts_by_platform"].rows}
    assert platforms["X（旧Twitter）"] == [2, 2, 2]
    assert platforms["Google（YouTube・Googleマップ等）"] == [1, 0, 1]
    assert platforms["その他"] == [1, 0, 0]
    assert platforms["TikTok"] == [0, 0, 0]
    steps = {r.label: r.values[0] for r in tables["online_posts_by_step"].rows}
    assert steps == {
        "発見": 4,
        "証拠保全": 4,
        "削除申出・送信防止措置依頼": 3,
        "回答": 3,
        "削除の確認": 3,
        "発信者情報開示命令": 0,
        "法的措置": 0,
        "終結": 1,
    }
    # 6, 10 and 30 days: rank 2 → 10; rank ⌈0.95×3⌉ = 3 → 30.
    assert tables["online_days_to_removal"].rows[0].values == [3, 10, 30]


def test_a_manager_counts_posts_about_their_departments_staff(city, client_for, posts):
    tables = tables_for(client_for(city.manager), fiscal_year=2025)
    platforms = {r.label: r.values for r in tables["online_posts_by_platform"].rows}
    assert platforms["X（旧Twitter）"] == [1, 1, 1]
    assert platforms["Google（YouTube・Googleマップ等）"] == [1, 0, 1]  # about both departments: counted once
    steps = {r.label: r.values[0] for r in tables["online_posts_by_step"].rows}
    assert steps["発見"] == 3 and steps["削除の確認"] == 2 and steps["終結"] == 1
    assert tables["online_days_to_removal"].rows[0].values == [2, 6, 10]


def test_a_post_about_staff_with_no_department_counts_only_for_every_department(city, client_for):
    """Every post names a member of staff; one whose department was cleared (left the
    city's departments) leaves the post with no department."""
    from accounts.models import User

    post(city, 9, dt.datetime(2025, 9, 1, 10, tzinfo=TOKYO), [city.zeimu_staff], platform="meta")
    User.objects.filter(pk=city.zeimu_staff.pk).update(department=None)
    client = client_for(city.specialist)
    meta = "Meta（Facebook・Instagram・Threads）"
    every = tables_for(client, fiscal_year=2025)
    assert {r.label: r.values for r in every["online_posts_by_platform"].rows}[meta][0] == 1
    one = tables_for(client, fiscal_year=2025, department=city.shimin.pk)
    assert {r.label: r.values for r in one["online_posts_by_platform"].rows}[meta][0] == 0
