"""The policy pack: loading, validation with field-named errors, and a second
city's pack changing the app's rules without code changes."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from mamoru.policy.loader import current, load_file, reset_cache
from mamoru.policy.schema import PolicyPackError, parse_pack
from mamoru.policy.services import policy_pack_activate, policy_pack_revert_to_file
from records.services import ContactData, contact_create

MINATO = Path(__file__).parent / "packs" / "minato.toml"
OTAWARA_SOURCE = Path(settings.MAMORU_POLICY_PACK).read_text(encoding="utf-8")

CODES = [
    "long_detention",
    "repetition",
    "violence",
    "verbal_abuse",
    "nitpicking",
    "threat",
    "authority",
    "sns_post",
    "sexual_harassment",
    "obstruction",
    "excessive_demand",
]


def test_default_pack_is_ohtawara_with_its_rules():
    pack = load_file(settings.MAMORU_POLICY_PACK)
    assert pack.city.name == "大田原市"
    assert pack.city.specialist_section == "総務課"
    assert pack.category_codes() == CODES
    assert pack.category("long_detention").name == "長時間拘束"
    assert "長時間の電話" in pack.category("long_detention").examples
    assert pack.category("excessive_demand").examples[0] == "土下座の要求や不当な謝罪の強要"
    assert pack.response_time.limit_minutes == 30
    assert pack.response_time.warning_minutes == 25
    assert pack.backup_call.escalation_seconds == 60
    assert "原則として30分以内" in pack.response_time.principle
    assert [c for c, _ in pack.channel_choices()] == ["counter", "phone", "visit", "mail", "letter", "other"]
    assert [m.name for m in pack.measures][:3] == ["注意", "警告", "対応制限"]


def _broken(old: str, new: str) -> str:
    assert old in OTAWARA_SOURCE
    return OTAWARA_SOURCE.replace(old, new, 1)


@pytest.mark.parametrize(
    ("source", "field"),
    [
        (_broken("limit_minutes = 30", "limit_minutes = -5"), "response_time.limit_minutes"),
        (_broken("warning_minutes = 25", "warning_minutes = 45"), "response_time.warning_minutes"),
        (_broken('code = "verbal_abuse"', 'code = "Verbal Abuse!"'), "categories[3].code"),
        (_broken('code = "verbal_abuse"', 'code = "violence"'), "categories[3].code"),
        (_broken('name = "大田原市"', 'name = ""'), "city.name"),
        (_broken("escalation_seconds = 60", "escalation_seconds = 0"), "backup_call.escalation_seconds"),
        (_broken("[response_time]", "[response_timing]"), "response_time"),
        ("[pack]\ncode = 'x'\n = broken", "(TOML)"),
        (_broken('approvers = ["manager"]', 'approvers = ["mayor"]'), "measures[0].approvers"),
        (_broken("restricts = true", 'restricts = "yes"'), "measures[2].restricts"),
        (_broken('kind = "contacts_in_days"', 'kind = "weekly"'), "repetition_rules[0].kind"),
        (_broken("threshold = 8", "threshold = 0"), "repetition_rules[0].threshold"),
        (_broken('channels = ["phone"]', 'channels = ["fax"]'), "repetition_rules[2].channels"),
        (_broken('number_prefix = "大総"', 'number_prefix = ""'), "documents.number_prefix"),
    ],
)
def test_invalid_pack_names_the_bad_field(source, field):
    with pytest.raises(PolicyPackError) as caught:
        parse_pack(source)
    assert caught.value.field == field
    assert f"「{field}」" in str(caught.value)


def test_second_pack_changes_rules_without_code(city, client_for, settings):
    settings.MAMORU_POLICY_PACK = str(MINATO)
    reset_cache()
    pack = current()
    assert pack.city.name == "湊市"
    assert pack.response_time.limit_minutes == 20
    assert pack.category_codes() == ["shouting", "stalking"]

    now = timezone.now()
    base = dict(department=city.shimin, staff=city.staff, started_at=now, ended_at=now)
    contact = contact_create(
        actor=city.staff, data=ContactData(channel="chat", harassment="yes", categories=["shouting"], **base)
    )
    assert contact.categories.get().code == "shouting"
    with pytest.raises(ValidationError) as caught:
        contact_create(
            actor=city.staff, data=ContactData(channel="counter", harassment="yes", categories=["verbal_abuse"], **base)
        )
    assert "verbal_abuse" in caught.value.message_dict["categories"][0]

    page = client_for(city.staff).get(f"/contacts/{contact.pk}/edit/")
    body = page.content.decode()
    assert "つきまとい" in body and "職員の帰宅時に待ち伏せする" in body
    assert "暴言" not in body
    assert "湊市" in body


def test_administrator_activates_and_reverts_an_uploaded_pack(city):
    revision = policy_pack_activate(actor=city.admin, source=MINATO.read_text(encoding="utf-8"))
    assert revision.is_active
    assert current().city.name == "湊市"
    policy_pack_revert_to_file(actor=city.admin)
    assert current().city.name == "大田原市"


def test_invalid_upload_changes_nothing(city, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(city.admin)
    bad = SimpleUploadedFile("bad.toml", _broken("limit_minutes = 30", 'limit_minutes = "30分"').encode())
    response = client.post("/policy/", {"pack_file": bad})
    assert response.status_code == 200
    assert "response_time.limit_minutes" in response.content.decode()
    assert current().city.name == "大田原市"


def test_only_administrators_change_the_pack(city, client_for):
    with pytest.raises(PermissionDenied):
        policy_pack_activate(actor=city.specialist, source=MINATO.read_text(encoding="utf-8"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(city.specialist).post("/policy/", {"pack_file": SimpleUploadedFile("p.toml", b"x")})
    assert response.status_code == 403


def test_app_refuses_to_start_with_an_invalid_pack(tmp_path):
    import os
    import subprocess
    import sys

    bad = tmp_path / "bad.toml"
    bad.write_text(OTAWARA_SOURCE.replace("[[channels]]", "[[channel_list]]"), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "MAMORU_POLICY_PACK": str(bad)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "「channels」" in result.stderr


def test_case_states_steps_and_follow_up_kinds_come_from_the_pack():
    pack = load_file(settings.MAMORU_POLICY_PACK)
    assert pack.case_state_codes() == [
        "reported",
        "supervisor_review",
        "organised_response",
        "measures_review",
        "closed",
    ]
    assert pack.case_state_name("supervisor_review") == "上司確認"
    ended = pack.case_step("response_ended")
    assert ended.name == "対応終了の告知"
    assert ended.wording == "これ以上お話を伺っても同じ回答になりますので、本日の対応はこれで終了させていただきます。"
    assert (pack.case_step("exit_order").counted, pack.case_step("exit_order").recommended_repeats) == (True, 3)
    assert pack.case_step("police_called").details == ("station", "officer", "reference")
    assert [name for _, name in pack.follow_up_kind_choices()] == [
        "面談",
        "産業医・相談窓口への紹介",
        "休養",
        "担当替え",
    ]
    minato = load_file(MINATO)
    assert minato.case_state_codes() == ["reported", "responding", "closed"]
    assert [s.code for s in minato.case_steps] == ["response_ended", "stop_request", "police_called"]


@pytest.mark.parametrize(
    ("source", "field"),
    [
        (_broken("counted = true\nrecommended_repeats = 3", 'counted = "yes"'), "case_steps[4].counted"),
        (_broken("recommended_repeats = 3", "recommended_repeats = 0"), "case_steps[4].recommended_repeats"),
        (_broken('details = ["station", "officer", "reference"]', 'details = ["badge"]'), "case_steps[7].details"),
        (_broken('code = "exit_order"', 'code = "stop_request"'), "case_steps[5].code"),
        (OTAWARA_SOURCE.replace("[[follow_up_kinds]]", "[[follow_up]]"), "follow_up_kinds"),
        (_broken('name = "上司確認"', 'name = ""'), "case_states[1].name"),
    ],
)
def test_invalid_case_fields_name_the_bad_field(source, field):
    with pytest.raises(PolicyPackError) as caught:
        parse_pack(source)
    assert caught.value.field == field


def test_measures_repetition_rules_and_documents_come_from_the_pack():
    otawara, minato = load_file(settings.MAMORU_POLICY_PACK), load_file(str(MINATO))
    restriction = otawara.measure("restriction")
    assert restriction.approvers == ("manager", "specialist") and restriction.restricts
    assert restriction.letter == "対応制限通知書" and otawara.measure("warning").letter == "警告書"
    assert otawara.documents.number_prefix == "大総" and otawara.documents.issuer == "大田原市長"
    assert [r.describe() for r in otawara.repetition_rules] == [
        "30日間に8回以上の意見等",
        "30日間に3部署以上への意見等",
        "1日に3回以上の意見等",
        "7日間の対応時間が合計120分以上",
    ]
    assert otawara.repetition_rule("repeated_calls").channels == ("phone",)
    assert [m.code for m in minato.measures] == ["warning", "limited_contact"]
    assert minato.measure("warning").approvers == ("supervisor",)
    assert minato.documents.number_prefix == "湊総"
    assert [r.describe() for r in minato.repetition_rules] == ["7日間に3回以上の意見等"]
