"""The authorization matrix (tests/authz_matrix.py) drives these tests: every role × every URL
of our apps × GET and POST, against objects owned by one customer.

A URL pattern that is not in the matrix fails the suite, so a new page cannot ship without an
explicit answer for every kind of user.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts import roles
from tests import authz_matrix as matrix
from tests.factories import (
    DocumentFactory,
    SalesGroupFactory,
    UserFactory,
    VerificationFactory,
    screening_hit,
    staff_user,
    superuser,
)

LOGIN_URL = "/accounts/login/"
MFA_SETUP_URL = "/accounts/2fa/totp/activate/"
ADMIN_LOGIN_URL = "/admin/login/"


def our_url_patterns(urlconf=None, *, keep_prefix_rules=False) -> dict[str, str]:
    """{view name: route} for every named URL pattern, allauth's and the admin's left out when a
    prefix rule in the matrix covers them (unless asked to keep them)."""
    found = {}

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
                found[name or f"<unnamed {route}>"] = route

    walk(get_resolver(urlconf), "", "")
    if keep_prefix_rules:
        return found
    return {
        name: route
        for name, route in found.items()
        if not any(route.startswith(prefix) for prefix in matrix.COVERED_BY_PREFIX_RULES)
    }


@dataclass
class World:
    """One customer's objects, and a login for every role of the matrix."""

    users: dict
    objects: dict

    def url(self, name: str) -> str:
        arguments = matrix.URL_ARGS.get(name) or matrix.ADMIN_URL_ARGS.get(name, {})
        args = {key: self.objects[obj] for key, obj in arguments.items()}
        return reverse(name, kwargs=args)


def build_world() -> World:
    from accounts.models import RiskEvent
    from audit.models import AuditEvent
    from notifications.models import Notification, OutgoingEmail
    from review.models import Holiday, PeakPeriod, ReviewDecision
    from verification.models import PolicyRule

    group, other_group = SalesGroupFactory(), SalesGroupFactory()
    owner = UserFactory(sales_group=group)
    now = timezone.now()
    verification = VerificationFactory(
        user=owner,
        status="provided",
        submitted_at=now,
        sla_due_at=now + datetime.timedelta(days=1),
    )
    document = DocumentFactory(verification=verification)
    notification = Notification.objects.create(
        user=owner, verification=verification, kind="received", event_key=f"authz-{owner.pk}"
    )
    decision = ReviewDecision.objects.create(
        verification=verification,
        outcome=ReviewDecision.Outcome.REJECT,
        state=ReviewDecision.State.AWAITING_CONFIRMATION,
        final=True,
        evidence_version=verification.evidence_version,
    )
    users = {
        "anonymous": None,
        "owner": owner,
        "other_customer": UserFactory(sales_group=other_group),
        "reviewer": staff_user(roles.REVIEWER),
        "supervisor": staff_user(roles.SUPERVISOR),
        "inquiry_own_group": staff_user(roles.SALES_INQUIRY, sales_group=group),
        "inquiry_other_group": staff_user(roles.SALES_INQUIRY, sales_group=other_group),
        "staff_without_mfa": staff_user(roles.REVIEWER, mfa=False),
        "superuser": superuser(),
    }
    today = datetime.date.today()
    objects = {
        "verification": verification.pk,
        "document": document.pk,
        "notification": notification.pk,
        "decision": decision.pk,
        "screening_hit": screening_hit(verification).pk,
        "owner": owner.pk,
        # What the admin's object pages are tried on (see matrix.ADMIN_OBJECTS).
        "user": owner.pk,
        "role": Group.objects.get(name=roles.REVIEWER).pk,
        "email_address": owner.emailaddress_set.get().pk,
        "authenticator": users["reviewer"].authenticator_set.first().pk,
        "risk_event": RiskEvent.objects.create(kind=RiskEvent.Kind.OTHER_RATE_LIMITED).pk,
        "audit_event": AuditEvent.objects.create(action=AuditEvent.Action.CASE_OPENED).pk,
        "sales_group": group.pk,
        "policy_rule": PolicyRule.objects.first().pk,
        "holiday": Holiday.objects.create(date=today, name="A holiday").pk,
        "peak_period": PeakPeriod.objects.create(
            name="Launch", start_date=today, end_date=today, extra_working_days=1
        ).pk,
        "outgoing_email": OutgoingEmail.objects.create(
            notification=notification, idempotency_key=f"authz-{owner.pk}"
        ).pk,
        "app_label": "accounts",
        "user_content_type": ContentType.objects.get_for_model(owner).pk,
    }
    objects.update(api_objects(owner))
    return World(users=users, objects=objects)


