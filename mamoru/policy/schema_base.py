"""Shared pieces of the policy pack's schema: the error, named items and the
field readers each part of the pack uses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{1,39}$")


class PolicyPackError(ValueError):
    """An invalid policy pack. ``field`` is the dotted path of the bad field."""

    def __init__(self, field_path: str, problem: str):
        self.field = field_path
        self.problem = problem
        super().__init__(f"ポリシーパックの項目「{field_path}」が不正です: {problem}")


@dataclass(frozen=True)
class Named:
    code: str
    name: str


@dataclass(frozen=True)
class Category(Named):
    examples: tuple[str, ...] = ()


def table(data: dict, key: str, path: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        raise PolicyPackError(f"{path}{key}", _("表（[テーブル]）が必要です"))
    return value


def text(data: dict, key: str, path: str, *, required: bool = True) -> str:
    value = data.get(key, None)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise PolicyPackError(f"{path}{key}", _("空でない文字列が必要です"))
    return value.strip()


def code(data: dict, path: str) -> str:
    value = text(data, "code", path)
    if not CODE_PATTERN.match(value):
        raise PolicyPackError(
            f"{path}code",
            _("コード「{value}」は半角英小文字で始まる英小文字・数字・_・- の2〜40文字にしてください").format(
                value=value
            ),
        )
    return value


def texts(data: dict, key: str, path: str, *, required: bool = True) -> tuple[str, ...]:
    value = data.get(key, [] if not required else None)
    if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
        raise PolicyPackError(f"{path}{key}", _("文字列の配列が必要です"))
    if required and not value:
        raise PolicyPackError(f"{path}{key}", _("1件以上必要です"))
    return tuple(v.strip() for v in value)


def positive_int(data: dict, key: str, path: str, *, unit: str = "", maximum: int) -> int:
    """A positive whole number up to ``maximum`` (a pack's number outside a sane
    range, e.g. limit_minutes = 10**18, broke every page that computed with it)."""
    value = data.get(key)
    unit = unit or _("分")
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise PolicyPackError(f"{path}{key}", _("正の整数（{unit}）が必要です").format(unit=unit))
    if value > maximum:
        raise PolicyPackError(
            f"{path}{key}", _("{maximum}{unit}以下の正の整数にしてください").format(maximum=maximum, unit=unit)
        )
    return value


def named_list(data: dict, key: str, path: str, *, with_examples: bool = False) -> tuple:
    items = data.get(key)
    if not isinstance(items, list) or not items:
        raise PolicyPackError(key if not path else f"{path}{key}", _("1件以上の [[{key}]] が必要です").format(key=key))
    result, seen = [], set()
    for index, item in enumerate(items):
        item_path = f"{path}{key}[{index}]."
        if not isinstance(item, dict):
            raise PolicyPackError(item_path.rstrip("."), _("表が必要です"))
        item_code = code(item, item_path)
        if item_code in seen:
            raise PolicyPackError(f"{item_path}code", _("コード「{code}」が重複しています").format(code=item_code))
        seen.add(item_code)
        name = text(item, "name", item_path)
        if with_examples:
            result.append(Category(item_code, name, texts(item, "examples", item_path, required=False)))
        else:
            result.append(Named(item_code, name))
    return tuple(result)
