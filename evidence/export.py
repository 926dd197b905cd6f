"""A case's evidence as one ZIP for the police or a lawyer, and its 証拠一覧 (A4 PDF).

The ZIP is streamed with zipstream-ng (https://github.com/pR0Ps/zipstream-ng): each
file is read from storage in chunks as the archive is written, so exporting a case
of several gigabytes holds no whole file in memory. The files are stored, not
compressed (recordings, videos and photos are compressed already), which also
lets the archive's size be known before the first byte is sent.

Inside ``case-000012/``:

- ``files/0001_<original name>`` … the files, numbered in the order of the 証拠一覧;
- ``manifest.csv`` / ``manifest.json``: one line per file (name, size, SHA-256, the
  type detected from the content, capture and upload times, who), deleted files
  included and marked; the JSON also carries each file's custody log;
- ``custody.csv``: the custody log of every file, one line per event;
- ``evidence-list.pdf``: the 証拠一覧 on A4;
- ``SHA256SUMS``: for ``sha256sum -c SHA256SUMS`` (the files and the manifests);
- ``README.txt``: how to verify, in Japanese (sha256sum, certutil, PowerShell).

Built from rows already read (``ExportItem``): drawing the archive never writes."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from zipstream import ZIP_STORED, ZipStream

from mamoru.lib.dates import safe_localtime
from mamoru.lib.pdf_list import Column, ListDocument, render_list

from . import storage
from .choices import CustodyKind, EvidenceKind

CHUNK_SIZE = 1024 * 1024
# Characters Windows does not allow in a file name, and what is invisible or ambiguous.
UNSAFE_IN_NAME = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
NAME_LIMIT = 120  # characters of the original name kept (Windows paths stay short)


@dataclass(frozen=True)
class ExportItem:
    """One piece of evidence as it goes into the export."""

    number: int
    evidence_id: int
    arcname: str  # "files/0001_通話録音.wav"; "" when the file is not included
    original_name: str
    kind: str
    kind_label: str
    size: int
    sha256: str
    content_type: str
    captured_at: dt.datetime | None
    captured_by: str
    captured_place: str
    uploaded_at: dt.datetime
    uploaded_by: str
    attached_to: str  # 事案 No.000012 / 対応記録 No.345
    status: str  # "" (included) or why it is not: 削除済み, ファイル消去済み
    storage_name: str
    custody: tuple[dict, ...] = field(default_factory=tuple)
    # RFC 3161 time-stamp tokens over the file's SHA-256 (timestamps stream): (name in the ZIP, .tsr bytes, time).
    timestamps: tuple[tuple[str, bytes, str], ...] = field(default_factory=tuple)

    @property
    def included(self) -> bool:
        return not self.status


def safe_arcname(number: int, name: str, extension: str = "") -> str:
    """``0001_<name>``: unique by its number, without folders or characters Windows refuses."""
    name = UNSAFE_IN_NAME.sub("_", name).strip(" .") or "file"
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, extension
    ext = ext[:10]
    stem = stem[: max(1, NAME_LIMIT - len(ext) - 1)]
    return f"{number:04d}_{stem}.{ext}" if ext else f"{number:04d}_{stem}"


def _when(value: dt.datetime | None) -> str:
    local = safe_localtime(value)
    return local.strftime("%Y-%m-%d %H:%M:%S") if local else ""


def _iso(value: dt.datetime | None) -> str:
    local = safe_localtime(value)
    return local.isoformat(timespec="seconds") if local else ""


def _custody(event) -> dict:
    try:
        label = str(CustodyKind(event.kind).label)
    except ValueError:
        label = event.kind
    return {
        "at": _iso(event.at),
        "kind": event.kind,
        "label": label,
        "actor": event.actor_name,
        "address": event.address or "",
        "purpose": event.purpose,
        "detail": event.detail if isinstance(event.detail, dict) else {},
    }


def export_items(evidence: Sequence) -> list[ExportItem]:
    """The rows of the export, numbered, with their custody logs (``evidence`` ordered,
    ``custody`` prefetched)."""
    items = []
    for number, piece in enumerate(evidence, start=1):
        stored = piece.stored_file
        if piece.deleted_at is not None:
            status = "削除済み"
        elif stored.is_purged:
            status = "ファイル消去済み（保存期間の満了）"
        else:
            status = ""
        try:
            kind_label = str(EvidenceKind(piece.kind).label)
        except ValueError:
            kind_label = piece.kind
        if piece.case_id:
            attached = f"事案 No.{piece.case_id:06d}"
        else:
            attached = f"対応記録 No.{piece.contact_id}"
        items.append(
            ExportItem(
                number=number,
                evidence_id=piece.pk,
                arcname="" if status else "files/" + safe_arcname(number, piece.original_name, stored.extension),
                original_name=piece.original_name,
                kind=piece.kind,
                kind_label=kind_label,
                size=stored.size,
                sha256=stored.sha256,
                content_type=stored.content_type,
                captured_at=piece.captured_at,
                captured_by=piece.captured_by_name,
                captured_place=piece.captured_place,
                uploaded_at=piece.uploaded_at,
                uploaded_by=piece.uploaded_by.username if piece.uploaded_by_id else "",
                attached_to=attached,
                status=status,
                storage_name=stored.storage_name,
                custody=tuple(_custody(event) for event in piece.custody.all()),
                timestamps=() if status else _timestamps(number, stored),
            )
        )
    return items


def _timestamps(number: int, stored) -> tuple[tuple[str, bytes, str], ...]:
    """The file's granted time-stamp tokens (``.tsr``, the TSA's whole reply), when the
    timestamps stream's ``TimeStampToken`` (``StoredFile.timestamps``) is there."""
    tokens = getattr(stored, "timestamps", None)
    if tokens is None:
        return ()
    found = []
    for index, token in enumerate(tokens.filter(status="granted").order_by("gen_time", "id"), start=1):
        data = bytes(token.response or b"")
        if data:
            suffix = f"_{index}" if index > 1 else ""
            found.append((f"timestamps/{number:04d}_{stored.sha256}{suffix}.tsr", data, _iso(token.gen_time)))
    return tuple(found)