def api_objects(owner) -> dict:
    """The shop API's objects: the owner is a shop's customer with an event and a delivery."""
    from api import handoff, services
    from api.models import ClientCustomer, ClientEvent, WebhookDelivery
    from verification.models import StatusChange

    client, _key = services.create_client(f"Shop of {owner.pk}")
    ClientCustomer.objects.create(client=client, user=owner, reference="authz-ref")
    endpoint, _secret = services.add_endpoint(client, "https://shop.example.com/hooks")
    change = StatusChange.objects.filter(verification__user=owner).first()
    if change is None:
        verification = owner.verifications.get()
        change = StatusChange.objects.create(verification=verification, old="draft", new="provided")
    event = ClientEvent.objects.get_or_create(
        client=client,
        status_change=change,
        defaults={"user": owner, "type": "applicant.submitted", "data": {}},
    )[0]
    delivery = WebhookDelivery.objects.get_or_create(
        event=event, endpoint=endpoint, defaults={"next_attempt_at": timezone.now()}
    )[0]
    client.return_domains = "shop.example.com"
    client.save()
    invitation = handoff.create_invitation(
        client, reference="authz-new", return_url="https://shop.example.com/back"
    )
    return {
        "api_reference": "authz-ref",
        "handoff_token": handoff.link_for(invitation).rstrip("/").rsplit("/", 1)[1],
        "api_client": client.pk,
        "api_key": client.api_keys.get().pk,
        "webhook_endpoint": endpoint.pk,
        "webhook_delivery": delivery.pk,
    }


def outcome(response) -> str:
    """The matrix's word for a response."""
    code = response.status_code
    if code in (301, 302, 303):
        location = response["Location"]
        if location.startswith(LOGIN_URL):
            return matrix.LOGIN
        if location.startswith(MFA_SETUP_URL):
            return matrix.MFA
        if location.startswith(ADMIN_LOGIN_URL):
            return matrix.ADMIN_LOGIN
        return matrix.REDIRECT
    if 200 <= code < 300:
        return matrix.OK
    return str(code)


def power_held() -> tuple:
    """Who may sign in with which password, role and admin flag, and what each role may do."""
    User = get_user_model()
    return (
        set(User.objects.values_list("pk", "password", "is_active", "is_staff", "is_superuser")),
        set(User.groups.through.objects.values_list("user_id", "group_id")),
        set(Group.permissions.through.objects.values_list("group_id", "permission_id")),
    )


def observe(world: World, name: str, method: str, role: str) -> str:
    """What `role` gets for `method` on `name`; anything it changes is rolled back.

    A request that changed anyone's power (see power_held) answers "granted" whatever its status.
    """
    client = Client(raise_request_exception=False)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = world.url(name)
    data = matrix.POST_DATA.get(name, {}) if method == "POST" else {}
    if callable(data):
        data = data(world.objects)
    with transaction.atomic():
        before = power_held()
        response = getattr(client, method.lower())(url, data)
        granted = power_held() != before
        transaction.set_rollback(True)
    return matrix.GRANTED if granted else outcome(response)


def disagreements(world: World, name: str, expected: dict, roles: tuple) -> list[str]:
    """Every cell of one URL's rows where the portal's answer differs from the matrix."""
    wrong = []
    for method in matrix.METHODS:
        for role in roles:
            got = observe(world, name, method, role)
            want = expected[method][role]
            if got != want:
                wrong.append(f"{method} {world.url(name)} as {role}: {got} (matrix: {want})")
    return wrong


def test_every_url_of_our_apps_is_in_the_matrix():
    patterns = our_url_patterns()

    missing = sorted(set(patterns) - set(matrix.MATRIX))
    stale = sorted(set(matrix.MATRIX) - set(patterns))
    assert not missing, f"URLs missing from tests/authz_matrix.py: {missing}"
    assert not stale, f"tests/authz_matrix.py lists URLs that no longer exist: {stale}"


def test_a_new_url_missing_from_the_matrix_is_noticed():
    import types

    from django.http import HttpResponse
    from django.urls import path

    from kyc_portal import urls

    urlconf = types.ModuleType("urlconf_with_a_new_page")
    urlconf.urlpatterns = [
        *urls.urlpatterns,
        path("new-page/<int:pk>/", lambda request, pk: HttpResponse(), name="new_page"),
    ]

    missing = set(our_url_patterns(urlconf)) - set(matrix.MATRIX)

    assert missing == {"new_page"}


def test_every_matrix_entry_answers_for_every_role_and_method():
    for name, methods in matrix.MATRIX.items():
        assert set(methods) == set(matrix.METHODS), name
        for method, answers in methods.items():
            assert set(answers) == set(matrix.ROLES), (name, method)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(matrix.MATRIX) + sorted(matrix.PREFIX_SAMPLES))
def test_authorization_matrix(name, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    expected = matrix.MATRIX.get(name) or matrix.PREFIX_SAMPLES[name]

    wrong = disagreements(build_world(), name, expected, matrix.ROLES)

    assert not wrong, "\n".join(wrong)


def test_every_admin_url_is_in_the_admin_matrix():
    admin_urls = {
        name
        for name, route in our_url_patterns(keep_prefix_rules=True).items()
        if route.startswith("admin/") and not name.startswith("<unnamed")
    }

    assert admin_urls == set(matrix.ADMIN_MATRIX)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(matrix.ADMIN_MATRIX))
def test_admin_authorization_matrix(name, settings):
    """Every admin page, for every role and the superuser; POSTs to the user pages try to set
    is_superuser, is_staff and groups (tests/accounts/test_admin.py checks what was saved)."""
    wrong = disagreements(build_world(), name, matrix.ADMIN_MATRIX[name], matrix.ADMIN_ROLES)

    assert not wrong, "\n".join(wrong)
