"""Online posts about staff (issue 15 A): registering, the same post twice, the timeline in
order, who sees a post, and the pages."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from mamoru.lib.post_urls import NotAUrl, normalise_url
from notifications.models import Notification
from online import selectors
from online.models import OnlinePost, PostStep, PostUrl
from online.services import post_register, post_step_record, post_url_add

URL = "https://x.com/someone/status/123456"


def register(actor, urls=(URL,), **extra):
    values = dict(platform="x_twitter", affected_staff=[actor], exposures=["name", "face"])
    values.update(extra)
    return post_register(actor=actor, urls=list(urls), **values)


@pytest.mark.parametrize(
    "a, b",
    [
        ("https://x.com/a/status/1?s=20&t=abc", "https://x.com/a/status/1"),
        ("https://mobile.twitter.com/a/status/1/", "https://twitter.com/a/status/1"),
        ("https://m.youtube.com/watch?v=xyz&si=QQ&utm_source=line", "https://www.youtube.com/watch?v=xyz"),
        ("HTTPS://WWW.Example.COM/Path/#comment-3", "https://example.com/Path"),
        ("https://www.instagram.com/p/abc/?igshid=zz&fbclid=1&gclid=2", "https://instagram.com/p/abc"),
        ("http://example.com:80/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
    ],
)
def test_the_same_address_written_differently_is_one(a, b):
    assert normalise_url(a) == normalise_url(b)


def test_different_posts_stay_different():
    assert normalise_url("https://example.com/a?id=1") != normalise_url("https://example.com/a?id=2")
    assert normalise_url("https://example.com/A") != normalise_url("https://example.com/a")


@pytest.mark.parametrize(
    "value, message",
    [
        ("", "URL を入力してください"),
        ("example.com/a", "https:// から始まる"),
        ("ftp://example.com/a", "http または https"),
        ("javascript:alert(1)", "http または https"),
        ("https://", "ホスト名"),
        ("https://exa mple.com/", "空白"),
        ("https://example.com:99999/", "読めません"),
    ],
)
def test_what_is_not_a_web_address_is_refused_with_a_reason(value, message):
    with pytest.raises(NotAUrl) as info:
        normalise_url(value)
    assert message in str(info.value)


def test_staff_report_a_post_about_themselves(city):
    registered = register(city.staff, content="市民課の○○は態度が悪い（写真あり）")
    post = registered.post
    assert not registered.joined
    assert list(post.affected_staff.all()) == [city.staff]
    assert post.urls.get().normalised == normalise_url(URL)
    assert [s.kind for s in post.steps.all()] == ["found"]
    assert post.steps.get().happened_on == timezone.localdate()
    assert AuditEntry.objects.filter(action="online.post.registered").count() == 1
    # The specialist section is told; the reporter is not told of their own report.
    assert Notification.objects.filter(user=city.specialist, kind="online.post").exists()
    assert not Notification.objects.filter(user=city.staff).exists()


def test_the_same_post_reported_again_joins_the_first(city):
    first = register(city.staff).post
    again = register(
        city.specialist,
        urls=["https://mobile.x.com/someone/status/123456/?s=46&utm_source=share", "https://x.com/copy/status/9"],
        affected_staff=[city.zeimu_staff],
        exposures=["address"],
    )
    assert again.joined and again.post.pk == first.pk
    assert OnlinePost.objects.count() == 1
    assert set(first.affected_staff.all()) == {city.staff, city.zeimu_staff}
    assert PostUrl.objects.filter(post=first).count() == 2
    first.refresh_from_db()
    assert first.exposures == ["name", "face", "address"]
    assert AuditEntry.objects.filter(action="online.post.joined").exists()


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"urls": ["ftp://example.com/a"]}, "urls", "http または https"),
        ({"urls": []}, "urls", "1件以上"),
        ({"platform": "myspace"}, "platform", "ポリシーパックの一覧にありません"),
        ({"platform": "other"}, "platform_name", "サイト名を入力"),
        ({"affected_staff": [999999]}, "affected_staff", "職員ではありません"),
        ({"affected_staff": ["abc"]}, "affected_staff", "職員ではありません"),
        ({"exposures": ["shoe_size"]}, "exposures", "ありません"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(city, extra, field, message):
    values = {"urls": [URL], "affected_staff": [city.staff]}
    values.update(extra)
    with pytest.raises(ValidationError) as info:
        post_register(actor=city.specialist, platform=values.pop("platform", "x_twitter"), **values)
    assert any(message in text for text in info.value.message_dict[field])
    assert not OnlinePost.objects.exists() and not PostUrl.objects.exists() and not PostStep.objects.exists()


def test_a_post_dated_after_it_was_found_is_refused(city):
    now = timezone.now()
    with pytest.raises(ValidationError) as info:
        register(city.staff, found_at=now - dt.timedelta(days=2), posted_at=now - dt.timedelta(days=1))
    assert "投稿日時が発見日時より後" in info.value.message_dict["posted_at"][0]


def test_a_site_not_in_the_pack_is_other_with_its_name(city):
    post = register(city.staff, platform="other", platform_name="地域の掲示板").post
    from online.services import platform_label

    assert platform_label(post) == "地域の掲示板"


def test_staff_may_not_report_about_someone_else_the_specialist_section_may(city):
    with pytest.raises(PermissionDenied):
        register(city.staff, affected_staff=[city.zeimu_staff])
    with pytest.raises(PermissionDenied):
        register(city.admin, affected_staff=[city.admin])
    assert register(city.specialist, affected_staff=[city.zeimu_staff]).post


def test_who_sees_a_post(city):
    post = register(city.staff).post
    seen = {
        u.username
        for u in (city.staff, city.supervisor, city.manager, city.zeimu_staff, city.specialist, city.admin)
        if selectors.post_get(user=u, pk=post.pk)
    }
    assert seen == {"staff1", "supervisor1", "manager1", "specialist1"}


def step(post, kind, actor, days=0, **details):
    return post_step_record(
        actor=actor, post=post, kind=kind, happened_on=timezone.localdate() + dt.timedelta(days=days), details=details
    )


def test_the_timeline_in_order_to_the_end(city):
    post = register(city.staff).post
    step(post, "preserved", city.specialist, archive_url="https://web.archive.org/web/2026/https://x.com/someone")
    step(post, "removal_requested", city.specialist, route="platform_form", to_whom="X Corp.")
    step(post, "answered", city.specialist, answer="removed")
    step(post, "removal_confirmed", city.specialist)
    step(post, "closed", city.specialist, reason="削除を確認した")
    post.refresh_from_db()
    assert post.state == "closed" and post.last_step == "closed"
    assert [s.kind for s in post.steps.all()] == [
        "found",
        "preserved",
        "removal_requested",
        "answered",
        "removal_confirmed",
        "closed",
    ]
    # The affected staff member is told of each step.
    assert Notification.objects.filter(user=city.staff, kind="online.post").count() == 5
    with pytest.raises(ValidationError, match="終結しています"):
        step(post, "answered", city.specialist, answer="refused")


@pytest.mark.parametrize(
    "kind, details, reason",
    [
        ("removal_requested", {"route": "letter", "to_whom": "A社"}, "先に証拠保全"),
        ("answered", {"answer": "removed"}, "削除申出・送信防止措置依頼を記録してから"),
        ("disclosure_order", {"court": "東京地方裁判所"}, "証拠保全を記録してから"),
    ],
)
def test_a_step_out_of_order_is_refused_with_the_reason(city, kind, details, reason):
    post = register(city.staff).post
    with pytest.raises(ValidationError) as info:
        step(post, kind, city.specialist, **details)
    assert reason in info.value.message_dict["kind"][0]
    assert post.steps.count() == 1


def test_step_details_are_checked(city):
    post = register(city.staff).post
    step(post, "preserved", city.specialist)
    with pytest.raises(ValidationError) as info:
        step(post, "removal_requested", city.specialist, route="carrier_pigeon", answer_due="2001-01-01")
    errors = info.value.message_dict
    assert "選択肢" in errors["route"][0] and "申出先を入力" in errors["to_whom"][0]
    assert "発見日" in errors["answer_due"][0]
    with pytest.raises(ValidationError, match="未来"):
        step(post, "legal_action", city.specialist, days=3, action="complaint")
    with pytest.raises(ValidationError, match="終結の理由"):
        step(post, "closed", city.specialist)
    assert post.steps.count() == 2


def test_only_the_specialist_section_records_steps(city):
    post = register(city.staff).post
    for user in (city.staff, city.manager, city.admin, city.zeimu_staff):
        with pytest.raises(PermissionDenied):
            step(post, "preserved", user)


def test_another_address_of_the_same_post(city):
    post = register(city.staff).post
    post_url_add(actor=city.staff, post=post, url="https://x.com/someone/status/999")
    with pytest.raises(ValidationError, match="既にこの投稿"):
        post_url_add(actor=city.staff, post=post, url="https://x.com/someone/status/999?s=20")
    other = register(city.specialist, urls=["https://example.jp/b"], affected_staff=[city.zeimu_staff]).post
    with pytest.raises(ValidationError, match=f"No.{post.pk:05d}"):
        post_url_add(actor=city.specialist, post=other, url=URL)
    with pytest.raises(PermissionDenied):
        post_url_add(actor=city.zeimu_staff, post=post, url="https://x.com/other")


def test_pages_report_list_detail_and_steps(city, client_for):
    client = client_for(city.staff)
    response = client.post(
        "/online/report/",
        {"urls": URL + "\n", "platform": "x_twitter", "exposures": ["name", "face"], "content": "本文"},
    )
    post = OnlinePost.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/online/{post.pk}/"
    page = client.get(f"/online/{post.pk}/")
    assert page.status_code == 200 and "市民 一郎" in page.content.decode()
    assert AuditEntry.objects.filter(action="online.post.viewed", actor=city.staff).exists()
    # Again: the same post is joined and the reporter is told.
    response = client.post("/online/report/", {"urls": URL + "?s=20", "platform": "x_twitter"}, follow=True)
    assert "既に登録されていました" in response.content.decode() and OnlinePost.objects.count() == 1
    listing = client.get("/online/").content.decode()
    assert post.number in listing and "発信者情報開示命令" in listing
    assert client_for(city.zeimu_staff).get(f"/online/{post.pk}/").status_code == 404
    assert client_for(city.admin).get(f"/online/{post.pk}/").status_code == 404
    specialist = client_for(city.specialist)
    bad = specialist.post(f"/online/{post.pk}/steps/", {"step-kind": "answered", "step-answer": "removed"})
    assert bad.status_code == 400 and "削除申出・送信防止措置依頼を記録してから" in bad.content.decode()
    ok = specialist.post(f"/online/{post.pk}/steps/", {"step-kind": "preserved"})
    assert ok.status_code == 302 and post.steps.count() == 2


def test_a_bad_address_on_the_report_page_is_shown_not_saved(city, client_for):
    response = client_for(city.staff).post("/online/report/", {"urls": "ftp://example.com/x", "platform": "x_twitter"})
    assert response.status_code == 200 and "http または https" in response.content.decode()
    assert not OnlinePost.objects.exists()


def test_the_staff_care_page_suggests_a_follow_up_for_staff_with_an_open_post(city, client_for):
    post = register(city.staff).post
    page = client_for(city.manager).get("/cases/staff-care/").content.decode()
    assert "インターネット上の投稿の対象になっている職員" in page
    assert post.number in page and "面談" in page and "産業医・相談窓口への紹介" in page
    # A manager of another department sees no post about this department's staff.
    from accounts.services import user_create

    other = user_create(
        actor=None, username="manager9", password="x" * 12, role="manager", department=city.zeimu, full_name="税務 課長"
    )
    assert post.number not in client_for(other).get("/cases/staff-care/").content.decode()
    post_step_record(actor=city.specialist, post=post, kind="closed", details={"reason": "削除された"})
    assert post.number not in client_for(city.manager).get("/cases/staff-care/").content.decode()


def test_the_timeline_reads_in_japanese_and_survives_unknown_stored_values(city, client_for):
    post = register(city.staff).post
    step(post, "preserved", city.specialist)
    step(post, "removal_requested", city.specialist, route="legal_affairs_bureau", to_whom="宇都宮地方法務局")
    PostStep.objects.filter(post=post, kind="preserved").update(details={"route": "pigeon", "odd": ["x"]})
    page = client_for(city.specialist).get(f"/online/{post.pk}/").content.decode()
    assert "申出の方法: 法務局（人権相談）" in page and "route:" not in page
    assert "pigeon" in page


def test_the_list_shows_open_posts_most_urgent_first(city, client_for):
    now = timezone.now()
    fresh = register(city.staff, urls=["https://example.jp/fresh"], posted_at=now - dt.timedelta(days=1)).post
    old = register(city.staff, urls=["https://example.jp/old"], posted_at=now - dt.timedelta(days=60)).post
    closed = register(city.staff, urls=["https://example.jp/closed"]).post
    step(closed, "closed", city.specialist, reason="削除された")
    page = client_for(city.staff).get("/online/").content.decode()
    assert page.index(old.number) < page.index(fresh.number)
    assert closed.number not in page
    assert closed.number in client_for(city.staff).get("/online/?show=all").content.decode()
