"""Restrictions and repetition visible where staff look first (issue 12,
defect 2.5): badges in the resident list (one query per app for the whole
list) and, on the resident page, the measures in force with their conditions
and the repetition flags; the specialist's 「措置を起案」 (never on the page of
a resident merged away, defect 2.8)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from measures import services
from measures.models import Measure
from measures.services import MeasureTerms, RestrictionConditions
from people.hooks import resident_badges
from repetition.models import RepetitionFlag
from tests.factories import make_contact, make_resident


def issue(city, resident, kind, conditions=None, approvers=None):
    from accounts.services import user_create

    contact = make_contact(city.staff, resident=resident, words_and_behaviour="大声", ago=dt.timedelta(days=2))
    measure = services.measure_draft(
        actor=city.specialist,
        resident=resident,
        kind=kind,
        terms=MeasureTerms(
            reasons="理由",
            contacts=[contact],
            lead_department=city.shimin,
            starts_on=timezone.localdate() - dt.timedelta(days=1),
            requests="大声を出さないこと。",
            conditions=conditions or RestrictionConditions(),
        ),
    )
    services.measure_submit(actor=city.specialist, measure=measure)
    services.measure_approve(actor=city.manager, measure=measure)
    if kind == "restriction":
        second = user_create(
            actor=None, username=f"sp{measure.pk}", password=None, role="specialist", department=city.somu
        )
        services.measure_approve(actor=second, measure=measure)
    return services.measure_issue(actor=city.specialist, measure=measure)


def open_flag(resident):
    now = timezone.now()
    return RepetitionFlag.objects.create(
        resident=resident,
        rule_code="many_departments",
        rule_name="複数部署",
        rule_description="30日間に3部署以上",
        window_start=now - dt.timedelta(days=30),
        window_end=now,
    )


@pytest.fixture
def residents(city):
    restricted = make_resident(city.staff, name="制限 太郎", kana="せいげん たろう", phones=("0287-11-0001",))
    warned = make_resident(city.staff, name="警告 次郎", kana="けいこく じろう", phones=("0287-11-0002",))
    flagged = make_resident(city.staff, name="繰返 三郎", kana="くりかえし さぶろう", phones=("0287-11-0003",))
    plain = make_resident(city.staff, name="普通 四郎", kana="ふつう しろう", phones=("0287-11-0004",))
    issue(city, restricted, "restriction", RestrictionConditions(max_minutes=15, designated_staff=[city.supervisor]))
    issue(city, warned, "warning")
    open_flag(flagged)
    return restricted, warned, flagged, plain


def _row(html: str, name: str) -> str:
    start = html.index(name)
    return html[start : html.index("</tr>", start)]


def test_resident_list_shows_the_badges(city, residents, client_for):
    html = client_for(city.staff).get(reverse("people:resident_list")).content.decode()
    restricted, warned, flagged, plain = residents
    assert "対応制限中" in _row(html, restricted.name)
    assert "警告中" in _row(html, warned.name) and "対応制限中" not in _row(html, warned.name)
    assert "繰り返し要確認" in _row(html, flagged.name)
    plain_row = _row(html, plain.name)
    assert "対応制限中" not in plain_row and "警告中" not in plain_row and "繰り返し" not in plain_row


def test_badges_read_every_listed_resident_in_one_query_per_app(city, residents, django_assert_num_queries):
    listed = list(residents)
    with django_assert_num_queries(2):  # measures' and repetition's
        answers = resident_badges.collect(user=city.staff, residents=listed)
    labels = {}
    for answer in answers:
        for pk, badges in answer.items():
            labels.setdefault(pk, []).extend(label for label, _css in badges)
    assert labels[residents[0].pk] == ["対応制限中"]
    assert labels[residents[1].pk] == ["警告中"]
    assert labels[residents[2].pk] == ["繰り返し要確認"]
    assert residents[3].pk not in labels
    assert resident_badges.collect(user=city.admin, residents=listed) == []


def test_resident_page_shows_the_measure_its_conditions_and_the_flag(city, residents, client_for):
    restricted, warned, flagged, plain = residents
    open_flag(restricted)
    html = client_for(city.staff).get(reverse("people:resident_detail", args=[restricted.pk])).content.decode()
    panel = html[
        html.index('id="resident-measures-title"') : html.index(
            "</section>", html.index('id="resident-measures-title"')
        )
    ]
    assert "対応制限中" in panel
    assert "1回の対応は15分以内" in panel and "対応は指定職員（市民 課長補佐）に限る" in panel
    assert "繰り返し要確認" in html and "30日間に3部署以上" in html
    assert "措置を起案" not in html  # staff do not draft
    plain_page = client_for(city.staff).get(reverse("people:resident_detail", args=[plain.pk])).content.decode()
    assert 'id="resident-measures-title"' not in plain_page and 'id="resident-flags-title"' not in plain_page


def test_specialist_drafts_from_the_page_but_not_for_a_merged_resident(city, residents, client_for):
    from people.merging import resident_merge

    restricted, warned, flagged, plain = residents
    client = client_for(city.specialist)
    html = client.get(reverse("people:resident_detail", args=[plain.pk])).content.decode()
    assert html.count(reverse("measures:measure_new", args=[plain.pk])) == 1
    resident_merge(actor=city.specialist, source=plain, target=flagged, reason="同一人物と確認")
    plain.refresh_from_db()
    html = client.get(reverse("people:resident_detail", args=[plain.pk])).content.decode()
    assert "措置を起案" not in html
    response = client.get(reverse("measures:measure_new", args=[plain.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("people:resident_detail", args=[flagged.pk])
    with pytest.raises(ValidationError) as error:
        services.measure_draft(
            actor=city.specialist,
            resident=plain,
            kind="caution",
            terms=MeasureTerms(
                reasons="理由",
                contacts=[],
                lead_department=city.shimin,
                starts_on=timezone.localdate(),
            ),
        )
    assert "resident" in error.value.message_dict
    assert not Measure.objects.filter(resident=plain).exists()
