"""The pages of the requests from other businesses (issue 15 B): the whole flow through the
forms, the staff member's own view that hides the business's account until the outcome,
and reads audited."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from business_requests.choices import RequestState
from business_requests.models import BusinessRequest

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.login(username=user.username, password=PASSWORD)
    return client


def test_flow_through_the_pages(client, city):
    signed_in(client, city.specialist)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("business_requests:new"),
        {
            "business_name": "那須運送株式会社",
            "contact_person": "佐藤",
            "contact_details": "0287-11-2222",
            "channel": "phone",
            "received_on": today,
            "description": "秘密の申入れ本文",
            "staff": [city.staff.pk],
            "asked_for": "事実確認",
        },
    )
    item = BusinessRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("business_requests:detail", args=[item.pk])
    page = client.get(response.url).content.decode()
    assert "秘密の申入れ本文" in page and "担当者・関係する管理職" in page
    client.post(
        reverse("business_requests:assign", args=[item.pk]),
        {"handler": city.specialist.pk, "managers": [city.manager.pk]},
    )
    client.post(
        reverse("business_requests:hearing", args=[item.pk]),
        {"staff": city.staff.pk, "held_on": today, "account": "声を荒げた"},
    )
    # Out of order: the reply before the outcome is refused with the reason.
    response = client.post(
        reverse("business_requests:reply", args=[item.pk]), {"sent_on": today, "summary": "回答"}, follow=True
    )
    assert "「回答の記録」を行えません" in response.content.decode()
    client.post(
        reverse("business_requests:outcome", args=[item.pk]), {"outcome": "fact_found", "reasons": "本人が認めた"}
    )
    signed_in(client, city.manager)
    assert "秘密の申入れ本文" in client.get(reverse("business_requests:detail", args=[item.pk])).content.decode()
    client.post(reverse("business_requests:measures", args=[item.pk]), {"guidance": "on", "note": "課長による指導"})
    signed_in(client, city.specialist)
    client.post(
        reverse("business_requests:reply", args=[item.pk]),
        {"sent_on": today, "summary": "指導しました", "issue_letter": "on"},
    )
    letter = client.get(reverse("business_requests:reply_letter", args=[item.pk]))
    assert letter["Content-Type"] == "application/pdf" and letter.content.startswith(b"%PDF")
    signed_in(client, city.staff)
    assert client.get(reverse("business_requests:reply_letter", args=[item.pk])).status_code == 404
    signed_in(client, city.specialist)
    client.post(reverse("business_requests:close", args=[item.pk]))
    item.refresh_from_db()
    assert item.state == RequestState.CLOSED and item.measure_guidance and not item.measure_training
    assert "那須運送株式会社" in client.get(reverse("business_requests:list")).content.decode()


def test_staff_member_sees_the_request_and_own_hearing_but_not_the_account_until_the_outcome(client, city):
    from business_requests import services

    item = services.business_request_receive(
        actor=city.specialist,
        business_name="那須運送",
        contact_person="佐藤",
        contact_details="0287",
        description="秘密の申入れ本文",
        asked_for="謝罪",
        staff=[city.staff],
        evidence_description="録音データ",
    )
    services.business_request_assign(actor=city.specialist, request=item, handler=city.specialist)
    hearing = services.business_request_hearing_record(
        actor=city.specialist, request=item, staff=city.staff, held_on=timezone.localdate(), account="私の説明"
    )
    signed_in(client, city.staff)
    assert "自分に関する申入れ" in client.get(reverse("business_requests:mine")).content.decode()
    page = client.get(reverse("business_requests:detail", args=[item.pk])).content.decode()
    assert "私の説明" in page and "秘密の申入れ本文" not in page and "録音データ" not in page
    assert AuditEntry.objects.filter(action="business_requests.request.viewed", actor=city.staff).exists()
    client.post(reverse("business_requests:hearing_confirm", args=[hearing.pk]))
    hearing.refresh_from_db()
    assert hearing.confirmed_at is not None
    services.business_request_decide_outcome(actor=city.specialist, request=item, outcome="no_fact", reasons="証拠なし")
    assert "秘密の申入れ本文" in client.get(reverse("business_requests:detail", args=[item.pk])).content.decode()
    # Others: the supervisor and other staff 404, the administrator too; the list 403 for staff.
    for user in (city.supervisor, city.zeimu_staff, city.admin):
        signed_in(client, user)
        assert client.get(reverse("business_requests:detail", args=[item.pk])).status_code == 404
    signed_in(client, city.staff)
    assert client.get(reverse("business_requests:list")).status_code == 403


def test_intake_bad_input_shows_japanese_errors(client, city):
    signed_in(client, city.specialist)
    response = client.post(reverse("business_requests:new"), {"channel": "phone", "received_on": "2020-13-40"})
    page = response.content.decode()
    assert response.status_code == 200 and "入力内容に誤りがあります" in page
    assert not BusinessRequest.objects.exists()
