import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts import roles
from sales import services
from sales.models import SalesGroup
from tests.factories import SalesGroupFactory, UserFactory, staff_user

pytestmark = pytest.mark.django_db


def test_assigning_a_customer_moves_them_to_exactly_one_group(customer, sales_group):
    first = SalesGroupFactory()
    services.assign_customer(customer, first)
    services.assign_customer(customer, sales_group)

    customer.refresh_from_db()
    assert customer.sales_group == sales_group
    assert list(first.members.all()) == []


def test_staff_cannot_be_assigned_as_customers(reviewer, sales_group):
    with pytest.raises(services.NotACustomer):
        services.assign_customer(reviewer, sales_group)

    reviewer.refresh_from_db()
    assert reviewer.sales_group is None


def _supervisor_with_user_admin():
    supervisor = staff_user(roles.SUPERVISOR)
    # Normally granted to the "Review supervisor" group by the review app's data migration.
    for codename in ("view_user", "change_user", "view_salesgroup", "add_salesgroup"):
        supervisor.user_permissions.add(Permission.objects.get(codename=codename))
    return supervisor


def test_a_supervisor_assigns_a_customer_in_the_admin(client, sales_group):
    client.force_login(_supervisor_with_user_admin())
    customer = UserFactory()
    url = reverse("admin:accounts_user_change", args=[customer.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(sales_group=sales_group.pk, **{"groups": []})
    data.pop("groups")
    data["date_joined_0"], data["date_joined_1"] = str(customer.date_joined.date()), "00:00:00"
    data.pop("date_joined", None)
    data.pop("last_login", None)

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.sales_group == sales_group


def test_the_sales_group_admin_shows_the_referral_link_and_customer_count(client, sales_group):
    client.force_login(_supervisor_with_user_admin())
    UserFactory(sales_group=sales_group)
    UserFactory(sales_group=sales_group)
    staff_user(roles.SALES_INQUIRY, sales_group=sales_group)

    changelist = client.get(reverse("admin:sales_salesgroup_changelist"))
    change = client.get(reverse("admin:sales_salesgroup_change", args=[sales_group.pk]))

    row = changelist.context["cl"].result_list.get(pk=sales_group.pk)
    assert row.customers == 2
    assert f"/accounts/signup/?ref={sales_group.referral_code}" in change.content.decode()


def test_a_new_group_gets_a_unique_referral_code():
    codes = {SalesGroup.objects.create(name=f"G{n}").referral_code for n in range(20)}

    assert len(codes) == 20
