"""Supervisors no longer create accounts or edit roles: that is for superusers only.

0003 gave the "Review supervisor" group add/change on users and groups, and with them the power
to make anyone (themselves included) a superuser or a second supervisor. Supervisors keep
`change_user`, which the user admin narrows to moving a customer between sales groups; they gain
what their work needs and 0003 forgot: managing sales groups and reading the audit trail
(risk events: accounts 0003).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SUPERVISOR = "Review supervisor"
REVOKED = [
    ("accounts", "add_user"),
    ("auth", "add_group"),
    ("auth", "change_group"),
]
GRANTED = [
    ("sales", "add_salesgroup"),
    ("sales", "change_salesgroup"),
    ("sales", "view_salesgroup"),
    ("audit", "view_auditevent"),
]


def _permissions(apps, names):
    Permission = apps.get_model("auth", "Permission")
    query = Permission.objects.none()
    for app_label, codename in names:
        query |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return query


def _supervisors(apps):
    # Permissions are normally made after all migrations (post_migrate); make them now.
    for label in ("sales", "audit"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=SUPERVISOR)
    return group


def forwards(apps, schema_editor):
    group = _supervisors(apps)
    group.permissions.remove(*_permissions(apps, REVOKED))
    group.permissions.add(*_permissions(apps, GRANTED))


def backwards(apps, schema_editor):
    group = _supervisors(apps)
    group.permissions.add(*_permissions(apps, REVOKED))
    group.permissions.remove(*_permissions(apps, GRANTED))


class Migration(migrations.Migration):
    dependencies = [
        ("review", "0003_supervisor_permissions"),
        ("sales", "0001_initial"),
        ("audit", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
