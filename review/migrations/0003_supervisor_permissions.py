"""Supervisors configure review in the admin: calendar, policy rules, users and groups."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPERVISOR = "Review supervisor"
MODELS = [
    ("review", "holiday", ("add", "change", "delete", "view")),
    ("review", "peakperiod", ("add", "change", "delete", "view")),
    ("review", "reviewdecision", ("view",)),
    ("verification", "policyrule", ("add", "change", "delete", "view")),
    ("accounts", "user", ("add", "change", "view")),
    ("auth", "group", ("add", "change", "view")),
]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations (post_migrate); make them now.
    for label in ("review", "verification", "accounts", "auth"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=SUPERVISOR)
    for app_label, model, actions in MODELS:
        codenames = [f"{action}_{model}" for action in actions]
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=SUPERVISOR).first()
    if group is None:
        return
    for app_label, model, actions in MODELS:
        codenames = [f"{action}_{model}" for action in actions]
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0002_decisions"),
        ("accounts", "0002_roles"),
        ("verification", "0003_requested_items"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
