"""python manage.py screen NAME [--birth-date] [--nationality] [--organization] --json: hits,
one per line."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from screening import matching, search


class Command(BaseCommand):
    help = (
        "Screens a name against the loaded watchlists: hits at or above the threshold, best "
        "first, one JSON object per line (id, caption, score, topics, explanation); nothing "
        "when there is no hit."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="+", help="the name, in any script")
        parser.add_argument("--birth-date", help="YYYY-MM-DD")
        parser.add_argument("--nationality", help="ISO 3166 alpha-2 code, e.g. CN")
        parser.add_argument(
            "--organization", action="store_true",
            help="screen NAME as an organisation (--nationality: its country) against the "
            "lists' companies and organisations",
        )  # fmt: skip
        parser.add_argument("--json", action="store_true", help="JSON lines (the only format)")

    def handle(self, *args, **options):
        birth_date = None
        if options["birth_date"]:
            try:
                birth_date = datetime.date.fromisoformat(options["birth_date"])
            except ValueError:
                raise CommandError("--birth-date must be YYYY-MM-DD") from None
        nationality = (options["nationality"] or "").strip()
        if nationality and (len(nationality) != 2 or not nationality.isalpha()):
            raise CommandError("--nationality must be a two-letter country code, e.g. CN")
        if not search.active_versions():
            raise CommandError("No watchlist is loaded: run load_watchlist first.")
        if options["organization"] and birth_date:
            raise CommandError("an organisation has no --birth-date")
        subject = matching.Subject(
            names=(" ".join(options["name"]),), birth_date=birth_date,
            nationality=nationality.lower(),
            schema=matching.ORGANISATION if options["organization"] else "Person",
        )  # fmt: skip
        for match in search.screen(subject):
            line = {
                "id": match.person.entity_id,
                "caption": match.person.caption,
                "score": match.score,
                "topics": list(match.person.topics),
                "explanation": match.explanation,
            }
            self.stdout.write(json.dumps(line, ensure_ascii=False))
