from django.contrib.auth.models import Group

from accounts import roles


def test_supervisor_group_can_edit_calendar_and_rules(db):
    group = Group.objects.get(name=roles.SUPERVISOR)
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))
    for expected in [
        ("review", "add_holiday"),
        ("review", "change_peakperiod"),
        ("verification", "change_policyrule"),
    ]:
        assert expected in codenames


def test_supervisor_reaches_holiday_admin(client, supervisor):
    client.force_login(supervisor)
    response = client.get("/admin/review/holiday/add/")
    assert response.status_code == 200


def test_reviewer_cannot_reach_holiday_admin(client, reviewer):
    client.force_login(reviewer)
    response = client.get("/admin/review/holiday/")
    assert response.status_code in (302, 403)
    assert "/admin/login/" in response.get("Location", "/admin/login/")
