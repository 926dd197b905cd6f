"""Transcripts (反訳書) of recordings: typed, imported (WebVTT, SRT, CSV) or drafted by the city's
own speech-to-text engine (a real subprocess), kept in revisions, printed on A4, and found by
the contacts' search."""

import io
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import wave

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from accounts.services import user_create
from audit.models import AuditEntry
from evidence import services, transcript_services
from evidence.choices import CustodyKind, TranscriptSource
from evidence.incoming import incoming_from_stream
from evidence.models import CustodyEvent, Transcript, TranscriptRevision
from evidence.transcript_formats import (
    Segment,
    TranscriptFormatError,
    format_time,
    parse_file,
    parse_time,
)
from mamoru.lib.panels import render_panels
from records.selectors import ContactFilter, contact_list

from .factories import make_contact

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64

VTT = """WEBVTT

00:00:01.000 --> 00:00:03.500
<v 職員>本日はどのようなご用件でしょうか。

00:00:04.000 --> 00:00:09.250
<v 住民等>ふざけるな、責任者を出せ。

00:01:02.000 --> 00:01:05.000
職員：少々お待ちください。
"""

SRT = """1
00:00:01,000 --> 00:00:03,500
職員: 本日はどのようなご用件でしょうか。

2
00:00:04,000 --> 00:00:09,250
住民等: ふざけるな、責任者を出せ。
"""


def wav_bytes(seconds: float = 0.5, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x10\x00" * int(seconds * rate))
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.MAMORU_STT_COMMAND = ""
    return tmp_path


def add_recording(actor, contact, data=None, name="通話録音.wav"):
    incoming = incoming_from_stream(io.BytesIO(data or wav_bytes()), name=name)
    return services.evidence_add(actor=actor, incoming=incoming, contact=contact).evidence


@pytest.fixture
def recording(city):
    return add_recording(city.staff, make_contact(city.staff))


def rows(*items):
    return [Segment(start=start, end=end, speaker=speaker, text=text) for start, end, speaker, text in items]


# --- the formats --------------------------------------------------------------------------


def test_webvtt_is_read_with_voices_and_speaker_prefixes():
    segments = parse_file(VTT.encode(), "call.vtt")
    assert [(s.start, s.end, s.speaker) for s in segments] == [
        (1.0, 3.5, "職員"),
        (4.0, 9.25, "住民等"),
        (62.0, 65.0, "職員"),
    ]
    assert segments[1].text == "ふざけるな、責任者を出せ。"
    assert segments[2].text == "少々お待ちください。"


def test_srt_is_read_in_utf8_with_a_bom_and_in_shift_jis():
    for data in (b"\xef\xbb\xbf" + SRT.encode(), SRT.replace("\n", "\r\n").encode("cp932")):
        segments = parse_file(data, "call.srt")
        assert [(s.start, s.end, s.speaker, s.text) for s in segments][1] == (
            4.0,
            9.25,
            "住民等",
            "ふざけるな、責任者を出せ。",
        )


@pytest.mark.parametrize(
    "csv_text",
    [
        'start,end,speaker,text\n00:00:01,00:00:03.5,職員,こんにちは\n4,9.25,住民等,"ふざけるな, 出せ"\n',
        '開始時刻,終了時刻,話者,発言内容\n0:01,0:03.5,職員,こんにちは\n00:00:04,00:00:09.250,住民等,"ふざけるな, 出せ"\n',
        "Start Time\tEnd Time\tSpeaker Name\tTranscript\n1.0\t3.5\t職員\tこんにちは\n4\t9.25\t住民等\tふざけるな, 出せ\n",
    ],
)
def test_csv_columns_are_found_by_their_several_spellings(csv_text):
    for data in (csv_text.encode(), b"\xef\xbb\xbf" + csv_text.encode(), csv_text.encode("cp932")):
        segments = parse_file(data, "export.csv")
        assert [(s.start, s.end, s.speaker, s.text) for s in segments] == [
            (1.0, 3.5, "職員", "こんにちは"),
            (4.0, 9.25, "住民等", "ふざけるな, 出せ"),
        ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        # webvtt-py would silently skip this cue: the line is named instead.
        ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nはい\n\n00:00:0x.000 --> 00:00:03.000\nいいえ\n", "a.vtt", "6行目"),
        ("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nはい\n", "a.vtt", "3行目: 時刻の行の矢印"),
        ("1\n00:00:01,000 --> 00:00:02,000\nはい\n\n2\n00:00:0x,000 --> 00:00:03,000\nいいえ\n", "a.srt", "6行目"),
        ("00:00:01,000 --> 00:00:02,000\nはい\n", "a.vtt", "WEBVTT"),
        ("start,end,speaker,text\n00:00:01,00:00:02,職員,はい\n00:0x:03,,住民等,いいえ\n", "a.csv", "3行目"),
        ("start,end,speaker,text\n00:00:05,00:00:02,職員,はい\n", "a.csv", "2行目: 終了時刻"),
        ("time_code,who,what\n1,職員,はい\n", "a.csv", "1行目"),
        ("", "a.csv", "ファイルが空"),
    ],
)
def test_a_file_that_does_not_parse_names_the_line(data, name, message):
    with pytest.raises(TranscriptFormatError) as caught:
        parse_file(data.encode(), name)
    assert message in str(caught.value)


