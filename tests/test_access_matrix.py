"""The access matrix (issue 13 B5): every URL pattern and every API operation,
as every role, for an object of the user's own department and of another,
answers what ``mamoru/access_rules.py`` declares; an endpoint without a rule
fails; a refused request changes nothing; a POST-only view refuses GET; and
``docs/access-matrix.md`` is what ``python -m mamoru access-matrix`` writes.

One city, one request per cell, each in a savepoint rolled back afterwards so
the cells do not depend on one another."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import wave
from binascii import unhexlify
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.oath import totp

from accounts import twofactor
from accounts.models import User
from accounts.services import token_issue, user_create
from backup_calls.services import backup_call_create
from cases.models import Case
from cases.selectors import case_next_states
from cases.services import follow_up_record
from disclosure import services as disclosure_services
from disclosure.choices import Decision
from evidence import services as evidence_services
from evidence.incoming import incoming_from_stream
from evidence.services import evidence_add
from evidence.timestamp_services import stored_file_timestamp
from evidence.transcript_formats import Segment
from evidence.transcript_services import transcript_save
from letters.services import letter_templates_ensure
from mamoru import access_matrix
from mamoru.access_matrix import ROLES, check_rules, endpoints, fill, rule
from mamoru.access_rules import RULES
from measures import services as measure_services
from notifications.services import notification_send
from online.letters import post_letter_issue
from online.services import post_register
from people.merging import resident_merge
from records.services import contact_start
from repetition.models import RepetitionFlag
from repetition.services import repetition_evaluate

from .conftest import PASSWORD
from .factories import make_contact, make_resident
from .test_evidence_pages import PNG, wav_bytes
from .tsa_server import TimeStampAuthority

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "access-matrix.md"
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# A refused request may still leave the audit entry of the attempt (and move the end of the
# audit log's hash chain to it, issue 13 B3) and touch its session.
WAV = wav_bytes()
ALLOWED_TABLES = {"audit_auditentry", "audit_auditchainhead", "django_session"}
# Authenticating a token notes its last use (time and address): bookkeeping, not a change the request made.
TOKEN_USE = re.compile(
    r'^\s*UPDATE\s+"accounts_apitoken"\s+SET\s+"last_used_at"\s*=\s*[^,]*,\s*"last_used_address"\s*=\s*[^,]*\s+WHERE',
    re.IGNORECASE,
)
HARASSMENT = dict(harassment="yes", categories=["verbal_abuse"])
EVIDENCE_PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
# The authenticator app's secret every signed-in session is enrolling (two-factor pages).
ENROL_KEY = "3132333435363738393031323334353637383930"


def _enrol_code() -> str:
    return f"{totp(unhexlify(ENROL_KEY)):06d}"


class _Rollback(Exception):
    pass


def _department_objects(city, actor, department, manager, tag):
    """The objects of one department that the URLs name."""
    resident = make_resident(actor, name=f"{tag} 太郎", kana="たろう", phones=(f"0287-2{len(tag)}-{actor.pk:04d}",))
    twin = make_resident(actor, name=f"{tag} 次郎", kana="じろう", phones=())
    contact = make_contact(actor, department=department, resident=resident, **HARASSMENT)
    # Over the pack's 「1週間の長時間の対応」 (120 minutes in a week): a repetition flag.
    make_contact(actor, department=department, resident=resident, minutes=130, ago=dt.timedelta(days=2))
    repetition_evaluate(resident=resident)
    live = contact_start(actor=actor, channel="counter", resident=resident)
    called = contact_start(actor=actor, channel="phone", resident=twin)
    call = backup_call_create(actor=actor, contact=called, reason="大声")
    case = Case.objects.filter(department=department).order_by("pk").first()
    # A photo on the case (export stream, issue 14): what the export and the hand-over act on.
    case_evidence = evidence_services.evidence_add(
        actor=actor, incoming=incoming_from_stream(io.BytesIO(EVIDENCE_PNG), name=f"{tag}-case.png"), case=case
    ).evidence
    follow_up = follow_up_record(
        actor=manager, case=case, staff=actor, kind="interview", due_date=timezone.localdate() + dt.timedelta(days=7)
    )
    # online stream (issue 15 A): a post about the department's staff member, reported by them.
    online_post = post_register(
        actor=actor,
        urls=[f"https://example.jp/{tag}"],
        platform="other",
        platform_name="掲示板",
        affected_staff=[actor],
    ).post
    online_letter = post_letter_issue(
        actor=city.specialist,
        post=online_post,
        kind="deletion",
        provider="掲示板の管理者",
        rights=["privacy"],
        reasons="職員の氏名と顔写真が無断で公開されている。",
        on_behalf="city",
        content="市役所の職員の写真",
    )

    def draft():
        return measure_services.measure_draft(
            actor=city.specialist,
            resident=resident,
            kind="warning",
            terms=measure_services.MeasureTerms(
                reasons="度重なる大声での威圧",
                contacts=[contact],
                lead_department=department,
                starts_on=timezone.localdate(),
                requests="窓口で大声を出さないこと。",
            ),
        )

    drafted = draft()
    submitted = measure_services.measure_submit(actor=city.specialist, measure=draft())
    approved = measure_services.measure_approve(
        actor=manager, measure=measure_services.measure_submit(actor=city.specialist, measure=draft())
    )
    measure = draft()
    measure_services.measure_submit(actor=city.specialist, measure=measure)
    measure_services.measure_approve(actor=manager, measure=measure)
    measure = measure_services.measure_issue(actor=city.specialist, measure=measure)
    appeal = measure_services.measure_appeal_record(
        actor=city.specialist, measure=measure, received_on=timezone.localdate(), content="不服"
    )
    notification = notification_send(users=[manager], kind="test", text="お知らせ", url="/")[0]
    flag = RepetitionFlag.objects.filter(resident=resident).order_by("pk").first()
    merged_away = make_resident(actor, name=f"{tag} 三郎", kana="さぶろう", phones=())
    merge = resident_merge(actor=city.specialist, source=merged_away, target=twin, reason="同一人物")
    recording = _recording_with_transcript(actor, contact, tag)
    evidence = evidence_services.evidence_add(
        actor=actor, incoming=incoming_from_stream(io.BytesIO(PNG), name=f"{tag}.png"), contact=contact
    ).evidence
    held = evidence_services.evidence_add(
        actor=actor, incoming=incoming_from_stream(io.BytesIO(PNG + tag.encode()), name=f"{tag}2.png"), contact=contact
    ).evidence
    evidence_services.evidence_hold_set(actor=manager, evidence=held, ground="litigation", reason="訴訟")
    objects = {
        "evidence": evidence,
        "held": held,
        "resident": resident,
        "twin": twin,
        "contact": contact,
        "live": live,
        "called": called,
        "call": call,
        "case": case,
        "case_evidence": case_evidence,
        "follow_up": follow_up,
        "online_post": online_post,
        "online_letter": online_letter,
        "measure": measure,
        "drafted": drafted,
        "submitted": submitted,
        "approved": approved,
        "manager": manager,
        "actor": actor,
        "appeal": appeal,
        "notification": notification,
        "flag": flag,
        "merge": merge,
        "department": department,
        "recording": recording,
    }
    missing = [name for name, obj in objects.items() if obj is None]
    assert not missing, f"the test city lacks {missing} (did the policy pack change?)"
    return objects


def _recording_with_transcript(actor, contact, tag):
    """A recording of the contact (uploaded by ``actor``) with a transcript (transcripts stream)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(tag.encode() * 800)
    incoming = incoming_from_stream(io.BytesIO(buffer.getvalue()), name=f"{tag}.wav")
    recording = evidence_services.evidence_add(actor=actor, incoming=incoming, contact=contact).evidence
    transcript_save(
        actor=actor, evidence=recording, segments=[Segment(start=1.0, end=2.0, speaker="職員", text="はい")]
    )
    return recording


