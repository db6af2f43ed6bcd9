from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api import services


class Command(BaseCommand):
    help = "Creates an API client and prints its first API key (shown this once only)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--sales-group", help="Its customers are this sales group's too.")

    def handle(self, *args, name, sales_group=None, **options):
        try:
            client, key = services.create_client(name, sales_group_name=sales_group)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(f"Client {client.name!r} created. Its API key (shown once):")
        self.stdout.write(key)
