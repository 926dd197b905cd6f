"""The home page's 「対応が必要なもの」 (issue 16): each role sees what waits for them, made
through the real services, and nothing of another department's or another role's; an empty
home says so once; the page reads a bounded number of queries whatever the number of items."""

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backup_calls.services import backup_call_create, backup_call_resolve, backup_call_take
from business_requests.services import (
    business_request_assign,
    business_request_hearing_record,
    business_request_receive,
)
from cases.models import Case
from cases.services import case_change_state, case_open_or_join, follow_up_complete, follow_up_record
from measures import services as measure_services
from online.services import post_register, post_step_record
from records.services import ContactData, contact_update
from repetition.models import RepetitionFlag
from repetition.services import repetition_evaluate, repetition_flag_decide

from .factories import make_contact, make_resident

EMPTY = "対応が必要なものはありません。"
# The most queries the home page reads for any role, whatever the number of things waiting (counted
# with the fixtures of the last test: 13 for staff, 22 for a supervisor or a manager, 25 for the
# specialist section, the page's own queries included).
HOME_QUERY_BOUND = 30


def _todo(home: str) -> str:
    """The to-do panels of the home page."""
    return "".join(re.findall(r'<section class="panel todo.*?</section>', home, re.S))


def _home(client_for, user) -> str:
    response = client_for(user).get(reverse("records:home"))
    assert response.status_code == 200
    return response.content.decode()


def _ended(actor, hours_ago, **fields):
    return make_contact(actor, ago=dt.timedelta(hours=hours_ago, minutes=10), minutes=10, **fields)


# --- staff -----------------------------------------------------------------------------------------


def test_an_empty_home_says_so_once(city, client_for):
    for user in (city.staff, city.supervisor, city.manager, city.specialist, city.zeimu_staff):
        home = _home(client_for, user)
        assert home.count(EMPTY) == 1, user
        assert _todo(home) == ""


def test_staff_see_their_own_undecided_contacts_overdue_first(city, client_for):
    recent = _ended(city.staff, 2, summary="まだ期限内の記録")
    overdue = _ended(city.staff, 30, summary="期限切れの記録")
    _ended(city.staff, 40, harassment="no", summary="判断済みの記録")
    make_contact(city.staff, ago=dt.timedelta(minutes=5), ended_at=None, summary="対応中の記録")
    _ended(city.zeimu_staff, 30, summary="税務課の記録")

    home = _home(client_for, city.staff)
    assert EMPTY not in home
    todo = _todo(home)
    assert "判断が未入力の対応記録（2件）" in todo and "うち期限超過 1件" in todo
    assert todo.index("期限切れの記録") < todo.index("まだ期限内の記録")
    assert f'href="/contacts/{overdue.pk}/edit/#judgement"' in todo
    assert f'href="/contacts/{recent.pk}/edit/#judgement"' in todo
    due = timezone.localtime(overdue.ended_at + dt.timedelta(hours=24))
    assert f"期限超過（判断の入力期限 令和{due.year - 2018}年{due.month}月{due.day}日 {due:%H:%M}）" in todo
    for absent in ("判断済みの記録", "対応中の記録", "税務課の記録"):
        assert absent not in todo
    # The live contact is where it always was, in 対応中.
    assert "対応中（1件）" in home

    # Another member of staff's contacts are not on this home; the supervisor sees the overdue one only.
    zeimu = _todo(_home(client_for, city.zeimu_staff))
    assert "税務課の記録" in zeimu and "期限切れの記録" not in zeimu
    supervisor = _todo(_home(client_for, city.supervisor))
    assert "期限切れの記録" in supervisor and "まだ期限内の記録" not in supervisor

    contact_update(
        actor=city.staff,
        contact=overdue,
        data=ContactData(**{**ContactData.from_contact(overdue).__dict__, "harassment": "no"}),
    )
    contact_update(
        actor=city.staff,
        contact=recent,
        data=ContactData(**{**ContactData.from_contact(recent).__dict__, "harassment": "no"}),
    )
    assert _home(client_for, city.staff).count(EMPTY) == 1


# --- supervisors -----------------------------------------------------------------------------------


def _live(actor, **fields):
    return make_contact(actor, ago=dt.timedelta(minutes=5), ended_at=None, **fields)


def _section(home: str, css: str) -> str:
    found = re.search(rf'<section class="panel todo {css}".*?</section>', home, re.S)
    return found.group(0) if found else ""


