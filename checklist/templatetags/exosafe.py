"""Small template tags and filters shared by the app's pages."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import format_html, format_html_join, json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from checklist.content_markup import content_markup
from checklist.steps import Progress
from checklist.vocabulary import BADGE_CLASS, AnswerType, as_level, risk_levels_for_script

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
    """One question of a step page: its published text, the patient's answer and the note.

    Written with ``format_html`` rather than an included template: every question of every step
    page goes through it, and the include was a fifth of the page's server time. The published
    text and the flags come from content partials (``content``), rendered once per language.
    """
    question = card.question
    attributes = [format_html(' id="question-{}" data-question="{}"', question.code, question.code)]
    if question.depends_on:
        attributes.append(
            format_html(
                ' data-depends-on="{}" data-depends-values="{}"',
                question.depends_on,
                " ".join(sorted(question.depends_on_values)),
            )
        )
    attributes.append(
        format_html(' data-levels="{}" aria-describedby="read-{}"', choice_levels(question), question.code)
    )
    if not card.visible:
        attributes.append(SafeString(" hidden"))
    if question.choices:
        answer = choice_inputs(card)
    elif question.answer_type == AnswerType.DATE:
        answer = format_html(
            '<label class="form-label visually-hidden" for="id_{}">{}</label>'
            '<input type="date" class="form-control" name="{}" id="id_{}" value="{}">',
            card.name,
            _("Answer"),
            card.name,
            card.name,
            card.text,
        )
    else:
        answer = format_html(
            '<label class="form-label visually-hidden" for="id_{}">{}</label>'
            '<textarea class="form-control" name="{}" id="id_{}" rows="2" maxlength="2000">{}</textarea>',
            card.name,
            _("Answer"),
            card.name,
            card.name,
            card.text,
        )
    return format_html(
        '<fieldset class="question card mb-3{}"{}>\n{}\n<div class="card-body pt-0">\n'
        '<div class="answer mt-3">\n{}\n{}</div>\n'
        '<p class="live-risk small mt-2 mb-0" aria-live="polite" data-live-risk></p>\n{}'
        '<div class="note mt-3">\n'
        '<label class="form-label small mb-1" for="id_{}">{}</label>\n'
        '<textarea class="form-control note-input" name="{}" id="id_{}" rows="1" maxlength="1000">{}</textarea>\n'
        "{}</div>\n</div>\n</fieldset>",
        " has-error" if card.errors else "",
        SafeString("".join(attributes)),
        content_markup("checklist/partials/question_text.html", question=question),
        answer,
        _field_errors(card.errors),
        SafeString("".join(content_markup("checklist/partials/question_flag.html", finding=f) for f in card.findings)),
        card.note_name,
        _("Clinician's note (optional)"),
        card.note_name,
        card.note_name,
        card.note,
        _field_errors(card.note_errors),
    )


def _field_errors(errors) -> SafeString:
    return format_html_join("", '<div class="invalid-feedback d-block">{}</div>\n', ((e,) for e in errors))


@register.simple_tag
def choice_inputs(card) -> SafeString:
    """A choice question's inputs, one toggle button per choice, with the patient's picks checked.

    Written with ``format_html`` rather than a template loop, for the same reason as
    :func:`progress_items`: every choice of every question of a step page goes through it."""
    question = card.question
    kind = "checkbox" if question.answer_type == AnswerType.MULTIPLE else "radio"
    inline = " choice-inline" if question.answer_type == AnswerType.YES_NO_UNSURE else ""
    inputs = format_html_join(
        "\n",
        '<div class="choice"><input type="{}" class="btn-check" name="{}" id="id_{}_{}" value="{}"{}{}>'
        '<label class="btn btn-outline-primary choice-label" for="id_{}_{}">{}</label></div>',
        (
            (kind, card.name, card.name, i, c.value, checked, flag, card.name, i, c.label)
            for i, c in enumerate(question.choices)
            for checked in [SafeString(" checked") if c.value in card.selected else ""]
            # The concern a flagged choice raises, so the live text and the flags panel can name it.
            for flag in [format_html(' data-flag="{}"', c.clinician_flag) if c.clinician_flag else ""]
        ),
    )
    return format_html('<div class="choice-group{}">\n{}\n</div>', inline, inputs)


@register.simple_tag
def choice_levels(question) -> str:
    """``value:level`` pairs of a question's choices, for the step page's live risk text."""
    return " ".join(f"{c.value}:{c.level.code}" for c in question.choices)


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
