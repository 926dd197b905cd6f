"""``seed_demo``: the whole demo city in one call.

Departments and staff go through the accounts services, residents and
contacts are bulk-loaded (see ``residents`` and ``contacts``). The same seed
and the same ``today`` give the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Department
from demo.business_requests import business_requests_create
from demo.cases import cases_create, follow_ups_create
from demo.measures import measures_create
from mamoru.policy.loader import current as current_policy

from .categories import CATEGORIES
from .city import DEMO_ACCOUNTS, DEMO_PASSWORD, departments_create, staff_create
from .compose import weighted
from .conduct import CHANNEL_MODES
from .contacts import Planner, Population, Tally, contacts_insert
from .residents import repeater_count, residents_create
from .schedule import Schedule
from .topics import DEPARTMENT_WEIGHTS

DEFAULT_SEED = 20251219  # the day the policy took effect


@dataclass
class SeedResult:
    departments: int
    users: int
    residents: int
    repeaters: int
    tally: Tally
    seconds: float
    cases: int = 0


class PackMismatch(ValueError):
    """The policy pack in force has codes the demo material was not written for."""


def check_pack(pack) -> None:
    """The demo's texts are written for the categories, channels and harms of
    大田原市's pack; another city's pack needs its own material."""
    wanted = {
        "類型": (set(CATEGORIES), set(pack.category_codes())),
        "対応方法": (set(CHANNEL_MODES), {code for code, _ in pack.channel_choices()}),
        "被害の区分": ({h for c in CATEGORIES.values() for h in c.harms}, {code for code, _ in pack.harm_choices()}),
    }
    for label, (demo, in_pack) in wanted.items():
        if demo != in_pack and not (label != "類型" and demo <= in_pack):
            raise PackMismatch(
                f"デモデータは大田原市のポリシーパック向けです。{label}のコードが合いません"
                f"（デモ: {', '.join(sorted(demo))} / パック: {', '.join(sorted(in_pack))}）。"
            )


def is_seeded() -> bool:
    return Department.objects.exists()


def seed_demo(
    *,
    contacts: int = 3000,
    residents: int = 300,
    months: int = 12,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    progress=None,
) -> SeedResult:
    """Create the demo city in an empty database. ``progress(done, total)`` is
    called after each batch of contacts."""
    began = time.monotonic()
    pack = current_policy()
    check_pack(pack)
    rng = random.Random(seed)
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    first_day = today - dt.timedelta(days=round(months * 365 / 12))
    since = dt.datetime.combine(first_day, dt.time(8, 30), tz)
    until = dt.datetime.combine(today, dt.time.min, tz)

    with transaction.atomic():
        departments = departments_create()
        users = staff_create(rng, departments)
    handlers = [u for u in users if u.handles_records]
    people = residents_create(rng, count=residents, since=since, until=until, actors=handlers)
    population = _population(rng, departments, handlers, people)
    schedule = Schedule(
        first_day=first_day, last_day=today - dt.timedelta(days=1), tz=tz, department_weights=DEPARTMENT_WEIGHTS
    )
    planner = Planner(
        rng, population, schedule, category_names=pack.category_names(), count=contacts, now=timezone.now()
    )
    tally = contacts_insert(planner, contacts, progress=progress)
    from records.tally import contact_tally_rebuild  # the bulk load bypassed the services: count for the statistics

    contact_tally_rebuild()
    case_count = cases_create(today=today)
    follow_ups_create(today=today)  # exposure stream (issue 16): care follow-ups done, due and overdue
    measures_create(today=today)  # demo measures (措置) in every state
    business_requests_create(today=today)  # requests from other businesses in every state (issue 15 B)
    from .online import posts_create  # online stream (issue 15 A): posts about staff in every state

    posts_create(today=today)
    from repetition.services import repetition_evaluate_all  # the pack's 繰り返し rules flag the repeaters

    repetition_evaluate_all()
    return SeedResult(
        departments=len(departments),
        users=len(users),
        residents=len(people),
        repeaters=len(population.repeaters),
        tally=tally,
        seconds=time.monotonic() - began,
        cases=case_count,
    )


# How often each role is the member of staff on a contact.
ROLE_WEIGHTS = {"staff": 6, "specialist": 3, "supervisor": 2, "manager": 1}


def _population(rng: random.Random, departments: dict, handlers: list, residents: list) -> Population:
    by_department = {code: [u for u in handlers if u.department_id == d.pk] for code, d in departments.items()}
    weighted_handlers = {
        code: [u for u in members for _ in range(ROLE_WEIGHTS[u.role])] for code, members in by_department.items()
    }
    supervisors = {
        code: [u for u in members if u.role in ("supervisor", "specialist")] for code, members in by_department.items()
    }
    count = repeater_count(len(residents))
    repeaters = [(resident, _several_departments(rng)) for resident in residents[:count]]
    return Population(departments, weighted_handlers, supervisors, repeaters, residents[count:])


def _several_departments(rng: random.Random) -> list[str]:
    """Two to four departments a repeater keeps coming back to, busy ones more likely."""
    wanted, chosen = rng.randint(2, 4), set()
    while len(chosen) < wanted:
        chosen.add(weighted(rng, DEPARTMENT_WEIGHTS))
    return sorted(chosen)


def account_rows() -> list[tuple[str, str, str, str]]:
    """(username, role, department, password) of the named demo accounts."""
    roles = dict(Role.choices)
    names = dict(Department.objects.values_list("code", "name"))
    return [(a.username, roles[a.role], names.get(a.department, "-"), DEMO_PASSWORD) for a in DEMO_ACCOUNTS]
