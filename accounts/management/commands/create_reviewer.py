from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import roles, staff

from ._password import read_password


class Command(BaseCommand):
    help = "Creates a reviewer (or with --supervisor a review supervisor). Password: KYC_PASSWORD."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--supervisor", action="store_true")

    def handle(self, email, supervisor, **options):
        role = roles.SUPERVISOR if supervisor else roles.REVIEWER
        try:
            user = staff.create_staff_account(email, read_password(), role=role)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{role}: {user.email}"))
