"""Demo requests from other businesses about our staff (他事業者からの申入れ, issue 15 B),
one in every state, made through the real services: received (nobody assigned yet),
under investigation with a note, waiting for the staff member's hearing, decided
(事実なし, ready to answer), decided 事実あり waiting for ``manager1``'s measures, measures
decided (the answer is due), replied
with the 回答書, and closed. ``staff1`` (市民課) is the staff member concerned in most, so
signing in as staff1 shows the staff member's own view."""

from __future__ import annotations

import datetime as dt

from accounts.models import User
from business_requests import services
from business_requests.choices import Outcome

BUSINESSES = (
    (
        "那須運送株式会社",
        "総務部 山口",
        "0287-20-1111",
        "配達の際、市民課の窓口で職員から大声で叱責され、配達員が萎縮した。",
    ),
    (
        "大田原ビルサービス",
        "営業所長 石井",
        "info@example.jp",
        "庁舎清掃の作業員に対し、職員が人格を否定する発言をした。",
    ),
    (
        "とちぎ給食センター",
        "所長 小川",
        "0287-30-2222",
        "納品の遅れについて、夜間の電話で職員から長時間にわたり責められた。",
    ),
    ("北関東警備保障", "管理部 森", "0287-40-3333", "庁舎の警備員に対し、職員が威圧的な態度で繰り返し指示した。"),
    ("那須塩原印刷", "営業 前田", "0287-50-4444", "校正の打合せで、職員から取引をやめると繰り返し言われた。"),
    ("大田原タクシー", "配車係 岡田", "0287-60-5555", "乗車した職員が運転手に対し、到着が遅いと大声を出した。"),
    ("大田原ガス", "保安課 松本", "0287-80-7777", "検針員に対し、職員が敷地への立入りについて大声で抗議した。"),
    ("県北リース", "担当 藤田", "0287-70-6666", "リース機器の保守担当者に、職員が何度も長時間の電話をした。"),
)


def business_requests_create(*, today: dt.date) -> int:
    specialist = User.objects.get(username="specialist1")
    manager = User.objects.get(username="manager1")
    staff = User.objects.get(username="staff1")
    staff2 = User.objects.get(username="staff2")
    made = []
    for index, (name, person, reach, what) in enumerate(BUSINESSES):
        received = today - dt.timedelta(days=3 + index * 9)
        made.append(
            services.business_request_receive(
                actor=specialist,
                business_name=name,
                contact_person=person,
                contact_details=reach,
                channel="phone" if index % 2 == 0 else "letter",
                received_on=received,
                incident_on=received - dt.timedelta(days=2),
                incident_place="市役所本庁舎",
                description=what,
                asked_for="事実の確認と、再発防止のための対応",
                staff=[staff2] if index == 3 else [] if index == 2 else [staff],
                staff_description="夜間に電話をかけてきた男性職員（氏名不明）" if index == 2 else "",
                evidence_description="配達員の報告書（写し）" if index == 0 else "",
            )
        )
    _received, investigating, unknown_staff, no_fact, fact_found, measured, replied, closed = made

    def assign(item):
        return services.business_request_assign(actor=specialist, request=item, handler=specialist, managers=[manager])

    def hear(item, person, account):
        services.business_request_hearing_record(
            actor=specialist,
            request=item,
            staff=person,
            held_on=item.received_on + dt.timedelta(days=3),
            account=account,
        )

    def decide(item, outcome, reasons):
        return services.business_request_decide_outcome(
            actor=specialist, request=item, outcome=outcome, reasons=reasons
        )

    # 調査中（調査記録あり、聴取は未了: staff1's hearing is due）
    assign(investigating)
    services.business_request_note_add(
        actor=specialist, request=investigating, text="清掃業者の現場責任者に電話で状況を確認した。"
    )
    # 担当の決定のみ（氏名不明の職員: 課の勤務表で確認中）
    assign(unknown_staff)
    services.business_request_note_add(
        actor=specialist, request=unknown_staff, text="勤務表から該当の時間帯の職員を確認中。"
    )
    # 事実なし（回答待ち）
    assign(no_fact)
    hear(no_fact, staff2, "指示は業務上必要なもので、口調も通常どおりだった。")
    decide(no_fact, Outcome.NO_FACT, "同席していた職員2名の説明と本人の説明が一致し、威圧的な言動は確認できなかった。")
    # 事実あり（管理職の措置待ち）
    assign(fact_found)
    hear(fact_found, staff, "急いでいたため、強い言い方をしてしまった。")
    decide(fact_found, Outcome.FACT_FOUND, "本人が発言を認め、同席者の説明とも一致した。")
    # 措置決定済み（回答待ち）、回答済み（回答書を発出）、終結
    for item in (measured, replied, closed):
        assign(item)
        hear(item, staff, "到着が遅れて焦り、大きな声を出してしまった。")
        decide(item, Outcome.FACT_FOUND, "本人が認めた。")
        services.business_request_decide_measures(
            actor=manager,
            request=item,
            guidance=True,
            training=item is closed,
            note="課長から指導し、接遇研修の受講を指示した。",
        )
        if item is measured:
            continue
        services.business_request_reply_record(
            actor=specialist,
            request=item,
            sent_on=min(today, item.received_on + dt.timedelta(days=14)),
            summary="職員の不適切な言動を確認し、指導を行いました。",
            issue_letter=True,
        )
    services.business_request_close(actor=specialist, request=closed)
    return len(made)
