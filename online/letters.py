"""The letters asking a provider to stop showing a post (issue 15 A.4), written from the
record and issued through the letters app (A4 PDF, 和暦, 文書番号 where the city sends it).

The right infringed belongs to the staff member: the letter is in their name with the
city's support (no city document number), or in the city's name where the post targets
the organisation. The drafter chooses, and the letter says which."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from letters.plain import letter_issue_plain
from mamoru.policy.loader import current as current_policy

from .choices import LetterKind, OnBehalf, Right
from .models import OnlinePost, PostLetter
from .permissions import require_record_step, require_see_post
from .services import platform_label

LAW = "特定電気通信による情報の流通によって発生する権利侵害等への対処に関する法律（情報流通プラットフォーム対処法）"


def _body(*, kind, post, urls, content, rights, reasons, on_behalf, requester, pack) -> list[str]:
    city = pack.city.name
    rights_text = "、".join(str(Right(r).label) for r in rights)
    who = requester.display_name if requester else ""
    if on_behalf == OnBehalf.STAFF:
        subject = _("私（{city}職員 {who}）").format(city=city, who=who)
    else:
        subject = _("{city}（及びその職員）").format(city=city)
    if kind == LetterKind.TAKEDOWN:
        opening = _(
            "貴社が管理する特定電気通信設備に掲載されている下記の情報の流通により、{subject}の権利が侵害されました。"
            "{law}に基づき、当該情報の送信を防止する措置を講じていただくよう依頼します。"
        ).format(subject=subject, law=LAW)
    else:
        opening = _(
            "貴殿（貴社）が管理するウェブサイトに掲載されている下記の情報により、{subject}の権利が侵害されています。"
            "つきましては、当該情報を削除していただくよう依頼します。"
        ).format(subject=subject)
    lines = [opening, "", "記", "", _("１　掲載されている場所（URL）")]
    lines += [f"　　{url}" for url in urls]
    lines += ["", _("２　掲載されている情報（原文どおり）")]
    lines += [f"　　{line}" for line in content.splitlines() if line.strip()]
    lines += ["", _("３　侵害されたとする権利"), f"　　{rights_text}"]
    lines += ["", _("４　権利が侵害されたとする理由")]
    lines += [f"　　{line}" for line in reasons.splitlines() if line.strip()]
    lines += ["", _("５　名義と連絡先")]
    if on_behalf == OnBehalf.STAFF:
        lines.append(
            _(
                "　　本依頼は、権利を侵害された{city}職員 {who} が本人の名義で行うものです。"
                "{city}（{section}）は、職員を守るための基本方針に基づきこれを支援しています。"
            ).format(city=city, who=who, section=pack.city.specialist_section)
        )
    else:
        lines.append(
            _("　　本依頼は、{city}の組織及び職員を対象とする投稿について、{city}が市の名義で行うものです。").format(
                city=city
            )
        )
    lines.append(_("　　連絡先: {contact}").format(contact=pack.city.contact))
    lines += ["", _("以上")]
    return lines


@transaction.atomic
def post_letter_issue(
    *,
    actor,
    post: OnlinePost,
    kind: str,
    provider: str,
    rights: list[str],
    reasons: str,
    on_behalf: str,
    requester=None,
    content: str = "",
    provider_address: str = "",
) -> PostLetter:
    """Issue the letter for ``post`` through the letters app (the specialist section)."""
    require_see_post(actor, post)
    require_record_step(actor, post)
    urls = [item.url for item in post.urls.all()]
    if not urls:
        raise ValidationError(
            _("URL が登録されていない投稿には依頼書を作れません。先に投稿の URL を登録してください。")
        )
    errors: dict[str, list[str]] = {}
    if kind not in LetterKind.values:
        errors.setdefault("kind", []).append(_("文書の種類を選んでください。"))
    if on_behalf not in OnBehalf.values:
        errors.setdefault("on_behalf", []).append(_("名義（職員本人か市か）を選んでください。"))
    if on_behalf == OnBehalf.STAFF:
        if requester is None:
            errors.setdefault("requester", []).append(_("職員本人の名義のときは、依頼者の職員を選んでください。"))
        elif not post.affected_staff.filter(pk=requester.pk).exists():
            errors.setdefault("requester", []).append(_("依頼者は、この投稿の対象の職員から選んでください。"))
    provider = (provider or "").strip()
    if not provider:
        errors.setdefault("provider", []).append(_("宛先（事業者・サイト管理者）を入力してください。"))
    rights = list(dict.fromkeys(rights or []))
    if not rights or any(r not in Right.values for r in rights):
        errors.setdefault("rights", []).append(
            _("侵害されたとする権利（名誉権・プライバシー・肖像権）を選んでください。")
        )
    reasons = (reasons or "").strip()
    if not reasons:
        errors.setdefault("reasons", []).append(_("権利が侵害されたとする理由を入力してください。"))
    content = (content or post.content or "").strip()
    if not content:
        errors.setdefault("content", []).append(_("掲載されている情報（投稿の内容）を原文どおり入力してください。"))
    if errors:
        raise ValidationError(errors)
    pack = current_policy()
    body = _body(
        kind=kind,
        post=post,
        urls=urls,
        content=content,
        rights=rights,
        reasons=reasons,
        on_behalf=on_behalf,
        requester=requester,
        pack=pack,
    )
    in_staff_name = on_behalf == OnBehalf.STAFF
    issuer = _("{who}（{city}職員）").format(who=requester.display_name, city=pack.city.name) if in_staff_name else ""
    letter = letter_issue_plain(
        actor=actor,
        code=f"online_{kind}",
        title=str(LetterKind(kind).label),
        addressee_name=provider,
        addressee_address=provider_address,
        body=body,
        issuer=issuer,
        numbered=not in_staff_name,
        context={"post": post.pk, "platform": platform_label(post), "rights": rights, "on_behalf": on_behalf},
    )
    made = PostLetter.objects.create(
        post=post,
        letter=letter,
        kind=kind,
        on_behalf=on_behalf,
        requester=requester if in_staff_name else None,
        provider=provider[:200],
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="online.post.letter_drafted",
        obj=post,
        after={
            "letter": str(LetterKind(kind).label),
            "document_number": letter.document_number,
            "on_behalf": str(OnBehalf(on_behalf).label),
            "provider": provider,
        },
    )
    return made
