"""Publish the draft checklist version and retire the published one (the admin's "Publish…")."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from checklist.content_diff import content_changes
from checklist.models import ChecklistVersion, PublishedVersionLocked
from checklist.selectors import checklist_spec, checklist_version_published, screenings_open_under
from checklist.services.checklist_versions import checklist_version_publish


class Command(BaseCommand):
    help = "Publish a draft checklist version (by number); the published one is retired."

    def add_arguments(self, parser):
        parser.add_argument("number", type=int, help="The draft's version number, e.g. 2.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Only say what publishing would change; publish nothing."
        )

    def handle(self, *args, number: int, dry_run: bool, **options):
        draft = ChecklistVersion.objects.filter(number=number).first()
        if draft is None:
            raise CommandError(f"There is no checklist v{number}. Load it first: `manage.py load_checklist`.")
        if draft.status != ChecklistVersion.Status.DRAFT:
            raise CommandError(
                f"Checklist v{number} is {draft.get_status_display().lower()}; only a draft is published."
            )
        published = checklist_version_published()
        changes = content_changes(checklist_spec(published) if published else None, checklist_spec(draft))
        counts = {kind: sum(1 for c in changes if c.change == kind) for kind in ("added", "removed", "changed")}
        self.stdout.write(
            f"v{number} against v{published.number if published else '—'}: "
            f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed."
        )
        if published is not None:
            self.stdout.write(
                f"{screenings_open_under(published)} open screening(s) were started under v{published.number}."
            )
        if dry_run:
            return
        try:
            checklist_version_publish(version=draft)
        except (PublishedVersionLocked, ValueError) as exc:
            raise CommandError(str(exc)) from None
        retired = f"; v{published.number} retired" if published else ""
        self.stdout.write(self.style.SUCCESS(f"Published v{number}{retired}."))
