"""The access matrix (issue 13 B5): every URL pattern and every API operation,
walked from the URLconf and the OpenAPI schema, against the expected access
declared in ``mamoru.access_rules``.

``tests/test_access_matrix.py`` requests every endpoint as every role, for an
object of the user's own department and of another, and compares the answer
with the declaration; an endpoint without a rule (or a rule without an
endpoint) fails it. ``python -m mamoru access-matrix`` writes the declaration as
Markdown (``docs/access-matrix.md``, kept up to date by a test) or CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

ROLES = ("anonymous", "staff", "supervisor", "manager", "specialist", "administrator")
ROLE_LABELS = {
    "anonymous": "未ログイン",
    "staff": "職員",
    "supervisor": "上司（係長・課長補佐）",
    "manager": "管理職（課長）",
    "specialist": "専門部署",
    "administrator": "システム管理者",
}
# What a request may come to. A refusal never changes anything (the test checks it).
OUTCOMES = {
    "ok": "表示・実行できる（2xx、ログイン画面以外への転送、ログアウトの実行後のログイン画面への転送）",
    "login": "ログインが必要（ログイン画面への転送、API は 401）",
    "msg": "断りのメッセージを付けて元の画面へ戻す（何も変えない）",
    "400": "入力を受け付けない（API の 400・409・422。権限で断る場合を含む）",
    "403": "権限がない（403）",
    "404": "存在しないものとして扱う（404：他課のもの・見る権限のないもの）",
    "405": "このメソッドは受け付けない（405）",
}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Rule:
    """The expected answer of one endpoint for each role.

    ``method``: what the test sends ("GET"; "POST" for a view that takes only
    POST, whose GET must then be refused with 405; "GET POST" for a form page:
    the test GETs it, and POSTs where GET is refused to see the same refusal).
    ``expect``: six cells in the order of ``ROLES``, each an outcome of
    ``OUTCOMES`` or ``own/other`` when it differs between an object of the
    user's department and one of another department.
    ``post``: for a "GET POST" page whose POST answers otherwise than its GET
    (e.g. a page everyone reads and only the administrator changes), the POST's
    cells; by default the same as ``expect``.
    ``objects``: URL parameter -> the object of the test's city that fills it
    ("contact", "case", ...; "=text" is the literal text)."""

    method: str
    expect: str
    objects: dict[str, str] = field(default_factory=dict)
    note: str = ""
    post: str = ""

    def cells(self, method: str = "") -> dict[str, tuple[str, str]]:
        text = self.post if method == "POST" and self.post else self.expect
        parts = text.split()
        if len(parts) != len(ROLES):
            raise ValueError(f"{text!r}: {len(ROLES)} cells expected ({', '.join(ROLES)})")
        cells = {}
        for role, part in zip(ROLES, parts, strict=True):
            own, _, other = part.partition("/")
            other = other or own
            for outcome in (own, other):
                if outcome not in OUTCOMES:
                    raise ValueError(f"{text!r}: unknown outcome {outcome!r}")
            cells[role] = (own, other)
        return cells

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(self.method.split())


def rule(method: str, expect: str, note: str = "", post: str = "", **objects: str) -> Rule:
    """One row of ``mamoru.access_rules``: ``rule("GET", "login ok/404 ...", pk="contact")``."""
    unknown = set(method.split()) - set(METHODS)
    if unknown:
        raise ValueError(f"unknown method {unknown}")
    if post and method != "GET POST":
        raise ValueError("post= is for a GET POST page")
    return Rule(method=method, expect=expect, objects=objects, note=note, post=post)


@dataclass(frozen=True)
class Endpoint:
    """A URL pattern (``kind="page"``) or an API operation (``kind="api"``)."""

    key: str  # the URL name with its namespaces, the route of an unnamed pattern, or the operation id
    kind: str
    route: str  # the pattern as the URLconf writes it, or the API path
    params: tuple[str, ...]
    api_method: str = ""  # an API operation's method
    summary: str = ""


_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>|\(\?P<(?P<group>\w+)>[^)]*\)")


def _params(route: str) -> tuple[str, ...]:
    return tuple(m.group("name") or m.group("group") for m in _PARAM.finditer(route))


def url_endpoints() -> list[Endpoint]:
    """Every URL pattern of the URLconf, namespaced includes and /admin/ included.
    The API's operations are listed by ``api_endpoints`` instead of their patterns."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[Endpoint] = []

    def walk(resolver, prefix: str, namespace: str | None) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                if getattr(pattern.callback, "__module__", "") == "ninja.operation":
                    continue  # an API operation: see api_endpoints
                route = prefix + str(pattern.pattern)
                if pattern.name:
                    key = f"{namespace}:{pattern.name}" if namespace else pattern.name
                else:
                    key = route
                if any(e.key == key for e in found):
                    key = f"{key} {route}"
                found.append(Endpoint(key=key, kind="page", route=route, params=_params(route)))

    walk(get_resolver(), "", None)
    return found


def api_endpoints() -> list[Endpoint]:
    """Every operation of the API's OpenAPI schema."""
    from mamoru.api import api

    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            params = tuple(p["name"] for p in operation.get("parameters", []) if p.get("in") == "path")
            found.append(
                Endpoint(
                    key=operation["operationId"],
                    kind="api",
                    route=path,
                    params=params,
                    api_method=method.upper(),
                    summary=str(operation.get("summary", "")),
                )
            )
    return found


