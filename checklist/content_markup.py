"""Markup of published checklist content, rendered once per process and language.

A question's prompt and read-aloud text, or a finding's card, depend on nothing but the frozen
read model (:mod:`checklist.spec`, :class:`checklist.risk.Finding`) and the active language, and
drawing them again for every question of every step page was most of its server time. Only those
values are accepted as context: a string, a number or anything typed by a user is refused, so no
patient's answer, note or name can ever be kept here (a card's picked choices and notes are drawn
per request by the ``question_card`` tag). The key is the value itself, never an id,
so a draft whose wording changed is a different key, not a stale hit.
"""

from __future__ import annotations

from functools import lru_cache

from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from checklist.risk import Finding
from checklist.spec import QuestionSpec, SectionSpec, StatementSpec

CONTENT_TYPES = (QuestionSpec, SectionSpec, StatementSpec, Finding)
MEMO_SIZE = 4096


def content_markup(template_name: str, **context: object) -> SafeString:
    """``template_name`` rendered with read-model values only (see the module's docstring)."""
    for name, value in context.items():
        if not isinstance(value, CONTENT_TYPES):
            raise TypeError(f"content_markup() keeps published content only; {name}={type(value).__name__} is not.")
    return _render(template_name, tuple(sorted(context.items())), get_language(), get_script_prefix())


@lru_cache(maxsize=MEMO_SIZE)
def _render(
    template_name: str, context: tuple[tuple[str, object], ...], language: str | None, prefix: str
) -> SafeString:
    return render_to_string(template_name, dict(context))


def content_markup_clear() -> None:
    _render.cache_clear()
