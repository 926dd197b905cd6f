"""The transcript (反訳書) pages: the editor (typed rows, a file import, the speech-to-text draft),
the revisions, and the printable A4 PDF. Reached from the evidence page's panel
(``evidence.evidence_detail`` slot ``main``, ``transcript_panels``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import audit_read
from mamoru.lib.pdf import FontMissingError
from mamoru.lib.transcript_pdf import TranscriptDocument, TranscriptRow, render_transcript
from mamoru.lib.wareki import format_wareki

from . import permissions, transcript_services
from .selectors import evidence_get
from .transcript_formats import (
    Segment,
    TranscriptFormatError,
    clean_segment,
    format_time,
    format_time_exact,
    parse_time,
)
from .transcript_selectors import revision_segments, transcript_of, transcript_revision, transcript_revisions

SPEAKERS = ("職員", "住民等")
BLANK_ROWS = 3


@dataclass
class EditorRow:
    start: str = ""
    end: str = ""
    speaker: str = ""
    text: str = ""


def _recording(request, pk):
    """The recording, for a user who may see it (404 for everyone else, as the evidence pages)."""
    evidence = evidence_get(user=request.user, pk=pk)
    if not transcript_services.is_recording(evidence):
        raise Http404(_("反訳書は録音・動画の証拠にだけあります。"))
    return evidence


def back_url(evidence) -> str:
    """Where the pages lead back to: the evidence's page once it exists, else its contact or case."""
    for name, args in (
        ("evidence:evidence_detail", [evidence.pk]),
        ("records:contact_detail", [evidence.contact_id]),
        ("cases:case_detail", [evidence.case_id]),
    ):
        if None in args:
            continue
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return "/"


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _posted_rows(request) -> tuple[list[EditorRow], list[Segment], list[str]]:
    """The editor's rows as typed, the segments they make, and a message for each row that is wrong."""
    post = request.POST
    starts, ends, speakers, texts = (post.getlist(name) for name in ("start", "end", "speaker", "text"))
    count = max(len(starts), len(ends), len(speakers), len(texts))

    def at(values, index):
        return values[index] if index < len(values) else ""

    rows, segments, errors = [], [], []
    for index in range(count):
        row = EditorRow(at(starts, index), at(ends, index), at(speakers, index), at(texts, index))
        rows.append(row)
        if not (row.start.strip() or row.end.strip() or row.text.strip()):
            continue  # an empty row (the editor always offers a few)
        number = index + 1
        try:
            if not row.start.strip():
                raise TranscriptFormatError(_("開始時刻を入力してください。"), line=number)
            try:
                start = parse_time(row.start)
                end = parse_time(row.end) if row.end.strip() else None
            except ValueError:
                raise TranscriptFormatError(
                    _("時刻は 00:01:23 や 1:23、83.5（秒）のように入力してください。"), line=number
                ) from None
            segments.append(clean_segment(start=start, end=end, speaker=row.speaker, text=row.text, line=number))
        except TranscriptFormatError as error:
            errors.append(error.message)
    return rows, segments, errors


def _rows_of(segments: list[Segment]) -> list[EditorRow]:
    return [EditorRow(format_time_exact(s.start), format_time_exact(s.end), s.speaker, s.text) for s in segments]


@require_http_methods(["GET", "POST"])
def transcript_edit(request, pk):
    evidence = _recording(request, pk)
    transcript = transcript_of(user=request.user, evidence=evidence)
    revision = transcript_revision(user=request.user, transcript=transcript) if transcript else None
    can_edit = permissions.may_edit_transcript(request.user, evidence)
    errors: list[str] = []
    recording_length = format_time_exact(transcript.recording_seconds) if transcript else ""
    transcribed_by = transcript.transcribed_by_name if transcript else request.user.display_name
    note = ""
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("この証拠の反訳書を作成・修正する権限がありません。"))
        rows, segments, errors = _posted_rows(request)
        recording_length = request.POST.get("recording_length", "").strip()
        transcribed_by = request.POST.get("transcribed_by", "")
        note = request.POST.get("note", "")
        seconds = None
        if recording_length:
            try:
                seconds = parse_time(recording_length)
            except ValueError:
                errors.append(_("録音の長さは 01:02:03 のように入力してください。"))
        if not errors:
            try:
                saved = transcript_services.transcript_save(
                    actor=request.user,
                    evidence=evidence,
                    segments=segments,
                    note=note,
                    transcribed_by_name=transcribed_by,
                    recording_seconds=seconds,
                    expected_version=_version(request),
                )
            except ValidationError as error:
                errors.extend(error.messages)
            else:
                messages.success(request, _("反訳書を保存しました（第{version}版）。").format(version=saved.version))
                return redirect("transcripts:transcript_edit", pk=evidence.pk)
    else:
        rows = _rows_of(revision_segments(revision))
        if transcript is not None:
            audit_read(actor=request.user, action="evidence.transcript.viewed", obj=evidence)
    rows = rows + [EditorRow() for _blank in range(BLANK_ROWS)]
    return render(
        request,
        "evidence/transcript_edit.html",
        {
            "evidence": evidence,
            "transcript": transcript,
            "revision": revision,
            "rows": rows,
            "errors": errors,
            "can_edit": can_edit,
            "speakers": SPEAKERS,
            "recording_length": recording_length,
            "transcribed_by": transcribed_by,
            "note": note,
            "version": transcript.version if transcript else 0,
            "speech_to_text": transcript_services.speech_to_text_configured(),
            "back_url": back_url(evidence),
        },
    )


