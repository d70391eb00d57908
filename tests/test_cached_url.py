"""``{% url %}`` with kept URLs (dangvu.web.templatetags.cached_url): the builtin tag every template
uses, with Django's output for every form of the tag, and each URL reversed once per process."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, engines
from django.urls import NoReverseMatch, reverse

from dangvu.web.templatetags.cached_url import CachedURLNode, cached_reverse

FORMS = [
    ("{% url 'registry:member_detail' pk %}", {"pk": 42}),
    ("{% url 'registry:member_detail' pk=pk %}", {"pk": "7"}),
    ("{% url 'registry:org_detail' code %}", {"code": "HL-K2 &<13>"}),
    ("{% url name code %}", {"name": "registry:org_detail", "code": "X1"}),
    ("{% url 'registry:org_detail' code as link %}[{{ link }}]", {"code": "X2"}),
    ("{% url 'registry:org_detail' as link %}[{{ link }}]", {}),  # no match, kept as "" with as
    ("{% autoescape off %}{% url 'registry:org_detail' code %}{% endautoescape %}", {"code": "a&b"}),
]


def _django(source: str, ctx: dict) -> str:
    """The same source through Django's own tag (an engine without the project's builtins)."""
    return Engine(builtins=[]).from_string(source).render(Context(ctx))


@pytest.mark.parametrize(("source", "ctx"), FORMS)
def test_the_kept_url_tag_renders_as_djangos(source: str, ctx: dict) -> None:
    template = engines["django"].from_string(source)
    assert template.render(ctx) == _django(source, ctx)


def test_the_project_engine_uses_the_kept_tag_and_reverses_each_url_once() -> None:
    template = engines["django"].from_string("{% url 'registry:member_detail' pk %}")
    assert isinstance(template.template.nodelist[0], CachedURLNode)
    cached_reverse.cache_clear()
    for _ in range(3):
        assert template.render({"pk": 9}) == reverse("registry:member_detail", args=[9])
    info = cached_reverse.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_an_unknown_view_still_fails_as_in_django() -> None:
    template = engines["django"].from_string("{% url 'registry:no_such_page' 1 %}")
    with pytest.raises(NoReverseMatch):
        template.render({})
