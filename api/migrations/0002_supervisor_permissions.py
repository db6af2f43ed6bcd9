"""Supervisors manage API clients, keys and webhook endpoints, and read the delivery log
(resend needs change). Deleting is the superuser's."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPERVISOR = "Review supervisor"
MODELS = [
    ("api", "apiclient", ("add", "change", "view")),
    ("api", "clientapikey", ("change", "view")),
    ("api", "webhookendpoint", ("add", "change", "view")),
    ("api", "webhookdelivery", ("change", "view")),
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("api")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=SUPERVISOR)
    for app_label, model, actions in MODELS:
        codenames = [f"{action}_{model}" for action in actions]
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=SUPERVISOR).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="api"))


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_clients_keys_events_webhooks"),
        ("accounts", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
