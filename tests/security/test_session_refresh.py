"""Sessions are rewritten at most once a minute, and an idle one still ends at the idle limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

DASHBOARD = reverse("checklist:dashboard")
LOGIN = reverse("login")


class Clock:
    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Django's clock, moved by hand (the session store and its expiry read ``timezone.now``)."""
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def _session_writes(client, count: int) -> int:
    with CaptureQueriesContext(connection) as captured:
        for _ in range(count):
            assert client.get(DASHBOARD).status_code == 200
    return sum(1 for q in captured.captured_queries if q["sql"].startswith('UPDATE "django_session"'))


def test_a_burst_of_pages_writes_the_session_at_most_once_a_minute(clock, alice_client, settings):
    assert _session_writes(alice_client, 1) == 0  # signed in just now
    clock.advance(seconds=settings.SESSION_REFRESH_SECONDS - 1)
    assert _session_writes(alice_client, 10) == 0
    clock.advance(seconds=2)
    assert _session_writes(alice_client, 10) == 1
    clock.advance(seconds=30)
    assert _session_writes(alice_client, 10) == 0


def test_a_change_to_the_session_is_written_at_once(clock, alice_client):
    session = alice_client.session
    session["note"] = "kept"
    session.save()
    assert alice_client.session["note"] == "kept"


def test_a_session_idle_past_the_limit_is_signed_out(clock, alice_client, settings):
    assert alice_client.get(DASHBOARD).status_code == 200
    clock.advance(seconds=settings.SESSION_COOKIE_AGE + 1)
    response = alice_client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_request_soon_after_a_refresh_does_not_extend_the_session(clock, alice_client, settings):
    """The limit counts from the last write, at most a minute before the last request: an idle
    session may end up to a minute early, never late."""
    assert alice_client.get(DASHBOARD).status_code == 200
    clock.advance(seconds=settings.SESSION_REFRESH_SECONDS / 2)
    assert alice_client.get(DASHBOARD).status_code == 200  # not written: too soon
    clock.advance(seconds=settings.SESSION_COOKIE_AGE - settings.SESSION_REFRESH_SECONDS / 2 + 1)
    response = alice_client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_activity_within_the_limit_keeps_the_session_alive(clock, alice_client, settings):
    for _ in range(4):  # an hour in all, never idle for the full limit
        clock.advance(seconds=settings.SESSION_COOKIE_AGE - 60)
        assert alice_client.get(DASHBOARD).status_code == 200