def test_undecodable_bytes_get_a_message():
    with pytest.raises(TranscriptFormatError, match="文字コード"):
        parse_file(b"start,text\n1,\x81\x20\n", "a.csv")


def test_times_as_staff_type_them():
    assert parse_time("01:02:03") == 3723
    assert parse_time("１：２３") == 83
    assert parse_time("83.5") == 83.5
    assert parse_time("00:00:01,250") == 1.25
    for bad in ("1:75", "abc", "99:00:00:00", ""):
        with pytest.raises(ValueError):
            parse_time(bad)
    assert format_time(3723.9) == "01:02:03"


# --- saving: revisions, permissions ----------------------------------------------------------


def test_a_correction_adds_a_revision_and_keeps_the_one_before(city, recording):
    first = transcript_services.transcript_save(
        actor=city.staff, evidence=recording, segments=rows((1, 3, "職員", "こんにちは"), (4, 6, "住民等", "ばか"))
    )
    assert first.version == 1 and first.transcribed_by_name == city.staff.display_name
    second = transcript_services.transcript_save(
        actor=city.supervisor,
        evidence=recording,
        segments=rows((1, 3, "職員", "こんにちは"), (4, 6, "住民等", "ばかやろう")),
        note="聞き直して修正",
        expected_version=1,
    )
    assert second.pk == first.pk and second.version == 2
    revisions = list(TranscriptRevision.objects.filter(transcript=first).order_by("number"))
    assert [r.segments[1]["text"] for r in revisions] == ["ばか", "ばかやろう"]
    assert revisions[1].note == "聞き直して修正" and revisions[1].created_by == city.supervisor
    entry = AuditEntry.objects.filter(action="evidence.transcript.saved").order_by("-id").first()
    assert entry.before["version"] == 1 and entry.after["version"] == 2

    # The same rows again: nothing new.
    transcript_services.transcript_save(
        actor=city.staff,
        evidence=recording,
        segments=rows((1, 3, "職員", "こんにちは"), (4, 6, "住民等", "ばかやろう")),
    )
    assert TranscriptRevision.objects.filter(transcript=first).count() == 2

    # A save over someone else's newer revision is refused, not silently overwriting it.
    with pytest.raises(ValidationError, match="第2版"):
        transcript_services.transcript_save(
            actor=city.staff, evidence=recording, segments=rows((1, 2, "職員", "上書き")), expected_version=1
        )
    assert Transcript.objects.get(pk=first.pk).version == 2


