"""``manage.py migrate``, Django's own, connected as the tables' owner and granting the runtime
role its privileges afterwards (PostgreSQL with two roles: clinic/database_roles.py)."""

from __future__ import annotations

from contextlib import suppress

from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import DatabaseError, connections

from checklist import immutability
from clinic.database_roles import owner_connection, runtime_privileges_grant, runtime_role_problems


class Command(DjangoMigrateCommand):
    help = (
        DjangoMigrateCommand.help
        + " With DATABASE_MIGRATE_URL set, connects as the tables' owner and then grants the runtime role of "
        "DATABASE_URL what the app needs. Puts back the triggers that protect signed records."
    )

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        with owner_connection(connection):
            try:
                super().handle(*args, **options)
            except Exception:
                # On SQLite the triggers were dropped before migrating (post_migrate puts them back
                # after a migration that succeeds): put them back on the tables as they are now.
                with suppress(DatabaseError):
                    immutability.install_if_migrated(connection)
                raise
            if options["plan"]:
                return
            runtime_privileges_grant(connection)
            for problem in runtime_role_problems(connection):
                self.stderr.write(self.style.WARNING(f"Database roles: {problem} See docs/security.md."))
