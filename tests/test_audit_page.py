"""The audit log page (issue 13, A2d): the system administrator sees who did what to
which kind of object and its id — never a resident's name, a measure's title or what
changed; the specialist section sees all of it."""

from django.urls import reverse

from people.services import resident_update

from .factories import make_contact, make_resident


def _page(client, **params):
    response = client.get(reverse("audit:audit_list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_administrator_sees_object_kind_and_id_only(city, client_for):
    resident = make_resident(city.staff, name="秘密 花子")
    resident_update(actor=city.staff, resident=resident, name="秘密 花子", address="大田原市本町1-1-1")
    contact = make_contact(city.staff, summary="年金の相談", resident=resident)
    html = _page(client_for(city.admin))
    assert "秘密 花子" not in html and "本町" not in html and "年金の相談" not in html
    assert f"住民等 ID {resident.pk}" in html
    assert f"対応記録 ID {contact.pk}" in html
    assert "変更前" not in html
    assert "種類とIDだけを表示します" in html


def test_the_specialist_section_sees_names_and_changes(city, client_for):
    resident = make_resident(city.staff, name="秘密 花子")
    resident_update(actor=city.staff, resident=resident, name="秘密 花子", address="大田原市本町1-1-1")
    html = _page(client_for(city.specialist))
    assert "秘密 花子" in html and "本町" in html and "変更前" in html


def test_a_kind_no_longer_known_shows_its_code(city, client_for):
    from audit.services import audit_record

    audit_record(actor=city.staff, action="accounts.logout")
    from audit.models import AuditEntry

    entry = AuditEntry.objects.order_by("-pk").first()
    AuditEntry.objects.filter(pk=entry.pk).update(object_type="gone.thing", object_id="7", object_repr="x")
    assert "gone.thing ID 7" in _page(client_for(city.admin))


def test_staff_cannot_read_the_audit_log(city, client_for):
    assert client_for(city.staff).get(reverse("audit:audit_list")).status_code == 403
