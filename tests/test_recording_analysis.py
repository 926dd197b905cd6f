"""Recordings analysed after upload (issue 14, point 5): ffmpeg decodes them to PCM on a
pipe, read block by block; the level of each second in dBFS, the recording's own median
and the segments where the voice is raised are stored; the evidence page draws them as
SVG with links that move the player; the contact's suggestion panel is offered
long_detention and verbal_abuse with the times. The audio is made here with espeak-ng
and sox. The real worker process (procrastinate) is tested in tests/test_evidence_worker.py."""

from __future__ import annotations

import io
import random
import shutil

import numpy as np
import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from assessment.services import suggestions_for_contact
from audit.models import AuditEntry
from evidence import audio, services
from evidence.choices import AnalysisStatus, CustodyKind
from evidence.incoming import incoming_from_path, incoming_from_stream
from evidence.models import CustodyEvent, RecordingAnalysis
from mamoru.lib.panels import render_panels

from . import audio as made
from .factories import make_contact


@pytest.fixture(scope="module")
def recordings(tmp_path_factory):
    made.tools_or_fail(pytest)
    folder = tmp_path_factory.mktemp("recordings")
    wav, start, end = made.raised_voice_recording(folder)
    files = {fmt: made.convert(wav, fmt) for fmt in ("wav", "mp3", "m4a", "ogg")}
    return {"files": files, "start": start, "end": end, "folder": folder}