def test_who_may_write_a_transcript(city, recording):
    segments = rows((1, 2, "職員", "はい"))
    for outsider in (city.zeimu_staff, city.admin):
        with pytest.raises(PermissionDenied):
            transcript_services.transcript_save(actor=outsider, evidence=recording, segments=segments)
    colleague = user_create(
        actor=None, username="staff3", password="x" * 12, role="staff", department=city.shimin, full_name="市民 三郎"
    )
    with pytest.raises(PermissionDenied):  # staff see (and transcribe) only what they uploaded
        transcript_services.transcript_save(actor=colleague, evidence=recording, segments=segments)
    for insider in (city.staff, city.manager, city.specialist):
        transcript_services.transcript_save(
            actor=insider, evidence=recording, segments=rows((1, 2, "職員", insider.username))
        )
    photo = services.evidence_add(
        actor=city.staff, incoming=incoming_from_stream(io.BytesIO(PNG), name="a.png"), contact=make_contact(city.staff)
    ).evidence
    with pytest.raises(ValidationError, match="録音・動画"):
        transcript_services.transcript_save(actor=city.staff, evidence=photo, segments=segments)


def test_an_import_that_does_not_parse_saves_nothing(city, recording):
    bad = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nはい\n\n00:00:02.000 --> 00:00:01.000\nいいえ\n"
    with pytest.raises(ValidationError) as caught:
        transcript_services.transcript_import(actor=city.staff, evidence=recording, data=bad.encode(), name="x.vtt")
    assert "「x.vtt」を取り込めません。6行目: 終了時刻" in caught.value.messages[0]
    assert not Transcript.objects.exists() and not TranscriptRevision.objects.exists()

    saved = transcript_services.transcript_import(
        actor=city.staff, evidence=recording, data=VTT.encode(), name="C:\\export\\call.vtt"
    )
    revision = saved.revisions.get()
    assert revision.source == TranscriptSource.IMPORTED and revision.source_name == "call.vtt"
    assert len(revision.segments) == 3
    assert AuditEntry.objects.filter(action="evidence.transcript.imported").count() == 1


# --- the speech-to-text engine: a real executable --------------------------------------------


def fake_engine(tmp_path, body: str):
    """A tiny speech-to-text engine: a real script, run as the city's command would be."""
    script = tmp_path / "fake-stt"
    script.write_text(f"#!{sys.executable}\n" + textwrap.dedent(body))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_the_speech_to_text_engine_drafts_a_revision(city, recording, settings, tmp_path):
    engine = fake_engine(
        tmp_path,
        """
        import os, sys, wave
        path = sys.argv[-1]
        with wave.open(path) as audio:  # it really is given the recording
            seconds = audio.getnframes() / audio.getframerate()
        print("WEBVTT")
        print()
        print("00:00:00.000 --> 00:00:00.400")
        print(f"<v 話者1>テスト音声 {seconds:.1f} 秒 {os.path.splitext(path)[1]}")
        """,
    )
    settings.MAMORU_STT_COMMAND = f"{engine} --language ja"
    settings.MAMORU_STT_NAME = "テスト用エンジン"
    transcript = transcript_services.transcript_draft(actor=city.staff, evidence=recording)
    revision = transcript.revisions.get()
    assert revision.source == TranscriptSource.SPEECH_TO_TEXT and revision.source_name == "テスト用エンジン"
    assert revision.segments == [{"start": 0.0, "end": 0.4, "speaker": "話者1", "text": "テスト音声 0.5 秒 .wav"}]
    event = CustodyEvent.objects.get(evidence=recording, kind=CustodyKind.TRANSCRIBED)
    assert event.actor == city.staff and event.detail == {"engine": "テスト用エンジン"}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("import sys\nsys.stderr.write('model not found\\n')\nsys.exit(3)\n", "終了コード 3）。model not found"),
        ("print('これは WebVTT ではない')\n", "音声認識エンジンの出力を読めません"),
        ("import time\ntime.sleep(5)\n", "1秒で終わらなかった"),
    ],
)
def test_an_engine_that_fails_says_so_and_saves_nothing(city, recording, settings, tmp_path, body, message):
    settings.MAMORU_STT_COMMAND = str(fake_engine(tmp_path, body))
    settings.MAMORU_STT_TIMEOUT = 1
    with pytest.raises(ValidationError) as caught:
        transcript_services.transcript_draft(actor=city.staff, evidence=recording)
    assert message in caught.value.messages[0]
    assert not Transcript.objects.exists()


