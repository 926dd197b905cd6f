"""The contact list as CSV (UTF-8 with a BOM, or Shift_JIS for older Excel) or Excel,
through the shared list export (``mamoru.exports``): the line that says who exported
what and when first (import-contacts skips it), no live formula, real dates in Excel.

The columns are the list's (番号 … 類型, in the order import-contacts reads them back)
and then the record's content: 場所, 意見等の内容, 住民等の言動, 職員の対応, 結果, the
definition test's answers and reasons, and the harms."""

from django.utils.translation import gettext as _

from mamoru.exports import ROW_LIMIT, ListFile
from mamoru.policy.loader import current as current_policy

from .choices import DefinitionAnswer, HarassmentJudgement
from .models import Contact
from .selectors import contact_table_rows

CHUNK = 2000

CONTENT_COLUMNS = (
    "place", "request_content", "words_and_behaviour", "staff_response", "outcome", "content_unreasonable",
    "content_reason", "manner_inappropriate", "manner_reason", "harms", "harm_reason",
)  # fmt: skip


def export_pks(contacts) -> list[int]:
    """The primary keys of up to ROW_LIMIT contacts of ``contact_table_list``, in order."""
    return list(contacts.values_list("pk", flat=True)[:ROW_LIMIT])


def _table_rows(pks):
    """(ContactRow, the content fields) for these contacts, read in chunks."""
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        contacts = Contact.objects.filter(pk__in=chunk)
        rows = {row.pk: row for row in contact_table_rows(contacts)}
        contents = {values["id"]: values for values in contacts.values("id", *CONTENT_COLUMNS)}
        yield from ((rows[pk], contents[pk]) for pk in chunk)


def contact_header() -> list[str]:
    return [
        _("番号"),
        _("開始日時"),
        _("終了日時"),
        _("対応時間（分）"),
        _("担当課"),
        _("対応方法"),
        _("対応職員"),
        _("住民等"),
        _("件名"),
        _("判断"),
        _("類型"),
        _("場所"),
        _("意見等の内容"),
        _("住民等の言動"),
        _("職員の対応"),
        _("結果"),
        _("内容が著しく妥当性を欠くか"),
        _("内容についての理由"),
        _("手段・態様が社会通念上不相当か"),
        _("手段・態様についての理由"),
        _("生じた被害"),
        _("被害についての理由"),
    ]


def contact_rows(pks):
    """One row per contact, in the order of ``pks``: times as they are (the file shows them in
    Tokyo time), the duration in minutes as a number."""
    pack = current_policy()
    names = pack.category_names()
    harms = dict(pack.harm_choices())
    judgements = {value: str(label) for value, label in HarassmentJudgement.choices}
    answers = {value: str(label) for value, label in DefinitionAnswer.choices}
    for contact, content in _table_rows(pks):
        minutes = round(contact.duration_seconds / 60, 1) if contact.duration_seconds is not None else None
        stored_harms = content["harms"] if isinstance(content["harms"], list) else []
        yield [
            contact.number,
            contact.started_at,
            contact.ended_at,
            minutes,
            contact.department_name,
            pack.channel_name(contact.channel),
            contact.staff_name,
            contact.resident_name or contact.resident_description,
            contact.summary,
            judgements.get(contact.harassment, contact.harassment),
            "、".join(names.get(code, code) for code in contact.categories),
            content["place"],
            content["request_content"],
            content["words_and_behaviour"],
            content["staff_response"],
            content["outcome"],
            answers.get(content["content_unreasonable"], content["content_unreasonable"]),
            content["content_reason"],
            answers.get(content["manner_inappropriate"], content["manner_inappropriate"]),
            content["manner_reason"],
            "、".join(str(harms.get(str(code), code)) for code in stored_harms),
            content["harm_reason"],
        ]


def contact_list_file(pks) -> ListFile:
    return ListFile(
        title=_("対応記録"),
        stem="contacts",
        header=contact_header(),
        rows=contact_rows(pks),
        count=len(pks),
        widths=(10, 17, 17, 8, 14, 10, 14, 16, 30, 12, 20, 12, 40, 40, 40, 30, 10, 30, 10, 30, 20, 30),
    )