@pytest.fixture(autouse=True)
def evidence_root(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    settings.MAMORU_WORKER = "eager"  # the worker process itself: tests/test_evidence_worker.py
    return tmp_path


def add(actor, contact, path, django_capture_on_commit_callbacks, *, name=None):
    """Upload as the pages do; the analysis runs when the upload commits (eager mode)."""
    copy = path.parent / f"upload-{random.randrange(10**9)}{path.suffix}"
    shutil.copy(path, copy)
    with django_capture_on_commit_callbacks(execute=True):
        added = services.evidence_add(
            actor=actor, incoming=incoming_from_path(copy, name=name or path.name), contact=contact
        )
    return added.evidence


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


# -- the measurement itself ---------------------------------------------------------
def test_levels_do_not_depend_on_how_the_pipe_cuts_the_samples():
    rng = np.random.default_rng(7)
    samples = (rng.standard_normal(8000 * 5 + 1234) * 3000).astype("<i2")
    data = samples.tobytes()
    whole, count = audio.second_levels([data])
    cuts = sorted(rng.integers(0, len(data), 40).tolist())
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    pieced, pieced_count = audio.second_levels(pieces)
    assert count == pieced_count == samples.size
    assert whole == pieced and len(whole) == 6  # five whole seconds and a part of one
    expected = 20 * np.log10(np.sqrt(np.mean(samples[:8000].astype(float) ** 2)) / 32768)
    assert abs(whole[0] - expected) < 0.01


def test_raised_segments_need_enough_seconds_and_bridge_a_short_pause():
    quiet, loud = -40.0, -25.0
    levels = [quiet] * 10 + [loud] * 2 + [quiet] * 5 + [loud, loud, quiet, loud, loud] + [quiet] * 5 + [-90.0] * 20
    thresholds = audio.Thresholds(raised_db=10, raised_seconds=3, gap_seconds=1, silence_dbfs=-60)
    median = audio.median_level(levels, silence_dbfs=thresholds.silence_dbfs)
    assert median == quiet  # the silence at the end does not pull the median down
    segments = audio.raised_segments(levels, median=median, thresholds=thresholds)
    assert [(s.start, s.end) for s in segments] == [(17, 22)]  # two seconds alone are not enough
    assert segments[0].above_median_db == 15
    assert audio.raised_segments([-90.0] * 10, median=None, thresholds=thresholds) == []


def test_long_pauses_with_only_the_room_do_not_make_ordinary_speech_raised():
    room, speech = -50.0, -38.0
    minute = [speech] * 25 + [room] * 35  # a sentence, then a long pause
    levels = minute * 10
    thresholds = audio.Thresholds()
    median = audio.median_level(levels, silence_dbfs=thresholds.silence_dbfs)
    assert median == speech
    assert audio.raised_segments(levels, median=median, thresholds=thresholds) == []
    shout = minute * 5 + [speech + 15] * 6 + minute * 5
    assert [(s.start, s.end) for s in audio.raised_segments(shout, median=median, thresholds=thresholds)] == [
        (300, 306)
    ]


def test_levels_are_stored_one_byte_a_second():
    levels = [0.0, -6.02, -47.5, -120.0, -300.0]
    packed = audio.pack_levels(levels)
    assert len(packed) == 5
    assert audio.unpack_levels(packed) == [0.0, -6.0, -47.5, -120.0, -127.5]


# -- after upload -------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["wav", "mp3", "m4a", "ogg"])
def test_an_uploaded_recording_is_analysed_and_its_raised_voice_found(
    city, recordings, fmt, django_capture_on_commit_callbacks
):
    contact = make_contact(city.staff)
    evidence = add(city.staff, contact, recordings["files"][fmt], django_capture_on_commit_callbacks)
    analysis = RecordingAnalysis.objects.get(stored_file=evidence.stored_file)
    assert analysis.status == AnalysisStatus.DONE, analysis.message
    assert abs(analysis.duration_seconds - made.seconds_of(recordings["files"]["wav"])) < 1
    assert len(analysis.levels) == pytest.approx(analysis.duration_seconds, abs=1)
    assert -50 < analysis.median_dbfs < -30
    [segment] = analysis.segments
    assert abs(segment["start"] - recordings["start"]) <= 2 and abs(segment["end"] - recordings["end"]) <= 2
    assert segment["above_median_db"] >= 10
    event = CustodyEvent.objects.get(evidence=evidence, kind=CustodyKind.ANALYSED)
    assert event.detail["raised_segments"] == 1 and event.actor is None
    assert AuditEntry.objects.filter(action="evidence.recording.analysed").exists()


def test_a_corrupt_recording_gets_a_message_and_the_file_is_kept(
    city, evidence_root, django_capture_on_commit_callbacks
):
    contact = make_contact(city.staff)
    # A WAV header (so it is taken as a recording) over bytes that are no sound at all.
    data = b"RIFF\x24\x10\x00\x00WAVEfmt " + bytes(random.Random(3).randrange(256) for _ in range(4000))
    with django_capture_on_commit_callbacks(execute=True):
        added = services.evidence_add(
            actor=city.staff, incoming=incoming_from_stream(io.BytesIO(data), name="壊れた録音.wav"), contact=contact
        )
    analysis = RecordingAnalysis.objects.get(stored_file=added.evidence.stored_file)
    assert analysis.status == AnalysisStatus.FAILED
    assert "音声として読み取れませんでした" in analysis.message and "ファイル自体は保存されています" in analysis.message
    assert (evidence_root / added.evidence.stored_file.storage_name).read_bytes() == data
    event = CustodyEvent.objects.get(evidence=added.evidence, kind=CustodyKind.ANALYSED)
    assert event.detail["failed"] is True
    html = render_panels(
        page="evidence.evidence_detail", slot="main", request=request_for(city.staff), obj=added.evidence
    )
    assert "音声として読み取れませんでした" in html and "<svg" not in html


def test_a_videos_sound_is_analysed_and_a_silent_video_says_it_has_none(
    city, recordings, django_capture_on_commit_callbacks
):
    folder = recordings["folder"]
    with_sound, silent = folder / "counter.mp4", folder / "silent.mp4"
    picture = ["-f", "lavfi", "-i", "color=c=gray:s=64x64:r=5"]
    made.run(
        "ffmpeg",
        "-nostdin",
        "-v",
        "error",
        "-y",
        *picture,
        "-i",
        recordings["files"]["wav"],
        "-shortest",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        with_sound,
    )
    made.run(
        "ffmpeg", "-nostdin", "-v", "error", "-y", *picture, "-t", "3", "-c:v", "libx264", "-pix_fmt", "yuv420p", silent
    )
    contact = make_contact(city.staff)
    video = add(city.staff, contact, with_sound, django_capture_on_commit_callbacks)
    analysis = RecordingAnalysis.objects.get(stored_file=video.stored_file)
    assert analysis.status == AnalysisStatus.DONE and len(analysis.segments) == 1
    quiet = add(city.staff, contact, silent, django_capture_on_commit_callbacks)
    analysis = RecordingAnalysis.objects.get(stored_file=quiet.stored_file)
    assert analysis.status == AnalysisStatus.FAILED
    assert analysis.message.startswith("音声の入っていない動画のため")


def test_a_photo_is_not_analysed(city, django_capture_on_commit_callbacks):
    contact = make_contact(city.staff)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
    with django_capture_on_commit_callbacks(execute=True):
        added = services.evidence_add(
            actor=city.staff, incoming=incoming_from_stream(io.BytesIO(png), name="写真.png"), contact=contact
        )
    assert not RecordingAnalysis.objects.filter(stored_file=added.evidence.stored_file).exists()
    assert (
        render_panels(page="evidence.evidence_detail", slot="main", request=request_for(city.staff), obj=added.evidence)
        == ""
    )


# -- the evidence page ----------------------------------------------------------------
def test_the_panel_draws_the_loudness_and_links_each_segment_to_the_player(
    city, recordings, django_capture_on_commit_callbacks
):
    contact = make_contact(city.staff)
    evidence = add(city.staff, contact, recordings["files"]["mp3"], django_capture_on_commit_callbacks)
    segment = RecordingAnalysis.objects.get(stored_file=evidence.stored_file).segments[0]
    html = render_panels(page="evidence.evidence_detail", slot="main", request=request_for(city.staff), obj=evidence)
    assert '<svg class="loudness-plot"' in html and "<polyline" in html and 'class="raised"' in html
    assert f'data-evidence-seek="{segment["start"]}"' in html
    assert "声が大きくなった区間" in html and "js/evidence-player.js" in html
    assert "cdn" not in html.lower() and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    # Those who may not see the evidence get nothing (another department, signed out).
    for outsider in (city.zeimu_staff, city.admin, AnonymousUser()):
        assert (
            render_panels(page="evidence.evidence_detail", slot="main", request=request_for(outsider), obj=evidence)
            == ""
        )


def test_the_panel_says_where_the_analysis_stands_and_survives_bad_stored_values(
    city, recordings, django_capture_on_commit_callbacks
):
    contact = make_contact(city.staff)
    evidence = add(city.staff, contact, recordings["files"]["ogg"], django_capture_on_commit_callbacks)
    analysis = RecordingAnalysis.objects.get(stored_file=evidence.stored_file)
    request = request_for(city.supervisor)
    analysis.segments = [{"start": "x"}, "junk", {"start": 5, "end": 2}, {"start": 3, "end": 9}]
    analysis.thresholds = {}
    analysis.save()
    html = render_panels(page="evidence.evidence_detail", slot="main", request=request, obj=evidence)
    assert html.count("data-evidence-seek=") == 1 and "0:03〜0:09" in html
    RecordingAnalysis.objects.filter(pk=analysis.pk).update(status=AnalysisStatus.RUNNING, progress_seconds=120)
    assert "解析中です（2:00 まで完了）" in render_panels(
        page="evidence.evidence_detail", slot="main", request=request, obj=evidence
    )
    RecordingAnalysis.objects.filter(pk=analysis.pk).update(status=AnalysisStatus.PENDING)
    assert "解析待ちです" in render_panels(page="evidence.evidence_detail", slot="main", request=request, obj=evidence)


# -- suggestions, never labels -----------------------------------------------------------
def test_raised_voice_is_offered_as_verbal_abuse_with_its_times(city, recordings, django_capture_on_commit_callbacks):
    contact = make_contact(city.staff)
    before = {s.code for s in suggestions_for_contact(user=city.staff, text="", contact=contact)}
    assert "verbal_abuse" not in before
    add(city.staff, contact, recordings["files"]["wav"], django_capture_on_commit_callbacks, name="窓口録音.wav")
    views = {s.code: s for s in suggestions_for_contact(user=city.staff, text="", contact=contact)}
    abuse = views["verbal_abuse"]
    assert abuse.source == "recording" and abuse.decision == ""
    start = int(recordings["start"])
    assert any(f"録音「窓口録音.wav」1:{start - 60:02d}" in e or f"1:{start - 59:02d}" in e for e in abuse.evidence)
    assert "long_detention" not in views  # the recording is shorter than the pack's 30 minutes
    # Someone who may not see the recording is not told about it.
    other = make_contact(city.supervisor)
    assert "verbal_abuse" not in {s.code for s in suggestions_for_contact(user=city.supervisor, text="", contact=other)}


def test_a_recording_longer_than_the_packs_limit_is_offered_as_long_detention(
    city, recordings, django_capture_on_commit_callbacks
):
    contact = make_contact(city.staff, minutes=5)  # the record says five minutes; the recording says more
    long = made.long_recording(recordings["folder"], 31 * 60)
    add(city.staff, contact, long, django_capture_on_commit_callbacks, name="長時間.wav")
    views = {s.code: s for s in suggestions_for_contact(user=city.staff, text="", contact=contact)}
    detention = views["long_detention"]
    assert detention.source == "recording"
    assert detention.evidence == ["録音「長時間.wav」の長さ 31:00（基本方針の目安 30分）"]


def test_a_decision_on_a_recordings_suggestion_keeps_its_source_and_teaches_the_text_model_nothing(
    city, recordings, django_capture_on_commit_callbacks, tmp_path
):
    import json

    from django.core.management import call_command

    from assessment.services import suggestion_decide_shown

    contact = make_contact(
        city.staff,
        words_and_behaviour="窓口で手続きについて質問された。",
        harassment="yes",
        categories=["verbal_abuse"],
        content_unreasonable="",
        manner_inappropriate="yes",
        manner_reason="大声",
    )
    add(city.staff, contact, recordings["files"]["wav"], django_capture_on_commit_callbacks)
    suggestion = suggestion_decide_shown(
        actor=city.staff,
        contact=contact,
        code="verbal_abuse",
        decision="accepted",
        text=contact.words_and_behaviour,
        duration_seconds=None,
        resident=None,
    )
    assert suggestion.source == "recording" and "声が大きい" in suggestion.evidence[0]
    # The category came from the sound, not the words: the text classifier must not learn it from these words.
    out = tmp_path / "labels.jsonl"
    call_command("export_labels", output=str(out))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(contact.words_and_behaviour != line["text"] for line in lines)


def test_an_unexpected_error_in_the_web_process_leaves_a_message_not_running_for_ever(
    city, recordings, django_capture_on_commit_callbacks, monkeypatch
):
    def storage_lost(*args, **kwargs):
        raise OSError("evidence storage unreachable")

    monkeypatch.setattr(audio, "analyse_file", storage_lost)
    contact = make_contact(city.staff)
    evidence = add(city.staff, contact, recordings["files"]["ogg"], django_capture_on_commit_callbacks)
    analysis = RecordingAnalysis.objects.get(stored_file=evidence.stored_file)
    assert analysis.status == AnalysisStatus.FAILED and "解析中にエラーが発生しました" in analysis.message
    assert "unreachable" in analysis.error_detail


def test_the_same_bytes_are_analysed_once_and_a_failed_analysis_is_tried_again_on_upload(
    city, recordings, django_capture_on_commit_callbacks
):
    contact, other = make_contact(city.staff), make_contact(city.staff)
    first = add(city.staff, contact, recordings["files"]["mp3"], django_capture_on_commit_callbacks)
    again = add(city.staff, other, recordings["files"]["mp3"], django_capture_on_commit_callbacks)
    assert first.stored_file_id == again.stored_file_id
    assert RecordingAnalysis.objects.get(stored_file=first.stored_file).attempts == 1
    # The second contact's page shows the analysis all the same.
    html = render_panels(page="evidence.evidence_detail", slot="main", request=request_for(city.staff), obj=again)
    assert "<svg" in html

    RecordingAnalysis.objects.filter(stored_file=first.stored_file).update(
        status=AnalysisStatus.FAILED, message="解析中にエラーが発生しました。"
    )
    add(city.staff, other, recordings["files"]["mp3"], django_capture_on_commit_callbacks)
    analysis = RecordingAnalysis.objects.get(stored_file=first.stored_file)
    assert analysis.status == AnalysisStatus.DONE and analysis.attempts == 2 and analysis.message == ""
