"""Small template tags and filters shared by the app's pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from checklist import question_cards
from checklist.fragments import render_fragment
from checklist.steps import Progress

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
def content_fragment(template_name: str, **context):
    """A partial that shows checklist content only, rendered once per language (see checklist.fragments)."""
    return render_fragment(template_name, **context)


@register.simple_tag
def question_card(card: question_cards.QuestionCard):
    """A step page's question card, reused unless it holds a note about the patient or an error."""
    if card.is_shareable:
        return render_fragment(question_cards.TEMPLATE, card=card)
    return render_to_string(question_cards.TEMPLATE, {"card": card})


@register.simple_tag
def progress_items(progress: Progress) -> SafeString:
    """The ``<li>`` items of the progress list (partials/progress.html), one per step.

    Built with ``format_html`` rather than a template loop: every workflow page lists every
    step, and the loop alone was about a tenth of a step page's server time.
    """
    complete = format_html('<span class="visually-hidden"> ({})</span>', _("complete"))

    def item(entry) -> tuple:
        css = f" is-{entry.state}" if entry.state else ""
        if not entry.url:
            return css, format_html('<span class="step-link"><span class="step-title">{}</span></span>', entry.title)
        return css, format_html(
            '<a class="step-link" href="{}"{}><span class="step-title">{}</span>{}</a>',
            entry.url,
            SafeString(' aria-current="step"') if entry.state == "current" else "",
            entry.title,
            complete if entry.state == "complete" else "",
        )

    return format_html_join("\n", '<li class="step-item{}">{}</li>', (item(e) for e in progress.entries))
