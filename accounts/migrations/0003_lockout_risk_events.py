"""Sign-in lockouts become risk events, and supervisors may read every risk event in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

SUPERVISOR = "Review supervisor"


def grant_view(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate); make them now.
    app_config = apps.get_app_config("accounts")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=SUPERVISOR)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="accounts", codename="view_riskevent")
    )


def revoke_view(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=SUPERVISOR).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="accounts", codename="view_riskevent"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="riskevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("signup_rate_limited", "Too many sign-ups from one address"),
                    ("signup_domain_limited", "Too many sign-ups from one email domain"),
                    ("login_rate_limited", "Too many sign-in attempts"),
                    ("reset_rate_limited", "Too many password reset requests"),
                    ("rate_limited", "Too many requests"),
                    ("sign_in_locked", "Sign-in locked after repeated wrong passwords"),
                    ("two_step_locked", "Sign-in locked after repeated wrong two-step codes"),
                ],
                max_length=40,
            ),
        ),
        migrations.RunPython(grant_view, revoke_view),
    ]
