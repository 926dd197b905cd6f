"""Two-factor sign-in (issue 13 B1): enrolment with a QR code drawn here, the code after the
password, recovery codes shown once, regenerated, an administrator's reset (audited, the user
told), and the second sign-in before exports and administration. Every code is computed from
the device's key with django_otp.oath.totp, as the user's phone would."""

import time
from binascii import unhexlify

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import twofactor
from audit.models import AuditEntry
from notifications.models import Notification

from .conftest import PASSWORD
from .factories import make_contact
from .sessions import signed_in_session

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.MAMORU_OTP_REQUIRED_ROLES = ["administrator", "specialist"]
    settings.MAMORU_STEP_UP_MINUTES = 15


def code_for_key(key_hex: str, offset: int = 0) -> str:
    return f"{totp(unhexlify(key_hex), t0=-offset * 30):06d}"


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    """The app's current code (``offset`` steps later: a fresh code after one was used)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0 - offset * device.step, digits=device.digits):06d}"


def sign_in(user, client=None) -> Client:
    client = client or Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    key = TOTPDevice._meta.get_field("key").default()
    device, codes = twofactor.otp_device_enrol(actor=user, key=key, code=code_for_key(key))
    return device, codes


def actions(user) -> list[str]:
    return list(AuditEntry.objects.filter(actor=user).order_by("id").values_list("action", flat=True))


def age_signin(client, minutes: float, *, code_too: bool = True) -> None:
    session = client.session
    session[twofactor.SIGNED_IN_AT] = time.time() - minutes * 60
    if code_too:
        session[twofactor.SECOND_FACTOR_AT] = time.time() - minutes * 60
    session.save()


def test_specialist_enrols_after_the_password_and_sees_recovery_codes_once(city):
    client = sign_in(city.specialist)
    home = client.get("/")
    enrol_url = reverse("accounts:otp_enrol")
    assert home.status_code == 302 and home["Location"].startswith(enrol_url)
    # No page of the app, no export, until the second factor is set up.
    assert client.get("/contacts/?format=csv").status_code == 302
    assert client.get(reverse("audit:audit_list")).status_code == 302

    page = client.get(enrol_url)
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and "二要素認証の登録" in text
    key = client.session[twofactor.PENDING_KEY]
    assert twofactor.secret_for_typing(key) in text
    assert not TOTPDevice.objects.filter(user=city.specialist).exists()  # drawing the page writes no device
    assert client.get(enrol_url).content.decode().count(twofactor.secret_for_typing(key)) == 1  # same key again

    wrong = client.post(enrol_url, {"code": "000000" if code_for_key(key) != "000000" else "111111"})
    assert wrong.status_code == 200 and "コードが一致しません" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=city.specialist).exists()

    done = client.post(enrol_url, {"code": code_for_key(key), "next": "/"})
    assert done.status_code == 302 and done["Location"].startswith(reverse("accounts:otp_recovery_codes"))
    device = TOTPDevice.objects.get(user=city.specialist, confirmed=True)
    assert device.key == key
    codes = list(StaticToken.objects.filter(device__user=city.specialist).values_list("token", flat=True))
    assert len(codes) == twofactor.RECOVERY_CODE_COUNT

    shown = client.get(done["Location"]).content.decode()
    assert all(code in shown for code in codes)
    again = client.get(done["Location"]).content.decode()
    assert not any(code in again for code in codes)
    assert client.get("/").status_code == 200
    assert "accounts.otp.enrolled" in actions(city.specialist)


def test_enrolled_user_gives_the_code_after_the_password(city):
    device, _codes = enrol(city.specialist)
    client = sign_in(city.specialist)
    response = client.get("/contacts/")
    verify = reverse("accounts:otp_verify")
    assert response.status_code == 302 and response["Location"].startswith(verify)
    htmx = client.get("/contacts/", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx["HX-Redirect"].startswith(verify)

    bad = client.post(verify, {"code": "12345", "next": "/contacts/"})
    assert bad.status_code == 200 and "確認コードが正しくありません" in bad.content.decode()
    assert client.get("/contacts/").status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count = 0  # django-otp delays the next try after a failure
    device.throttling_failure_timestamp = None
    device.save()

    good = client.post(verify, {"code": code_for(device, offset=1), "next": "/contacts/"})
    assert good.status_code == 302 and good["Location"] == "/contacts/"
    assert client.get("/contacts/").status_code == 200
    assert [a for a in actions(city.specialist) if a.startswith("accounts.")][-2:] == [
        "accounts.otp.failed",
        "accounts.otp.verified",
    ]


def test_code_is_not_accepted_twice(city):
    device, _codes = enrol(city.specialist)
    code = code_for(device, offset=1)
    first = sign_in(city.specialist)
    assert first.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 302
    second = sign_in(city.specialist, Client())
    replay = second.post(reverse("accounts:otp_verify"), {"code": code})
    assert replay.status_code in (200, 429)
    assert second.get("/").status_code == 302


def test_repeated_wrong_codes_are_slowed_down(city):
    enrol(city.specialist)
    client = sign_in(city.specialist)
    verify = reverse("accounts:otp_verify")
    client.post(verify, {"code": "000001"})
    client.post(verify, {"code": "000002"})
    throttled = client.post(verify, {"code": "000003"})
    assert throttled.status_code == 429 and "しばらく待って" in throttled.content.decode()


def test_recovery_code_signs_in_once(city):
    _device, codes = enrol(city.admin)
    client = sign_in(city.admin)
    response = client.post(reverse("accounts:otp_verify"), {"code": codes[0].upper(), "next": "/accounts/preferences/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/preferences/"
    page = client.get("/accounts/preferences/")
    assert page.status_code == 200 and "回復コードでログインしました（残り9個）" in page.content.decode()
    assert "accounts.otp.recovery_used" in actions(city.admin)

    other = sign_in(city.admin, Client())
    again = other.post(reverse("accounts:otp_verify"), {"code": codes[0]})
    assert again.status_code == 200
    assert other.get("/accounts/preferences/").status_code == 302


def test_regenerating_recovery_codes_needs_a_recent_sign_in_and_voids_the_old(city):
    device, old_codes = enrol(city.specialist)
    client = sign_in(city.specialist)
    client.post(reverse("accounts:otp_verify"), {"code": code_for(device, offset=1)})
    age_signin(client, 20)
    regenerate = reverse("accounts:otp_recovery_regenerate")
    stale = client.post(regenerate)
    assert stale.status_code == 302 and stale["Location"].startswith(reverse("accounts:reauthenticate"))
    assert set(StaticToken.objects.filter(device__user=city.specialist).values_list("token", flat=True)) == set(
        old_codes
    )
    age_signin(client, 0)
    fresh = client.post(regenerate)
    assert fresh.status_code == 302
    new_codes = set(StaticToken.objects.filter(device__user=city.specialist).values_list("token", flat=True))
    assert len(new_codes) == 10 and not new_codes & set(old_codes)
    shown = client.get(fresh["Location"]).content.decode()
    assert all(code in shown for code in new_codes)
    assert "accounts.otp.recovery_regenerated" in actions(city.specialist)


def test_staff_may_sign_in_without_and_must_give_the_code_once_enrolled(city):
    client = sign_in(city.staff)
    assert client.get("/").status_code == 200
    assert client.get(reverse("accounts:otp_settings")).status_code == 200
    client.get(reverse("accounts:otp_enrol"))
    key = client.session[twofactor.PENDING_KEY]
    assert client.post(reverse("accounts:otp_enrol"), {"code": code_for_key(key)}).status_code == 302
    again = sign_in(city.staff, Client())
    assert again.get("/").status_code == 302


def test_enrolled_user_cannot_replace_the_app_with_the_password_alone(city):
    enrol(city.specialist)
    client = sign_in(city.specialist)
    response = client.get(reverse("accounts:otp_enrol"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_verify"))
    assert TOTPDevice.objects.filter(user=city.specialist).count() == 1


def test_required_role_cannot_remove_its_second_factor(city):
    device, _codes = enrol(city.specialist)
    client = sign_in(city.specialist)
    client.post(reverse("accounts:otp_verify"), {"code": code_for(device, offset=1)})
    assert client.post(reverse("accounts:otp_remove")).status_code == 403
    assert TOTPDevice.objects.filter(user=city.specialist).exists()


def test_administrator_resets_a_users_devices_audited_and_notified(
    city, mailoutbox, django_capture_on_commit_callbacks
):
    city.specialist.email = "specialist1@city.example.jp"
    city.specialist.save(update_fields=["email"])
    enrol(city.specialist)
    admin_device, _codes = enrol(city.admin)
    admin = sign_in(city.admin)
    admin.post(reverse("accounts:otp_verify"), {"code": code_for(admin_device, offset=1)})
    listing = admin.get(reverse("accounts:otp_admin_list"))
    assert listing.status_code == 200 and "specialist1" in listing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("accounts:otp_admin_reset", args=[city.specialist.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=city.specialist).exists()
    assert not StaticDevice.objects.filter(user=city.specialist).exists()
    entry = AuditEntry.objects.get(action="accounts.otp.reset")
    assert entry.actor == city.admin and entry.object_id == str(city.specialist.pk)
    notice = Notification.objects.get(user=city.specialist)
    assert "二要素認証をリセット" in notice.text
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["specialist1@city.example.jp"]

    # The specialist enrols again at the next sign-in.
    client = sign_in(city.specialist)
    assert client.get("/").headers["Location"].startswith(reverse("accounts:otp_enrol"))


def test_only_an_administrator_resets_devices(city, client_for):
    enrol(city.staff)
    client = client_for(city.supervisor)
    assert client.post(reverse("accounts:otp_admin_reset", args=[city.staff.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=city.staff).exists()


def test_export_asks_for_the_password_and_code_again_after_the_limit(city):
    make_contact(city.staff)
    device, _codes = enrol(city.specialist)
    client = sign_in(city.specialist)
    client.post(reverse("accounts:otp_verify"), {"code": code_for(device, offset=1)})
    assert client.get("/contacts/?format=csv").status_code == 200

    age_signin(client, 16)
    stale = client.get("/contacts/?format=csv")
    reauth = reverse("accounts:reauthenticate")
    assert stale.status_code == 302 and stale["Location"].startswith(reauth)
    assert client.get("/contacts/").status_code == 200  # the list itself needs no second sign-in

    wrong = client.post(reauth, {"password": "wrong-password", "code": code_for(device, offset=2)})
    assert wrong.status_code == 200 and "正しくありません" in wrong.content.decode()
    no_code = client.post(reauth, {"password": PASSWORD, "code": ""})
    assert no_code.status_code == 200
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    done = client.post(
        reauth, {"password": PASSWORD, "code": code_for(device, offset=2), "next": "/contacts/?format=csv"}
    )
    assert done.status_code == 302 and done["Location"] == "/contacts/?format=csv"
    export = client.get("/contacts/?format=csv")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    assert "accounts.reauth.succeeded" in actions(city.specialist)


def test_password_only_user_is_asked_again_for_exports(city, client_for):
    client = client_for(city.staff)
    assert client.get("/contacts/?format=xlsx").status_code == 200
    age_signin(client, 30, code_too=False)
    assert client.get("/contacts/?format=xlsx").status_code == 302
    page = client.get(reverse("accounts:reauthenticate"))
    assert "確認コード" not in page.content.decode()
    assert client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD}).status_code == 302
    assert client.get("/contacts/?format=xlsx").status_code == 200


@pytest.mark.parametrize("path", ["/accounts/administration/", "/accounts/administration/tokens/", "/admin/"])
def test_administration_needs_a_recent_sign_in(city, path):
    device, _codes = enrol(city.admin)
    client = sign_in(city.admin)
    client.post(reverse("accounts:otp_verify"), {"code": code_for(device, offset=1)})
    assert client.get(path).status_code == 200
    age_signin(client, 16)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:reauthenticate"))


def test_failed_second_sign_ins_end_the_session(city, client_for, settings):
    settings.MAMORU_STEP_UP_FAILURE_LIMIT = 3
    client = client_for(city.staff)
    reauth = reverse("accounts:reauthenticate")
    for _ in range(2):
        assert client.post(reauth, {"password": "nope-nope-nope"}).status_code == 200
    last = client.post(reauth, {"password": "nope-nope-nope"})
    assert last.status_code == 302 and last["Location"] == reverse("accounts:login")
    assert client.get("/").status_code == 302
    assert actions(city.staff).count("accounts.reauth.failed") == 3


def test_reauthenticate_never_redirects_off_site(city, client_for):
    client = client_for(city.staff)
    response = client.post(reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_device_secrets_are_not_in_the_django_admin(city):
    from django.contrib import admin

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)


def test_websocket_refuses_a_session_that_owes_the_code(transactional_db, settings):
    """The alerts' WebSocket (no OTPMiddleware there) asks the session itself."""
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.db import connections
    from django_otp import DEVICE_ID_SESSION_KEY

    from realtime.consumers import EventConsumer
    from tests import servers
    from tests.conftest import City

    settings.MAMORU_REALTIME = True
    city = City()
    device, _codes = enrol(city.specialist)
    owing = signed_in_session(city.specialist)
    verified = signed_in_session(city.specialist)
    verified[DEVICE_ID_SESSION_KEY] = device.persistent_id
    verified.save()

    async def connects(session) -> bool:
        communicator = WebsocketCommunicator(EventConsumer.as_asgi(), "/ws/events/")
        communicator.scope["user"] = city.specialist
        communicator.scope["session"] = session
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    async def scenario():
        try:
            assert not await connects(owing)
            assert await connects(verified)
        finally:
            await database_sync_to_async(connections.close_all)()

    servers.run_async(scenario)


def test_staff_whose_devices_were_reset_signs_in_with_the_password_again(city, client_for):
    device, _codes = enrol(city.staff)
    client = sign_in(city.staff)
    assert client.get("/").status_code == 302
    twofactor.otp_devices_reset(actor=city.admin, user=city.staff)
    assert client.get("/").status_code == 200
    assert sign_in(city.staff, Client()).get("/").status_code == 200


@pytest.mark.parametrize("name", ["accounts:otp_settings", "accounts:preferences"])
def test_a_session_owing_the_code_reaches_only_the_code_pages(city, name):
    enrol(city.specialist)
    client = sign_in(city.specialist)
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:otp_verify"))
    regenerate = client.post(reverse("accounts:otp_recovery_regenerate"))
    assert regenerate.status_code == 302 and regenerate["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.get(reverse("accounts:otp_verify")).status_code == 200


def test_a_recovery_code_of_digits_only_is_still_a_recovery_code(city):
    _device, _codes = enrol(city.staff)
    recovery = StaticDevice.objects.get(user=city.staff)
    recovery.token_set.create(token="23456723")
    client = sign_in(city.staff)
    assert client.post(reverse("accounts:otp_verify"), {"code": "2345 6723"}).status_code == 302
    assert client.get("/").status_code == 200