def _disclosure_objects(city, resident, compiler):
    """Personal-data requests about ``resident`` at every step the URLs act on: compiled by
    ``compiler`` (another specialist), so that the table's specialist may review and decide."""
    today = timezone.localdate()

    def register():
        return disclosure_services.disclosure_request_register(
            actor=city.specialist,
            resident=resident,
            received_on=today,
            channel="counter",
            requester_kind="self",
            identity_document="driving_licence",
            content="私に関する対応記録その他市が保有する情報のすべて",
            delivery_method="counter",
        )

    def collected():
        return disclosure_services.disclosure_request_collect(actor=compiler, request=register())

    def in_review():
        item = disclosure_services.disclosure_review_start(actor=city.specialist, request=collected())
        withholding = disclosure_services.disclosure_withhold(
            actor=city.specialist,
            request=item,
            item_key=item.snapshot[0]["items"][0]["key"],
            ground="third_party",
            reason="第三者の情報を含むため",
        )
        return item, withholding

    reviewing, withholding = in_review()
    decided = disclosure_services.disclosure_request_decide(
        actor=city.specialist, request=in_review()[0], decision=Decision.PARTIAL, decided_on=today
    )
    correction = disclosure_services.correction_register(
        actor=compiler,
        resident=resident,
        received_on=today,
        identity_document="driving_licence",
        item_key="",
        item_title="窓口での対応記録",
        requested_text="大声を出したのではなく、聞き返しただけです。",
        grounds="事実と異なるため",
    )
    return {
        "received": register(),
        "collected": collected(),
        "reviewing": reviewing,
        "withholding": withholding,
        "decided": decided,
        "correction": correction,
    }


