"""The layering that import-linter cannot see (docs/architecture.md).

import-linter (``make lint``, contracts in pyproject.toml) checks Python
imports. A template reaches another app too: ``{% include %}``, ``{% extends %}``,
``{% load %}`` of its tag library, ``{% url %}`` of its pages. The templates of
records and people use nothing of an app built on them; those apps add to their
pages through panels (mamoru.lib.panels), registered in ``AppConfig.ready()``."""

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.template import engines
from django.template.loader import get_template

from mamoru.lib.panels import _PANELS

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# What each of the two bottom domain apps may use: itself, what is below it, and the project's own
# shared templates (base.html, _field.html, … at the top of templates/) and tag libraries (mamoru).
BELOW = {
    "people": {"people", "accounts", "audit", "mamoru"},
    "records": {"records", "people", "accounts", "audit", "mamoru"},
}
DJANGO_LIBRARIES = {"i18n", "l10n", "static", "tz", "cache", "humanize"}

TAG = re.compile(r"{%\s*(include|extends|load|url)\s+(.*?)\s*%}", re.DOTALL)
LITERAL = re.compile(r"""^(["'])(?P<value>[^"']+)\1""")


def _library_apps() -> dict[str, str]:
    """Tag library name → the app (top package) that defines it."""
    engine = engines["django"].engine
    return {name: module.split(".")[0] for name, module in engine.libraries.items()}


def used_apps(text: str) -> list[tuple[str, str]]:
    """(what, app) for every include, extends, load and url of a template's
    text; an app of ``?`` when the template names it through a variable."""
    libraries = _library_apps()
    found = []
    for tag, argument in TAG.findall(text):
        if tag == "load":
            names = argument.split()
            if "from" in names:  # {% load a b from library %}
                names = names[names.index("from") + 1 :]
            for name in names:
                if name not in DJANGO_LIBRARIES:
                    found.append((f"load {name}", libraries.get(name, "?")))
            continue
        literal = LITERAL.match(argument)
        if literal is None:
            found.append((f"{tag} {argument}", "?"))
            continue
        value = literal.group("value")
        if tag == "url":
            found.append((f"url {value}", value.split(":")[0] if ":" in value else "mamoru"))
        else:
            found.append((f"{tag} {value}", value.split("/")[0] if "/" in value else "mamoru"))
    return found


def foreign(app: str, text: str) -> list[str]:
    return [f"{what} ({owner})" for what, owner in used_apps(text) if owner not in BELOW[app]]


def _templates(app):
    return sorted((TEMPLATES / app).rglob("*.html"))


@pytest.mark.parametrize(
    "path",
    [pytest.param(path, id=str(path.relative_to(TEMPLATES))) for app in BELOW for path in _templates(app)],
)
def test_records_and_people_templates_use_nothing_built_on_them(path):
    app = path.relative_to(TEMPLATES).parts[0]
    assert foreign(app, path.read_text(encoding="utf-8")) == []


def test_the_check_finds_what_reaches_up():
    """The check is not vacuous: the includes and loads the contact page had before issue 12 are found."""
    text = """{% extends "base.html" %}{% load i18n backup_call_tags %}
    {% include "repetition/_intake_banner.html" with resident=contact.resident %}
    {% include "records/_clock.html" %}{% load static i18n %}{% load measure_tags %}{% include "_field.html" %}
    {% include template_name %}{% url 'cases:case_report' contact.pk %}{% url "records:contact_edit" contact.pk %}"""
    assert [found.split(" (")[0] for found in foreign("records", text)] == [
        "load backup_call_tags",  # whichever app defines it, or none: not records' or below
        "include repetition/_intake_banner.html",
        "load measure_tags",
        "include template_name",
        "url cases:case_report",
    ]
    assert foreign("people", '{% include "records/_contact_table.html" %}') == [
        "include records/_contact_table.html (records)"
    ]
    assert ("load case_tags", "cases") in used_apps("{% load i18n case_tags %}")


def _ready_imports():
    """(app, module, names) for every import in an app's ``AppConfig.ready()``."""
    for config in apps.get_app_configs():
        path = Path(config.path) / "apps.py"
        if not path.is_relative_to(ROOT) or not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef) and function.name == "ready":
                for node in ast.walk(function):
                    if isinstance(node, ast.ImportFrom):
                        module = node.module or ""
                        if node.level:
                            module = ".".join(config.name.split(".")[: len(config.name.split(".")) - node.level + 1])
                            module = f"{module}.{node.module}" if node.module else module
                        yield config.name, module, [alias.name for alias in node.names]
                    elif isinstance(node, ast.Import):
                        for alias in node.names:
                            yield config.name, alias.name, []


def test_every_registration_in_an_apps_ready_resolves():
    """What an app registers in ``ready()`` (hooks it connects to, its panels and receivers) exists."""
    checked = 0
    for app, module_name, names in _ready_imports():
        module = importlib.import_module(module_name)
        for name in names:
            assert hasattr(module, name) or importlib.util.find_spec(f"{module_name}.{name}"), (
                f"{app}: {module_name}.{name}"
            )
            checked += 1
    assert checked, "no app registers anything in ready()"


def _drawn_slots() -> set[tuple[str, str]]:
    """Every (page, slot) a template draws with ``{% panels %}``; a page given
    as a variable (the clock, included on two pages) takes the pages it is included with."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in TEMPLATES.rglob("*.html"))
    drawn = set(re.findall(r"""{%\s*panels\s+["']([\w.]+)["']\s+["'](\w+)["']""", text))
    pages_passed = set(re.findall(r"""\bpage=["']([\w.]+)["']""", text))
    for slot in re.findall(r"""{%\s*panels\s+page\s+["'](\w+)["']""", text):
        drawn |= {(page, slot) for page in pages_passed}
    return drawn


def test_every_registered_panel_is_drawn_and_its_template_exists():
    drawn = _drawn_slots()
    registered = [panel for panels in _PANELS.values() for panel in panels]
    assert registered
    for panel in registered:
        assert (panel.page, panel.slot) in drawn, f"{panel.name}: no template draws {panel.page} {panel.slot}"
        get_template(panel.template)
        assert panel.name.split(".")[0] in {config.name for config in apps.get_app_configs()}, panel.name
