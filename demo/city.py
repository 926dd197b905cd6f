"""The demo city hall: its departments and its staff.

The named demo accounts below are the ones the README and the demo table
list; every other member of staff gets a made-up name. All share the
password ``mamoru-demo``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from accounts.models import Department, User
from accounts.services import user_create

from . import names
from .topics import DEPARTMENTS, DepartmentPlan

DEMO_PASSWORD = "mamoru-demo"


@dataclass(frozen=True)
class Account:
    username: str
    role: str
    department: str | None  # department code
    full_name: str = ""
    full_name_kana: str = ""


DEMO_ACCOUNTS = (
    Account("staff1", "staff", "shimin", "佐藤 美咲", "さとう みさき"),
    Account("staff2", "staff", "zeimu", "鈴木 健太", "すずき けんた"),
    Account("supervisor1", "supervisor", "shimin", "高橋 誠", "たかはし まこと"),
    Account("manager1", "manager", "shimin", "田中 和夫", "たなか かずお"),
    Account("specialist1", "specialist", "somu", "渡辺 恵子", "わたなべ けいこ"),
    Account("specialist2", "specialist", "somu", "小林 修（総務課長）", "こばやし おさむ"),
    Account("admin", "administrator", None, "システム管理者", ""),
)
# Members of staff (role "staff") per department; the default is one.
STAFF_COUNTS = {"shimin": 3, "zeimu": 2, "fukushi": 2, "hoken": 2}
SPECIALISTS = 3  # 総務課 is the specialist section (専門部署)


def departments_create() -> dict[str, Department]:
    return {
        plan.code: Department.objects.create(code=plan.code, name=plan.name, sort_order=index)
        for index, plan in enumerate(DEPARTMENTS, start=1)
    }


def _roster(plan: DepartmentPlan) -> list[tuple[str, str]]:
    """(username, role) of everyone in a department, demo accounts first."""
    demo = [(a.username, a.role) for a in DEMO_ACCOUNTS if a.department == plan.code]
    if plan.code == "somu":
        wanted = [("specialist", n) for n in range(1, SPECIALISTS + 1)]
    else:
        wanted = [("manager", 1), ("supervisor", 1)] + [
            ("staff", n) for n in range(1, STAFF_COUNTS.get(plan.code, 1) + 1)
        ]
    roster = list(demo)
    for role, number in wanted:
        if sum(1 for _, r in roster if r == role) < number:
            suffix = role if role in ("manager", "supervisor") else f"{role}{number}"
            roster.append((f"{plan.code}-{suffix}", role))
    order = {"manager": 0, "supervisor": 1, "specialist": 2, "staff": 3}
    return sorted(roster, key=lambda item: order[item[1]])


def _workplaces(plan: DepartmentPlan, roster, first_counter: int) -> list[str]:
    """Counter staff sit at a numbered counter (1番窓口); the others have an extension."""
    places, counter, extension = [], first_counter, plan.extension
    for _, role in roster:
        if role == "staff" and counter < first_counter + plan.counters:
            places.append(f"{counter}番窓口")
            counter += 1
        else:
            places.append(f"内線{extension}")
            extension += 1
    return places


def staff_create(rng: random.Random, departments: dict[str, Department]) -> list[User]:
    """Every user of the demo, created through ``user_create``. Argon2 is slow
    on purpose, so the password is hashed once and the hash copied."""
    known = {a.username: a for a in DEMO_ACCOUNTS}
    used_names = {a.full_name for a in DEMO_ACCOUNTS}
    password_hash = None
    users = []

    def create(username, role, department, full_name, full_name_kana, workplace=""):
        nonlocal password_hash
        # After the first user, ``None`` makes user_create store a cheap unusable
        # password that is replaced by the shared hash at once.
        user = user_create(
            actor=None,
            username=username,
            password=DEMO_PASSWORD if password_hash is None else None,
            role=role,
            department=department,
            full_name=full_name,
            full_name_kana=full_name_kana,
            workplace=workplace,
        )
        if password_hash is None:
            password_hash = user.password
        else:
            user.password = password_hash
            user.save(update_fields=["password"])
        users.append(user)

    admin = known["admin"]
    create(admin.username, admin.role, None, admin.full_name, admin.full_name_kana)
    first_counter = 1
    for plan in DEPARTMENTS:
        roster = _roster(plan)
        for (username, role), workplace in zip(roster, _workplaces(plan, roster, first_counter), strict=True):
            account = known.get(username)
            if account is None:
                full_name, kana = _unique_name(rng, used_names)
                account = Account(username, role, plan.code, full_name, kana)
            create(username, role, departments[plan.code], account.full_name, account.full_name_kana, workplace)
        first_counter += plan.counters
    return users


def _unique_name(rng: random.Random, used: set[str]) -> tuple[str, str]:
    while True:
        full_name, kana = names.staff_name(rng)
        if full_name not in used:
            used.add(full_name)
            return full_name, kana
