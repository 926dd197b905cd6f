"""Debug off by default, the app's own Japanese error pages, and requests too
large for the server (issue 13, A9 and A11): no stack trace or URL map reaches a
browser or an API client, a body over the limit is a 413, not a 500."""

import json

import pytest
from django.conf import settings
from django.test import Client

from accounts.services import token_issue
from tests.test_security import load_settings


def test_debug_is_off_by_default_and_loopback_runs_without_https_or_a_key(monkeypatch):
    default = load_settings(monkeypatch)
    assert default["DEBUG"] is False
    assert {"127.0.0.1", "localhost"} <= set(default["ALLOWED_HOSTS"])
    # `make run` on loopback: plain HTTP, the checkout's own random key (never a key written in the code).
    assert not default["SECURE_SSL_REDIRECT"] and not default["SESSION_COOKIE_SECURE"]
    assert len(default["SECRET_KEY"]) >= 50
    assert default["SECRET_KEY"] == (settings.BASE_DIR / ".secret_key").read_text().strip()
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in default["MIDDLEWARE"]


def test_static_files_are_served_without_debug(client):
    assert settings.DEBUG is False
    response = client.get("/static/css/mamoru.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)


def test_not_found_is_the_japanese_page(client_for, city):
    response = client_for(city.staff).get("/contacts/999999/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "見つかりません" in text and "URLconf" not in text


def test_a_failing_page_shows_the_japanese_500_page(client_for, city, monkeypatch):
    from records import selectors

    def broken(**kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(selectors, "contact_table_list", broken)
    client = client_for(city.staff)
    client.raise_request_exception = False
    response = client.get("/contacts/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "エラーが発生しました" in text
    assert "secret detail" not in text and "Traceback" not in text
    assert response["X-Request-ID"] in text


def test_an_api_500_is_json_without_a_traceback(client, city, monkeypatch):
    from records import selectors

    def broken(**kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(selectors, "contact_list_for_display", broken)
    _token, key = token_issue(actor=None, user=city.staff, name="テスト")
    client.raise_request_exception = False
    response = client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"] == "サーバーでエラーが発生しました。"
    assert "secret detail" not in response.content.decode()


def test_a_bad_request_is_the_japanese_400_page(client):
    client.raise_request_exception = False
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "リクエストが正しくありません" in response.content.decode()


# --- Bodies over the limit: 413 ---------------------------------------------------


def test_a_form_body_over_the_limit_is_a_413_page(client_for, city):
    client = client_for(city.staff)
    client.raise_request_exception = False
    body = "summary=" + "あ" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 10)
    response = client.post("/contacts/new/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "送信されたデータが大きすぎます" in response.content.decode()


def test_an_api_body_over_the_limit_is_a_413_json(client, city):
    _token, key = token_issue(actor=None, user=city.staff, name="テスト")
    client.raise_request_exception = False
    body = json.dumps({"summary": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = client.post(
        "/api/contacts", body, content_type="application/json", headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 413
    assert "大きすぎます" in response.json()["detail"]


def test_too_many_form_fields_is_a_400_page_not_a_500(client_for, city):
    client = client_for(city.staff)
    client.raise_request_exception = False
    body = "&".join(f"f{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post("/contacts/new/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (400, 413)


# --- Caching and the content security policy ----------------------------------------


@pytest.mark.parametrize("url", ["/", "/contacts/", "/contacts/?format=csv", "/contacts/?format=xlsx"])
def test_pages_and_exports_with_personal_data_are_not_cached(client_for, city, url):
    response = client_for(city.staff).get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_the_api_is_not_cached(client, city):
    _token, key = token_issue(actor=None, user=city.staff, name="テスト")
    response = client.get("/api/contacts", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_the_admin_has_the_content_security_policy(client_for, city):
    for url in ("/admin/login/", "/admin/"):
        response = Client().get(url) if url.endswith("login/") else client_for(city.admin).get(url)
        assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY, url
