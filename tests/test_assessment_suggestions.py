"""Suggested categories on the contact form, and staff decisions (issue 6, part 2)."""

import datetime as dt

from assessment.models import Suggestion
from audit.models import AuditEntry
from tests.factories import make_contact, make_resident

ABUSE = "「税金泥棒！お前なんか辞めちまえ」と窓口で大声で怒鳴り続けた。"


def test_suggestions_show_confidence_evidence_and_policy_example(city, client_for):
    contact = make_contact(city.staff, words_and_behaviour=ABUSE)
    response = client_for(city.staff).post(
        f"/assessment/contacts/{contact.pk}/suggestions/", {"words_and_behaviour": ABUSE}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "暴言" in page and "確からしさ" in page
    assert "<mark>" in page
    assert "基本方針の例:" in page
    assert "提案は判断ではありません" in page
    assert 'data-accept="verbal_abuse"' in page


def test_suggestions_for_a_new_contact_need_no_record(city, client_for):
    response = client_for(city.staff).post("/assessment/suggestions/", {"words_and_behaviour": ABUSE})
    assert response.status_code == 200
    assert 'data-accept="verbal_abuse"' in response.content.decode()
    assert "hx-post" not in response.content.decode()  # nothing to store without a record


def test_empty_and_legitimate_text_gets_no_suggestion(city, client_for):
    client = client_for(city.staff)
    empty = client.post("/assessment/suggestions/", {"words_and_behaviour": ""}).content.decode()
    assert "data-accept" not in empty
    calm = "保育園の入園手続きについて質問があり、必要書類を説明した。"
    assert "data-accept" not in client.post("/assessment/suggestions/", {"words_and_behaviour": calm}).content.decode()


def test_suggestion_endpoints_answer_404_outside_the_department(city, client_for):
    contact = make_contact(city.zeimu_staff, words_and_behaviour=ABUSE)  # 税務課
    client = client_for(city.staff)  # 市民課
    assert (
        client.post(f"/assessment/contacts/{contact.pk}/suggestions/", {"words_and_behaviour": ABUSE}).status_code
        == 404
    )
    decide = client.post(
        f"/assessment/contacts/{contact.pk}/suggestions/decide/", {"code": "verbal_abuse", "decision": "accepted"}
    )
    assert decide.status_code == 404
    assert not Suggestion.objects.exists()


def test_administrator_gets_no_suggestions(city, client_for):
    assert client_for(city.admin).post("/assessment/suggestions/", {"words_and_behaviour": ABUSE}).status_code == 403


def test_accept_and_reject_are_stored_with_who_and_when(city, client_for):
    contact = make_contact(city.staff, words_and_behaviour=ABUSE)
    client = client_for(city.staff)
    url = f"/assessment/contacts/{contact.pk}/suggestions/decide/"
    response = client.post(url, {"code": "verbal_abuse", "decision": "accepted", "words_and_behaviour": ABUSE})
    assert response.status_code == 200 and "採用済み" in response.content.decode()
    client.post(url, {"code": "threat", "decision": "rejected", "words_and_behaviour": ABUSE})
    accepted = Suggestion.objects.get(contact=contact, code="verbal_abuse")
    assert accepted.decision == "accepted" and accepted.decided_by == city.staff and accepted.decided_at
    assert accepted.score > 0.5 and all(phrase in ABUSE for phrase in accepted.evidence)
    assert Suggestion.objects.get(contact=contact, code="threat").decision == "rejected"
    assert AuditEntry.objects.filter(action="assessment.suggestion.accepted").count() == 1
    # Changing one's mind replaces the decision; the category itself is still only what staff save.
    client.post(url, {"code": "verbal_abuse", "decision": "rejected", "words_and_behaviour": ABUSE})
    assert Suggestion.objects.get(contact=contact, code="verbal_abuse").decision == "rejected"
    assert not contact.categories.exists()
    page = client.post(f"/assessment/contacts/{contact.pk}/suggestions/", {"words_and_behaviour": ABUSE})
    assert "不採用済み" in page.content.decode()


def _new_contact_form(city, **overrides):
    data = {
        "channel": "counter",
        "department": city.shimin.pk,
        "staff": city.staff.pk,
        "started_at": "2025-12-19T10:00",
        "ended_at": "2025-12-19T10:20",
        "summary": "手数料への苦情",
        "words_and_behaviour": ABUSE,
        "harassment": "no",
    }
    data.update(overrides)
    return data


def test_decisions_on_a_new_contact_are_stored_when_it_is_saved(city, client_for):
    """On the after-the-fact form there is no record yet: the clicks wait in
    the form and are stored with the contact, scored again on the server."""
    client = client_for(city.staff)
    decisions = ["verbal_abuse:rejected", "verbal_abuse:accepted", "threat:rejected", "no_such_code:accepted", "x"]
    response = client.post("/contacts/new/", _new_contact_form(city, suggestion_decisions=decisions))
    assert response.status_code == 302
    contact = Suggestion.objects.get(code="verbal_abuse").contact
    assert response["Location"] == f"/contacts/{contact.pk}/"
    stored = {s.code: s for s in Suggestion.objects.filter(contact=contact)}
    assert set(stored) == {"verbal_abuse", "threat"}
    accepted = stored["verbal_abuse"]
    assert accepted.decision == "accepted" and accepted.decided_by == city.staff
    assert accepted.score > 0.5 and accepted.text == ABUSE and all(phrase in ABUSE for phrase in accepted.evidence)
    assert stored["threat"].decision == "rejected"
    assert AuditEntry.objects.filter(action="assessment.suggestion.accepted", object_id=str(contact.pk)).exists()


def test_decisions_on_a_new_contact_survive_a_refused_save(city, client_for):
    client = client_for(city.staff)
    response = client.post(
        "/contacts/new/", _new_contact_form(city, started_at="", suggestion_decisions=["verbal_abuse:accepted"])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="suggestion_decisions" value="verbal_abuse:accepted" data-code="verbal_abuse"' in page
    assert not Suggestion.objects.exists()


def test_bad_decisions_are_refused(city, client_for):
    contact = make_contact(city.staff)
    url = f"/assessment/contacts/{contact.pk}/suggestions/decide/"
    client = client_for(city.staff)
    assert client.post(url, {"code": "verbal_abuse", "decision": "maybe"}).status_code == 400
    assert client.post(url, {"code": "no_such_code", "decision": "accepted"}).status_code == 400


def test_long_detention_is_suggested_from_the_duration(city, client_for):
    contact = make_contact(city.staff, minutes=42, words_and_behaviour="手続きの説明を求められた。")
    page = (
        client_for(city.staff)
        .post(f"/assessment/contacts/{contact.pk}/suggestions/", {"words_and_behaviour": "手続きの説明を求められた。"})
        .content.decode()
    )
    assert 'data-accept="long_detention"' in page
    assert "対応時間 42分" in page and "記録のデータから" in page


def test_long_detention_is_suggested_from_words_for_a_sit_in(city, client_for):
    text = "閉庁後もロビーに居座り、警備員が声をかけた。"
    page = client_for(city.staff).post("/assessment/suggestions/", {"words_and_behaviour": text}).content.decode()
    assert 'data-accept="long_detention"' in page


def test_repetition_is_suggested_from_the_residents_recent_contacts(city, client_for):
    resident = make_resident(city.staff)
    for days in (2, 5, 9):
        make_contact(city.staff, resident=resident, ago=dt.timedelta(days=days))
    make_contact(city.specialist, department=city.zeimu, resident=resident, ago=dt.timedelta(days=3))
    make_contact(city.staff, resident=resident, ago=dt.timedelta(days=45))  # too long ago
    contact = make_contact(city.staff, resident=resident, words_and_behaviour="制度の説明を求められた。")
    staff_page = (
        client_for(city.staff)
        .post(f"/assessment/contacts/{contact.pk}/suggestions/", {"words_and_behaviour": "制度の説明を求められた。"})
        .content.decode()
    )
    assert 'data-accept="repetition"' in staff_page
    assert "過去30日間に4件" in staff_page and "税務課" not in staff_page  # only departments the user may see


def test_contact_form_has_the_panel_and_script_without_inline_code(city, client_for):
    contact = make_contact(city.staff)
    page = client_for(city.staff).get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert f"/assessment/contacts/{contact.pk}/suggestions/" in page
    assert "js/assessment.js" in page
    assert "<script>" not in page
