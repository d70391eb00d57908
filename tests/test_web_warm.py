"""The server's warm-up before forking its workers (dangvu.web.warm): every template compiles and
today's alert day tables are computed, so no worker pays for them on its first requests."""

from __future__ import annotations

from django.template import engines

from dangvu.alerts import queries
from dangvu.core import clock
from dangvu.web.warm import template_names, warm, widget_template_names


def test_warm_compiles_every_template_and_computes_the_alert_tables(monkeypatch) -> None:
    names = template_names()
    assert "alerts/list.html" in names and "base.html" in names and len(names) > 50
    monkeypatch.setattr(queries, "_TABLES", {})
    compiled: list[str] = []
    engine = engines["django"]
    real = engine.get_template

    def counting(name: str):
        compiled.append(name)
        return real(name)
    monkeypatch.setattr(engine, "get_template", counting)
    widgets = widget_template_names()
    assert "django/forms/widgets/input.html" in widgets
    assert warm() == len(names) + len(widgets)
    assert compiled == names
    assert [key[0] for key in queries._TABLES] == [clock.today()]


def test_form_widgets_render_through_jinja2_as_django_would() -> None:
    """The form renderer is Jinja2 (faster on form pages); its widget HTML is the default one's."""
    from django import forms
    from django.forms.renderers import DjangoTemplates, get_default_renderer

    class Sample(forms.Form):
        name = forms.CharField(label="Họ và tên", max_length=80)
        amount = forms.IntegerField(min_value=0)
        kind = forms.ChoiceField(choices=[("a", "Một"), ("b", "Hai")], widget=forms.RadioSelect)
        when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    assert type(get_default_renderer()).__name__ == "Jinja2"
    form = Sample(data={"name": "Lê <Thị> Hoa", "amount": "-1", "kind": "b"})
    fast = "".join(str(form.as_div()).split())
    form.renderer = DjangoTemplates()
    assert fast == "".join(str(form.as_div()).split())
    assert "&lt;Thị&gt;" in fast and 'value="b"' in fast


def test_warm_imports_every_view_before_the_first_request() -> None:
    """A fresh process (as the server's parent is) has the views imported after the warm-up, so no
    worker pays for the URL patterns on its first request."""
    import os
    import subprocess
    import sys

    from conftest import ROOT

    code = ("import django, sys; django.setup(); "
            "before = 'dangvu.registry.views' in sys.modules; "
            "from dangvu.web.warm import warm; warm(); "
            "print(before, 'dangvu.registry.views' in sys.modules, 'dangvu.fees.views' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "dangvu.settings"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=300, check=True).stdout.split()
    assert out == ["False", "True", "True"]