def test_no_engine_configured_or_missing(city, recording, settings):
    with pytest.raises(ValidationError, match="設定されていません"):
        transcript_services.transcript_draft(actor=city.staff, evidence=recording)
    settings.MAMORU_STT_COMMAND = "/nonexistent/whisper --model small"
    with pytest.raises(ValidationError, match="見つかりません"):
        transcript_services.transcript_draft(actor=city.staff, evidence=recording)


# --- search -----------------------------------------------------------------------------------


def test_the_contacts_search_finds_the_words_of_a_transcript(city):
    recording = add_recording(city.staff, make_contact(city.staff, summary="転入届の窓口で"))
    transcript_services.transcript_save(
        actor=city.staff, evidence=recording, segments=rows((4, 6, "住民等", "土下座しろと言っている"))
    )
    other = make_contact(city.staff)

    def found(user, query):
        return set(contact_list(user=user, filters=ContactFilter(query=query)).values_list("pk", flat=True))

    assert found(city.staff, "土下座") == {recording.contact_id}
    assert found(city.manager, "土下座 言っている") == {recording.contact_id}
    assert found(city.manager, "土下座 転入届") == {recording.contact_id}  # one word in each
    assert found(city.manager, "土下座 住民票") == set()  # every word must be found
    assert found(city.manager, "住民等") == set()  # the words, not who spoke
    assert found(city.specialist, "土下座") == {recording.contact_id}
    assert other.pk not in found(city.staff, "土下座")
    # A colleague who sees the contact but not the recording does not find it by the recording's words.
    colleague = user_create(
        actor=None, username="staff3", password="x" * 12, role="staff", department=city.shimin, full_name="市民 三郎"
    )
    assert found(colleague, "土下座") == set()
    # The words of a correction count; the words it replaced no longer do.
    transcript_services.transcript_save(
        actor=city.staff, evidence=recording, segments=rows((4, 6, "住民等", "謝罪しろと言っている"))
    )
    assert found(city.staff, "土下座") == set() and found(city.staff, "謝罪") == {recording.contact_id}


def test_the_search_with_the_most_words_still_runs(city, recording, settings):
    words = " ".join(f"語{i}" for i in range(settings.MAMORU_SEARCH_MAX_WORDS))
    assert list(contact_list(user=city.staff, filters=ContactFilter(query=words))) == []


