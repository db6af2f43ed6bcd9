from django.core.management.base import BaseCommand

from accounts import roles, staff

DEMO_PASSWORD = "demo-kyc-portal-2026"  # noqa: S105 - printed for a newcomer's local demo only
DEMO_ACCOUNTS = [
    ("reviewer@demo.local", roles.REVIEWER),
    ("supervisor@demo.local", roles.SUPERVISOR),
    ("sales@demo.local", roles.SALES_INQUIRY),
]


class Command(BaseCommand):
    help = "Makes sure the demo staff logins of `make run` exist and prints their credentials."

    def handle(self, **options):
        group = staff.create_sales_group("Demo sales group")
        for email, role in DEMO_ACCOUNTS:
            sales_group = group if role == roles.SALES_INQUIRY else None
            staff.create_staff_account(
                email, DEMO_PASSWORD, role=role, sales_group=sales_group, is_demo=True
            )
            self.stdout.write(f"  {role:<18} {email:<24} password: {DEMO_PASSWORD}")
        self.stdout.write(f"  Sales group referral code: {group.referral_code}")
