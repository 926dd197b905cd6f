"""What evidence holds about a resident, for a disclosure request (``people.hooks.resident_data_held``):
the files recorded in contacts and cases about them — what each is, when and where it was captured,
its SHA-256 — and the transcripts (反訳書) of their recordings, word for word. The files themselves
are not copied into the request: the reviewer decides whether to hand a copy over with the notice
(録音の写しの交付), and the SHA-256 names exactly which file."""

from django.db.models import Q
from django.utils.translation import gettext as _

from mamoru.lib.held import STAFF, held_datetime, held_field, held_item, held_section

from .models import Evidence, Transcript


def _transcript_fields(evidence) -> list[dict]:
    transcript = Transcript.objects.filter(evidence=evidence).first()
    if transcript is None:
        return []
    revision = transcript.revisions.order_by("-number").first()
    if revision is None:
        return []
    fields = [held_field(_("反訳書"), _("第{number}版").format(number=revision.number))]
    for segment in revision.segments:
        start = int(segment.get("start") or 0)
        moment = f"{start // 3600:02d}:{start % 3600 // 60:02d}:{start % 60:02d}"
        speaker = segment.get("speaker") or ""
        fields.append(
            held_field(_("発言 {moment} {speaker}").format(moment=moment, speaker=speaker), segment.get("text"))
        )
    return fields


def resident_data_held(*, actor, resident, **kwargs):
    evidence = (
        Evidence.objects.filter(Q(contact__resident=resident) | Q(case__resident=resident))
        .select_related("stored_file", "uploaded_by", "contact", "case", "department")
        .order_by("uploaded_at", "id")
    )
    items = []
    for item in evidence:
        fields = [
            held_field(_("担当課"), item.department.name),
            held_field(_("種類"), item.get_kind_display()),
            held_field(_("ファイル名"), item.original_name),
            held_field(_("ファイルの種類"), item.stored_file.content_type),
            held_field(_("SHA-256"), item.stored_file.sha256),
            held_field(_("対応記録"), f"No.{item.contact.number}" if item.contact_id else ""),
            held_field(_("事案"), f"No.{item.case.number}" if item.case_id else ""),
            held_field(_("記録日時"), item.captured_at),
            held_field(_("記録した場所"), item.captured_place),
            held_field(_("記録した人"), item.captured_by_name, kind=STAFF),
            held_field(_("登録した職員"), item.uploaded_by.display_name, kind=STAFF),
            held_field(_("登録日時"), item.uploaded_at),
            held_field(_("内容の説明"), item.description),
        ]
        if item.deleted_at is not None:
            fields.append(
                held_field(
                    _("削除"),
                    _("{at}（{reason}）").format(at=held_datetime(item.deleted_at), reason=item.deletion_reason),
                )
            )
        fields.extend(_transcript_fields(item))
        items.append(held_item(f"evidence.evidence:{item.pk}", str(item), fields))
    if not items:
        return None
    return held_section(
        "evidence.evidence",
        _("証拠（録音・写真・画面の記録など）と反訳書"),
        items,
        order=45,
        note=_("ファイルそのものの写しは、開示の実施の方法として別に交付します（SHA-256 で特定）。"),
    )