@require_POST
def transcript_import(request, pk):
    evidence = _recording(request, pk)
    if not permissions.may_edit_transcript(request.user, evidence):
        raise PermissionDenied(_("この証拠の反訳書を作成・修正する権限がありません。"))
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("取り込むファイル（WebVTT・SRT・CSV）を選んでください。"))
        return redirect("transcripts:transcript_edit", pk=evidence.pk)
    if upload.size > transcript_services.MAX_IMPORT_BYTES:
        messages.error(request, _("反訳ファイルが大きすぎます（上限 5 MB）。"))
        return redirect("transcripts:transcript_edit", pk=evidence.pk)
    data = upload.read()
    try:
        saved = transcript_services.transcript_import(
            actor=request.user, evidence=evidence, data=data, name=upload.name, expected_version=_version(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("「{name}」を取り込みました（第{version}版、{count}行）。").format(
                name=upload.name, version=saved.version, count=len(saved.revisions.get(number=saved.version).segments)
            ),
        )
    return redirect("transcripts:transcript_edit", pk=evidence.pk)


@require_POST
def transcript_draft(request, pk):
    evidence = _recording(request, pk)
    if not permissions.may_edit_transcript(request.user, evidence):
        raise PermissionDenied(_("この証拠の反訳書を作成・修正する権限がありません。"))
    try:
        saved = transcript_services.transcript_draft(
            actor=request.user, evidence=evidence, expected_version=_version(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("音声認識の下書きを作成しました（第{version}版）。録音を聞きながら確かめ、修正してください。").format(
                version=saved.version
            ),
        )
    return redirect("transcripts:transcript_edit", pk=evidence.pk)


@require_http_methods(["GET"])
def transcript_history(request, pk):
    evidence = _recording(request, pk)
    transcript = transcript_of(user=request.user, evidence=evidence)
    revisions = []
    if transcript is not None:
        audit_read(actor=request.user, action="evidence.transcript.viewed", obj=evidence, filters={"history": 1})
        revisions = [
            (revision, revision_segments(revision))
            for revision in transcript_revisions(user=request.user, transcript=transcript)
        ]
    return render(
        request,
        "evidence/transcript_history.html",
        {"evidence": evidence, "transcript": transcript, "revisions": revisions, "back_url": back_url(evidence)},
    )


@require_http_methods(["GET"])
def transcript_pdf(request, pk):
    evidence = _recording(request, pk)
    transcript = transcript_of(user=request.user, evidence=evidence)
    if transcript is None:
        raise Http404(_("この録音の反訳書はまだありません。"))
    number = request.GET.get("version", "")
    revision = transcript_revision(
        user=request.user, transcript=transcript, number=int(number) if number.isdigit() and len(number) < 9 else None
    )
    if revision is None:
        raise Http404(_("その版の反訳書はありません。"))
    try:
        content = render_transcript(
            transcript_document(evidence=evidence, transcript=transcript, revision=revision),
            font_dirs=settings.MAMORU_LETTER_FONT_DIRS,
        )
    except FontMissingError as error:
        messages.error(request, str(error))
        return redirect("transcripts:transcript_edit", pk=evidence.pk)
    audit_read(
        actor=request.user, action="evidence.transcript.printed", obj=evidence, filters={"version": revision.number}
    )
    response = HttpResponse(content, content_type="application/pdf")
    filename = _("反訳書_証拠{number:06d}_第{version}版.pdf").format(number=evidence.pk, version=revision.number)
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "no-store"
    return response


def _day(value) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{format_wareki(local.date())} {local:%H:%M}"


def transcript_document(*, evidence, transcript, revision) -> TranscriptDocument:
    """The 反訳書's header facts and rows, as the PDF prints them."""
    facts: list[tuple[str, str]] = []
    if evidence.case_id:
        facts.append((_("事案"), str(evidence.case)))
    if evidence.contact_id:
        facts.append((_("対応記録"), str(evidence.contact)))
    facts += [
        (_("証拠"), f"No.{evidence.pk:06d}　{evidence.original_name}"),
        ("SHA-256", evidence.stored_file.sha256),
        (_("録音の長さ"), format_time(transcript.recording_seconds) or _("（未記入）")),
        (_("記録日時"), _day(evidence.captured_at) or _("（未記入）")),
        (_("反訳者"), transcript.transcribed_by_name),
        (
            _("作成・版"),
            _("第{version}版　{day}　{source}").format(
                version=revision.number, day=_day(revision.created_at), source=revision.get_source_display()
            )
            + (f"（{revision.source_name}）" if revision.source_name else ""),
        ),
    ]
    rows = [
        TranscriptRow(
            time=format_time(segment.start) + (f"〜{format_time(segment.end)}" if segment.end is not None else ""),
            speaker=segment.speaker,
            text=segment.text,
        )
        for segment in revision_segments(revision)
    ]
    return TranscriptDocument(
        title=_("反訳書"),
        facts=facts,
        rows=rows,
        footer=_("証拠 No.{number:06d}　SHA-256 {short}…　第{version}版").format(
            number=evidence.pk, short=evidence.stored_file.sha256[:16], version=revision.number
        ),
        notes=(_("時刻は録音の始まりからの経過時間（時:分:秒）。発言は録音のとおりに記載した。"),),
    )
