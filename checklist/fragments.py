"""Markup of checklist content, rendered once per language and then reused.

A finding's card or a question's prompt and read-aloud text depend on nothing but the frozen
content specs of :mod:`checklist.risk` and the active language. Rendering those partials again
on every request was most of a step page's server time (see ``docs/performance.md``), so
:func:`render_fragment` memoizes them. The memo is keyed on the values themselves, not on ids:
a draft whose wording changed is a different key, never a stale hit. Only immutable values are
accepted; a model instance (which hashes by primary key alone) is refused.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeString
from django.utils.translation import get_language

MEMO_SIZE = 4096
_SCALARS = (str, int, float, bool, type(None))


def _is_immutable(value: object) -> bool:
    if isinstance(value, _SCALARS):
        return True
    if isinstance(value, tuple | frozenset):
        return all(_is_immutable(item) for item in value)
    return (
        dataclasses.is_dataclass(value) and not isinstance(value, type) and value.__dataclass_params__.frozen  # type: ignore[union-attr]
    )


def render_fragment(template_name: str, **context: object) -> SafeString:
    """``template_name`` rendered with ``context``, which must hold immutable values only."""
    for name, value in context.items():
        if not _is_immutable(value):
            raise TypeError(f"render_fragment() memoizes on values; {name}={type(value).__name__} is not immutable.")
    # Links in a fragment are reversed once, so the URL prefix and the URLconf in use are part of the key.
    urls = (get_script_prefix(), get_urlconf(settings.ROOT_URLCONF))
    return _render(template_name, tuple(sorted(context.items())), get_language(), urls)


@lru_cache(maxsize=MEMO_SIZE)
def _render(template_name: str, context: tuple[tuple[str, object], ...], language: str | None, urls) -> SafeString:
    return render_to_string(template_name, dict(context))  # a SafeString, rendered with autoescaping on


def render_fragment_cache_clear() -> None:
    _render.cache_clear()


@receiver(file_changed, dispatch_uid="checklist.fragments.template_changed")
def _template_changed(sender, file_path: Path, **kwargs) -> None:
    """Under ``runserver``, an edited template shows on the next request, as Django's own do."""
    if file_path.suffix == ".html":
        render_fragment_cache_clear()
