from django.core.management.base import BaseCommand

from accounts import staff


class Command(BaseCommand):
    help = "Creates a sales group and prints its referral code."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, name, **options):
        group = staff.create_sales_group(name)
        self.stdout.write(
            self.style.SUCCESS(f"Sales group {group.name}: code {group.referral_code}")
        )
