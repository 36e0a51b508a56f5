"""Install or update the checklist from its reviewed content files. Safe to run any number of times.

Every ``checklist/content/vN.yaml`` is installed in number order. On an empty database the
highest version ends published and the earlier ones retired (a fresh install starts on today's
questions). On a database that already has a published version, a new version is installed as a
draft: an editor reviews what it changes and publishes it (the admin's "Publish…" or
``publish_checklist``), because publishing moves every clinic's new screenings onto it.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from checklist.content_schema import CONTENT_DIR, ContentError, load_content_file
from checklist.models import ChecklistVersion
from checklist.selectors import checklist_version_published
from checklist.services.checklist_versions import (
    ContentConflict,
    checklist_content_load,
    checklist_version_draft,
    checklist_version_publish,
)


def content_file_number(path: Path) -> int:
    return int(path.stem.lstrip("v") or 0)


class Command(BaseCommand):
    help = "Load checklist content files (default: every checklist/content/v*.yaml, in version order)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="Content files to load.")

    def handle(self, *args, files: list[Path], **options):
        paths = files or sorted(CONTENT_DIR.glob("v*.yaml"), key=content_file_number)
        if not paths:
            raise CommandError(f"No content files found in {CONTENT_DIR}.")
        fresh = not ChecklistVersion.objects.exists()
        for path in paths:
            try:
                report = checklist_content_load(content=load_content_file(path))
            except (ContentError, ContentConflict) as exc:
                raise CommandError(f"{path}: {exc}") from None
            except FileNotFoundError:
                raise CommandError(f"{path}: no such file.") from None
            parts = [f"v{report.version_number}: {report.version_action}"]
            if report.references_changed:
                parts.append(f"{len(report.references_changed)} reference(s) updated")
            if report.jurisdictions_changed:
                parts.append(f"{len(report.jurisdictions_changed)} jurisdiction(s) updated")
            self._say(options, report.changed_anything, f"{path.name}: " + "; ".join(parts) + ".")
            # Only one draft exists at a time: a fresh install publishes each version as it comes,
            # each retiring the one before, so it ends on the newest.
            if fresh and (draft := checklist_version_draft()) is not None:
                checklist_version_publish(version=draft)
        if fresh:
            newest = checklist_version_published()
            if newest is not None:
                self._say(options, True, f"v{newest.number}: published (a fresh install starts on the newest version).")
        elif (draft := checklist_version_draft()) is not None:
            self._say(
                options,
                False,
                f"v{draft.number} is a draft: review it in the admin and publish it there or with "
                f"`manage.py publish_checklist {draft.number}`.",
            )

    def _say(self, options, changed: bool, text: str) -> None:
        if options["verbosity"] >= 1:
            self.stdout.write((self.style.SUCCESS if changed else self.style.NOTICE)(text))
