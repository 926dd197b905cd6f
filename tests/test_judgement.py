"""The judgement of a contact: it starts 未判断 (never counted as 該当しない), ending a
contact leads to it, a contact left unjudged reaches the to-do lists, and 判断に迷う
reaches the department's supervisors, who record the decision with a reason."""

import csv
import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from cases.models import Case
from mamoru.policy.loader import load_file
from mamoru.policy.schema import PolicyPackError, parse_pack
from notifications.models import Notification
from records.models import Contact
from records.selectors import contact_judgement_overdue_list, contact_judgement_waiting_list
from records.services import ContactData, contact_end, contact_judgement_decide, contact_start, contact_update

from .factories import make_contact, make_resident
from .test_policy_pack import MINATO, OTAWARA_SOURCE

# --- 未判断 is the starting state ----------------------------------------------------------------


def test_a_contact_starts_undecided_everywhere(city, client_for):
    assert Contact._meta.get_field("harassment").default == "undecided"
    assert ContactData.__dataclass_fields__["harassment"].default == "undecided"
    assert contact_start(actor=city.staff, channel="counter").harassment == "undecided"
    page = client_for(city.staff).get("/contacts/new/").content.decode()
    assert 'value="undecided" required id="id_harassment_0" checked' in page
    assert "未判断" in page