MANIFEST_FIELDS = [
    ("number", "番号"),
    ("file", "ZIP内のファイル名"),
    ("original_name", "元のファイル名"),
    ("kind", "証拠の種類"),
    ("size", "サイズ（バイト）"),
    ("sha256", "SHA-256"),
    ("content_type", "ファイルの種類（内容から判定）"),
    ("captured_at", "記録日時"),
    ("captured_by", "記録した人"),
    ("captured_place", "記録した場所"),
    ("uploaded_at", "登録日時"),
    ("uploaded_by", "登録した職員"),
    ("attached_to", "証拠の付いている記録"),
    ("evidence_id", "証拠番号"),
    ("status", "状態"),
    ("timestamps", "タイムスタンプ（RFC 3161）"),
]


def _manifest_row(item: ExportItem) -> dict:
    return {
        "number": item.number,
        "file": item.arcname,
        "original_name": item.original_name,
        "kind": item.kind_label,
        "size": item.size,
        "sha256": item.sha256,
        "content_type": item.content_type,
        "captured_at": _iso(item.captured_at),
        "captured_by": item.captured_by,
        "captured_place": item.captured_place,
        "uploaded_at": _iso(item.uploaded_at),
        "uploaded_by": item.uploaded_by,
        "attached_to": item.attached_to,
        "evidence_id": item.evidence_id,
        "status": item.status or "収録",
        "timestamps": " ".join(name for name, _, _ in item.timestamps),
    }


def _csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if value is None else _no_formula(str(value)) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads it as UTF-8


