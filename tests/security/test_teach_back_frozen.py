"""Teach-back answers freeze with their screening: the model, the QuerySet and the database refuse."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from checklist.models import ScreeningLocked, TeachBackAnswer
from checklist.services.teach_back import screening_teach_back_answer


@pytest.fixture
def signed(version_with_teach_back, make_screening, clinic_a, alice):
    return make_screening(clinic_a, alice, answers="clean", signed=True)


def test_signing_keeps_one_row_a_question(signed):
    assert TeachBackAnswer.objects.filter(screening=signed).count() == 5


def test_the_model_and_the_queryset_refuse_changes(signed, alice):
    row = TeachBackAnswer.objects.filter(screening=signed).first()
    row.final_answer = "no"
    with pytest.raises(ScreeningLocked):
        row.save()
    with pytest.raises(ScreeningLocked):
        row.delete()
    with pytest.raises(ScreeningLocked):
        TeachBackAnswer.objects.filter(screening=signed).update(tries=9)
    with pytest.raises(ScreeningLocked):
        TeachBackAnswer.objects.filter(screening=signed).delete()
    with pytest.raises(ScreeningLocked):
        TeachBackAnswer.objects.bulk_create(
            [
                TeachBackAnswer(
                    screening=signed, question_code="x", first_answer="a", final_answer="a", recorded_by=alice
                )
            ]
        )
    with pytest.raises(ScreeningLocked):
        screening_teach_back_answer(screening=signed, answers={"approval": "yes"}, user=alice)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE checklist_teachbackanswer SET tries = 9 WHERE screening_id = %s",
        "DELETE FROM checklist_teachbackanswer WHERE screening_id = %s",
    ],
)
def test_the_database_refuses_below_the_orm(signed, sql):
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [signed.pk.hex if connection.vendor == "sqlite" else signed.pk])
    assert set(TeachBackAnswer.objects.filter(screening=signed).values_list("tries", flat=True)) == {1}