def test_a_contact_ended_and_saved_without_judging_is_not_counted_as_not_harassment(city, client_for):
    contact = contact_start(actor=city.staff, channel="counter")
    contact_end(actor=city.staff, contact=contact)
    judged = make_contact(city.staff, harassment="no", summary="判断済み")
    client = client_for(city.staff)

    not_harassment = client.get("/contacts/", {"harassment": "no"}).context["page"].object_list
    assert [row.pk for row in not_harassment] == [judged.pk]
    undecided = client.get("/contacts/", {"harassment": "undecided"}).context["page"].object_list
    assert [row.pk for row in undecided] == [contact.pk]
    listing = client.get("/contacts/").content.decode()
    assert 'class="is-undecided"' in listing and "<td>未判断</td>" in listing

    exported = client.get("/contacts/", {"format": "csv"}).content.decode("utf-8-sig")
    judgements = {row[0]: row[9] for row in list(csv.reader(io.StringIO(exported)))[1:]}
    assert judgements[contact.number] == "未判断" and judgements[judged.number] == "該当しない"

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(client.get("/contacts/", {"format": "xlsx"}).content))
    cells = {row[0]: row[9] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert cells[contact.number] == "未判断"


def test_the_api_shows_undecided_apart(city, client):
    from accounts.services import token_issue

    _, token = token_issue(actor=None, user=city.staff, name="test", scope="write")
    started = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    headers = {"Authorization": f"Bearer {token}"}
    created = client.post(
        "/api/contacts",
        {"department_id": city.shimin.pk, "channel": "mail", "started_at": started, "ended_at": started},
        content_type="application/json",
        headers=headers,
    )
    assert created.status_code == 201, created.content
    assert created.json()["harassment"] == "undecided"
    listed = client.get("/api/contacts", {"harassment": "undecided"}, headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [created.json()["id"]]
    assert client.get("/api/contacts", {"harassment": "no"}, headers=headers).json()["count"] == 0


def test_ending_a_contact_opens_the_form_at_the_judgement(city, client_for):
    contact = contact_start(actor=city.staff, channel="counter")
    response = client_for(city.staff).post(f"/contacts/{contact.pk}/end/")
    assert response["Location"] == f"/contacts/{contact.pk}/edit/#judgement"
    form = client_for(city.staff).get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert 'id="judgement"' in form


def test_saving_an_ended_contact_still_undecided_is_allowed_but_flagged(city, client_for):
    contact = contact_start(actor=city.staff, channel="counter")
    contact_end(actor=city.staff, contact=contact)
    contact.refresh_from_db()
    client = client_for(city.staff)
    form = client.get(f"/contacts/{contact.pk}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, [], "")}
    data.update(
        department=city.shimin.pk,
        staff=city.staff.pk,
        started_at=timezone.localtime(contact.started_at).strftime("%Y-%m-%dT%H:%M"),
        ended_at=timezone.localtime(contact.ended_at).strftime("%Y-%m-%dT%H:%M"),
        summary="住民票について",
    )
    data.pop("other_staff", None)
    response = client.post(f"/contacts/{contact.pk}/edit/", data, follow=True)
    page = response.content.decode()
    contact.refresh_from_db()
    assert contact.summary == "住民票について" and contact.harassment == "undecided"
    assert "判断が「未判断」のままです" in page
    assert "要判断" in page and "判断を記入する" in page


# --- the pack's due time and the to-do lists --------------------------------------------------------


def test_the_pack_sets_how_long_a_contact_may_stay_undecided():
    assert load_file(MINATO).judgement.due_hours == 24  # no [judgement] table: the default
    assert parse_pack(OTAWARA_SOURCE).judgement.due_hours == 24
    six = OTAWARA_SOURCE.replace("[judgement]\ndue_hours = 24", "[judgement]\ndue_hours = 6")
    assert parse_pack(six).judgement.due_hours == 6
    for bad in ("0", '"24"', "-1"):
        with pytest.raises(PolicyPackError) as error:
            parse_pack(OTAWARA_SOURCE.replace("[judgement]\ndue_hours = 24", f"[judgement]\ndue_hours = {bad}"))
        assert error.value.field == "judgement.due_hours"


def _todo(home: str) -> str:
    """The to-do panels of the home page."""
    return "".join(re.findall(r'<section class="panel todo.*?</section>', home, re.S))


def _ended(actor, hours_ago, **fields):
    return make_contact(actor, ago=dt.timedelta(hours=hours_ago, minutes=10), minutes=10, **fields)


def test_a_contact_left_undecided_appears_on_the_staff_and_supervisor_todo_lists(city, client_for):
    overdue = _ended(city.staff, 25, summary="期限切れの記録")
    recent = _ended(city.staff, 2, summary="まだ期限内の記録")
    _ended(city.staff, 30, harassment="no")
    other = _ended(city.zeimu_staff, 30, summary="税務課の記録")

    assert list(contact_judgement_overdue_list(user=city.staff)) == [overdue]
    assert list(contact_judgement_overdue_list(user=city.supervisor)) == [overdue]
    assert list(contact_judgement_overdue_list(user=city.zeimu_staff)) == [other]
    for user in (city.staff, city.supervisor, city.manager):
        todo = _todo(client_for(user).get("/").content.decode())
        # The member of staff also sees their own contact still within the due time (tests/test_home_todo.py).
        assert f"判断が未入力の対応記録（{2 if user == city.staff else 1}件）" in todo, user
        assert f'href="/contacts/{overdue.pk}/edit/#judgement"' in todo
        assert "期限切れの記録" in todo and "税務課の記録" not in todo
        assert ("まだ期限内の記録" in todo) == (user == city.staff)
    assert recent.harassment == "undecided"

    contact_update(
        actor=city.staff,
        contact=overdue,
        data=ContactData(**{**ContactData.from_contact(overdue).__dict__, "harassment": "no"}),
    )
    assert "判断が未入力の対応記録（1件）" in client_for(city.staff).get("/").content.decode()  # the recent one
    assert "判断が未入力の対応記録" not in client_for(city.supervisor).get("/").content.decode()


def test_the_due_time_follows_the_pack(city, settings, tmp_path):
    contact = _ended(city.staff, 7)
    assert not contact_judgement_overdue_list(user=city.staff).exists()
    pack = tmp_path / "six.toml"
    pack.write_text(OTAWARA_SOURCE.replace("due_hours = 24", "due_hours = 6"), encoding="utf-8")
    settings.MAMORU_POLICY_PACK = str(pack)
    from mamoru.policy.loader import reset_cache

    reset_cache()
    assert list(contact_judgement_overdue_list(user=city.staff)) == [contact]


# --- 判断に迷う reaches the supervisors ---------------------------------------------------------------


def test_saving_as_unsure_notifies_the_department_supervisors(city, client_for, django_capture_on_commit_callbacks):
    city.supervisor.email = "hosa@city.example.jp"
    city.supervisor.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        contact = make_contact(city.staff, harassment="unsure", summary="判断に迷った記録")
    assert [m.to for m in mail.outbox] == [["hosa@city.example.jp"]]
    assert "判断の相談があります" in mail.outbox[0].subject
    assert f"/contacts/{contact.pk}/judgement/" in mail.outbox[0].body
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"supervisor1", "manager1"}
    notification = Notification.objects.get(user=city.supervisor)
    assert notification.kind == "records.judgement_requested"
    assert "判断の相談があります" in notification.text and notification.url == f"/contacts/{contact.pk}/judgement/"
    # saving it again unchanged asks nobody twice; nor does asking again while the first is unread
    contact_update(actor=city.staff, contact=contact, data=ContactData.from_contact(contact))
    assert Notification.objects.count() == 2
    from notifications.receivers import on_contact_saved

    on_contact_saved(actor=city.staff, contact=contact, created=False, changed={"harassment"})
    assert Notification.objects.count() == 2


def test_unsure_appears_in_the_supervisors_waiting_queue_until_decided(city, client_for):
    contact = make_contact(city.staff, harassment="unsure", summary="判断に迷った記録")
    make_contact(city.zeimu_staff, harassment="unsure", summary="税務課の相談")
    assert list(contact_judgement_waiting_list(user=city.supervisor)) == [contact]
    assert not contact_judgement_waiting_list(user=city.staff).exists()
    assert contact_judgement_waiting_list(user=city.specialist).count() == 2

    assert "判断待ち" not in client_for(city.staff).get("/").content.decode()
    supervisor = client_for(city.supervisor)
    home = supervisor.get("/").content.decode()
    assert "判断待ち（1件）" in home and f'href="/contacts/{contact.pk}/judgement/"' in home
    assert "税務課の相談" not in home

    detail = supervisor.get(f"/contacts/{contact.pk}/").content.decode()
    assert "判断を記録する（上司）" in detail
    refused = supervisor.post(f"/contacts/{contact.pk}/judgement/", {"harassment": "no", "reason": ""})
    assert "判断の理由を入力してください。" in refused.content.decode()
    response = supervisor.post(
        f"/contacts/{contact.pk}/judgement/",
        {"harassment": "no", "reason": "正当な苦情であり、手段・態様も相当"},
        follow=True,
    )
    assert "判断を「該当しない」として記録しました。" in response.content.decode()
    contact.refresh_from_db()
    assert contact.harassment == "no" and contact.version == 2
    revision = contact.revisions.get(version=2)
    assert revision.changed_by == city.supervisor and revision.note == "正当な苦情であり、手段・態様も相当"
    assert revision.changed_fields == ["harassment"]
    entry = AuditEntry.objects.get(action="records.contact.judgement_decided")
    assert entry.after["reason"] == "正当な苦情であり、手段・態様も相当" and entry.actor == city.supervisor
    assert "正当な苦情であり" in supervisor.get(f"/contacts/{contact.pk}/history/").content.decode()
    assert "上司の判断" in response.content.decode()
    assert "判断待ち（" not in supervisor.get("/").content.decode()


def test_a_decision_of_harassment_needs_categories_and_opens_a_case(city):
    resident = make_resident(city.staff)
    contact = make_contact(city.staff, harassment="unsure", resident=resident)
    with pytest.raises(ValidationError) as error:
        contact_judgement_decide(actor=city.supervisor, contact=contact, harassment="yes", reason="大声の罵声")
    assert "類型を1つ以上" in str(error.value)
    contact_judgement_decide(
        actor=city.specialist, contact=contact, harassment="yes", reason="大声の罵声", categories=["verbal_abuse"]
    )
    contact.refresh_from_db()
    assert contact.harassment == "yes" and [c.code for c in contact.categories.all()] == ["verbal_abuse"]
    assert Case.objects.get().contacts.get() == contact


def test_a_decision_of_no_harassment_clears_the_categories_the_staff_ticked(city):
    contact = make_contact(city.staff, harassment="unsure", categories=["verbal_abuse"])
    contact_judgement_decide(actor=city.supervisor, contact=contact, harassment="no", reason="正当な苦情")
    contact.refresh_from_db()
    assert contact.harassment == "no" and not contact.categories.exists()
    assert contact.revisions.get(version=1).snapshot["categories"] == "暴言"
    assert not Case.objects.exists()


def test_only_the_departments_supervisors_or_the_specialist_section_decide(city, client_for):
    contact = make_contact(city.staff, harassment="unsure")
    with pytest.raises(PermissionDenied):
        contact_judgement_decide(actor=city.staff, contact=contact, harassment="no", reason="理由")
    assert client_for(city.staff).get(f"/contacts/{contact.pk}/judgement/").status_code == 403
    other_supervisor = city._user("supervisor2", "supervisor", city.zeimu, "税務 課長補佐")
    assert client_for(other_supervisor).get(f"/contacts/{contact.pk}/judgement/").status_code == 404
    with pytest.raises(ValidationError, match="「該当する」か「該当しない」"):
        contact_judgement_decide(actor=city.supervisor, contact=contact, harassment="unsure", reason="理由")
    contact_judgement_decide(actor=city.supervisor, contact=contact, harassment="no", reason="理由")
    with pytest.raises(ValidationError, match="判断待ちではありません"):
        contact_judgement_decide(actor=city.supervisor, contact=contact, harassment="yes", reason="理由")


def test_counts_of_harassment_leave_undecided_out(city):
    from cases.selectors import staff_care_list
    from records.selectors import contact_department_counts

    resident = make_resident(city.staff)
    make_contact(city.staff, resident=resident)  # 未判断
    make_contact(city.staff, resident=resident, harassment="unsure")
    assert {u.username: u.harassment_contacts for u in staff_care_list(user=city.manager)}["staff1"] == 0
    [row] = contact_department_counts(user=city.staff, resident=resident)
    assert (row["total"], row["harassment"]) == (2, 0)
    assert not Case.objects.exists()
