"""The due dates the law sets on online posts, from the policy pack, and ``python -m mamoru
deadlines`` (issue 15 A.3)."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from mamoru.policy.schema import PolicyPackError, parse_pack
from mamoru.policy.schema_retention import Period
from notifications.deadlines import deadlines_collect
from notifications.models import DeadlineReminder, Notification
from online.deadlines import deadlines_of
from online.services import post_register, post_step_record

PACK = Path(django_settings.MAMORU_POLICY_PACK).read_text(encoding="utf-8")


def use_pack(settings, tmp_path, **replace):
    text = PACK
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "pack.toml"
    path.write_text(text, encoding="utf-8")
    settings.MAMORU_POLICY_PACK = str(path)


def register(city, platform="x_twitter", posted_days_ago=None, **extra):
    now = timezone.now()
    return post_register(
        actor=city.staff,
        urls=[f"https://example.jp/{platform}/{DeadlineReminder.objects.count()}{now.timestamp()}"],
        platform=platform,
        platform_name=extra.pop("platform_name", ""),
        affected_staff=[city.staff],
        posted_at=now - dt.timedelta(days=posted_days_ago) if posted_days_ago is not None else None,
        **extra,
    ).post


def by_kind(post):
    return {d.key.split(":")[2]: d for d in deadlines_of(post)}


def request_removal(city, post, **details):
    post_step_record(actor=city.specialist, post=post, kind="preserved")
    return post_step_record(
        actor=city.specialist,
        post=post,
        kind="removal_requested",
        details={"route": "platform_form", "to_whom": "運営会社", **details},
    )


def test_a_designated_platform_answers_within_the_packs_period(city, settings, tmp_path):
    post = register(city)
    step = request_removal(city, post)
    assert by_kind(post)["answer"].due_on == step.happened_on + dt.timedelta(days=7)
    assert "おおむね7日" in by_kind(post)["answer"].basis
    use_pack(settings, tmp_path, **{'answer_period = "7日"': 'answer_period = "10日"'})
    assert by_kind(post)["answer"].due_on == step.happened_on + dt.timedelta(days=10)
    post_step_record(actor=city.specialist, post=post, kind="answered", details={"answer": "refused"})
    assert "answer" not in by_kind(post)


def test_a_site_the_law_does_not_designate_has_no_answer_period_unless_one_was_set(city):
    post = register(city, platform="fivech")
    request_removal(city, post)
    assert "answer" not in by_kind(post)
    other = register(city, platform="other", platform_name="地域掲示板")
    due = timezone.localdate() + dt.timedelta(days=14)
    request_removal(city, other, answer_due=due.isoformat())
    assert by_kind(other)["answer"].due_on == due


def test_the_disclosure_order_before_the_access_logs_are_gone(city, settings, tmp_path):
    post = register(city, posted_days_ago=10)
    posted = timezone.localdate(post.posted_at)
    deadline = by_kind(post)["disclosure_order"]
    assert deadline.remind_from == posted + dt.timedelta(days=14)
    assert deadline.due_on.month == (posted.month + 2) % 12 + 1  # three calendar months later
    assert deadline.is_due_for_reminder(posted + dt.timedelta(days=14))
    assert not deadline.is_due_for_reminder(posted + dt.timedelta(days=13))
    use_pack(
        settings,
        tmp_path,
        **{
            'access_log_period = "3か月"': 'access_log_period = "6週間"',
            'disclosure_remind_after = "2週間"': 'disclosure_remind_after = "5日"',
        },
    )
    deadline = by_kind(post)["disclosure_order"]
    assert deadline.due_on == posted + dt.timedelta(weeks=6)
    assert deadline.remind_from == posted + dt.timedelta(days=5)
    post_step_record(actor=city.specialist, post=post, kind="preserved")
    post_step_record(actor=city.specialist, post=post, kind="disclosure_order", details={"court": "東京地方裁判所"})
    assert "disclosure_order" not in by_kind(post)


def test_six_months_for_a_complaint_from_learning_who_posted(city, settings, tmp_path):
    post = register(city)
    post_step_record(actor=city.specialist, post=post, kind="preserved")
    learned = timezone.localdate()
    post_step_record(
        actor=city.specialist,
        post=post,
        kind="disclosure_order",
        details={
            "court": "宇都宮地方裁判所",
            "decision": "granted",
            "identified_poster": "甲",
            "identified_on": learned,
        },
    )
    complaint = by_kind(post)["complaint"]
    assert complaint.due_on == Period(months=6).after(dt.datetime.combine(learned, dt.time())).date()
    assert "刑事訴訟法235条" in complaint.basis
    assert complaint.remind_from == complaint.due_on - dt.timedelta(days=30)
    use_pack(settings, tmp_path, **{"complaint_remind_before_days = 30": "complaint_remind_before_days = 60"})
    assert by_kind(post)["complaint"].remind_from == complaint.due_on - dt.timedelta(days=60)
    post_step_record(actor=city.specialist, post=post, kind="legal_action", details={"action": "complaint"})
    assert "complaint" not in by_kind(post)


def test_a_closed_post_has_no_deadlines(city):
    post = register(city)
    post_step_record(actor=city.specialist, post=post, kind="closed", details={"reason": "投稿者が自ら削除"})
    post.refresh_from_db()
    assert deadlines_of(post) == []
    assert not [d for d in deadlines_collect(today=timezone.localdate()) if d.key.startswith(f"online.post:{post.pk}:")]


@pytest.mark.parametrize(
    "replace, field",
    [
        ({'answer_period = "7日"': 'answer_period = "無期限"'}, "online_posts.answer_period"),
        ({'answer_period = "7日"': 'answer_period = "すぐ"'}, "online_posts.answer_period"),
        ({"designated_on = 2025-04-30\n": 'designated_on = "4月"\n'}, "online_posts.platforms[0].designated_on"),
        ({'code = "google"': 'code = "other"'}, "online_posts.platforms[0].code"),
        ({'code = "lineyahoo"': 'code = "google"'}, "online_posts.platforms[1].code"),
    ],
)
def test_a_bad_online_posts_table_is_refused_naming_the_key(replace, field):
    text = PACK
    for old, new in replace.items():
        text = text.replace(old, new, 1)
    with pytest.raises(PolicyPackError) as info:
        parse_pack(text)
    assert info.value.field == field


def run(*args):
    out = io.StringIO()
    call_command("deadlines", *args, stdout=out)
    return out.getvalue()


def test_the_command_lists_most_urgent_first_and_reminds_once_a_day(city, django_capture_on_commit_callbacks):
    for user, address in ((city.staff, "staff1@city.example.jp"), (city.specialist, "senmon@city.example.jp")):
        user.email = address
        user.save(update_fields=["email"])
    late = register(city, posted_days_ago=30)
    fresh = register(city, platform="fivech")
    today = timezone.localdate()
    output = run("--dry-run")
    assert output.index(late.number) < output.index(fresh.number)
    assert "根拠: アクセスログの保存はおおむね3か月" in output
    assert not Notification.objects.filter(kind="deadline").exists()
    with django_capture_on_commit_callbacks(execute=True):
        output = run()
    # Only the post found 30 days after it was posted is past its reminder day.
    assert "通知 1件" in output
    reminded = Notification.objects.filter(kind="deadline")
    assert {n.user for n in reminded} == {city.staff, city.specialist}
    assert reminded.first().url == f"/online/{late.pk}/"
    assert len(mail.outbox) == 1 and "発信者情報開示命令" in mail.outbox[0].subject
    assert sorted(mail.outbox[0].to) == ["senmon@city.example.jp", "staff1@city.example.jp"]
    assert "通知 0件" in run()  # once per key and day
    assert DeadlineReminder.objects.count() == 1
    later = (today + dt.timedelta(days=15)).isoformat()
    assert "通知 2件" in run("--today", later)
    with pytest.raises(CommandError, match="日付として読めません"):
        run("--today", "昨日")


def test_a_stored_date_that_is_not_a_date_makes_no_error(city, client_for):
    from online.models import PostStep

    post = register(city)
    step = request_removal(city, post)
    PostStep.objects.filter(post=post, kind="removal_requested").update(details={"answer_due": "来週"})
    # The unreadable stored date is left aside: the designated platform's period applies.
    assert by_kind(post)["answer"].due_on == step.happened_on + dt.timedelta(days=7)
    assert client_for(city.specialist).get("/online/").status_code == 200
    assert "期限" in run("--dry-run")
