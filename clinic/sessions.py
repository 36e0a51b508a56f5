"""Database sessions that are not rewritten on every request.

``SESSION_SAVE_EVERY_REQUEST`` makes the session middleware save the session after every request,
which is what pushes the idle expiry back. Writing the row each time made every signed-in page a
write, and on SQLite every write queues behind any other writer (a signing, a step save). This
store writes when the session's data change, and otherwise only when the last write is at least
``SESSION_REFRESH_SECONDS`` old.

The row's ``expire_date`` is the last-activity timestamp plus the idle limit, and a session past
it is never loaded, so an idle session still ends no later than ``SESSION_COOKIE_AGE`` after the
last request (and at most ``SESSION_REFRESH_SECONDS`` before), never later.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    _stored_expiry: dt.datetime | None = None

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()  # type: ignore[misc]  # private, not in the stubs
        self._stored_expiry = stored.expire_date if stored is not None else None
        return stored

    def _refreshed_recently(self) -> bool:
        self._get_session()  # type: ignore[attr-defined]  # the stored expiry is read with the data
        if self._stored_expiry is None:
            return False
        gained = self.get_expiry_date() - self._stored_expiry
        return gained < dt.timedelta(seconds=settings.SESSION_REFRESH_SECONDS)

    def save(self, must_create: bool = False) -> None:
        if not must_create and not self.modified and self.session_key and self._refreshed_recently():
            return
        super().save(must_create=must_create)
        self._stored_expiry = self.get_expiry_date()
