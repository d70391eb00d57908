"""``{% url %}`` with the reversed URLs kept per process (issue 14).

A page's links are mostly the same few views with different ids: the meetings page of a commune
reverses ~800 URLs, and Django's ``reverse`` (a resolver walk, a regex substitution, a language
lookup for its per-language tables) was two fifths of that page's time. The URLs depend only on
the URL patterns, the script prefix and the arguments' text, so they are memoized on exactly
those. Registered as a template builtin in settings, so it replaces Django's tag everywhere with the
same syntax and output (``as var``, escaping, ``NoReverseMatch``).
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.template import Context, defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

KEPT_URLS = 50_000
"""URLs kept per server process (a few MB at most), the least recently used forgotten first."""


@lru_cache(maxsize=KEPT_URLS)
def cached_reverse(prefix: str, urlconf: str | None, view_name: str, args: tuple[str, ...],
                   kwargs: tuple[tuple[str, str], ...], current_app: str | None) -> str:
    """``reverse`` of text arguments (it converts them to text itself); an error is not kept."""
    return reverse(view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


class CachedURLNode(defaulttags.URLNode):
    def render(self, context: Context) -> str:
        args = tuple(str(a.resolve(context)) for a in self.args)
        kwargs = tuple(sorted((k, str(v.resolve(context))) for k, v in self.kwargs.items()))
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        try:
            url = cached_reverse(get_script_prefix(), get_urlconf(), str(self.view_name.resolve(context)),
                                 args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: template.base.Parser, token: template.base.Token) -> CachedURLNode:
    node = defaulttags.url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