def _business_request_objects(city):
    """business stream (issue 15 B): requests from another business about city.staff, the
    manager of 市民課 named, at each step the URLs act on."""
    from business_requests import services as br

    def receive():
        return br.business_request_receive(
            actor=city.specialist,
            business_name="那須運送",
            contact_person="佐藤",
            contact_details="0287-11-2222",
            description="窓口で叱責された",
            asked_for="事実確認",
            staff=[city.staff],
        )

    def assigned():
        return br.business_request_assign(
            actor=city.specialist, request=receive(), handler=city.specialist, managers=[city.manager]
        )

    def decided():
        item = assigned()
        hearing = br.business_request_hearing_record(
            actor=city.specialist, request=item, staff=city.staff, held_on=timezone.localdate(), account="説明"
        )
        item = br.business_request_decide_outcome(
            actor=city.specialist, request=item, outcome="fact_found", reasons="r"
        )
        return item, hearing

    def measured():
        return br.business_request_decide_measures(
            actor=city.manager, request=decided()[0], guidance=True, training=False, note="指導"
        )

    replied = br.business_request_reply_record(
        actor=city.specialist, request=measured(), sent_on=timezone.localdate(), summary="回答", issue_letter=True
    )
    item, hearing = decided()
    return {
        "br_received": receive(),
        "br_assigned": assigned(),
        "br_decided": item,
        "br_hearing": hearing,
        "br_measured": measured(),
        "br_replied": replied,
    }


@pytest.fixture(scope="module")
def timestamp_authority(tmp_path_factory):
    """timestamps stream: a real TSA on loopback for the evidence's time-stamp token."""
    tsa = TimeStampAuthority(tmp_path_factory.mktemp("tsa")).start()
    yield tsa
    tsa.stop()


def _evidence_objects(actor, contact, tag: bytes):
    """timestamps stream: a piece of evidence ``actor`` uploaded, with its time-stamp token."""
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64 + tag
    added = evidence_add(actor=actor, incoming=incoming_from_stream(io.BytesIO(png), name="窓口.png"), contact=contact)
    stamped = stored_file_timestamp(actor=None, stored_file=added.evidence.stored_file)
    assert not stamped.error, stamped.error
    return {"evidence": added.evidence, "timestamp": stamped.token}