def _no_formula(text: str) -> str:
    """A cell a spreadsheet would run as a formula is kept as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def manifest_csv(items: list[ExportItem]) -> bytes:
    return _csv(
        [[label for _, label in MANIFEST_FIELDS]]
        + [[_manifest_row(item)[key] for key, _ in MANIFEST_FIELDS] for item in items]
    )


def custody_csv(items: list[ExportItem]) -> bytes:
    rows = [["番号", "証拠番号", "ZIP内のファイル名", "日時", "出来事", "職員", "接続元", "目的"]]
    for item in items:
        for event in item.custody:
            rows.append(
                [
                    item.number,
                    item.evidence_id,
                    item.arcname or item.original_name,
                    event["at"],
                    event["label"],
                    event["actor"],
                    event["address"],
                    event["purpose"],
                ]
            )
    return _csv(rows)


def manifest_json(items: list[ExportItem], *, about: dict) -> bytes:
    document = {
        **about,
        "files": [
            {
                **_manifest_row(item),
                "timestamps": [{"file": name, "time": time} for name, _, time in item.timestamps],
                "custody": list(item.custody),
            }
            for item in items
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def evidence_list_pdf(*, items: list[ExportItem], title: str, about: Sequence[str], author: str = "") -> bytes:
    """The 証拠一覧: one line per file (number, kind, name, size, SHA-256, captured and
    uploaded times and by whom)."""
    columns = [
        Column("番号", 9, "right"),
        Column("種類", 18),
        Column("ファイル名", 40),
        Column("バイト数", 17, "right"),
        Column("SHA-256", 110),  # 64 hexadecimal digits on one line, however wide
        Column("記録日時・記録した人", 36),
        Column("登録日時・登録した職員", 36),
    ]
    rows = []
    for item in items:
        name = item.original_name if item.included else f"{item.original_name}\n（{item.status}）"
        rows.append(
            [
                str(item.number),
                item.kind_label,
                name,
                f"{item.size:,}",
                item.sha256,
                "\n".join(part for part in (_when(item.captured_at)[:16], item.captured_by) if part) or "―",
                "\n".join(part for part in (_when(item.uploaded_at)[:16], item.uploaded_by) if part),
            ]
        )
    included = [item for item in items if item.included]
    footnote = [
        f"計 {len(items)} 件（うちファイルあり {len(included)} 件、{sum(item.size for item in included):,} バイト）。"
        "SHA-256 はファイルの内容から計算した値で、1 バイトでも異なれば一致しません。",
    ]
    return render_list(
        ListDocument(title=title, columns=columns, rows=rows, about=about, footnote=footnote, author=author),
        font_dirs=settings.MAMORU_LETTER_FONT_DIRS,
    )


README_TEXT = """\
証拠ファイル一式（{case_label}）

作成日時: {created}
作成者: {actor}
提出先: {recipient}
目的: {purpose}
収録ファイル: {included} 件（一覧の全 {total} 件のうち。削除済みのものは一覧にのみ記載）

■ 内容
  files/             証拠のファイル（番号_元のファイル名）
  manifest.csv       証拠の一覧（ファイル名、サイズ、SHA-256、種類、記録・登録の日時と人）
  manifest.json      同じ一覧と、ファイルごとの保管記録（いつ、誰が、何をしたか）
  custody.csv        保管記録（登録・閲覧・再生・書き出し・提出など）
  evidence-list.pdf  証拠一覧（A4、印刷用）
  SHA256SUMS         ファイルごとの SHA-256 の値
  timestamps/        タイムスタンプ（RFC 3161）のトークン（取得しているファイルのみ）

■ ファイルが改ざんされていないことの確かめ方
SHA-256 はファイルの内容から計算する値で、1 バイトでも異なれば全く別の値になります。
各ファイルの値を計算し、SHA256SUMS と manifest.csv に記載の値と一致することを確かめてください。

1. Linux・macOS（この README.txt のあるフォルダで）
     sha256sum -c SHA256SUMS
   すべての行が「OK」（日本語環境では「完了」）と表示されれば一致しています。
   macOS で sha256sum がない場合: shasum -a 256 -c SHA256SUMS

2. Windows（コマンドプロンプト）
     certutil -hashfile "files\\0001_ファイル名" SHA256
   表示された値を SHA256SUMS または manifest.csv の値と比べてください（大文字・小文字の違いは同じものです）。

3. Windows（PowerShell）で全ファイルをまとめて
     Get-Content -Encoding UTF8 SHA256SUMS | ForEach-Object {{ $h, $f = $_ -split '  ', 2; if ((Get-FileHash -Algorithm SHA256 -LiteralPath $f).Hash -eq $h) {{ "OK  $f" }} else {{ "不一致  $f" }} }}

{timestamps}■ 注意
・ZIP を展開しただけでは内容は変わりません。展開後のファイルを編集・変換しないでください。
・ZIP 内のファイル名は UTF-8 です。展開したファイル名が文字化けする場合は、7-Zip など UTF-8 に対応した展開ソフトを使ってください。
・manifest.csv は UTF-8（BOM 付き）です。Excel でそのまま開けます。
・保管記録の日時は日本時間（{timezone}）です。
"""


TIMESTAMPS_TEXT = """\
■ タイムスタンプ（RFC 3161、取得している場合）
  timestamps/0001_<SHA-256>.tsr は、時刻認証局（TSA）がそのファイルの SHA-256 に時刻を付けて署名した応答です。
  その時刻にファイルが存在し、その後変わっていないことを OpenSSL で確かめられます（ca.pem は TSA の CA 証明書）:
     openssl ts -verify -digest <SHA-256> -in timestamps/0001_<SHA-256>.tsr -CAfile ca.pem
  「Verification: OK」と表示されれば一致しています。時刻は openssl ts -reply -in <ファイル>.tsr -text で表示できます。

