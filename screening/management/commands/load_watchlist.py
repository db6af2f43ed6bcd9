"""python manage.py load_watchlist PATH [--dataset NAME]: a list file as a new version."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from screening.loading import ListFileError, load_watchlist


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, stream, width=30):
        self.stream, self.width, self.last = stream, width, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        share = min(done / total, 1.0) if total else 1.0
        filled = int(share * self.width)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {share:6.1%} {done / 1e6:8.1f} MB")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Loads a watchlist file (FollowTheMoney JSON lines, or the UN Security Council "
        "consolidated list XML; gzip allowed) as the new version of a dataset, in one "
        "transaction: screening keeps using the current version until it is done."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dataset", default="default", help="e.g. sanctions, peps, un_sc")
        parser.add_argument(
            "--allow-shrink",
            action="store_true",
            help="accept a file with less than half the entities of the current version",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        show = not options["no_progress"] and sys.stderr.isatty()
        progress = ProgressBar(sys.stderr) if show else None
        started = time.monotonic()
        try:
            result = load_watchlist(
                options["path"],
                options["dataset"],
                progress=progress,
                allow_shrink=options["allow_shrink"],
            )
        except ListFileError as error:
            if progress:
                sys.stderr.write("\n")
            raise CommandError(f"{error}. Nothing was loaded; the current list stays.") from None
        if progress:
            sys.stderr.write("\n")
        version = result.version
        self.stdout.write(
            f"Loaded {version.entity_count} entities into {options['dataset']} as version "
            f"{version.label} (skipped {version.skipped_count} that are "
            f"neither persons nor organisations) in "
            f"{time.monotonic() - started:.1f} s."
        )