@pytest.fixture
def world(city, settings, tmp_path, timestamp_authority):
    settings.MAMORU_BACKUP_ESCALATION_INTERVAL = 0
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    # The speech-to-text engine a city installs: a tiny real one that prints WebVTT.
    engine = tmp_path / "stt"
    engine.write_text(f"#!{sys.executable}\nprint('WEBVTT\\n\\n00:00:00.000 --> 00:00:01.000\\n下書き')\n")
    engine.chmod(0o755)
    settings.MAMORU_STT_COMMAND = str(engine)
    settings.MAMORU_REPETITION_RECOUNT_INTERVAL = 0
    zeimu_manager = user_create(
        actor=None, username="manager2", password=PASSWORD, role="manager", department=city.zeimu, full_name="税務 課長"
    )
    own = _department_objects(city, city.staff, city.shimin, city.manager, "市民")
    other = _department_objects(city, city.zeimu_staff, city.zeimu, zeimu_manager, "税務")
    settings.MAMORU_TSA_URL = timestamp_authority.url
    own.update(_evidence_objects(city.staff, own["contact"], b"own"))
    other.update(_evidence_objects(city.zeimu_staff, other["contact"], b"other"))
    token, _key = token_issue(actor=None, user=city.specialist, name="連携")
    # A token one administrator requested for a service account, waiting for another's approval.
    admin2 = user_create(actor=None, username="admin2", password=PASSWORD, role="administrator", department=None)
    service = user_create(
        actor=None, username="service", password="", role="staff", department=city.shimin, is_service_account=True
    )
    pending_token, _key = token_issue(actor=admin2, user=service, name="基幹連携", scope="write")
    specialist2 = user_create(
        actor=None, username="specialist2", password=PASSWORD, role="specialist", department=city.somu
    )
    shared = {
        **_disclosure_objects(city, own["resident"], specialist2),
        "token": token,
        "pending_token": pending_token,
        "letter_template": letter_templates_ensure()[0],
        "user": city.staff,
        "content_type": ContentType.objects.get_for_model(User),
    }
    shared.update(_business_request_objects(city))
    for objects in (own, other):
        objects.update(shared)
    users = {
        "anonymous": None,
        "staff": city.staff,
        "supervisor": city.supervisor,
        "manager": city.manager,
        "specialist": city.specialist,
        "administrator": city.admin,
    }
    keys = {
        role: token_issue(actor=None, user=user, name="matrix", scope="write")[1]
        for role, user in users.items()
        if user
    }
    return {"own": own, "other": other, "users": users, "keys": keys}


def _value(objects, name):
    if name.startswith("="):
        return name[1:]
    return objects[name].pk


def _contact_payload(department):
    started = timezone.now() - dt.timedelta(hours=3)
    return {
        "department_id": department.pk,
        "channel": "phone",
        "started_at": started.isoformat(),
        "ended_at": (started + dt.timedelta(minutes=20)).isoformat(),
        "summary": "納税通知についての苦情",
        "harassment": "no",
    }


# What an API operation sends as its JSON body (own/other: the department it names).
API_BODY = {
    "mamoru_api_contacts_create": lambda o: _contact_payload(o["department"]),
    "mamoru_api_contacts_update": lambda o: _contact_payload(o["department"]),
    "mamoru_api_residents_create": lambda o: {"name": "新規 住民", "name_kana": "しんき じゅうみん"},
}
# What an API operation sends as a multipart form (files).
API_FORM = {
    "mamoru_api_contacts_evidence_add": lambda o: {
        "file": SimpleUploadedFile("call.wav", WAV),
        "kind": "recording",
        "captured_by": "通話録音装置",
    },
}
# Query parameters an operation needs (the version a PUT is based on).
API_QUERY = {"mamoru_api_contacts_update": lambda o: f"?version={o['contact'].version}"}


