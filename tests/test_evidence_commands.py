"""``evidence-add`` and ``evidence-import``: real files (a WAV made with the wave module,
PNG bytes) kept as evidence; a folder matched to contacts by time and phone number."""

import datetime as dt
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.models import AuditEntry
from evidence.models import CustodyEvent, Evidence, StoredFile

from .factories import make_contact, make_resident
from .test_evidence_pages import PNG, wav_bytes


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    root = tmp_path / "store"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    return root


def run(*args):
    from io import StringIO

    out = StringIO()
    try:
        call_command(*args, stdout=out)
    except SystemExit as exit:
        return out.getvalue(), exit.code
    return out.getvalue(), 0


def test_evidence_add_keeps_a_recording_with_its_facts(city, tmp_path):
    contact = make_contact(city.staff)
    path = tmp_path / "通話録音.wav"
    path.write_bytes(wav_bytes())
    out, code = run(
        "evidence_add",
        str(path),
        "--contact",
        str(contact.pk),
        "--user",
        "staff1",
        "--captured-at",
        "2026-12-01 10:15",
        "--captured-by",
        "市民 一郎",
    )
    assert code == 0 and "を登録しました" in out
    evidence = Evidence.objects.get()
    assert evidence.contact == contact and evidence.kind == "recording" and evidence.captured_by_name == "市民 一郎"
    assert timezone.localtime(evidence.captured_at).strftime("%H:%M") == "10:15"
    assert path.exists()  # the file given is never removed
    assert CustodyEvent.objects.filter(evidence=evidence, actor=city.staff).exists()


def test_evidence_add_refusals_are_japanese(city, tmp_path):
    contact = make_contact(city.staff)
    png = tmp_path / "画面.png"
    png.write_bytes(PNG)
    with pytest.raises(CommandError, match="見つからないか"):
        run("evidence_add", str(png), "--contact", str(contact.pk), "--user", "staff2")  # another department
    with pytest.raises(CommandError, match="証拠を登録できません"):
        run("evidence_add", str(png), "--contact", str(contact.pk), "--user", "admin")
    with pytest.raises(CommandError, match="としては登録できません"):
        run("evidence_add", str(png), "--contact", str(contact.pk), "--user", "staff1", "--kind", "recording")
    with pytest.raises(CommandError, match="日時として読めません"):
        run("evidence_add", str(png), "--contact", str(contact.pk), "--user", "staff1", "--captured-at", "昨日")
    assert not Evidence.objects.exists() and not StoredFile.objects.exists()


def _name_time(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d_%H%M%S")


def _hours_before_noon(hours: float) -> dt.timedelta:
    """How long ago ``hours`` before the last noon (Asia/Tokyo) was: the contacts of a test
    fall within one calendar day whatever the hour it runs (a file an hour before a
    contact just after midnight lay on the day before)."""
    now = timezone.localtime()
    noon = now.replace(hour=12, minute=0, second=0, microsecond=0)
    if noon > now:
        noon -= dt.timedelta(days=1)
    return now - noon + dt.timedelta(hours=hours)


def test_evidence_import_matches_by_time_and_phone_and_reports_the_rest(city, tmp_path):
    resident = make_resident(city.staff, phones=("0287-23-9999",))
    by_time = make_contact(city.staff, ago=_hours_before_noon(5), minutes=20)
    by_phone = make_contact(city.staff, ago=_hours_before_noon(2), minutes=5, resident=resident)
    # two contacts at the same time: a file of that time is ambiguous
    twin_a = make_contact(city.staff, ago=_hours_before_noon(9), minutes=30)
    make_contact(city.supervisor, ago=_hours_before_noon(9), minutes=30)
    folder = tmp_path / "recorder"
    (folder / "sub").mkdir(parents=True)
    (folder / f"{_name_time(by_time.started_at + dt.timedelta(minutes=3))}.wav").write_bytes(wav_bytes())
    # the phone number decides even when the clock of the recorder is an hour off
    phone_file = folder / "sub" / f"0287239999_{_name_time(by_phone.started_at - dt.timedelta(hours=1))}.wav"
    phone_file.write_bytes(wav_bytes(sample=b"\x22\x00"))
    (folder / f"{_name_time(twin_a.started_at + dt.timedelta(minutes=1))}.wav").write_bytes(
        wav_bytes(sample=b"\x33\x00")
    )
    (folder / "20200101_090000.wav").write_bytes(wav_bytes(sample=b"\x44\x00"))  # no contact then
    # no time in the name: its modification time decides
    mtime_file = folder / "窓口の写真.png"
    mtime_file.write_bytes(PNG)
    moment = (by_time.started_at + dt.timedelta(minutes=10)).timestamp()
    os.utime(mtime_file, (moment, moment))
    (folder / "notes.exe").write_bytes(b"MZ")
    (folder / ".hidden.wav").write_bytes(wav_bytes())

    out, code = run("evidence_import", str(folder), "--user", "supervisor1", "--dry-run")
    assert code == 1  # an ambiguous and an unmatched file
    assert "確認のみ" in out and "候補が複数" in out and "該当なし" in out and "対象外" in out
    assert "取り込み予定 3 件" in out
    assert not Evidence.objects.exists()

    out, code = run("evidence_import", str(folder), "--user", "supervisor1")
    assert code == 1
    kept = {e.original_name: e for e in Evidence.objects.all()}
    assert set(kept) == {
        phone_file.name,
        mtime_file.name,
        f"{_name_time(by_time.started_at + dt.timedelta(minutes=3))}.wav",
    }
    assert kept[phone_file.name].contact == by_phone
    assert kept[mtime_file.name].contact == by_time and kept[mtime_file.name].kind == "photo"
    assert AuditEntry.objects.filter(action="evidence.evidence.imported").count() == 1

    # run again: nothing is added twice
    out, code = run("evidence_import", str(folder), "--user", "supervisor1")
    assert Evidence.objects.count() == 3 and "取り込み済み 3 件" in out


def test_evidence_import_department_and_unknown_folder(city, tmp_path):
    contact = make_contact(city.staff, ago=dt.timedelta(hours=3))
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / f"{_name_time(contact.started_at + dt.timedelta(minutes=2))}.wav").write_bytes(wav_bytes())
    out, code = run("evidence_import", str(folder), "--user", "specialist1", "--department", "zeimu", "--dry-run")
    assert "該当なし 1 件" in out and code == 1
    out, code = run("evidence_import", str(folder), "--user", "specialist1", "--department", "shimin", "--dry-run")
    assert "取り込み予定 1 件" in out and code == 0
    with pytest.raises(CommandError, match="見つかりません"):
        run("evidence_import", str(tmp_path / "none"), "--user", "staff1")
    with pytest.raises(CommandError, match="課「nowhere」"):
        run("evidence_import", str(folder), "--user", "staff1", "--department", "nowhere")
