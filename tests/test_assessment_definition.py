"""The guided definition check on the contact form and its print (issue 6, part 1)."""

from records.models import Contact
from tests.factories import make_contact
from tests.test_contacts import _form


def test_contact_form_walks_the_definition_step_by_step(city, client_for):
    page = client_for(city.staff).get("/contacts/new/").content.decode()
    for heading in ("(a) 要求の内容", "(b) 手段・態様", "(c) 生じた被害", "結果"):
        assert heading in page
    assert "土下座の要求や不当な謝罪の強要" in page  # the pack's examples of unreasonable demands
    assert page.index("(a) 要求の内容") < page.index("(c) 生じた被害") < page.index('name="harassment"')
    assert "判断に迷う（上司に相談）" in page


def test_guided_check_is_saved_and_printed(city, client_for):
    client = client_for(city.staff)
    response = client.post(
        "/contacts/new/",
        _form(city, harassment="unsure", categories=[], content_reason="要求自体は手数料への意見で正当"),
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert contact.harassment == "unsure"
    assert contact.content_unreasonable == "yes" and contact.content_reason == "要求自体は手数料への意見で正当"
    assert contact.manner_reason == "大声での罵声" and contact.harms == ["dignity", "obstruction"]
    page = client.get(f"/contacts/{contact.pk}/print/").content.decode()
    assert "(a)" in page and "要求自体は手数料への意見で正当" in page
    assert "大声での罵声" in page and "窓口業務が30分停止した" in page
    assert "判断に迷う（上司に相談）" in page


def test_answers_are_printed_even_when_judged_not_harassment(city, client_for):
    contact = make_contact(
        city.staff, content_unreasonable="no", content_reason="誤りの訂正を求める正当な申出", harassment="no"
    )
    page = client_for(city.staff).get(f"/contacts/{contact.pk}/print/").content.decode()
    assert "誤りの訂正を求める正当な申出" in page


def test_a_yes_answer_needs_a_reason(city, client_for):
    response = client_for(city.staff).post("/contacts/new/", _form(city, manner_reason="", harm_reason=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "「はい」とした理由を記入してください。" in page and "被害の内容を記入してください。" in page
    assert not Contact.objects.exists()


def test_harassment_cannot_stand_on_two_no_answers(city, client_for):
    response = client_for(city.staff).post(
        "/contacts/new/", _form(city, content_unreasonable="no", manner_inappropriate="no")
    )
    assert response.status_code == 200
    assert "ともに「いいえ」" in response.content.decode()
