"""The user and role admin: supervisors move customers between sales groups and nothing more;
granting power is for superusers, and every grant is in the audit trail."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts import roles, staff
from audit.models import AuditEvent
from tests.factories import PASSWORD, SalesGroupFactory, UserFactory, VerificationFactory
from tests.factories import superuser as make_superuser

pytestmark = pytest.mark.django_db

ESCALATION = {"is_superuser": "on", "is_staff": "on", "is_active": "on", "is_demo": "on"}


def change_form_data(client, url) -> dict:
    """What the admin's change form would post back unchanged."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value
    if "date_joined" in data:
        joined = form.instance.date_joined
        data.pop("date_joined")
        data["date_joined_0"], data["date_joined_1"] = str(joined.date()), "00:00:00"
    data.pop("last_login", None)
    return data


def supervisor_group_id():
    return Group.objects.get(name=roles.SUPERVISOR).pk


@pytest.fixture
def superuser():
    return make_superuser()


def test_supervisor_cannot_make_themselves_superuser(client, supervisor):
    client.force_login(supervisor)
    url = reverse("admin:accounts_user_change", args=[supervisor.pk])

    response = client.post(url, {"email": supervisor.email, **ESCALATION})

    assert response.status_code == 403
    supervisor.refresh_from_db()
    assert not supervisor.is_superuser
    assert set(supervisor.groups.values_list("name", flat=True)) == {roles.SUPERVISOR}


def test_supervisor_moves_a_customer_but_cannot_give_them_power(client, supervisor, customer):
    client.force_login(supervisor)
    group = SalesGroupFactory()
    url = reverse("admin:accounts_user_change", args=[customer.pk])
    data = change_form_data(client, url)
    assert set(data) <= {"sales_group"}, "a supervisor's form offers only the sales group"

    response = client.post(
        url, {**data, "sales_group": group.pk, "groups": [supervisor_group_id()], **ESCALATION}
    )

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.sales_group == group
    assert not (customer.is_superuser or customer.is_staff or customer.is_demo)
    assert not customer.groups.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()


def test_supervisor_cannot_change_another_staff_login(client, supervisor, reviewer):
    client.force_login(supervisor)
    url = reverse("admin:accounts_user_change", args=[reviewer.pk])

    response = client.post(url, {"groups": [supervisor_group_id()], "sales_group": ""})

    assert response.status_code == 403
    assert set(reviewer.groups.values_list("name", flat=True)) == {roles.REVIEWER}


def test_supervisor_cannot_set_a_customers_password(client, supervisor, customer):
    client.force_login(supervisor)
    url = reverse("admin:auth_user_password_change", args=[customer.pk])
    new = {"password1": "a-new-password-77", "password2": "a-new-password-77"}

    assert client.get(url).status_code == 403
    assert client.post(url, {**new, "usable_password": "true"}).status_code == 403

    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_supervisor_cannot_add_logins(client, supervisor):
    client.force_login(supervisor)
    before = supervisor.__class__.objects.count()

    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "second@example.com", "password1": "x-Pass-12345", "password2": "x-Pass-12345"},
    )

    assert response.status_code == 403
    assert supervisor.__class__.objects.count() == before


def test_supervisor_cannot_change_what_a_role_may_do(client, supervisor):
    client.force_login(supervisor)
    group = Group.objects.get(name=roles.REVIEWER)
    every_permission = list(Permission.objects.values_list("pk", flat=True))

    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": every_permission},
    )

    assert response.status_code == 403
    assert not group.permissions.filter(codename="add_user").exists()


def test_supervisor_group_no_longer_holds_account_powers():
    group = Group.objects.get(name=roles.SUPERVISOR)
    held = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert not held & {("accounts", "add_user"), ("auth", "add_group"), ("auth", "change_group")}
    assert ("accounts", "change_user") in held  # narrowed by the admin to the sales group
    assert ("review", "add_holiday") in held


