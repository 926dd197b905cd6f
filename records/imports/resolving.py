"""Names in a city's sheet → what they name: 担当課, 対応者 (staff by name,
variant kanji folded, or by user name), 対応方法 and the pack's codes (類型,
生じた被害) by name, each table read once per import; and the resident a row
refers to, found by ``people.matching`` or registered."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Department, User
from accounts.selectors import department_visible_ids
from mamoru.lib.japanese import normalize_compact
from mamoru.lib.spreadsheet import cell_raw, cell_text
from mamoru.lib.variants import fold_variants
from mamoru.policy.loader import current as current_policy

from ..fields import CODES, ContactField
from .mapping import CONTACT_COLUMNS
from .values import RowError

if TYPE_CHECKING:
    from .rows import ParsedRow


def _person_key(name: str) -> str:
    """A staff name as compared: NFKC, no spaces, variant kanji folded (髙橋 = 高橋)."""
    return fold_variants(normalize_compact(name))


class Resolver:
    """Turns names in the sheet into departments, staff, channel and category
    codes, reading each table once per import."""

    def __init__(self, *, actor):
        self.actor = actor
        self.visible = set(department_visible_ids(user=actor))
        self.departments: dict[str, Department] = {}
        for department in Department.objects.filter(is_active=True):
            self.departments[normalize_compact(department.name)] = department
            self.departments.setdefault(normalize_compact(department.code), department)
        self.users_by_username: dict[str, User] = {}
        self.users_by_name: dict[str, list[User]] = {}
        for user in User.objects.exclude(role=Role.ADMINISTRATOR).select_related("department"):
            self.users_by_username[normalize_compact(user.username)] = user
            if user.full_name:
                self.users_by_name.setdefault(_person_key(user.full_name), []).append(user)
        pack = current_policy()
        self.channels = {}
        for code, name in pack.channel_choices():
            self.channels[normalize_compact(name)] = code
            self.channels.setdefault(normalize_compact(code), code)
        # Each field of the pack's codes (類型, 生じた被害): name or code → code.
        self.codes: dict[str, dict[str, str]] = {}
        for name, spec in CONTACT_COLUMNS.items():
            if spec.kind == CODES:
                table = self.codes[name] = {}
                for code, code_name in getattr(pack, spec.pack_choices)():
                    table[normalize_compact(code_name)] = code
                    table.setdefault(normalize_compact(code), code)

    def department(self, value) -> Department:
        text = cell_raw(value)
        department = self.departments.get(normalize_compact(text))
        if department is None:
            raise RowError(_("担当課「{value}」が見つかりません").format(value=text))
        if department.pk not in self.visible:
            raise RowError(_("担当課「{value}」の記録は、このユーザーでは取り込めません").format(value=text))
        return department

    def staff(self, value, department: Department | None) -> User:
        text = cell_raw(value)
        if not text:
            raise RowError(_("対応者が空です"))
        found = self.users_by_name.get(_person_key(text), [])
        if len(found) > 1:
            found = [user for user in found if user.is_active] or found
        if len(found) > 1 and department is not None:
            found = [user for user in found if user.department_id == department.pk] or found
        if len(found) > 1:
            raise RowError(
                _("対応者「{value}」に当たる職員が複数います。ユーザー名で書いてください").format(value=text)
            )
        user = found[0] if found else self.users_by_username.get(normalize_compact(text))
        if user is None:
            raise RowError(_("対応者「{value}」が職員の中に見つかりません").format(value=text))
        if not user.is_active:
            raise RowError(
                _("対応者「{value}」は無効になっている利用者のため、記録に指定できません").format(value=text)
            )
        return user

    def channel(self, value) -> str:
        text = cell_raw(value)
        if not text:
            raise RowError(_("対応方法が空です"))
        code = self.channels.get(normalize_compact(text))
        if code is None:
            names = "・".join(name for name in self.channels if name not in self.channels.values())
            raise RowError(_("対応方法「{value}」はわかりません（{names}）").format(value=text, names=names))
        return code

    def codes_of(self, spec: ContactField, value) -> list[str]:
        """The pack's names (or codes) of a field of codes, separated by 、 , / or ・;
        a name that itself holds ・ (セクシュアル・ハラスメント) is recognised whole first."""
        table = self.codes[spec.name]
        codes: list[str] = []
        unknown: list[str] = []
        for part in re.split(r"[、,，;；/／\n]+", cell_text(value)):
            part = part.strip()
            if not part:
                continue
            code = table.get(normalize_compact(part))
            if code is not None:
                codes.append(code)
                continue
            for piece in re.split(r"[・･]+", part):
                piece = piece.strip()
                if not piece:
                    continue
                code = table.get(normalize_compact(piece))
                if code is None:
                    unknown.append(piece)
                else:
                    codes.append(code)
        if unknown:
            raise RowError(
                _("{label}「{value}」はポリシーパックにありません").format(
                    label=spec.import_label or spec.label, value="、".join(unknown)
                )
            )
        return list(dict.fromkeys(codes))


_PHONE_SEPARATORS = re.compile(r"[/／,，、;；\n]|または|又は")


def resident_for(*, actor, parsed: ParsedRow):
    """The resident a row refers to: the best candidate the matcher judges the
    same person, else a new one. Returns (resident, created, reasons)."""
    if not parsed.name:
        return None, False, ()
    from people.matching import PersonFields, resident_candidates
    from people.services import resident_create

    phones = [number.strip() for number in _PHONE_SEPARATORS.split(parsed.phone) if number.strip()]
    fields = PersonFields(name=parsed.name, kana=parsed.kana, phone=phones[0] if phones else "", address=parsed.address)
    for candidate in resident_candidates(fields, limit=5, include_possible=False):
        if candidate.decision.same:
            return candidate.resident, False, tuple(candidate.decision.reasons)
    resident = resident_create(
        actor=actor,
        name=parsed.name,
        name_kana=parsed.kana,
        address=parsed.address,
        phones=phones,
    )
    return resident, True, ()