"""


def readme_text(*, case_label: str, actor: str, recipient: str, purpose: str, items: list[ExportItem]) -> bytes:
    text = README_TEXT.format(
        case_label=case_label,
        created=_when(timezone.now()),
        actor=actor,
        recipient=recipient or "（記載なし）",
        purpose=purpose,
        included=sum(1 for item in items if item.included),
        total=len(items),
        timezone=settings.TIME_ZONE,
        timestamps=TIMESTAMPS_TEXT if any(item.timestamps for item in items) else "",
    )
    return text.replace("\n", "\r\n").encode("utf-8")


def _sums_line(sha256: str, name: str) -> str:
    return f"{sha256}  {name}\n"


@dataclass
class Archive:
    """A case's export, ready to stream: ``len(archive)`` is its size in bytes."""

    filename: str
    folder: str
    items: list[ExportItem]
    members: list[tuple[str, bytes]]  # the small files made here (manifests, README, PDF)
    _stream: ZipStream | None = None

    def _zip(self) -> ZipStream:
        if self._stream is None:
            stream = ZipStream(compress_type=ZIP_STORED, sized=True)
            for item in self.items:
                if item.included:
                    stream.add(_read_chunks(item.storage_name), f"{self.folder}/{item.arcname}", size=item.size)
                for name, data, _ in item.timestamps:
                    stream.add(data, f"{self.folder}/{name}")
            for name, data in self.members:
                stream.add(data, f"{self.folder}/{name}")
            self._stream = stream
        return self._stream

    def __len__(self) -> int:
        return len(self._zip())

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._zip())


def _read_chunks(name: str) -> Iterator[bytes]:
    """The stored file's bytes, ``CHUNK_SIZE`` at a time, read only as the ZIP is consumed.

    On S3-compatible storage the object's body is streamed from the GET itself:
    django-storages' ``S3File`` would first download the whole object into a
    ``SpooledTemporaryFile`` that, with its default ``AWS_S3_MAX_MEMORY_SIZE`` of 0,
    never rolls over to disk — a whole recording in memory."""
    store = storage.evidence_storage()
    bucket = getattr(store, "bucket", None)
    if bucket is not None:  # django-storages' S3Storage
        location = (getattr(store, "location", "") or "").strip("/")
        body = bucket.Object(f"{location}/{name}" if location else name).get()["Body"]
        try:
            yield from body.iter_chunks(CHUNK_SIZE)
        finally:
            body.close()
        return
    with storage.open_stored(name) as handle:
        while chunk := handle.read(CHUNK_SIZE):
            yield chunk


def build_archive(
    *, case, items: list[ExportItem], actor_name: str, recipient: str, purpose: str, exported_at: dt.datetime
) -> Archive:
    case_label = f"事案 No.{case.pk:06d}"
    folder = f"case-{case.pk:06d}"
    created = _when(exported_at)
    about_lines = [
        f"{case_label}　担当課: {case.department.name}",
        f"作成日時: {created}　作成者: {actor_name}",
        f"提出先: {recipient or '（記載なし）'}　目的: {purpose}",
    ]
    about = {
        "case": case_label,
        "department": case.department.name,
        "exported_at": _iso(exported_at),
        "exported_by": actor_name,
        "recipient": recipient,
        "purpose": purpose,
        "hash_algorithm": "SHA-256",
    }
    members = [
        ("manifest.csv", manifest_csv(items)),
        ("manifest.json", manifest_json(items, about=about)),
        ("custody.csv", custody_csv(items)),
        ("evidence-list.pdf", evidence_list_pdf(items=items, title="証拠一覧", about=about_lines, author=actor_name)),
    ]
    sums = "".join(_sums_line(item.sha256, item.arcname) for item in items if item.included)
    sums += "".join(
        _sums_line(hashlib.sha256(data).hexdigest(), name) for item in items for name, data, _ in item.timestamps
    )
    sums += "".join(_sums_line(hashlib.sha256(data).hexdigest(), name) for name, data in members)
    members.append(("SHA256SUMS", sums.encode("utf-8")))
    members.append(
        (
            "README.txt",
            readme_text(case_label=case_label, actor=actor_name, recipient=recipient, purpose=purpose, items=items),
        )
    )
    stamp = safe_localtime(exported_at).strftime("%Y%m%d-%H%M")
    return Archive(filename=f"{folder}-evidence-{stamp}.zip", folder=folder, items=items, members=members)
