"""Every sentence a page shows comes from the strings catalog, so the pages can be translated.

Two checks over every template under ``web/templates/``: no English left in the HTML around the
``{{ }}``/``{% %}`` tags (nor as a bare string literal a ``{{ }}`` prints), and every ``t("key")``
names a key the catalog has. The self-tests feed each check a bad template, so neither can pass by
finding nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import Environment, nodes
from markupsafe import Markup

from mfa_portal.web.responses import TEMPLATES_DIR
from mfa_portal.web.strings import STRINGS, t

TEMPLATES = sorted(TEMPLATES_DIR.rglob("*.html"))
ENV = Environment()

JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
#: Attributes a user reads or hears (screen readers) although they sit inside a tag.
VISIBLE_ATTR = re.compile(r"""\b(?:title|alt|placeholder|aria-label)\s*=\s*(["'])(.*?)\1""", re.S)
ENTITY = re.compile(r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")
WORD = re.compile(r"[A-Za-z]{2,}")
#: Words a template may still carry, with the reason. base.html is owned elsewhere: its
#: ``<nav aria-label="Main">`` should become ``{{ t("nav.label") }}`` (the key is in the catalog).
ALLOWED_WORDS: dict[str, frozenset[str]] = {  # template name -> words allowed in its HTML
    # A macro that prints the ARIA attributes of an input: attribute names, not sentences.
    "_field_errors.html": frozenset({"aria", "describedby", "invalid", "true"}),
    "admin/_forms.html": frozenset({"aria", "describedby", "invalid", "true"}),
}
#: Literal strings a ``{{ }}`` may print: paths and separators, never words.
NON_TEXT = re.compile(r"[/#?][^\s]*|[^A-Za-z]*")


def english_in_markup(source: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """Words a user would read that come from the template's own HTML, not from the catalog."""
    html = COMMENT.sub(" ", JINJA.sub(" ", source))
    visible = [value for _, value in VISIBLE_ATTR.findall(html)]
    visible.append(TAG.sub(" ", html))
    words = WORD.findall(ENTITY.sub(" ", " ".join(visible)))
    return [word for word in words if word not in allowed]


def _printed_constants(node: nodes.Node) -> Iterator[str]:
    """String literals that end up printed as they are: ``{{ "yes" if x else "no" }}``."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, nodes.CondExpr):
        yield from _printed_constants(node.expr1)
        if node.expr2 is not None:
            yield from _printed_constants(node.expr2)
    elif isinstance(node, nodes.Concat):
        for part in node.nodes:
            yield from _printed_constants(part)
    elif isinstance(node, (nodes.Add, nodes.Or, nodes.And)):
        yield from _printed_constants(node.left)
        yield from _printed_constants(node.right)
    elif isinstance(node, nodes.Filter) and node.node is not None:
        yield from _printed_constants(node.node)


def english_in_expressions(source: str) -> list[str]:
    found = []
    for output in ENV.parse(source).find_all(nodes.Output):
        for expr in output.nodes:
            if isinstance(expr, nodes.TemplateData):
                continue
            found += [c for c in _printed_constants(expr) if not NON_TEXT.fullmatch(c)]
    return found


def _key_literals(node: nodes.Expr) -> Iterator[tuple[str, bool]]:
    """The keys a ``t(...)`` first argument can take: (key, is_prefix) for ``"select." ~ x``."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        yield node.value, False
    elif isinstance(node, nodes.CondExpr):
        yield from _key_literals(node.expr1)
        if node.expr2 is not None:
            yield from _key_literals(node.expr2)
    elif isinstance(node, nodes.Concat) and isinstance(node.nodes[0], nodes.Const):
        yield str(node.nodes[0].value), True


def unknown_keys(source: str) -> list[str]:
    """``t("key")`` calls whose key the catalog lacks (a plural key needs its ``.other`` form)."""
    missing = []
    for call in ENV.parse(source).find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name == "t" and call.args):
            continue
        for key, is_prefix in _key_literals(call.args[0]):
            if is_prefix:
                known = any(k.startswith(key) for k in STRINGS)
            else:
                known = key in STRINGS or f"{key}.other" in STRINGS
            if not known:
                missing.append(key)
    return missing


def _name(path: Path) -> str:
    return str(path.relative_to(TEMPLATES_DIR))


def test_the_templates_are_found() -> None:
    names = {_name(path) for path in TEMPLATES}
    assert {"signin.html", "admin/user.html", "recovery/recover.html"} <= names


@pytest.mark.parametrize("path", TEMPLATES, ids=_name)
def test_a_template_has_no_english_of_its_own(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    allowed = ALLOWED_WORDS.get(_name(path), frozenset())
    assert english_in_markup(source, allowed) == []
    assert english_in_expressions(source) == []


@pytest.mark.parametrize("path", TEMPLATES, ids=_name)
def test_every_key_a_template_uses_is_in_the_catalog(path: Path) -> None:
    assert unknown_keys(path.read_text(encoding="utf-8")) == []


def test_english_in_markup_is_found() -> None:
    source = (
        '<h1>{{ t("a") }}</h1><p>Hello there</p><th scope="col">MFA</th>'
        '<img alt="A QR code" src="/q.png"><a href="/x?a=1&amp;b=2">{{ t("b") }}</a> · &ndash;'
    )
    assert english_in_markup(source) == ["QR", "code", "Hello", "there", "MFA"]


def test_markup_and_jinja_alone_are_not_english() -> None:
    source = (
        '{% extends "base.html" %}{# a comment #}<!-- note -->\n'
        '<a class="brand" href="/{{ x }}" download="{{ t("k") }}">{{ t("app.name") }}</a> · &amp;'
    )
    assert english_in_markup(source) == []


def test_a_printed_literal_is_found_and_a_path_is_not() -> None:
    """``x ~ "s"`` is the home-made plural the catalog's ``.one``/``.other`` keys replace."""
    source = (
        '{{ "yes" if ok else "no" }}<a href="{{ "/" if a else "/account" }}">'
        '{{ items|join(", ") if items else "none" }}{{ t("k") }}{{ x ~ "s" }}'
    )
    assert english_in_expressions(source) == ["yes", "no", "none", "s"]


def test_a_key_missing_from_the_catalog_is_found() -> None:
    source = (
        '{{ t("signin.title") }}{{ t("no.such.key") }}{{ t("admin.yes" if a else "admin.nope") }}'
        '{{ t("select." ~ choice) }}{{ t("nothing." ~ x) }}{{ t(title) }}'
        '{{ t("admin.search.count", count=2) }}'
    )
    assert unknown_keys(source) == ["no.such.key", "admin.nope", "nothing."]


def test_plural_forms_pick_one_and_other() -> None:
    assert t("admin.search.count", count=1) == "1 user"
    assert t("admin.search.count", count=0) == "0 users"
    assert t("account.recovery.remaining", count=1) == "Unused recovery codes: 1."


def test_an_html_key_keeps_its_markup_and_escapes_its_values() -> None:
    text = t("recovery.codes.remaining_html", count="<b>")
    assert isinstance(text, Markup)
    assert text == "You have <strong>&lt;b&gt;</strong> unused recovery codes."
    assert t("recovery.codes.remaining_html", count=1).endswith(" unused recovery code.")


def test_a_plain_key_is_left_to_the_template_to_escape() -> None:
    text = t("admin.outbox.to", recipient="<x@example.com>")
    assert not isinstance(text, Markup) and text == "To: <x@example.com>"


def test_an_unknown_key_shows_itself() -> None:
    assert t("no.such.key") == "no.such.key"
