from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api import services
from api.models import ApiClient


class Command(BaseCommand):
    help = "Registers a webhook endpoint for a client and prints its signing secret once."

    def add_arguments(self, parser):
        parser.add_argument("client", help="The client's name.")
        parser.add_argument("url")
        parser.add_argument("--events", default="", help="Comma-separated; default: all.")

    def handle(self, *args, client, url, events, **options):
        found = ApiClient.objects.filter(name=client).first()
        if found is None:
            raise CommandError(f"No API client named {client!r}.")
        chosen = [event.strip() for event in events.split(",") if event.strip()]
        try:
            endpoint, secret = services.add_endpoint(found, url, events=chosen)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(f"Endpoint {endpoint.pk} registered. Its signing secret (shown once):")
        self.stdout.write(secret)
