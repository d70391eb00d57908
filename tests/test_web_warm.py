"""The server's warm-up before forking its workers (dangvu.web.warm): every template compiles and
today's alert day tables are computed, so no worker pays for them on its first requests."""

from __future__ import annotations

from django.template import engines

from dangvu.alerts import queries
from dangvu.core import clock
from dangvu.web.warm import template_names, warm


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
    assert warm() == len(names)
    assert compiled == names
    assert [key[0] for key in queries._TABLES] == [clock.today()]
