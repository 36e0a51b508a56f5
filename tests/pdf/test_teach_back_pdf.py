"""The PDF records each teach-back question, the first answer and the final one, compactly: the
risky demo documents stay at most 6 pages with teach-back. (The clean demo reaches 5 pages with
it: its references move to a page of their own; see the branch's report.)"""

from __future__ import annotations

import pytest

from checklist.demo import answer_teach_back, sign_screening
from tests.pdf.test_page_one import demo_with_pdfs, pages_of, squash


@pytest.mark.renders_pdf
def test_the_pdf_records_each_question_with_the_first_and_final_answer(
    version_with_teach_back, make_screening, clinic_a, alice
):
    screening = make_screening(clinic_a, alice, answers="clean")
    answer_teach_back(screening, alice, wrong_first=["stem-cells"])
    screening = sign_screening(screening, alice)
    text = squash(" ".join(pages_of(screening)))
    assert squash("Teach-back: what the patient said back") in text
    assert squash("Is this a stem-cell treatment?") in text
    assert squash("First: “Yes, it puts stem cells into my body.” (not right).") in text
    assert squash("Final: “No. Exosomes are not cells.” (right after 2 tries).") in text
    assert text.count(squash("Right the first time")) == 4
    # The clinic's own contact, as asked.
    assert squash("Whom do you call if you feel unwell after the treatment?") in text


@pytest.mark.renders_pdf
def test_a_version_without_teach_back_prints_none(make_screening, clinic_a, alice):
    screening = make_screening(clinic_a, alice, answers="clean", signed=True)
    assert squash("Teach-back") not in squash(" ".join(pages_of(screening)))


def test_the_demo_documents_keep_their_page_targets_with_teach_back(version_with_teach_back):
    risky, going_ahead = demo_with_pdfs("Jordan Avery", "Alex Morgan")
    assert risky.version == version_with_teach_back
    assert squash("Teach-back") in squash(" ".join(pages_of(risky)))
    assert len(pages_of(risky)) <= 6
    assert len(pages_of(going_ahead)) <= 6
