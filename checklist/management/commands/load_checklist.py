"""Install or update the checklist from its reviewed content file. Safe to run any number of times."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from checklist.content_schema import CONTENT_DIR, ContentError, load_content_file
from checklist.services.checklist_versions import ContentConflict, checklist_content_load


class Command(BaseCommand):
    help = "Load checklist content files (default: every checklist/content/v*.yaml, in version order)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path, help="Content files to load.")

    def handle(self, *args, files: list[Path], **options):
        paths = files or sorted(CONTENT_DIR.glob("v*.yaml"), key=lambda p: int(p.stem.lstrip("v") or 0))
        if not paths:
            raise CommandError(f"No content files found in {CONTENT_DIR}.")
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
            if options["verbosity"] >= 1:
                style = self.style.SUCCESS if report.changed_anything else self.style.NOTICE
                self.stdout.write(style(f"{path.name}: " + "; ".join(parts) + "."))
