"""Demo online posts about staff (issue 15 A) in every state, so that a new user sees the
whole flow: just found, evidence preserved, deletion requested (answer due), answered,
deletion confirmed, a disclosure order with the poster identified (complaint limit running),
legal action, and closed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from online.services import post_register, post_step_record

# (days ago found, platform, platform name, exposures, content, steps as (kind, days after found, details))
POSTS = [
    (1, "x_twitter", "", ["name", "workplace"], "市民課の窓口の○○という職員の態度が最悪。名前さらしておく。", []),
    (
        5,
        "google",
        "",
        ["face", "video"],
        "【動画】市役所でキレる職員（窓口で撮影）",
        [("preserved", 0, {"archive_url": "https://web.archive.org/web/2026/https://www.youtube.com/watch?v=demo1"})],
    ),
    (
        9,
        "meta",
        "",
        ["name", "face", "private_life"],
        "税務課の職員、休日はこの店にいる（写真）",
        [
            ("preserved", 0, {}),
            ("removal_requested", 1, {"route": "platform_form", "to_whom": "Meta（Instagram の報告フォーム）"}),
        ],
    ),
    (
        20,
        "fivech",
        "",
        ["name", "address"],
        "福祉課の△△の自宅はこのあたり",
        [
            ("preserved", 0, {}),
            ("removal_requested", 2, {"route": "letter", "to_whom": "5ちゃんねる 削除依頼窓口"}),
            ("answered", 12, {"answer": "refused", "reason": "削除の基準に当たらないとの回答"}),
        ],
    ),
    (
        40,
        "tiktok",
        "",
        ["video", "voice"],
        "市役所職員の対応を晒す（音声付き）",
        [
            ("preserved", 0, {}),
            ("removal_requested", 1, {"route": "platform_form", "to_whom": "TikTok"}),
            ("answered", 5, {"answer": "removed"}),
            ("removal_confirmed", 6, {}),
        ],
    ),
    (
        70,
        "other",
        "地域の匿名掲示板",
        ["name", "family"],
        "□□課の職員の家族構成と子どもの学校",
        [
            ("preserved", 0, {}),
            ("removal_requested", 1, {"route": "legal_affairs_bureau", "to_whom": "宇都宮地方法務局 大田原支局"}),
            ("answered", 20, {"answer": "no_answer"}),
            (
                "disclosure_order",
                25,
                {
                    "court": "東京地方裁判所",
                    "provision_order": True,
                    "erasure_ban_order": True,
                    "decision": "granted",
                    "decided_on": "",
                    "identified_poster": "投稿者（氏名は事件記録のとおり）",
                    "identified_on": None,
                },
            ),
        ],
    ),
    (
        150,
        "x_twitter",
        "",
        ["name", "face"],
        "この職員を許すな（顔写真）",
        [
            ("preserved", 0, {}),
            ("removal_requested", 1, {"route": "lawyer", "to_whom": "X Corp.（代理人弁護士から）"}),
            ("answered", 8, {"answer": "removed"}),
            (
                "disclosure_order",
                15,
                {"court": "東京地方裁判所", "decision": "granted", "identified_poster": "投稿者A"},
            ),
            ("legal_action", 60, {"action": "complaint", "filed_with": "大田原警察署"}),
        ],
    ),
    (
        200,
        "lineyahoo",
        "",
        ["name"],
        "Yahoo!知恵袋への職員名を挙げた投稿",
        [
            ("preserved", 0, {}),
            ("removal_requested", 1, {"route": "platform_form", "to_whom": "LINEヤフー"}),
            ("answered", 6, {"answer": "removed"}),
            ("removal_confirmed", 7, {}),
            ("closed", 10, {"reason": "削除を確認し、本人と面談のうえ終結"}),
        ],
    ),
]


def posts_create(*, today: dt.date | None = None) -> int:
    """The demo posts (none when the city has no specialist section or staff)."""
    today = today or timezone.localdate()
    specialist = User.objects.filter(role="specialist", is_active=True).order_by("id").first()
    staff = list(User.objects.filter(role="staff", is_active=True).exclude(department=None).order_by("id")[:8])
    if specialist is None or not staff:
        return 0
    tz = timezone.get_current_timezone()
    made = 0
    for index, (days_ago, platform, platform_name, exposures, content, steps) in enumerate(POSTS):
        found_on = today - dt.timedelta(days=days_ago)
        person = staff[index % len(staff)]
        post = post_register(
            actor=person,
            urls=[f"https://demo.example.jp/{platform}/post/{index + 1}"],
            platform=platform,
            platform_name=platform_name,
            affected_staff=[person],
            exposures=exposures,
            content=content,
            found_at=dt.datetime.combine(found_on, dt.time(9, 30), tz),
            posted_at=dt.datetime.combine(found_on - dt.timedelta(days=1), dt.time(22, 0), tz),
        ).post
        for kind, after, details in steps:
            day = min(found_on + dt.timedelta(days=after), today)
            details = dict(details)
            if kind == "disclosure_order" and details.get("identified_poster") and not details.get("identified_on"):
                details["identified_on"] = day.isoformat()
            post_step_record(actor=specialist, post=post, kind=kind, happened_on=day, details=details)
        made += 1
    return made
