"""Small template tags and filters shared by the app's pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from checklist.content_markup import content_markup
from checklist.question_cards import card_markup
from checklist.steps import Progress
from checklist.vocabulary import BADGE_CLASS, as_level, risk_levels_for_script

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


@register.simple_tag
def content(template_name: str, **context) -> SafeString:
    """A partial of published content only, rendered once per language (``checklist.content_markup``)."""
    return content_markup(template_name, **context)


@register.simple_tag
def question_card(card) -> SafeString:
    """One question of a step page (``checklist.question_cards.card_markup``)."""
    return card_markup(card)


@register.simple_tag
def risk_badge(level) -> SafeString:
    """A level's badge, labelled from the one vocabulary (``checklist.vocabulary.RiskLevel``)."""
    choice = as_level(level).choice
    return format_html('<span class="badge {} risk-badge">{}</span>', BADGE_CLASS[choice], choice.label)


@register.simple_tag
def risk_levels_script() -> SafeString:
    """The risk levels for the step page's script, as a JSON ``<script>`` element (no inline code)."""
    return json_script(risk_levels_for_script(), "risk-levels")


@register.simple_tag
def progress_items(progress: Progress) -> SafeString:
    """The ``<li>`` items of the progress list (partials/progress.html), one per step.

    Built with ``format_html`` rather than a template loop: every workflow page lists every
    step, and the loop alone was about a tenth of a step page's server time.
    """
    complete = format_html('<span class="visually-hidden"> ({})</span>', _("complete"))

    def still_open(count: int) -> SafeString:
        # In words on every screen width, not only as a missing tick.
        words = ngettext("%(n)d to answer", "%(n)d to answer", count) % {"n": count}
        return format_html('<span class="step-open"><span class="visually-hidden">, </span>{}</span>', words)

    def item(entry) -> tuple:
        css = f" is-{entry.state}" if entry.state else ""
        if entry.open_count:
            css += " has-open"
        if not entry.url:
            return css, format_html('<span class="step-link"><span class="step-title">{}</span></span>', entry.title)
        return css, format_html(
            '<a class="step-link" href="{}"{}><span class="step-title">{}</span>{}</a>',
            entry.url,
            SafeString(' aria-current="step"') if entry.state == "current" else "",
            entry.title,
            complete if entry.state == "complete" else still_open(entry.open_count) if entry.open_count else "",
        )

    return format_html_join("\n", '<li class="step-item{}">{}</li>', (item(e) for e in progress.entries))
