"""Who may do what, asked directly: accounts.permissions and the apps' own rules built
on it (backup_calls.permissions, cases.permissions), for each role, an inactive user,
an anonymous visitor and users of other departments."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts import permissions
from accounts.selectors import department_responder_list
from backup_calls import permissions as backup_permissions
from backup_calls.choices import BackupLevel
from cases import permissions as case_permissions
from tests.conftest import City

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    """市民課 is the department asked about; 税務課 is another department."""
    city = City()
    inactive = City._user("supervisor-retired", "supervisor", city.shimin, "市民 元課長補佐")
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    users = {
        "staff": city.staff,
        "supervisor": city.supervisor,
        "manager": city.manager,
        "specialist": city.specialist,
        "administrator": city.admin,
        "inactive supervisor": inactive,
        "other staff": city.zeimu_staff,
        "other supervisor": City._user("supervisor2", "supervisor", city.zeimu, "税務 課長補佐"),
        "other manager": City._user("manager2", "manager", city.zeimu, "税務 課長"),
        "anonymous": AnonymousUser(),
    }
    return city, users


def _who(users, question) -> set[str]:
    return {name for name, user in users.items() if question(user)}


def test_roles(people):
    city, users = people
    handlers = {"staff", "supervisor", "manager", "specialist", "other staff", "other supervisor", "other manager"}
    assert _who(users, permissions.handles_contacts) == handlers
    assert _who(users, permissions.is_supervisor_or_above) == {
        "supervisor",
        "manager",
        "specialist",
        "other supervisor",
        "other manager",
    }
    assert _who(users, permissions.is_supervisor) == {"supervisor", "other supervisor"}
    assert _who(users, permissions.is_manager) == {"manager", "other manager"}
    assert _who(users, permissions.is_specialist) == {"specialist"}
    assert _who(users, permissions.is_administrator) == {"administrator"}
    assert _who(users, permissions.may_read_audit) == {"specialist", "administrator"}


def test_department_questions(people):
    city, users = people
    shimin = city.shimin.pk
    assert _who(users, lambda u: permissions.is_department_supervisor(u, shimin)) == {"supervisor", "manager"}
    assert _who(users, lambda u: permissions.is_department_manager(u, shimin)) == {"manager"}
    assert _who(users, lambda u: permissions.is_department_responder(u, shimin)) == {
        "supervisor",
        "manager",
        "specialist",
    }
    assert _who(users, lambda u: permissions.may_see_department(u, shimin)) == {
        "staff",
        "supervisor",
        "manager",
        "specialist",
    }
    # No department: nobody's department matches it.
    assert _who(users, lambda u: permissions.is_department_supervisor(u, None)) == set()
    assert _who(users, lambda u: permissions.may_see_department(u, None)) == set()


def test_the_responder_queryset_matches_the_rule(people):
    city, users = people
    for department in (city.shimin, city.zeimu, city.somu):
        listed = set(department_responder_list(department_id=department.pk))
        expected = {
            user
            for user in users.values()
            if user.is_authenticated and permissions.is_department_responder(user, department.pk)
        }
        assert listed == expected, department


def test_requires(people):
    city, users = people
    for user in users.values():
        for check, allowed in (
            (permissions.require_handler, permissions.handles_contacts),
            (permissions.require_supervisor, permissions.is_supervisor_or_above),
            (permissions.require_specialist, permissions.is_specialist),
            (permissions.require_administrator, permissions.is_administrator),
        ):
            if allowed(user):
                check(user)
            else:
                with pytest.raises(PermissionDenied):
                    check(user, "理由")


def test_backup_call_audience_at_each_level(people):
    city, users = people
    shimin = city.shimin.pk
    assert _who(users, lambda u: backup_permissions.may_respond(u, shimin)) == {"supervisor", "manager", "specialist"}
    alerted = {
        BackupLevel.SUPERVISOR: {"supervisor", "manager", "specialist"},
        BackupLevel.MANAGER: {"manager"},
        BackupLevel.SPECIALIST: {"specialist"},
    }
    for level, expected in alerted.items():
        assert _who(users, lambda u, level=level: backup_permissions.is_alerted_at(u, shimin, level)) == expected


def test_backup_call_followers_and_closers(people):
    city, users = people
    shimin = city.shimin.pk
    follow = {"staff", "supervisor", "manager", "specialist"}  # the caller and the responders
    assert (
        _who(users, lambda u: backup_permissions.may_follow(u, department_id=shimin, caller_id=city.staff.pk)) == follow
    )

    class Call:
        department_id = shimin
        caller_id = city.staff.pk
        taken_by_id = users["other manager"].pk  # say someone from elsewhere took it

    assert _who(users, lambda u: backup_permissions.may_resolve(u, Call)) == follow | {"other manager"}


def test_backup_call_events(people):
    city, users = people
    shimin = city.shimin.pk
    call = {"department_id": shimin, "caller_id": city.staff.pk, "level": BackupLevel.MANAGER}

    def who(kind, data=call):
        return _who(
            {n: u for n, u in users.items() if u.is_authenticated},
            lambda u: backup_permissions.may_receive_event(u, {"kind": kind, "call": data}),
        )

    assert who("backup_call.created") == {"staff", "supervisor", "manager", "specialist"}
    assert who("backup_call.updated") == {"staff", "supervisor", "manager", "specialist"}
    assert who("backup_call.escalated") == {"manager"}  # the level's group, never the caller
    assert who("backup_call.escalated", {**call, "level": BackupLevel.SPECIALIST}) == {"specialist"}
    assert who("backup_call.created", None) == set()  # no call: nothing to check against


def test_case_rules(people):
    city, users = people

    class Case:
        department_id = city.shimin.pk

    assert _who(users, lambda u: case_permissions.may_see_case(u, Case)) == {
        "staff",
        "supervisor",
        "manager",
        "specialist",
    }
    assert _who(users, lambda u: case_permissions.may_act_on_case(u, Case)) == {"supervisor", "manager", "specialist"}
    assert _who(users, lambda u: case_permissions.is_case_audience(u, Case.department_id)) == {
        "supervisor",
        "manager",
        "specialist",
    }
    assert _who(users, case_permissions.may_view_staff_care) == {"manager", "other manager", "specialist"}
    event = {"kind": "case.reported", "department_id": city.shimin.pk, "actor_id": city.supervisor.pk}
    authenticated = {n: u for n, u in users.items() if u.is_authenticated}
    # The reporter is not told of their own report.
    assert _who(authenticated, lambda u: case_permissions.may_receive_event(u, event)) == {"manager", "specialist"}
    for user in users.values():
        if case_permissions.may_act_on_case(user, Case):
            case_permissions.require_case_action(user, Case, "理由")
        else:
            with pytest.raises(PermissionDenied):
                case_permissions.require_case_action(user, Case, "理由")


def test_user_properties_for_templates_ask_the_same_rules(people):
    city, users = people
    for name, user in users.items():
        if not user.is_authenticated:
            continue
        assert user.handles_records == permissions.handles_contacts(user), name
        assert user.is_supervisor_or_above == permissions.is_supervisor_or_above(user), name
        assert user.is_specialist == permissions.is_specialist(user), name
        assert user.can_read_audit == permissions.may_read_audit(user), name
    assert not users["inactive supervisor"].is_supervisor_or_above
