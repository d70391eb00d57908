"""``{{ amount|dong }}``: an amount of đồng as Vietnamese write it (73.500); a difference keeps its sign."""

from django import template

from dangvu.core.fees import dong as _dong

register = template.Library()


@register.filter
def dong(value) -> str:
    if value is None or value == "":
        return "—"
    value = int(value)
    return ("−" if value < 0 else "") + _dong(abs(value))
