"""``manage.py flush``, Django's own, run as the tables' owner with the triggers that keep signed
records and the audit log switched off for its transaction: emptying the whole database is an
operator's decision (and what the tests do between transactional tests)."""

from __future__ import annotations

from django.core.management.commands.flush import Command as DjangoFlushCommand
from django.db import connections

from checklist.immutability import protections_suspended
from clinic.database_roles import owner_connection


class Command(DjangoFlushCommand):
    help = DjangoFlushCommand.help + " Connects as the tables' owner (DATABASE_MIGRATE_URL) when it is set."

    def handle(self, **options):
        connection = connections[options["database"]]
        with owner_connection(connection), protections_suspended(connection):
            super().handle(**options)
