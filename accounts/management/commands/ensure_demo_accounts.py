from django.core.management.base import BaseCommand, CommandError

from accounts import roles, staff

DEMO_PASSWORD = "demo-kyc-portal-2026"  # noqa: S105 - printed for a newcomer's local demo only
DEMO_ACCOUNTS = [
    ("reviewer@demo.local", roles.REVIEWER),
    ("supervisor@demo.local", roles.SUPERVISOR),
    ("sales@demo.local", roles.SALES_INQUIRY),
]


class Command(BaseCommand):
    help = "Makes sure the demo staff logins of `make run` exist and prints their credentials."

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-applications",
            action="store_true",
            help="Also one sample SPECIMEN application in each status (DEBUG on only).",
        )

    def handle(self, **options):
        from django.conf import settings

        if options["with_applications"] and not settings.DEBUG:
            # Checked before anything is written: fake people never reach a production database.
            raise CommandError("Demo applications are for a development site only (DEBUG is off).")
        group = staff.create_sales_group("Demo sales group")
        logins = {}
        for email, role in DEMO_ACCOUNTS:
            sales_group = group if role == roles.SALES_INQUIRY else None
            logins[role] = staff.create_staff_account(
                email, DEMO_PASSWORD, role=role, sales_group=sales_group, is_demo=True
            )
            self.stdout.write(f"  {role:<18} {email:<24} password: {DEMO_PASSWORD}")
        self.stdout.write(f"  Sales group referral code: {group.referral_code}")
        if options["with_applications"]:
            self._ensure_sample_watchlist()
            self._ensure_applications(reviewer=logins[roles.REVIEWER], group=group)

    def _ensure_sample_watchlist(self):
        # Before the applications: their submissions are screened against it.
        from screening.demo import ensure_sample_watchlist

        loaded = ensure_sample_watchlist()
        if loaded is not None:
            self.stdout.write(
                f"  Loaded the sample watchlist (made-up people): {loaded.version.entity_count} "
                "entities. Load the real lists with manage.py load_watchlist (README)."
            )

    def _ensure_applications(self, *, reviewer, group):
        from verification import demo

        made = demo.ensure_demo_applications(
            password=DEMO_PASSWORD, reviewer=reviewer, sales_group=group
        )
        if made:
            self.stdout.write(f"  Made {len(made)} sample application(s).")
        self.stdout.write("  Demo customers (same password), one per status:")
        for case in demo.DEMO_CASES:
            self.stdout.write(f"    {case.email:<28} {case.status.label}")