# --- the printed 反訳書 -------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_printed_transcript_has_its_header_rows_and_page_numbers(city, recording, client_for):
    many = [
        (i * 10.0, i * 10.0 + 8, "職員" if i % 2 else "住民等", f"発言その{i}。" + "ながい" * 20) for i in range(60)
    ]
    transcript_services.transcript_save(
        actor=city.staff, evidence=recording, segments=rows(*many), recording_seconds=3723
    )
    response = client_for(city.staff).get(f"/evidence/{recording.pk}/transcript.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "反訳書" in text and recording.stored_file.sha256 in text
    assert "01:02:03" in text and city.staff.display_name in text
    assert f"対応記録 No.{recording.contact_id}" in text
    assert "00:09:50〜00:09:58" in text and "発言その59。" in text and "住民等" in text
    pages = text.count("\f")
    assert pages >= 3 and re.search(rf"\b1\s*/\s*{pages}\n", text) and re.search(rf"\b{pages}\s*/\s*{pages}\n", text)
    assert AuditEntry.objects.filter(action="evidence.transcript.printed").count() == 1


# --- the pages ----------------------------------------------------------------------------------


def test_staff_type_a_transcript_in_the_editor(city, recording, client_for):
    client = client_for(city.staff)
    url = f"/evidence/{recording.pk}/transcript/"
    page = client.get(url)
    assert page.status_code == 200 and "反訳書" in page.content.decode()
    response = client.post(
        url,
        {
            "version": "0",
            "transcribed_by": "市民 一郎",
            "recording_length": "00:10:00",
            "start": ["0:01", "00:00:04", ""],
            "end": ["0:03", "", ""],
            "speaker": ["職員", "住民等", ""],
            "text": ["こんにちは", "責任者を出せ", ""],
        },
    )
    assert response.status_code == 302
    transcript = Transcript.objects.get(evidence=recording)
    assert transcript.recording_seconds == 600 and transcript.revisions.get().segments[1] == {
        "start": 4.0,
        "end": None,
        "speaker": "住民等",
        "text": "責任者を出せ",
    }
    bad = client.post(url, {"version": "1", "start": ["1:75"], "end": [""], "speaker": ["職員"], "text": ["x"]})
    assert bad.status_code == 200 and "1行目: 時刻は" in bad.content.decode()
    assert Transcript.objects.get(evidence=recording).version == 1


def test_the_import_page_names_the_line_and_keeps_what_was_there(city, recording, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(city.staff)
    transcript_services.transcript_save(actor=city.staff, evidence=recording, segments=rows((1, 2, "職員", "はい")))
    bad = SimpleUploadedFile("export.csv", "start,text\n00:00:01,はい\nあ,いいえ\n".encode("cp932"))
    response = client.post(f"/evidence/{recording.pk}/transcript/import", {"file": bad, "version": "1"}, follow=True)
    assert "「export.csv」を取り込めません。3行目: 開始時刻「あ」を読めません" in response.content.decode()
    assert Transcript.objects.get(evidence=recording).version == 1
    good = SimpleUploadedFile("call.srt", SRT.encode())
    response = client.post(f"/evidence/{recording.pk}/transcript/import", {"file": good, "version": "1"}, follow=True)
    assert "取り込みました（第2版、2行）" in response.content.decode()


def test_the_panel_on_the_evidence_page(city, recording, settings):
    request = RequestFactory().get("/")
    request.user = city.staff
    html = render_panels(page="evidence.evidence_detail", slot="main", request=request, obj=recording)
    assert "反訳書を作成" in html and "音声認識で下書きを作成" not in html
    settings.MAMORU_STT_COMMAND = "/usr/local/bin/stt"
    assert "音声認識で下書きを作成" in render_panels(
        page="evidence.evidence_detail", slot="main", request=request, obj=recording
    )
    transcript_services.transcript_save(
        actor=city.staff, evidence=recording, segments=rows((61, 63, "住民等", "<b>ばか</b>"))
    )
    html = render_panels(page="evidence.evidence_detail", slot="main", request=request, obj=recording)
    assert "00:01:01〜00:01:03" in html and "&lt;b&gt;ばか&lt;/b&gt;" in html and "第1版" in html
    request.user = city.zeimu_staff
    assert render_panels(page="evidence.evidence_detail", slot="main", request=request, obj=recording) == ""


def test_a_stored_revision_with_odd_values_breaks_no_page(city, recording, client_for):
    transcript = transcript_services.transcript_save(
        actor=city.staff, evidence=recording, segments=rows((1, 2, "職員", "はい"))
    )
    TranscriptRevision.objects.filter(transcript=transcript).update(
        segments=[{"start": "x", "end": -5, "speaker": None, "text": 12}, "junk", {"start": 1e12}]
    )
    client = client_for(city.staff)
    for url in ("transcript/", "transcript/history", "transcript.pdf"):
        assert client.get(f"/evidence/{recording.pk}/{url}").status_code == 200, url
    TranscriptRevision.objects.filter(transcript=transcript).update(segments={"not": "a list"})
    assert client.get(f"/evidence/{recording.pk}/transcript/").status_code == 200
    request = RequestFactory().get("/")
    request.user = city.staff
    assert "反訳書" in render_panels(page="evidence.evidence_detail", slot="main", request=request, obj=recording)
