from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import roles, staff
from sales.models import SalesGroup

from ._password import read_password


class Command(BaseCommand):
    help = "Creates a read-only sales inquiry login for one sales group. Password: KYC_PASSWORD."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--group", required=True, help="The sales group's name.")

    def handle(self, email, group, **options):
        try:
            sales_group = SalesGroup.objects.get(name=group)
        except SalesGroup.DoesNotExist as exc:
            raise CommandError(f"No sales group named {group!r}: create it first.") from exc
        try:
            user = staff.create_staff_account(
                email, read_password(), role=roles.SALES_INQUIRY, sales_group=sales_group
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Inquiry login for {sales_group.name}: {user.email}"))
