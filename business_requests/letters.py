"""The answer to the business (申入れに対する回答書) as a letter of the letters app: A4 PDF,
和暦, 文書番号, an editable template (letters' template pages)."""

from __future__ import annotations

import datetime as dt

from letters.kinds import LetterKind, register_kind
from letters.services import LetterContext, letter_issue
from mamoru.lib.wareki import format_wareki

from .choices import Outcome

REPLY_KIND = LetterKind(
    code="business_request_reply",
    name="他事業者からの申入れへの回答",
    letter="申入れに対する回答書",
    body="""　貴社から申入れのありました本市職員の言動について、調査の結果を下記のとおり回答いたします。
　本市は、{基本方針}に基づき、本市の職員が他事業者の従業員等に対してカスタマーハラスメントを行った恐れがある場合には、要請に応じて対応に協力いたします。

記

1　申入れの概要
　{事実}

2　調査の結果
　{理由}

3　本市の対応
　{要請事項}

4　問合せ先
　{連絡先}

以上
""",
)


def register() -> None:
    register_kind(REPLY_KIND)


def reply_context(*, request, summary: str, sent_on: dt.date, address: str = "") -> LetterContext:
    """What the letter says: the request as received, the outcome with the answer's text, and
    the measures taken (their kind only: what a member of staff was told stays internal)."""
    received = format_wareki(request.received_on)
    facts = [f"{received}受付　{request.business_name}からの申入れ（本市職員の言動について）"]
    if request.incident_on:
        place = f"（{request.incident_place}）" if request.incident_place else ""
        facts.append(f"発生日　{format_wareki(request.incident_on)}{place}")
    done = []
    if request.outcome == Outcome.FACT_FOUND:
        if request.measure_guidance:
            done.append("当該職員に対し、所属の管理職から指導を行いました。")
        if request.measure_training:
            done.append("当該職員に研修を受講させます。")
        done.append("再発防止に努めます。")
    else:
        done.append("引き続き、適切な対応に努めます。")
    return LetterContext(
        addressee_name=f"{request.business_name}　{request.contact_person}",
        addressee_address=address,
        fact_lines=facts,
        reasons=f"{request.outcome_name}。{summary}",
        requests=done,
        measure_name=REPLY_KIND.name,
        issued_on=sent_on,
    )


def reply_letter_issue(*, actor, request, summary: str, sent_on: dt.date, address: str = ""):
    return letter_issue(
        actor=actor,
        measure_code=REPLY_KIND.code,
        context=reply_context(request=request, summary=summary, sent_on=sent_on, address=address),
    )