# What a POST sends, so that a role allowed to act really acts (and one refused is
# refused by the rule, not by an empty form).
POST_DATA = {
    "records:contact_start": lambda o: {"channel": "counter"},
    "evidence:contact_upload": lambda o: {"files": [SimpleUploadedFile("call.wav", WAV)], "captured_by_name": "職員"},
    "evidence:case_upload": lambda o: {"files": [SimpleUploadedFile("photo.png", PNG)]},
    "evidence:subject_upload": lambda o: {"files": [SimpleUploadedFile("memo.png", PNG)]},
    "evidence:evidence_open": lambda o: {"kind": "downloaded", "purpose": "事案の経過確認"},
    "backup_calls:create": lambda o: {"reason": "大声で威嚇"},
    "cases:case_state": lambda o: {"state": case_next_states(case=o["case"])[0], "reason": "経過"},
    "cases:case_step": lambda o: {"step": "several_staff", "note": "二人で対応"},
    "cases:case_handler": lambda o: {"handler": o["manager"].pk},
    "cases:follow_up_create": lambda o: {"staff": o["actor"].pk, "kind": "interview", "due_date": "2030-01-31"},
    "repetition:flag_decide": lambda o: {"decision": "confirmed", "reason": "記録を確認した"},
    "evidence_hold:hold_set": lambda o: {"ground": "disclosure_request", "reason": "開示請求を受付"},
    "evidence_hold:hold_release": lambda o: {"reason": "訴訟が終わった"},
    "measures:measure_withdraw": lambda o: {"reason": "事実誤認"},
    "measures:measure_appeal": lambda o: {"received_on": timezone.localdate().isoformat(), "content": "不服"},
    "measures:measure_appeal_decide": lambda o: {"outcome": "upheld", "reason": "妥当"},
    "measures:measure_send_back": lambda o: {"comment": "再検討を"},
    "people:resident_merge": lambda o: {"keep": o["resident"].pk, "reason": "同一人物"},
    "people:resident_merge_undo": lambda o: {"reason": "別人だった"},
    "accounts:reauthenticate": lambda o: {"password": PASSWORD},
    "evidence:case_export": lambda o: {"purpose": "被害届の提出", "recipient": "大田原警察署"},
    "evidence:case_handover": lambda o: {
        "officer": "警察 太郎",
        "station": "大田原警察署",
        "handed_on": timezone.localdate().isoformat(),
        "evidence": [o["case_evidence"].pk],
    },
    "accounts:otp_enrol": lambda o: {"code": _enrol_code()},
    "disclosure:request_new": lambda o: {
        "received_on": timezone.localdate().isoformat(),
        "channel": "counter",
        "requester_kind": "self",
        "identity_document": "driving_licence",
        "content": "私に関する記録のすべて",
        "delivery_method": "counter",
    },
    "disclosure:request_withhold": lambda o: {
        "target": f"{o['reviewing'].snapshot[-1]['items'][-1]['key']}|",
        "ground": "third_party",
        "reason": "第三者の情報を含むため",
    },
    "disclosure:request_decide": lambda o: {
        "decision": "partial",
        "decided_on": timezone.localdate().isoformat(),
        "reason": "第三者の情報を除いて開示",
    },
    "disclosure:request_extend": lambda o: {"extension_reason": "対象の記録が多数の課にわたるため"},
    "disclosure:request_deliver": lambda o: {"delivered_on": timezone.localdate().isoformat()},
    "disclosure:correction_new": lambda o: {
        "received_on": timezone.localdate().isoformat(),
        "identity_document": "driving_licence",
        "target": "__other__",
        "other_title": "窓口での対応記録",
        "requested_text": "聞き返しただけです。",
        "grounds": "事実と異なるため",
    },
    "disclosure:correction_detail": lambda o: {"decision": "correct", "reason": "記録者に確認した"},
    "disclosure:correction_extend": lambda o: {"extension_reason": "記録者への確認に時間を要するため"},
    "transcripts:transcript_edit": lambda o: {
        "version": "1",
        "start": "00:00:01",
        "end": "00:00:02",
        "speaker": "住民等",
        "text": "聞き直して修正",
    },
    "transcripts:transcript_import": lambda o: {
        "version": "1",
        "file": SimpleUploadedFile("export.csv", "start,end,speaker,text\n1,2,職員,はい\n".encode()),
    },
}
POST_DATA.update(
    {
        "business_requests:new": lambda o: {
            "business_name": "那須運送",
            "contact_person": "佐藤",
            "contact_details": "0287-11-2222",
            "channel": "phone",
            "received_on": timezone.localdate().isoformat(),
            "description": "窓口で叱責された",
            "staff_description": "午前の窓口の職員",
            "asked_for": "事実確認",
        },
        "business_requests:assign": lambda o: {"handler": o["br_assigned"].handler_id},
        "business_requests:note": lambda o: {"text": "調査した"},
        "business_requests:hearing": lambda o: {
            "staff": o["br_hearing"].staff_id,
            "held_on": timezone.localdate().isoformat(),
            "account": "説明",
        },
        "business_requests:outcome": lambda o: {"outcome": "no_fact", "reasons": "証拠なし"},
        "business_requests:measures": lambda o: {"guidance": "on", "note": "指導"},
        "business_requests:reply": lambda o: {"sent_on": timezone.localdate().isoformat(), "summary": "回答"},
    }
)
# A page's query string, on GET and POST alike (the resident a request is received for).
PAGE_QUERY = {
    "disclosure:request_new": lambda o: f"?resident={o['resident'].pk}",
    "disclosure:correction_new": lambda o: f"?resident={o['resident'].pk}",
}


