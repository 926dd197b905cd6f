"""mamoru.lib.panels: the order panels are drawn in, panels with nothing to show,
and panels meant for some users only (``audience``)."""

from types import SimpleNamespace

import pytest
from django.template import engines

from mamoru.lib import panels


@pytest.fixture
def page(monkeypatch):
    """A page of its own, so the test's panels meet none of the apps'."""
    monkeypatch.setattr(panels, "_PANELS", {})
    return "tests.page"


@pytest.fixture
def template(monkeypatch):
    """Panels render templates by name; give them an inline one."""
    engine = engines["django"]

    def render(name, context, request=None):
        return engine.from_string("[{{ word }}]").render(context)  # no request: no context processors

    monkeypatch.setattr(panels, "render_to_string", render)


def _request(role):
    return SimpleNamespace(user=SimpleNamespace(role=role))


def test_panels_are_drawn_in_order_and_empty_ones_are_left_out(page, template):
    panels.register_panel(page=page, slot="main", name="b", template="x", context=lambda **_: {"word": "b"}, order=20)
    panels.register_panel(page=page, slot="main", name="a", template="x", context=lambda **_: {"word": "a"}, order=10)
    panels.register_panel(page=page, slot="main", name="none", template="x", context=lambda **_: None, order=15)
    assert panels.render_panels(page=page, slot="main", request=_request("staff"), obj=None) == "[a][b]"


def test_a_panel_for_an_audience_is_not_even_asked_for_anyone_else(page, template):
    asked = []

    def context(*, request, obj):
        asked.append(request.user.role)
        return {"word": "care"}

    panels.register_panel(
        page=page, slot="main", name="care", template="x", context=context, audience=lambda user: user.role == "manager"
    )
    assert panels.render_panels(page=page, slot="main", request=_request("staff"), obj=None) == ""
    assert panels.render_panels(page=page, slot="main", request=_request("manager"), obj=None) == "[care]"
    assert asked == ["manager"]
