"""The home page's 「対応が必要なもの」 (issue 16): each role sees what waits for them, made
through the real services, and nothing of another department's or another role's; an empty
home says so once; the page reads a bounded number of queries whatever the number of items."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from records.services import ContactData, contact_update

from .factories import make_contact

EMPTY = "対応が必要なものはありません。"


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