def _enrolled(user):
    twofactor.otp_device_enrol(actor=user, key=ENROL_KEY, code=_enrol_code())


# What the role's own user must have before the request, made in the request's savepoint
# (recovery codes are regenerated, and devices removed, only for a user who has enrolled).
PREPARE = {
    "accounts:otp_recovery_regenerate": _enrolled,
    "accounts:otp_remove": _enrolled,
}


def _classify(response, signed_in: bool) -> str:
    status = response.status_code
    if status in (401,):
        return "login"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        if location.startswith(("/accounts/login/", "/admin/login/")):
            if signed_in and not response.wsgi_request.user.is_authenticated:
                return "ok"  # the request signed its user out, as asked (ログアウト), and sent them to sign in
            return "login"
    if status in (400, 403, 404, 405):
        return str(status)
    if status in (409, 422):
        return "400"
    if status < 400:
        # Refused with a message (「…権限がありません」) and sent back: the page's messages say so.
        if any(m.level >= messages.ERROR for m in messages.get_messages(response.wsgi_request)):
            return "msg"
        return "ok"
    return str(status)


def _writes(queries) -> list[str]:
    found = []
    for query in queries:
        match = WRITE.match(query["sql"])
        if match and match.group(2).lower() not in ALLOWED_TABLES and not TOKEN_USE.match(query["sql"]):
            found.append(query["sql"][:120])
    return found


REFUSED = ("login", "400", "403", "404", "405", "msg")


class Requester:
    """One client per role; every request in a savepoint rolled back afterwards,
    with the client's cookies as they were (a sign-out must not sign the role out)."""

    def __init__(self, world):
        self.world = world
        self.clients = {}
        for role, user in world["users"].items():
            client = Client()
            if user is not None:
                client.force_login(user)
                session = client.session
                session[twofactor.PENDING_KEY] = ENROL_KEY  # the enrolment page's secret (see _enrol_code)
                session.save()
            self.clients[role] = client

    def send(self, role, endpoint, method, objects):
        client = self.clients[role]
        values = {name: _value(objects, rule_name) for name, rule_name in RULES[endpoint.key].objects.items()}
        path = fill(endpoint.route, values)
        kwargs = {}
        if endpoint.kind == "api":
            key = self.world["keys"].get(role)
            if key:
                kwargs["headers"] = {"Authorization": f"Bearer {key}"}
            if endpoint.key in API_BODY:
                kwargs["data"] = json.dumps(API_BODY[endpoint.key](objects))
                kwargs["content_type"] = "application/json"
            if endpoint.key in API_FORM:
                kwargs["data"] = API_FORM[endpoint.key](objects)
            if endpoint.key in API_QUERY:
                path += API_QUERY[endpoint.key](objects)
        if endpoint.kind == "page" and method == "POST" and endpoint.key in POST_DATA:
            kwargs["data"] = POST_DATA[endpoint.key](objects)
        if endpoint.kind == "page" and endpoint.key in PAGE_QUERY:
            path += PAGE_QUERY[endpoint.key](objects)
        user = self.world["users"][role]
        cookies = SimpleCookie()
        cookies.load(client.cookies.output(header="", sep=";"))
        connection.queries_log.clear()  # a full log would make the capture below empty
        try:
            with transaction.atomic():
                if user is not None and endpoint.key in PREPARE:
                    PREPARE[endpoint.key](user)
                with CaptureQueriesContext(connection) as queries:
                    response = getattr(client, method.lower())(path, **kwargs)
                raise _Rollback
        except _Rollback:
            pass
        client.cookies = cookies
        return path, response, _writes(queries.captured_queries)


