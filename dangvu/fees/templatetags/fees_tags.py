"""Money as Vietnamese write it in the fees pages: 73.500 (signed amounts keep their sign)."""

from django import template

from dangvu.core.numbers import thousands

register = template.Library()


@register.filter
def dong(value) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return "—" if value is None else str(value)
    return ("-" if value < 0 else "") + thousands(abs(value))


@register.filter
def label_of(labels: dict, key) -> str:
    return labels.get(key, key)
