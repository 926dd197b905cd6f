"""The 送信防止措置依頼書 and 削除依頼 about an online post, through the letters app
(issue 15 A.4): in the staff member's name with the city's support, or in the city's name."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from letters.models import IssuedLetter
from online.letters import post_letter_issue
from online.models import PostLetter, PostUrl
from online.services import post_register

from .test_letters import flat, pdftotext

URL = "https://x.com/someone/status/42"


@pytest.fixture
def post(city):
    return post_register(
        actor=city.staff,
        urls=[URL],
        platform="x_twitter",
        affected_staff=[city.staff],
        content="市民課の市民一郎は無能。顔写真はこれ。",
        exposures=["name", "face"],
    ).post


def issue(city, post, **extra):
    values = dict(
        kind="takedown",
        provider="X Corp.",
        rights=["honour", "portrait"],
        reasons="職員の氏名と顔写真を無断で掲載し、事実に反して能力を貶めている。",
        on_behalf="staff",
        requester=city.staff,
    )
    values.update(extra)
    return post_letter_issue(actor=city.specialist, post=post, **values)


def test_in_the_staff_members_name_with_the_citys_support(city, post, tmp_path):
    made = issue(city, post)
    text = flat(pdftotext(bytes(made.letter.pdf), tmp_path))
    assert "送信防止措置依頼書" in text and "XCorp.御中" in text
    assert URL.replace(" ", "") in text and "市民課の市民一郎は無能。" in text
    assert "名誉権、肖像権" in text
    assert "本人の名義で行うものです" in text and "支援しています" in text
    assert "令和" in text  # 和暦
    assert made.letter.document_number == ""  # not the city's letter: no city number
    assert made.requester == city.staff


def test_in_the_citys_name_with_a_document_number(city, post, tmp_path):
    made = issue(city, post, kind="deletion", on_behalf="city", requester=None, provider="個人ブログの管理者")
    text = flat(pdftotext(bytes(made.letter.pdf), tmp_path))
    assert "削除依頼書" in text and "市の名義で行うものです" in text
    assert made.letter.document_number.endswith("号") and made.letter.document_number in text
    assert "本人の名義" not in text


@pytest.mark.parametrize(
    "extra, field, message",
    [
        ({"requester": None}, "requester", "依頼者の職員を選んで"),
        ({"rights": []}, "rights", "名誉権・プライバシー・肖像権"),
        ({"rights": ["copyright"]}, "rights", "名誉権・プライバシー・肖像権"),
        ({"reasons": " "}, "reasons", "理由を入力"),
        ({"provider": ""}, "provider", "宛先"),
        ({"on_behalf": "mayor"}, "on_behalf", "名義"),
    ],
)
def test_a_letter_that_would_say_something_wrong_is_refused(city, post, extra, field, message):
    with pytest.raises(ValidationError) as info:
        issue(city, post, **extra)
    assert message in info.value.message_dict[field][0]
    assert not IssuedLetter.objects.exists() and not PostLetter.objects.exists()


def test_the_requester_must_be_one_the_post_is_about(city, post):
    with pytest.raises(ValidationError, match="対象の職員から"):
        issue(city, post, requester=city.zeimu_staff)


def test_a_post_with_no_url_gets_no_letter(city, post):
    PostUrl.objects.filter(post=post).delete()
    with pytest.raises(ValidationError, match="URL が登録されていない投稿"):
        issue(city, post)
    assert not IssuedLetter.objects.exists()


def test_only_the_specialist_section_issues(city, post):
    with pytest.raises(PermissionDenied):
        post_letter_issue(
            actor=city.staff,
            post=post,
            kind="takedown",
            provider="X",
            rights=["privacy"],
            reasons="r",
            on_behalf="city",
        )


def test_the_letter_on_the_post_page(city, post, client_for):
    specialist = client_for(city.specialist)
    response = specialist.post(
        f"/online/{post.pk}/letters/",
        {
            "letter-kind": "takedown",
            "letter-on_behalf": "staff",
            "letter-requester": city.staff.pk,
            "letter-provider": "X Corp.",
            "letter-rights": ["privacy"],
            "letter-reasons": "私生活の暴露",
            "letter-content": "",
        },
    )
    assert response.status_code == 302
    made = PostLetter.objects.get()
    page = client_for(city.staff).get(f"/online/{post.pk}/").content.decode()
    assert f"/online/{post.pk}/letters/{made.pk}.pdf" in page and "職員本人の名義" in page
    pdf = client_for(city.staff).get(f"/online/{post.pk}/letters/{made.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client_for(city.zeimu_staff).get(f"/online/{post.pk}/letters/{made.pk}.pdf").status_code == 404
