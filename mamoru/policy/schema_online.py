"""``[online_posts]``: the platforms staff meet online posts on, and the periods the law sets
on the work of getting a post removed (docs/online.md).

The designated large platforms (大規模特定電気通信役務提供者, 情報流通プラットフォーム対処法)
answer a deletion request within about a week; access logs are kept about three months, so
a disclosure order must be filed within weeks; a complaint (告訴) for 名誉毀損・侮辱 has six
months from learning who the offender is. All of it is data: the city updates the list when
the ministry designates another platform."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .schema_base import CODE_PATTERN, PolicyPackError
from .schema_retention import Period, parse_period

OTHER_PLATFORM = "other"


@dataclass(frozen=True)
class Platform:
    code: str
    name: str
    designated_on: dt.date | None = None  # 大規模特定電気通信役務提供者に指定された日（なければ指定なし）
    answer_period: Period | None = None  # this platform's own answer period, when the pack sets one
    request_url: str = ""  # the platform's deletion-request form

    @property
    def is_designated(self) -> bool:
        return self.designated_on is not None


@dataclass(frozen=True)
class OnlinePostRules:
    platforms: tuple[Platform, ...] = ()
    answer_period: Period = Period(days=7)
    access_log_period: Period = Period(months=3)
    disclosure_remind_after: Period = Period(days=14)
    complaint_period: Period = Period(months=6)
    complaint_remind_before_days: int = 30

    def platform(self, code: str) -> Platform | None:
        return next((p for p in self.platforms if p.code == code), None)

    def answer_period_for(self, code: str) -> Period | None:
        """The answer period of a designated platform (``None``: the law sets none for it)."""
        platform = self.platform(code)
        if platform is None or not platform.is_designated:
            return None
        return platform.answer_period or self.answer_period


_PERIODS = ("answer_period", "access_log_period", "disclosure_remind_after", "complaint_period")


def parse_online_posts(data: dict) -> OnlinePostRules:
    """The optional ``[online_posts]`` table; without it no platform is designated and the
    statutory periods are the defaults above."""
    if "online_posts" not in data:
        return OnlinePostRules()
    table = data["online_posts"]
    path = "online_posts."
    if not isinstance(table, dict):
        raise PolicyPackError("online_posts", _("表（[テーブル]）が必要です"))
    known = {*_PERIODS, "complaint_remind_before_days", "platforms"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise PolicyPackError(
            f"{path}{unknown[0]}", _("知らない項目です（使える項目: {known}）").format(known="、".join(sorted(known)))
        )
    values: dict = {}
    for key in _PERIODS:
        if key in table:
            period = parse_period(table[key], f"{path}{key}")
            if period is None:
                raise PolicyPackError(f"{path}{key}", _("「無期限」は使えません。期間を書いてください"))
            values[key] = period
    if "complaint_remind_before_days" in table:
        days = table["complaint_remind_before_days"]
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 180:
            raise PolicyPackError(f"{path}complaint_remind_before_days", _("0〜180 の整数（日数）にしてください"))
        values["complaint_remind_before_days"] = days
    platforms = []
    raw = table.get("platforms", [])
    if not isinstance(raw, list):
        raise PolicyPackError(f"{path}platforms", _("[[online_posts.platforms]] の配列が必要です"))
    seen = set()
    for index, item in enumerate(raw):
        item_path = f"{path}platforms[{index}]."
        if not isinstance(item, dict):
            raise PolicyPackError(item_path.rstrip("."), _("表（[テーブル]）が必要です"))
        code = item.get("code")
        if not isinstance(code, str) or not CODE_PATTERN.match(code) or code == OTHER_PLATFORM:
            raise PolicyPackError(
                f"{item_path}code", _("半角英小文字で始まる2〜40文字のコードにしてください（other は使えません）")
            )
        if code in seen:
            raise PolicyPackError(f"{item_path}code", _("コード「{code}」が重複しています").format(code=code))
        seen.add(code)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise PolicyPackError(f"{item_path}name", _("空でない文字列が必要です"))
        designated = item.get("designated_on")
        if designated is not None and (not isinstance(designated, dt.date) or isinstance(designated, dt.datetime)):
            raise PolicyPackError(f"{item_path}designated_on", _("日付（例: 2025-04-30）を書いてください"))
        answer = item.get("answer_period")
        answer_period = parse_period(answer, f"{item_path}answer_period") if answer is not None else None
        request_url = item.get("request_url", "")
        if not isinstance(request_url, str) or (request_url and not request_url.startswith("https://")):
            raise PolicyPackError(f"{item_path}request_url", _("https:// から始まる URL にしてください"))
        unknown = sorted(set(item) - {"code", "name", "designated_on", "answer_period", "request_url"})
        if unknown:
            raise PolicyPackError(f"{item_path}{unknown[0]}", _("知らない項目です"))
        platforms.append(
            Platform(
                code=code,
                name=name.strip(),
                designated_on=designated,
                answer_period=answer_period,
                request_url=request_url,
            )
        )
    return OnlinePostRules(platforms=tuple(platforms), **values)