def test_supervisors_see_open_backup_calls_cases_to_confirm_and_follow_ups_of_their_department(city, client_for):
    today = timezone.localdate()
    # Backup calls: one taken, one nobody has taken yet, one closed, one of 税務課. Each opens a case (報告).
    taken = backup_call_create(actor=city.staff, contact=_live(city.staff), reason="大声で威圧")
    backup_call_take(actor=city.supervisor, call=taken)
    waiting = backup_call_create(actor=city.staff, contact=_live(city.staff, channel="phone"), reason="長時間")
    closed = backup_call_create(actor=city.staff, contact=_live(city.staff, channel="visit"))
    backup_call_resolve(actor=city.staff, call=closed)
    other = backup_call_create(actor=city.zeimu_staff, contact=_live(city.zeimu_staff))
    # Cases: reported (報告) ones wait; one already confirmed does not; 税務課's is not ours.
    reported = case_open_or_join(
        actor=city.staff, contact=_ended(city.staff, 3, summary="窓口での暴言"), reason="report"
    )
    confirmed = case_open_or_join(actor=city.staff, contact=_ended(city.staff, 4), reason="report")
    case_change_state(actor=city.supervisor, case=confirmed, state="supervisor_review")
    zeimu_case = case_open_or_join(actor=city.zeimu_staff, contact=_ended(city.zeimu_staff, 3), reason="report")
    # Care follow-ups: recorded by the supervisor (overdue, due in 3 days, due in a month, done) and by the
    # manager (overdue: on the manager's home, not the supervisor's).
    overdue_care = follow_up_record(
        actor=city.supervisor,
        case=reported,
        staff=city.staff,
        kind="interview",
        due_date=today - dt.timedelta(days=2),
        past_due_confirmed=True,
    )
    soon_care = follow_up_record(
        actor=city.supervisor, case=reported, staff=city.staff, kind="referral", due_date=today + dt.timedelta(days=3)
    )
    later_care = follow_up_record(
        actor=city.supervisor, case=reported, staff=city.staff, kind="rest", due_date=today + dt.timedelta(days=30)
    )
    done_care = follow_up_record(
        actor=city.supervisor,
        case=reported,
        staff=city.staff,
        kind="rotation",
        due_date=today - dt.timedelta(days=1),
        past_due_confirmed=True,
    )
    follow_up_complete(actor=city.supervisor, follow_up=done_care)
    manager_care = follow_up_record(
        actor=city.manager,
        case=confirmed,
        staff=city.staff,
        kind="rotation",
        due_date=today - dt.timedelta(days=5),
        past_due_confirmed=True,
    )

    home = _home(client_for, city.supervisor)
    assert EMPTY not in home
    calls = _section(home, "home-open-calls")
    assert "対応中の応援要請（2件）" in calls and "うち未対応 1件" in calls
    assert calls.index(f"応援要請 No.{waiting.pk}<") < calls.index(f"応援要請 No.{taken.pk}<")  # not taken first
    assert f'href="/contacts/{waiting.contact_id}/"' in calls and "まだ誰も向かっていません" in calls
    assert "市民 課長補佐が対応中" in calls
    assert f"応援要請 No.{closed.pk}<" not in calls and f"応援要請 No.{other.pk}<" not in calls

    cases = _section(home, "home-cases-to-confirm")
    expected_cases = set(
        Case.objects.filter(department=city.shimin, state="reported", closed_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    assert reported.pk in expected_cases and confirmed.pk not in expected_cases
    assert set(map(int, re.findall(r'href="/cases/(\d+)/"', cases))) == expected_cases
    assert f"確認を待つ事案（{len(expected_cases)}件）" in cases and "窓口での暴言" in cases
    assert f'href="/cases/{zeimu_case.pk}/"' not in cases

    care = _section(home, "home-follow-ups")
    assert "（2件）" in care and "うち期限超過 1件" in care
    assert care.index(f"#follow-up-{overdue_care.pk}") < care.index(f"#follow-up-{soon_care.pk}")
    assert "市民 一郎：面談" in care and "期限超過（" in care
    for absent in (later_care, done_care, manager_care):
        assert f"#follow-up-{absent.pk}" not in care

    # The manager of 市民課: the same calls and cases, and every overdue follow-up of the department.
    manager_home = _home(client_for, city.manager)
    assert "対応中の応援要請（2件）" in _section(manager_home, "home-open-calls")
    manager_care_panel = _section(manager_home, "home-follow-ups")
    shown = set(map(int, re.findall(r"#follow-up-(\d+)", manager_care_panel)))
    assert shown == {overdue_care.pk, manager_care.pk}
    assert 'href="/cases/staff-care/"' in manager_care_panel

    # Staff, another department's staff and the specialist section see none of these panels.
    for user in (city.staff, city.zeimu_staff, city.specialist):
        page = _home(client_for, user)
        for css in ("home-open-calls", "home-cases-to-confirm", "home-follow-ups"):
            assert _section(page, css) == "", (user, css)


# --- managers and the specialist section: measures -------------------------------------------------


def _terms(city, contacts, **extra):
    values = dict(
        reasons="度重なる大声での威圧",
        contacts=contacts,
        lead_department=city.shimin,
        starts_on=timezone.localdate(),
        requests="窓口や電話で大声を出さないこと。",
    )
    values.update(extra)
    return measure_services.MeasureTerms(**values)


def _draft(city, resident, contacts, **extra):
    return measure_services.measure_draft(
        actor=city.specialist, resident=resident, kind="warning", terms=_terms(city, contacts, **extra)
    )


def _issued(city, resident, contacts, **extra):
    measure = _draft(city, resident, contacts, **extra)
    measure_services.measure_submit(actor=city.specialist, measure=measure)
    measure_services.measure_approve(actor=city.manager, measure=measure)
    return measure_services.measure_issue(actor=city.specialist, measure=measure)


def test_managers_see_the_measures_waiting_for_their_approval_and_the_specialist_section_its_drafts(city, client_for):
    today = timezone.localdate()
    resident = make_resident(city.staff)
    zeimu_resident = make_resident(city.zeimu_staff, name="佐藤 花子", kana="さとう はなこ", phones=("0287-99-0000",))
    contacts = [make_contact(city.staff, resident=resident, summary="窓口で大声", ago=dt.timedelta(days=3))]
    zeimu_contacts = [make_contact(city.zeimu_staff, resident=zeimu_resident, ago=dt.timedelta(days=2))]

    waiting = _draft(city, resident, contacts)
    measure_services.measure_submit(actor=city.specialist, measure=waiting)
    zeimu_waiting = _draft(city, zeimu_resident, zeimu_contacts, lead_department=city.zeimu)
    measure_services.measure_submit(actor=city.specialist, measure=zeimu_waiting)
    in_draft = _draft(city, resident, contacts)
    sent_back = _draft(city, resident, contacts)
    measure_services.measure_submit(actor=city.specialist, measure=sent_back)
    measure_services.measure_send_back(actor=city.manager, measure=sent_back, comment="理由を具体的に")
    to_review = _issued(city, resident, contacts, review_on=today + dt.timedelta(days=5))
    not_yet = _issued(city, resident, contacts, review_on=today + dt.timedelta(days=60))
    appealed = _issued(city, resident, contacts)
    appeal = measure_services.measure_appeal_record(
        actor=city.specialist, measure=appealed, received_on=today, content="警告に納得できない"
    )

    manager = _section(_home(client_for, city.manager), "home-approvals")
    assert "決裁待ちの措置（1件）" in manager
    assert f'href="/measures/{waiting.pk}/"' in manager and "市民課の管理職の決裁" in manager
    assert f'href="/measures/{zeimu_waiting.pk}/"' not in manager
    assert 'href="/measures/inbox/"' in manager

    specialist = _home(client_for, city.specialist)
    assert _section(specialist, "home-approvals") == ""  # the warning needs the 管理職 only (the pack)
    drafting = _section(specialist, "home-drafting")
    shown = set(map(int, re.findall(r'href="/measures/(\d+)/"', drafting)))
    assert shown == {in_draft.pk, sent_back.pk, to_review.pk, appealed.pk}
    assert "措置の起案・発出・見直し（4件）" in drafting
    assert drafting.index(f'href="/measures/{to_review.pk}/"') < drafting.index(f'href="/measures/{in_draft.pk}/"')
    assert "差戻し：修正して決裁に回してください" in drafting and "不服の申出：判断を記録してください" in drafting
    assert f'href="/measures/{not_yet.pk}/"' not in drafting and f'href="/measures/{waiting.pk}/"' not in drafting

    for user in (city.staff, city.supervisor, city.zeimu_staff):
        page = _home(client_for, user)
        assert _section(page, "home-approvals") == "" and _section(page, "home-drafting") == "", user

    measure_services.measure_approve(actor=city.manager, measure=waiting)
    assert _section(_home(client_for, city.manager), "home-approvals") == ""
    measure_services.measure_appeal_decide(actor=city.specialist, appeal=appeal, outcome="upheld", reason="妥当")
    assert f'href="/measures/{appealed.pk}/"' not in _section(_home(client_for, city.specialist), "home-drafting")


# --- the specialist section: repetition flags, online posts, requests from other businesses -------


def _post(city, n, **extra):
    return post_register(
        actor=city.staff,
        urls=[f"https://example.jp/post/{n}"],
        platform="x_twitter",
        affected_staff=[city.staff],
        **extra,
    ).post


def _request(city, name, days_ago, **extra):
    return business_request_receive(
        actor=city.specialist,
        business_name=name,
        contact_person="総務部 佐藤",
        contact_details="0287-11-2222",
        description="配達時に窓口で職員から大声で叱責された。",
        asked_for="事実確認と再発防止",
        staff=[city.staff],
        received_on=timezone.localdate() - dt.timedelta(days=days_ago),
        **extra,
    )


def test_the_specialist_section_sees_flags_to_review_and_deadlines_of_posts_and_requests(city, client_for):
    today = timezone.localdate()
    # Repetition: 1週間の長時間の対応 (120 minutes in 7 days) fires for one resident, not for the other.
    flagged = make_resident(city.staff, name="繰返 太郎", kana="くりかえし たろう", phones=("0287-55-0001",))
    quiet = make_resident(city.staff, name="静 花子", kana="しずか はなこ", phones=("0287-55-0002",))
    for hours in (30, 50):
        make_contact(city.staff, resident=flagged, minutes=70, ago=dt.timedelta(hours=hours))
    make_contact(city.staff, resident=quiet, minutes=20)
    repetition_evaluate(resident=flagged)
    repetition_evaluate(resident=quiet)
    open_flags = list(RepetitionFlag.objects.filter(status="open"))
    assert {flag.resident_id for flag in open_flags} == {flagged.pk}

    # Online posts: a deletion request answered within 7 days (due soon); the disclosure order of a post
    # made 80 days ago (reminded from 2 weeks on); a post found today has nothing due yet.
    requested = _post(city, 1)
    post_step_record(actor=city.specialist, post=requested, kind="preserved")
    post_step_record(
        actor=city.specialist,
        post=requested,
        kind="removal_requested",
        details={"route": "platform_form", "to_whom": "運営会社"},
    )
    old = _post(city, 2, posted_at=timezone.now() - dt.timedelta(days=80))
    fresh = _post(city, 3)

    # Requests from other businesses: nobody heard 20 days after (hearing overdue); heard, the answer due
    # in 2 days; received today (nothing due yet).
    unheard = _request(city, "那須運送株式会社", 20)
    heard = _request(city, "大田原商事", 28)
    business_request_assign(actor=city.specialist, request=heard, handler=city.specialist, managers=[city.manager])
    business_request_hearing_record(
        actor=city.specialist, request=heard, staff=city.staff, held_on=today, account="強い口調になった。"
    )
    _request(city, "黒羽物産", 0)

    home = _home(client_for, city.specialist)
    flags = _section(home, "home-flags-to-review")
    assert set(map(int, re.findall(r'href="/repetition/(\d+)/"', flags))) == {f.pk for f in open_flags}
    assert f"繰り返しの確認を待つ住民等（{len(open_flags)}件）" in flags and "繰返 太郎" in flags
    assert "静 花子" not in flags

    posts = _section(home, "home-post-deadlines")
    assert "期限が近い・過ぎたインターネット上の投稿（2件）" in posts
    assert f"投稿 {requested.number}" in posts and "削除申出への回答期限" in posts
    assert f"投稿 {old.number}" in posts and "発信者情報開示命令" in posts
    assert f"投稿 {fresh.number}" not in posts
    assert posts.index(f"投稿 {requested.number}") < posts.index(f"投稿 {old.number}")  # the nearer one first

    requests = _section(home, "home-request-deadlines")
    assert "期限が近い・過ぎた他事業者からの申入れ（2件）" in requests and "うち期限超過 1件" in requests
    assert requests.index("那須運送株式会社：対象職員の聴取") < requests.index("大田原商事：事業者への回答")
    hearing_due = unheard.received_on + dt.timedelta(days=14)
    assert f"期限超過（令和{hearing_due.year - 2018}年{hearing_due.month}月{hearing_due.day}日）" in requests
    assert "黒羽物産" not in requests

    # A date style of 西暦 shows the dates so.
    city.specialist.date_style = "seireki"
    city.specialist.save(update_fields=["date_style"])
    western = _section(_home(client_for, city.specialist), "home-request-deadlines")
    assert f"期限超過（{hearing_due.year}年{hearing_due.month}月{hearing_due.day}日）" in western

    # Nobody else sees these panels (the staff member the posts and requests are about included).
    for user in (city.staff, city.supervisor, city.manager, city.zeimu_staff):
        page = _home(client_for, user)
        for css in ("home-flags-to-review", "home-post-deadlines", "home-request-deadlines"):
            assert _section(page, css) == "", (user, css)

    repetition_flag_decide(actor=city.specialist, flag=open_flags[0], decision="confirmed", reason="確認した")
    assert _section(_home(client_for, city.specialist), "home-flags-to-review") == ""


# --- a bounded number of queries ----------------------------------------------------------------


def _waiting_things(city, n, start=0):
    """``n`` things of every kind waiting for each role, made through the services."""
    today = timezone.localdate()
    resident = make_resident(city.staff, name="件数 太郎", kana="けんすう たろう", phones=(f"0287-60-{start:04d}",))
    contacts = [make_contact(city.staff, resident=resident, ago=dt.timedelta(days=2))]
    for i in range(start, start + n):
        _ended(city.staff, 30 + i, summary=f"未判断 {i}")
        call = backup_call_create(actor=city.staff, contact=_live(city.staff))
        case = Case.objects.get(contacts=call.contact)
        follow_up_record(
            actor=city.supervisor,
            case=case,
            staff=city.staff,
            kind="interview",
            due_date=today - dt.timedelta(days=1),
            past_due_confirmed=True,
        )
        pending = _draft(city, resident, contacts)
        measure_services.measure_submit(actor=city.specialist, measure=pending)
        _draft(city, resident, contacts)
        flagged = make_resident(city.staff, name=f"繰返 {i}", kana="くりかえし", phones=(f"0287-70-{i:04d}",))
        for hours in (30, 50):
            make_contact(city.staff, resident=flagged, minutes=70, ago=dt.timedelta(hours=hours))
        repetition_evaluate(resident=flagged)
        post = _post(city, 100 + i, posted_at=timezone.now() - dt.timedelta(days=80))
        post_step_record(actor=city.specialist, post=post, kind="preserved")
        _request(city, f"事業者 {i}", 20)


def _count_queries(client, url) -> int:
    """The queries of one home page, less the policy pack's revision check (made now and then,
    whatever the page)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum(1 for query in queries.captured_queries if "policy_policypackrevision" not in query["sql"])


def test_the_home_page_reads_a_bounded_number_of_queries(city, client_for, django_assert_max_num_queries):
    roles = (city.staff, city.supervisor, city.manager, city.specialist)
    url = reverse("records:home")
    _waiting_things(city, 2)
    few = {user.username: _count_queries(client_for(user), url) for user in roles}
    _waiting_things(city, 10, start=2)  # 12 of each: more than a panel lists (it counts the rest)
    many = {user.username: _count_queries(client_for(user), url) for user in roles}
    for user in roles:
        home = client_for(user).get(url).content.decode()
        todo = _todo(home)
        assert EMPTY not in home and todo.count("<li") <= todo.count("<section") * 10, user
        # With more items than a panel lists, each panel may count the rest (one or two queries), never
        # one query per item.
        assert many[user.username] <= few[user.username] + 2 * 6, (user, few, many)
    assert max(many.values()) <= HOME_QUERY_BOUND, many
    _waiting_things(city, 3, start=12)  # 15 of each: not one query more than with 12
    assert {user.username: _count_queries(client_for(user), url) for user in roles} == many
    for user in roles:
        client = client_for(user)
        with django_assert_max_num_queries(HOME_QUERY_BOUND):
            client.get(url)
