"""Background tasks (Django's tasks API, through the django-tasks backport).

Run by ``manage.py db_worker`` with the database backend (``settings.TASKS``); the same task runs
unchanged on another django-tasks backend (RQ, Celery). Arguments are JSON: ids, not objects.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from checklist.models import Screening, SignedPdfRender
from checklist.services.signed_pdf import screening_pdf_store

# Waits before the second and third tries, long enough for a full disk to be cleared.
RETRY_DELAYS = (dt.timedelta(seconds=10), dt.timedelta(seconds=60))


@task()
def screening_pdf_render(screening_id: str) -> str:
    """Render and store a signed screening's PDF; on failure, queue the next try (bounded).

    Returns the render's status. A screening whose PDF is already stored is left alone, so a task
    that runs twice stores one document.
    """
    screening = Screening.objects.get(pk=screening_id)
    render = screening_pdf_store(screening=screening)
    if render.status == SignedPdfRender.Status.PENDING and render.attempts:
        retry = screening_pdf_render
        if retry.get_backend().supports_defer:
            delay = RETRY_DELAYS[min(render.attempts, len(RETRY_DELAYS)) - 1]
            retry = retry.using(run_after=timezone.now() + delay)
        retry.enqueue(screening_id)
    return render.status
