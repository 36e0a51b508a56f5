"""The renderer notices a last page that holds only a few lines (checklist.pdf.render): it then lays
the document out again with tighter spacing and keeps that layout if it saves a page."""

from __future__ import annotations

import pytest
from weasyprint import HTML

from checklist.pdf.render import END_ANCHOR, last_page_is_nearly_empty

pytestmark = pytest.mark.django_db  # the suite's autouse fixtures read the database

# About eighteen lines of 10 mm a page (180 mm between the margins).
PAGE = "<style>@page { size: 100mm 200mm; margin: 10mm } p { margin: 0; height: 10mm }</style>"


def document(lines: int):
    body = "".join(f"<p>Line {n}</p>" for n in range(lines))
    return HTML(string=f'{PAGE}{body}<div id="{END_ANCHOR}"></div>').render()


def test_a_last_page_with_a_line_or_two_is_nearly_empty():
    a_line_over = document(19)
    assert len(a_line_over.pages) == 2
    assert last_page_is_nearly_empty(a_line_over)


def test_a_full_last_page_or_a_single_page_is_not():
    assert not last_page_is_nearly_empty(document(18 + 14))
    single = document(1)
    assert len(single.pages) == 1 and not last_page_is_nearly_empty(single)


def test_without_the_end_marker_nothing_is_assumed():
    doc = HTML(string=PAGE + "<p>x</p>" * 19).render()
    assert len(doc.pages) == 2 and not last_page_is_nearly_empty(doc)
