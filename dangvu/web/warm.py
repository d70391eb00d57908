"""Work every server process would otherwise repeat on its first requests, done once in the
parent before gunicorn forks the workers (``preload_app``), so they inherit it: every template
compiled (the cached template loader keeps each one per process, Jinja2 its widget templates),
the URL patterns with every view module, today's alert day tables
(:func:`dangvu.alerts.queries.warm`) and the kept figures' fingerprint
(a digest of the sources). Measured on the province data set: a worker's first alerts page paid
about 0.3 s for the tables alone."""

from __future__ import annotations

from pathlib import Path

from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines


def template_names() -> list[str]:
    """Every template of the project's apps, as the loaders name them (``app/page.html``)."""
    root = Path(__file__).resolve().parent.parent
    return sorted(str(p.relative_to(d)) for d in root.glob("*/templates") for p in d.rglob("*.html"))


def widget_template_names() -> list[str]:
    """Every template of the form renderer (Django's widget and form templates for Jinja2)."""
    import django.forms

    root = Path(django.forms.__file__).resolve().parent / "jinja2"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.html"))


def warm() -> int:
    """Compile every template (the pages' and the form widgets') and compute today's alert tables;
    the number of templates compiled."""
    from django.forms.renderers import get_default_renderer
    from django.urls import get_resolver

    from dangvu.alerts.queries import warm as warm_alerts
    from dangvu.plans.snapshots import rules_fingerprint

    engine = engines["django"]
    n = 0
    for name in template_names():
        try:
            engine.get_template(name)
        except (TemplateDoesNotExist, TemplateSyntaxError):  # a fragment another app overrides, etc.
            continue
        n += 1
    renderer = get_default_renderer()
    for name in widget_template_names():
        renderer.get_template(name)
        n += 1
    # The URL patterns import every view module (1.2 s in a fresh process, paid by each worker's
    # first request until this) and the reverse tables are filled once.
    resolver = get_resolver()
    _ = resolver.url_patterns, resolver.reverse_dict
    warm_alerts()
    rules_fingerprint()  # the kept figures' key: a digest of the rule sets and every source file
    return n
