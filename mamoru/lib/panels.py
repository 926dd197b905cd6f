"""Panels: how apps add to another app's page without that app importing them.

The app that owns a page names its places (slots) in its template with
``{% panels "records.contact_detail" "main" contact %}``. A higher app registers
a panel for a page and slot in its ``AppConfig.ready()``::

    register_panel(
        page="records.contact_detail", slot="main", name="cases.contact_case",
        template="cases/_contact_case.html", context=contact_case_panel, order=20,
    )

``context(request=..., obj=...)`` reads through the app's selectors only (never
writes: drawing a page changes nothing) and returns the template's context, or
``None`` when the panel has nothing to show for this user and object. A panel
meant for some users only says so with ``audience=`` (a function of the user,
e.g. ``accounts.permissions.handles_contacts``): for anyone else its context
function is not called at all. Panels of a slot are drawn in ``order``, then in
the order they were registered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    page: str
    slot: str
    name: str
    template: str
    context: Callable[..., dict[str, Any] | None]
    order: int = 100
    audience: Callable[[Any], bool] | None = None


_PANELS: dict[tuple[str, str], list[Panel]] = {}


def register_panel(
    *,
    page: str,
    slot: str,
    name: str,
    template: str,
    context: Callable[..., dict | None],
    order: int = 100,
    audience: Callable[[Any], bool] | None = None,
) -> Panel:
    """Register (or, under the same ``name``, replace) a panel on ``page``'s ``slot``."""
    panel = Panel(page=page, slot=slot, name=name, template=template, context=context, order=order, audience=audience)
    panels = [p for p in _PANELS.get((page, slot), []) if p.name != name]
    panels.append(panel)
    panels.sort(key=lambda p: p.order)  # stable: equal orders keep registration order
    _PANELS[(page, slot)] = panels
    return panel


def panels_for(page: str, slot: str) -> tuple[Panel, ...]:
    return tuple(_PANELS.get((page, slot), ()))


def render_panels(*, page: str, slot: str, request, obj, extra: dict[str, Any] | None = None) -> SafeString:
    """The HTML of every panel of ``page``'s ``slot`` that has something to show."""
    parts = []
    for panel in panels_for(page, slot):
        if panel.audience is not None and not panel.audience(request.user):
            continue
        context = panel.context(request=request, obj=obj)
        if context is None:
            continue
        parts.append(render_to_string(panel.template, {**(extra or {}), **context}, request=request))
    return mark_safe("".join(parts))  # noqa: S308 - each part is a rendered, auto-escaped template
