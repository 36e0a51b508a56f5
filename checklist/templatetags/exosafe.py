"""Small template filters shared by the app's pages."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def machine_time(value: dt.datetime | None) -> str:
    """An ISO 8601 time to the second, as HTML's <time datetime> accepts it."""
    if not value:
        return ""
    return value.isoformat(timespec="seconds")


@register.filter
def as_minutes(value: dt.timedelta | None) -> int:
    return int(value.total_seconds() // 60) if value else 0