def endpoints() -> list[Endpoint]:
    return url_endpoints() + api_endpoints()


def check_rules(found: list[Endpoint], rules: dict[str, Rule]) -> list[str]:
    """What is wrong between the endpoints and the rules, in sentences naming them."""
    problems = []
    keys = {e.key for e in found}
    for endpoint in found:
        declared = rules.get(endpoint.key)
        if declared is None:
            problems.append(
                f"{endpoint.key} ({endpoint.route}) has no rule: declare who may reach it in mamoru/access_rules.py"
            )
            continue
        try:
            declared.cells()
            declared.cells("POST")
        except ValueError as error:
            problems.append(f"{endpoint.key}: {error}")
        missing = set(endpoint.params) - set(declared.objects)
        if missing:
            problems.append(f"{endpoint.key}: the rule names no object for {sorted(missing)}")
        if endpoint.kind == "api" and declared.methods != (endpoint.api_method,):
            problems.append(f"{endpoint.key}: the rule says {declared.method}, the schema {endpoint.api_method}")
    for key in sorted(set(rules) - keys):
        problems.append(f"{key}: a rule for an endpoint that no longer exists; remove it from mamoru/access_rules.py")
    return problems


def fill(route: str, values: dict[str, object]) -> str:
    """The route with its parameters replaced by ``values`` (and regex anchors dropped)."""

    def replace(match):
        return str(values[match.group("name") or match.group("group")])

    path = _PARAM.sub(replace, route).lstrip("^").rstrip("$").replace("^", "")
    path = path.replace("{", "<").replace("}", ">")
    path = re.sub(r"<(\w+)>", lambda m: str(values[m.group(1)]), path)
    return "/" + path.lstrip("/")


def _cell(own: str, other: str, posted: tuple[str, str] | None = None) -> str:
    text = own if own == other else f"{own} / 他課 {other}"
    if posted is not None and posted != (own, other):
        text += f"（POST は {_cell(*posted)}）"
    return text


def rows(found: list[Endpoint] | None = None) -> list[list[str]]:
    """The matrix as rows of text: the endpoint, its method, the route, a cell per role."""
    from mamoru.access_rules import RULES

    found = endpoints() if found is None else found
    table = []
    for endpoint in sorted(found, key=lambda e: (e.kind != "page", e.route, e.key)):
        declared = RULES.get(endpoint.key)
        if declared is None:
            table.append([endpoint.key, "", "/" + endpoint.route.lstrip("/"), *["（未定義）"] * len(ROLES), ""])
            continue
        cells = declared.cells()
        posted = declared.cells("POST")
        table.append(
            [
                endpoint.key,
                declared.method,
                "/" + endpoint.route.lstrip("/"),
                *[_cell(*cells[role], posted=posted[role]) for role in ROLES],
                declared.note or endpoint.summary,
            ]
        )
    return table


HEADER = ["エンドポイント", "メソッド", "URL", *[ROLE_LABELS[r] for r in ROLES], "備考"]


def render_markdown(table: list[list[str]]) -> str:
    def line(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    out = [
        "# アクセス表（自動生成）",
        "",
        "`python -m mamoru access-matrix` がコード（URLconf と API の OpenAPI スキーマ）と",
        "`mamoru/access_rules.py` の宣言から生成します。手で編集しないでください。",
        "`tests/test_access_matrix.py` が全エンドポイントを全ロールで実際に要求し、この表どおりか確かめます。",
        "",
        "自課 = 職員・上司・管理職の所属課（市民課）の対象、他課 = 別の課（税務課）の対象。",
        "「A / 他課 B」は自課の対象で A、他課の対象で B。専門部署とシステム管理者はどの課にも属さない扱いです。",
        "",
        "結果の種類:",
        "",
        *[f"- `{code}`: {text}" for code, text in OUTCOMES.items()],
        "",
        "メソッドが POST のものは、GET を断る（405。Django 管理サイトのログアウトは管理サイトへの転送）ことも確かめます。",
        "GET POST のものは GET と（空の）POST の両方を確かめます。POST の結果が違うものは「（POST は …）」と書きます。",
        "断られた要求（login・msg・400・403・404・405）は、監査ログとセッション以外に何も書き込みません。",
        "",
        line(HEADER),
        line(["---"] * len(HEADER)),
        *[line(row) for row in table],
        "",
    ]
    return "\n".join(out)


def render_csv(table: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(table)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    """``python -m mamoru access-matrix [--csv] [--output PATH]``: write the matrix
    (Markdown by default) to PATH or standard output. Exits 1 if an endpoint has no rule."""
    import argparse
    import sys

    import django

    parser = argparse.ArgumentParser(prog="python -m mamoru access-matrix", description="アクセス表を出力します。")
    parser.add_argument("--csv", action="store_true", help="CSV で出力する（既定は Markdown）")
    parser.add_argument("--output", "-o", help="書き出すファイル（既定は標準出力）")
    args = parser.parse_args(argv)
    django.setup()
    from mamoru.access_rules import RULES

    found = endpoints()
    table = rows(found)
    text = render_csv(table) if args.csv else render_markdown(table)
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    problems = check_rules(found, RULES)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0