def test_superusers_role_grant_is_in_the_audit_trail(client, superuser, customer):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[customer.pk])
    reviewer_group = Group.objects.get(name=roles.REVIEWER)

    response = client.post(
        url, {**change_form_data(client, url), "groups": [reviewer_group.pk], "is_staff": "on"}
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert event.actor == superuser
    assert event.subject == customer
    assert event.detail == {"added": [roles.REVIEWER], "removed": [], "is_staff": True}


def test_saving_a_login_unchanged_writes_no_role_event(client, superuser, reviewer):
    client.force_login(superuser)
    url = reverse("admin:accounts_user_change", args=[reviewer.pk])

    assert client.post(url, change_form_data(client, url)).status_code == 302

    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()


def test_superuser_setting_a_password_is_in_the_audit_trail(client, superuser, customer):
    client.force_login(superuser)
    url = reverse("admin:auth_user_password_change", args=[customer.pk])

    new = {"password1": "a-new-password-77", "password2": "a-new-password-77"}

    response = client.post(url, {**new, "usable_password": "true"})

    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("a-new-password-77")
    event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_SET_BY_STAFF)
    assert (event.actor, event.subject) == (superuser, customer)


def test_changing_what_a_role_may_do_is_in_the_audit_trail(client, superuser):
    client.force_login(superuser)
    group = Group.objects.get(name=roles.REVIEWER)
    holiday = Permission.objects.get(codename="view_holiday")
    kept = list(group.permissions.values_list("pk", flat=True))

    response = client.post(
        reverse("admin:auth_group_change", args=[group.pk]),
        {"name": group.name, "permissions": [*kept, holiday.pk]},
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_PERMISSIONS_CHANGED)
    assert event.actor == superuser
    assert event.detail == {"role": roles.REVIEWER, "added": ["view_holiday"], "removed": []}


def test_staff_accounts_made_on_the_command_line_are_in_the_audit_trail():
    user = staff.create_staff_account("new.reviewer@example.com", PASSWORD, role=roles.REVIEWER)
    staff.create_staff_account("new.reviewer@example.com", PASSWORD, role=roles.SUPERVISOR)

    events = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED, subject=user)
    details = [event.detail for event in events.order_by("pk")]
    assert details == [
        {"added": [roles.REVIEWER], "removed": []},
        {"added": [roles.SUPERVISOR], "removed": [roles.REVIEWER], "is_staff": True},
    ]
    assert all(event.actor is None for event in events)


def test_a_customer_with_a_submitted_application_cannot_be_deleted(client, superuser, customer):
    VerificationFactory(user=customer, status="rejected")
    client.force_login(superuser)

    page = client.post(reverse("admin:accounts_user_delete", args=[customer.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [customer.pk], "post": "yes"},
    )

    assert page.status_code == 200 and bulk.status_code == 200
    assert "privacy flow" in page.content.decode()
    assert customer.__class__.objects.filter(pk=customer.pk).exists()
    assert customer.verifications.count() == 1


def test_a_reviewer_named_in_the_audit_trail_cannot_be_deleted(client, superuser, reviewer):
    from audit import services as audit

    audit.record(reviewer, AuditEvent.Action.CASE_OPENED)
    client.force_login(superuser)

    page = client.post(reverse("admin:accounts_user_delete", args=[reviewer.pk]), {"post": "yes"})

    assert "deactivate the login instead" in page.content.decode()
    assert reviewer.__class__.objects.filter(pk=reviewer.pk).exists()


def test_a_customer_with_only_a_draft_can_be_deleted_by_a_superuser(client, superuser):
    customer = UserFactory()
    VerificationFactory(user=customer)
    client.force_login(superuser)

    response = client.post(
        reverse("admin:accounts_user_delete", args=[customer.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not customer.__class__.objects.filter(pk=customer.pk).exists()


def test_supervisor_cannot_delete_anyone(client, supervisor):
    customer = UserFactory()
    client.force_login(supervisor)

    response = client.post(
        reverse("admin:accounts_user_delete", args=[customer.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert customer.__class__.objects.filter(pk=customer.pk).exists()
