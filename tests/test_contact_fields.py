"""The contact's fields are declared once (records/fields.py); ContactData,
the snapshot, the form, the API and the import all follow the declaration,
and what they produce is what it was before the declaration (issue 12)."""

import dataclasses
import datetime as dt

from django.utils import timezone

from accounts.services import token_issue
from mamoru.api import ContactIn, ContactOut
from records.fields import CONTACT_FIELDS, RELATION, STAFF_LIST
from records.forms import ContactForm
from records.imports.mapping import FIELDS as IMPORT_FIELDS
from records.models import Contact
from records.services import ContactData, contact_create, contact_snapshot

from .factories import make_resident

NAMES = [spec.name for spec in CONTACT_FIELDS]


def test_every_declared_field_is_on_the_model_and_in_every_derived_list(city):
    model_fields = {field.name for field in Contact._meta.get_fields()}
    assert set(NAMES) <= model_fields
    assert [field.name for field in dataclasses.fields(ContactData)] == NAMES
    assert set(NAMES) <= set(ContactForm(user=city.staff).fields)
    api_names = {
        f"{spec.name}_{spec.lookup}" if spec.kind == RELATION else spec.name
        for spec in CONTACT_FIELDS
        if spec.kind != STAFF_LIST
    } | {"other_staff_usernames"}
    assert api_names == set(ContactIn.model_fields)
    assert api_names | {"id", "version", "department", "duration_seconds"} == set(ContactOut.model_fields)
    assert {spec.name for spec in CONTACT_FIELDS if spec.import_headers} <= set(IMPORT_FIELDS)


def _full_contact(city):
    started = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    data = ContactData(
        department=city.shimin,
        channel="phone",
        staff=city.staff,
        started_at=started,
        ended_at=started + dt.timedelta(minutes=41),
        other_staff=[city.supervisor],
        resident=make_resident(city.staff),
        resident_description="眼鏡",
        place="2番窓口",
        summary="件名",
        request_content="内容",
        words_and_behaviour="言動",
        staff_response="対応",
        outcome="結果",
        harassment="yes",
        categories=["verbal_abuse", "long_detention"],
        content_unreasonable="yes",
        content_reason="理由a",
        manner_inappropriate="unknown",
        harms=["obstruction", "dignity"],
        harm_reason="理由c",
    )
    return contact_create(actor=city.staff, data=data), started


def test_the_snapshot_reads_every_field_by_name(city):
    contact, started = _full_contact(city)
    local = timezone.localtime
    expected = {
        "department": "市民課",
        "channel": "電話",
        "staff": "市民 一郎",
        "other_staff": "市民 課長補佐",
        "resident": "山田 太郎",
        "resident_description": "眼鏡",
        "place": "2番窓口",
        "started_at": local(started).strftime("%Y-%m-%d %H:%M"),
        "ended_at": local(started + dt.timedelta(minutes=41)).strftime("%Y-%m-%d %H:%M"),
        "summary": "件名",
        "request_content": "内容",
        "words_and_behaviour": "言動",
        "staff_response": "対応",
        "outcome": "結果",
        "harassment": "該当する",
        "categories": "長時間拘束、暴言",
        "content_unreasonable": "はい",
        "content_reason": "理由a",
        "manner_inappropriate": "わからない",
        "manner_reason": "",
        "harms": "職員の人格や尊厳の侵害、業務への支障",
        "harm_reason": "理由c",
        "restriction_exception_reason": "",
    }
    assert contact.revisions.get().snapshot == expected  # from what was saved
    assert contact_snapshot(Contact.objects.get(pk=contact.pk)) == expected  # read back
    assert ContactData.from_contact(contact).categories == ["long_detention", "verbal_abuse"]


def test_the_api_answers_every_field_in_its_usual_order(city, client):
    contact, started = _full_contact(city)
    _token, key = token_issue(actor=None, user=city.staff, name="テスト")
    body = client.get(f"/api/contacts/{contact.pk}", headers={"Authorization": f"Bearer {key}"}).json()
    assert list(body) == [
        "id",
        "version",
        "department_id",
        "department",
        "channel",
        "staff_username",
        "other_staff_usernames",
        "resident_id",
        "resident_description",
        "place",
        "started_at",
        "ended_at",
        "duration_seconds",
        "summary",
        "request_content",
        "words_and_behaviour",
        "staff_response",
        "outcome",
        "harassment",
        "categories",
        "content_unreasonable",
        "content_reason",
        "manner_inappropriate",
        "manner_reason",
        "harms",
        "harm_reason",
        "restriction_exception_reason",
    ]
    assert body["staff_username"] == "staff1" and body["other_staff_usernames"] == ["supervisor1"]
    assert body["categories"] == ["long_detention", "verbal_abuse"] and body["harms"] == ["dignity", "obstruction"]
    assert body["duration_seconds"] == 41 * 60
