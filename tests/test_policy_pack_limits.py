"""A policy pack too large, nested too deep or with numbers outside a sane
range is refused with the field named (issue 13, A11); nothing changes, and no
page fails afterwards."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from mamoru.policy.loader import current
from mamoru.policy.schema import PolicyPackError, parse_pack

OTAWARA_SOURCE = Path(settings.MAMORU_POLICY_PACK).read_text(encoding="utf-8")


def _with(old: str, new: str) -> str:
    assert old in OTAWARA_SOURCE
    return OTAWARA_SOURCE.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("limit_minutes = 30", "limit_minutes = 1000000000000000000", "response_time.limit_minutes"),
        ("warning_minutes = 25", "warning_minutes = 100000", "response_time.warning_minutes"),
        ("escalation_seconds = 60", "escalation_seconds = 9999999999", "backup_call.escalation_seconds"),
        ("due_hours = 24", "due_hours = 99999999", "judgement.due_hours"),
        ("days = 30", "days = 10000000", "days"),
    ],
)
def test_a_number_outside_a_sane_range_is_refused(old, new, field):
    with pytest.raises(PolicyPackError) as error:
        parse_pack(_with(old, new))
    assert field in error.value.field
    assert "以下の正の整数にしてください" in str(error.value)


def test_a_deeply_nested_pack_is_refused():
    deep = OTAWARA_SOURCE + "\n[extra]\nvalue = " + "[" * 50_000 + "]" * 50_000 + "\n"
    with pytest.raises(PolicyPackError, match="入れ子"):
        parse_pack(deep)
    nested = OTAWARA_SOURCE + "\n[extra]\nvalue = " + "[" * 20 + "1" + "]" * 20 + "\n"
    with pytest.raises(PolicyPackError, match="入れ子"):
        parse_pack(nested)


def test_a_huge_pack_is_refused():
    with pytest.raises(PolicyPackError, match="大きすぎます"):
        parse_pack(OTAWARA_SOURCE + "\n# " + "あ" * 300_000 + "\n")


def _upload(client, source: bytes):
    client.raise_request_exception = False
    return client.post("/policy/", {"pack_file": SimpleUploadedFile("pack.toml", source)})


def test_uploads_too_large_or_too_deep_change_nothing_and_break_no_page(city, client_for):
    client = client_for(city.admin)
    response = _upload(client, (OTAWARA_SOURCE + "\nx = " + "[" * 100_000 + "]" * 100_000).encode())
    assert response.status_code == 200
    assert "入れ子" in response.content.decode()
    response = _upload(client, (OTAWARA_SOURCE + "\n# " + "x" * 1_000_000).encode())
    assert response.status_code == 200
    assert "ファイルが大きすぎます" in response.content.decode()
    response = _upload(client, b"# " + b"x" * (10 * 1024 * 1024))  # 10 MB: refused before it is read
    assert response.status_code == 413
    response = _upload(client, _with("limit_minutes = 30", "limit_minutes = 1000000000000000000").encode())
    assert "response_time.limit_minutes" in response.content.decode()
    assert current().response_time.limit_minutes == 30
    for user in (city.staff, city.supervisor):
        assert client_for(user).get("/").status_code == 200
