"""The measure's letter (issue 12, defect 2.4): the drafter writes the requests
(今後守っていただく事項) and reviews the facts (drafted from the linked contacts'
dates, channels and the resident's words, never their internal subjects); both
are stored on the measure and shown to approvers, who can read a 見本 PDF
before approving (no number taken, nothing stored). PDFs are read back with pdftotext."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from letters.models import DocumentNumberSequence, IssuedLetter
from mamoru.lib.wareki import format_wareki
from measures import services
from measures.models import Measure
from measures.services import MeasureTerms
from tests.factories import make_contact, make_resident
from tests.test_letters import flat, pdftotext

SUBJECT = "国民年金保険料の納付について"
WORDS = "「ふざけるな、上司を出せ」と大声で怒鳴り、机を叩いた。"
REQUESTS = "窓口や電話で大声を出したり、職員を罵倒したりしないこと。\n御用件は1回30分以内でお話しください。"


@pytest.fixture
def resident(city):
    return make_resident(city.staff)


@pytest.fixture
def contacts(city, resident):
    return [
        make_contact(
            city.staff, resident=resident, summary=SUBJECT, words_and_behaviour=WORDS, ago=dt.timedelta(days=3)
        ),
        make_contact(
            city.staff,
            resident=resident,
            channel="phone",
            summary="住民票の写しの交付について",
            words_and_behaviour="1時間にわたり同じ要求を繰り返した。",
            ago=dt.timedelta(days=1),
        ),
    ]


def terms(city, contacts, **extra):
    values = dict(
        reasons="職員の人格を否定する言動が続いたため。",
        contacts=contacts,
        lead_department=city.shimin,
        starts_on=timezone.localdate(),
        requests=REQUESTS,
    )
    values.update(extra)
    return MeasureTerms(**values)


def draft(city, resident, contacts, **extra):
    return services.measure_draft(
        actor=city.specialist, resident=resident, kind="warning", terms=terms(city, contacts, **extra)
    )


def test_a_warning_needs_its_requests(city, resident, contacts):
    with pytest.raises(ValidationError) as error:
        draft(city, resident, contacts, requests="  ")
    assert "今後守っていただく事項" in error.value.message_dict["requests"][0]
    assert not Measure.objects.exists()


def test_facts_are_drafted_from_dates_channels_and_words_not_subjects(city, resident, contacts):
    measure = draft(city, resident, contacts)
    facts = measure.letter_facts.splitlines()
    day = format_wareki(timezone.localtime(contacts[0].started_at).date())
    assert len(facts) == 2
    assert facts[0].startswith(day) and "窓口" in facts[0] and WORDS in facts[0]
    assert "電話" in facts[1] and "同じ要求を繰り返した" in facts[1]
    assert SUBJECT not in measure.letter_facts and "住民票" not in measure.letter_facts
    assert measure.letter_requests == REQUESTS


def test_issued_warning_prints_the_requests_and_the_reviewed_facts(city, resident, contacts, tmp_path):
    measure = draft(city, resident, contacts)
    services.measure_update(
        actor=city.specialist,
        measure=measure,
        terms=terms(city, contacts, facts="令和8年1月5日　窓口で、職員に対し「ふざけるな」と大声で怒鳴った。"),
    )
    services.measure_submit(actor=city.specialist, measure=measure)
    services.measure_approve(actor=city.manager, measure=measure)
    measure = services.measure_issue(actor=city.specialist, measure=measure)
    text = flat(pdftotext(bytes(measure.letter.pdf), tmp_path))
    assert "今後守っていただく事項なし" not in text
    assert "今後守っていただく事項（1）窓口や電話で大声を出したり、職員を罵倒したりしないこと。" in text
    assert "（2）御用件は1回30分以内でお話しください。" in text
    assert "（1）令和8年1月5日窓口で、職員に対し「ふざけるな」と大声で怒鳴った。" in text
    assert SUBJECT not in text


def test_approvers_see_the_letter_texts_and_a_sample_pdf(city, resident, contacts, client_for, tmp_path):
    measure = draft(city, resident, contacts)
    services.measure_submit(actor=city.specialist, measure=measure)
    manager = client_for(city.manager)
    detail = manager.get(reverse("measures:measure_detail", args=[measure.pk])).content.decode()
    assert "窓口や電話で大声を出したり" in detail and "と大声で怒鳴り" in detail
    preview_url = reverse("measures:measure_letter_preview", args=[measure.pk])
    assert preview_url in detail
    response = manager.get(preview_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = flat(pdftotext(response.content, tmp_path))
    assert "見本" in text and "警告書" in text
    assert "大総第号" in text  # the number left blank
    assert "（1）窓口や電話で大声を出したり、職員を罵倒したりしないこと。" in text
    assert "机を叩いた。" in text and SUBJECT not in text
    assert not IssuedLetter.objects.exists() and not DocumentNumberSequence.objects.filter(last_number__gt=0).exists()
    measure.refresh_from_db()
    assert measure.letter_id is None


def test_no_sample_for_outsiders_or_measures_without_a_letter(city, resident, contacts, client_for):
    measure = draft(city, resident, contacts)
    assert client_for(city.staff).get(reverse("measures:measure_letter_preview", args=[measure.pk])).status_code == 404
    caution = services.measure_draft(
        actor=city.specialist, resident=resident, kind="caution", terms=terms(city, contacts, requests="")
    )
    response = client_for(city.specialist).get(reverse("measures:measure_letter_preview", args=[caution.pk]))
    assert response.status_code == 403


def test_the_form_takes_the_requests_and_facts(city, resident, contacts, client_for):
    client = client_for(city.specialist)
    form = client.get(reverse("measures:measure_new", args=[resident.pk])).content.decode()
    assert 'name="requests"' in form and 'name="facts"' in form
    post = {
        "kind": "warning",
        "contacts": [c.pk for c in contacts],
        "reasons": "威圧的な言動",
        "lead_department": city.shimin.pk,
        "starts_on": timezone.localdate().isoformat(),
        "reminder_days_before_review": 14,
    }
    response = client.post(reverse("measures:measure_new", args=[resident.pk]), post)
    assert response.status_code == 200 and "「今後守っていただく事項」を入力してください" in response.content.decode()
    response = client.post(reverse("measures:measure_new", args=[resident.pk]), {**post, "requests": REQUESTS})
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert measure.letter_requests == REQUESTS and WORDS in measure.letter_facts


def test_a_warning_drafted_without_requests_is_not_submitted(city, resident, contacts):
    """A draft stored before the requests were asked for cannot go for approval without them."""
    measure = draft(city, resident, contacts)
    Measure.objects.filter(pk=measure.pk).update(letter_requests="")
    with pytest.raises(ValidationError) as error:
        services.measure_submit(actor=city.specialist, measure=measure)
    assert "今後守っていただく事項" in error.value.messages[0]
    measure.refresh_from_db()
    assert measure.status == "draft"


def test_the_form_drafts_the_facts_from_the_ticked_contacts(city, resident, contacts, client_for):
    url = reverse("measures:measure_facts_draft", args=[resident.pk])
    html = client_for(city.specialist).get(url, {"contacts": [contacts[0].pk]}).content.decode()
    assert 'name="facts"' in html and "机を叩いた。" in html and "同じ要求" not in html and SUBJECT not in html
    form = client_for(city.specialist).get(reverse("measures:measure_new", args=[resident.pk])).content.decode()
    assert url in form
    assert client_for(city.manager).get(url, {"contacts": [contacts[0].pk]}).status_code == 403