def test_every_endpoint_has_a_rule():
    """A new URL or API operation without a declared rule fails here, by name."""
    problems = check_rules(endpoints(), RULES)
    assert not problems, "\n".join(problems)


def test_an_endpoint_without_a_rule_or_a_rule_without_an_endpoint_is_named():
    rules = dict(RULES)
    del rules["records:contact_detail"]
    rules["records:gone"] = rule("GET", "login ok ok ok ok 403")
    problems = check_rules(endpoints(), rules)
    assert any(p.startswith("records:contact_detail (contacts/<int:pk>/) has no rule") for p in problems), problems
    assert any(p.startswith("records:gone: a rule for an endpoint that no longer exists") for p in problems)
    rules = {**RULES, "records:contact_detail": rule("GET", "login ok ok ok ok")}
    assert any("6 cells expected" in p for p in check_rules(endpoints(), rules))
    rules = {**RULES, "records:contact_detail": rule("GET", "login ok ok ok ok 403")}
    assert any("names no object for ['pk']" in p for p in check_rules(endpoints(), rules))


def test_every_role_reaches_exactly_what_the_matrix_declares(world):
    requester = Requester(world)
    mismatches = []
    for endpoint in endpoints():
        declared = RULES.get(endpoint.key)
        if declared is None:
            continue  # test_every_endpoint_has_a_rule names it
        scoped = bool(declared.objects)
        sent = [endpoint.api_method] if endpoint.kind == "api" else list(declared.methods)
        for method in sent:
            cells = declared.cells(method)
            for role in ROLES:
                for index, side in enumerate(("own", "other") if scoped else ("own",)):
                    expected = cells[role][index]
                    path, response, writes = requester.send(role, endpoint, method, world[side])
                    got = _classify(response, signed_in=role != "anonymous")
                    where = f"{endpoint.key} {method} {path} as {role} ({side})"
                    if got != expected:
                        mismatches.append(f"{where}: expected {expected}, got {got} ({response.status_code})")
                    if got in REFUSED and writes:
                        mismatches.append(f"{where}: refused ({got}) but wrote {writes}")
        for role in ROLES:
            if endpoint.kind == "page" and declared.methods == ("POST",):
                path, response, writes = requester.send(role, endpoint, "GET", world["own"])
                # Django's admin sends a GET of its logout to its index instead of 405.
                if (
                    _classify(response, signed_in=role != "anonymous") not in REFUSED
                    and not response.status_code == 302
                ) or writes:
                    mismatches.append(
                        f"{endpoint.key} GET {path} as {role}: a POST-only view must refuse GET, "
                        f"got {response.status_code}, wrote {writes}"
                    )
    assert not mismatches, "\n" + "\n".join(mismatches)


def test_the_document_is_up_to_date():
    """docs/access-matrix.md is what ``python -m mamoru access-matrix`` writes."""
    expected = access_matrix.render_markdown(access_matrix.rows())
    assert DOC.read_text(encoding="utf-8") == expected, (
        "docs/access-matrix.md is out of date: run `python -m mamoru access-matrix -o docs/access-matrix.md`"
    )


def test_the_command_writes_markdown_and_csv(tmp_path):
    out = tmp_path / "matrix.csv"
    result = subprocess.run(
        [sys.executable, "-m", "mamoru", "access-matrix", "--csv", "--output", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        # (not settings.SETTINGS_MODULE: the suite's overridden settings have none)
        env={**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "mamoru.settings")},
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("エンドポイント,メソッド,URL,未ログイン,職員")
    assert "records:contact_detail" in text and "mamoru_api_contacts_list" in text
