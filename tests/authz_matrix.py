# ruff: noqa: E501 - the table below is easier to check with one line per URL and method.
"""The authorization matrix: for every URL of our apps, every method and every kind of user,
the answer the portal must give. tests/test_authorization_matrix.py checks each cell.

Objects in the URLs belong to "owner", a customer of the sales group of "inquiry_own_group".
Answers: "ok" (2xx), "redirect" (a redirect the view itself chose), "login" (sent to sign in),
"mfa" (staff sent to set up two-step verification), "admin_login", "granted" (whatever the
status, someone's login, password, roles or admin flags changed), or an HTTP status ("403", ...).
"""

OK, REDIRECT, LOGIN, MFA, ADMIN_LOGIN = "ok", "redirect", "login", "mfa", "admin_login"
GRANTED = "granted"  # the request changed a login, password, role membership or role

ROLES = (
    "anonymous",
    "owner",
    "other_customer",
    "reviewer",
    "supervisor",
    "inquiry_own_group",
    "inquiry_other_group",
    "staff_without_mfa",
)
METHODS = ("GET", "POST")

# Which object of the world each URL argument names.
URL_ARGS = {
    "verification:document": {"pk": "document"},
    "notifications:detail": {"pk": "notification"},
    "sales:customer_detail": {"pk": "owner"},
    "review:detail": {"pk": "verification"},
    "review:claim": {"pk": "verification"},
    "review:release": {"pk": "verification"},
    "review:decide": {"pk": "verification"},
    "review:reassign": {"pk": "verification"},
    "review:mark_document": {"pk": "verification", "document_pk": "document"},
    "review:confirm": {"pk": "verification", "decision_pk": "decision"},
    "screening:resolve": {"pk": "screening_hit"},
    "screening:confirm": {"pk": "screening_hit"},
    "api:applicant": {"reference": "api_reference"},
    "api:handoff": {"token": "handoff_token"},
}

# POST bodies; empty unless a view needs something to get past its form.
POST_DATA: dict = {}


# allauth's pages are theirs: covered by a prefix rule, with samples; the admin has its own table.
COVERED_BY_PREFIX_RULES = ("accounts/", "admin/")

# One line per URL name and method; the columns follow ROLES. Rules the table follows:
# - staff pages (/review/, /sales/, /admin/) send staff without two-step verification to set it up;
# - inquiry logins are read-only everywhere: every POST is 403 except sign-out, language and
#   their own password/two-step pages (sales.middleware);
# - another person's object is 404, never 403, so ids cannot be probed (documents, messages,
#   another sales group's customer); documents answer 404 even to anonymous visitors;
# - staff of every role are refused the wizard (403); the owner's submitted application is
#   locked (409) until staff ask for a supplement;
# - POST with an empty body: 400 is a form error from a view the role may use;
# - the shop API (/api/v1/) answers to API keys only: a session is 401 (tests/api has the
#   matrix of keys across two clients); its schema and docs are public; a hand-off link
#   refuses staff (403) and a customer the shop knows under another reference (409).
_TABLE = """
#   URL name                         method anonymous   owner       other_cust  reviewer    supervisor  inquiry_own inquiry_oth no_mfa_staf
    api:applicant                      GET  401         401         401         401         401         401         401         401
    api:applicant                      POST 401         401         401         401         401         403         403         401
    api:applicant_by_email             GET  401         401         401         401         401         401         401         401
    api:applicant_by_email             POST 401         401         401         401         401         403         403         401
    api:docs                           GET  ok          ok          ok          ok          ok          ok          ok          ok
    api:docs                           POST 405         405         405         405         405         403         403         405
    api:events                         GET  401         401         401         401         401         401         401         401
    api:events                         POST 401         401         401         401         401         403         403         401
    api:invitations                    GET  401         401         401         401         401         401         401         401
    api:invitations                    POST 401         401         401         401         401         403         403         401
    api:handoff                        GET  redirect    409         redirect    403         403         403         403         403
    api:handoff                        POST 405         405         405         405         405         403         403         405
    api:handoff_continue               GET  login       redirect    redirect    redirect    redirect    redirect    redirect    redirect
    api:handoff_continue               POST 405         405         405         405         405         403         403         405
    api:handoff_return                 GET  login       redirect    redirect    redirect    redirect    redirect    redirect    redirect
    api:handoff_return                 POST 405         405         405         405         405         403         403         405
    api:schema                         GET  ok          ok          ok          ok          ok          ok          ok          ok
    api:schema                         POST 405         405         405         405         405         403         403         405
    healthz                            GET  ok          ok          ok          ok          ok          ok          ok          ok
    healthz                            POST 405         405         405         405         405         403         403         405
    home                               GET  ok          ok          ok          ok          ok          ok          ok          ok
    home                               POST 405         405         405         405         405         403         403         405
    accounts:set_language              GET  405         405         405         405         405         405         405         405
    accounts:set_language              POST redirect    redirect    redirect    redirect    redirect    redirect    redirect    redirect
    accounts:user_center               GET  login       ok          ok          ok          ok          ok          ok          ok
    accounts:user_center               POST login       405         405         405         405         403         403         405
    notifications:detail               GET  login       ok          404         404         404         404         404         404
    notifications:detail               POST login       ok          404         404         404         403         403         404
    notifications:inbox                GET  login       ok          ok          ok          ok          ok          ok          ok
    notifications:inbox                POST login       405         405         405         405         403         403         405
    notifications:mark_all_read        GET  405         405         405         405         405         405         405         405
    notifications:mark_all_read        POST login       redirect    redirect    redirect    redirect    403         403         redirect
    notifications:start_retry          GET  405         405         405         405         405         405         405         405
    notifications:start_retry          POST login       redirect    redirect    redirect    redirect    403         403         redirect
    notifications:start_reverification GET  405         405         405         405         405         405         405         405
    notifications:start_reverification POST login       redirect    redirect    redirect    redirect    403         403         redirect
    privacy:download                   GET  login       405         405         405         405         405         405         405
    privacy:download                   POST login       ok          ok          ok          ok          403         403         ok
    privacy:erase                      GET  login       ok          ok          redirect    redirect    redirect    redirect    redirect
    privacy:erase                      POST login       ok          ok          redirect    redirect    403         403         redirect
    privacy:overview                   GET  login       ok          ok          ok          ok          ok          ok          ok
    privacy:overview                   POST login       405         405         405         405         403         403         405
    review:claim                       GET  405         405         405         405         405         405         405         mfa
    review:claim                       POST login       403         403         redirect    redirect    403         403         mfa
    review:confirm                     GET  405         405         405         405         405         405         405         mfa
    review:confirm                     POST login       403         403         403         redirect    403         403         mfa
    review:dashboard                   GET  login       403         403         403         ok          403         403         mfa
    review:dashboard                   POST 405         405         405         405         405         403         403         mfa
    review:decide                      GET  405         405         405         405         405         405         405         mfa
    review:decide                      POST login       403         403         400         400         403         403         mfa
    review:detail                      GET  login       403         403         ok          ok          403         403         mfa
    review:detail                      POST 405         405         405         405         405         403         403         mfa
    review:mark_document               GET  405         405         405         405         405         405         405         mfa
    review:mark_document               POST login       403         403         redirect    redirect    403         403         mfa
    review:next                        GET  405         405         405         405         405         405         405         mfa
    review:next                        POST login       403         403         redirect    redirect    403         403         mfa
    review:queue                       GET  login       403         403         ok          ok          403         403         mfa
    review:queue                       POST 405         405         405         405         405         403         403         mfa
    review:reassign                    GET  405         405         405         405         405         405         405         mfa
    review:reassign                    POST login       403         403         403         redirect    403         403         mfa
    screening:confirm                  GET  405         405         405         405         405         405         405         mfa
    screening:confirm                  POST login       403         403         403         redirect    403         403         mfa
    screening:hits                     GET  login       403         403         ok          ok          403         403         mfa
    screening:hits                     POST 405         405         405         405         405         403         403         mfa
    screening:resolve                  GET  405         405         405         405         405         405         405         mfa
    screening:resolve                  POST login       403         403         redirect    redirect    403         403         mfa
    review:release                     GET  405         405         405         405         405         405         405         mfa
    review:release                     POST login       403         403         redirect    redirect    403         403         mfa
    sales:customer_detail              GET  login       403         403         403         403         ok          404         mfa
    sales:customer_detail              POST 405         405         405         405         405         403         403         mfa
    sales:customer_list                GET  login       403         403         403         403         ok          ok          mfa
    sales:customer_list                POST 405         405         405         405         405         403         403         mfa
    sales:export_csv                   GET  login       403         403         403         403         ok          ok          mfa
    sales:export_csv                   POST 405         405         405         405         405         403         403         mfa
    verification:certificate           GET  login       409         ok          403         403         403         403         403
    verification:certificate           POST login       409         400         403         403         403         403         403
    verification:details               GET  login       409         redirect    403         403         403         403         403
    verification:details               POST login       409         redirect    403         403         403         403         403
    verification:document              GET  404         ok          404         ok          ok          404         404         404
    verification:document              POST 405         405         405         405         405         403         403         405
    verification:documents             GET  login       409         redirect    403         403         403         403         403
    verification:documents             POST login       409         redirect    403         403         403         403         403
    verification:reading_state         GET  login       ok          ok          403         403         403         403         403
    verification:reading_state         POST login       405         405         403         403         403         403         403
    verification:review                GET  login       redirect    redirect    403         403         403         403         403
    verification:review                POST login       redirect    redirect    403         403         403         403         403
    verification:start                 GET  login       redirect    redirect    403         403         403         403         403
    verification:start                 POST login       redirect    redirect    403         403         403         403         403
    verification:status                GET  login       ok          ok          403         403         403         403         403
    verification:status                POST login       405         405         403         403         403         403         403
"""

_SAMPLES = """
    account_email                      GET  login       ok          ok          ok          ok          ok          ok          ok
    account_email                      POST login       redirect    redirect    redirect    redirect    403         403         redirect
    mfa_index                          GET  login       ok          ok          ok          ok          ok          ok          ok
    mfa_index                          POST login       405         405         405         405         403         403         405
"""


def _parse(table: str, roles: tuple = ROLES) -> dict:
    parsed: dict = {}
    for line in table.strip().splitlines():
        if line.lstrip().startswith("#"):
            continue
        name, method, *answers = line.split()
        if len(answers) != len(roles):
            raise ValueError(f"{name} {method}: {len(answers)} answers for {len(roles)} roles")
        parsed.setdefault(name, {})[method] = dict(zip(roles, answers, strict=True))
    return parsed


MATRIX = _parse(_TABLE)
PREFIX_SAMPLES = _parse(_SAMPLES)


# --- The admin ---------------------------------------------------------------------------------
# Every admin page for every role above plus the superuser. Supervisors manage holidays, peak
# periods and policy rules, move customers between sales groups and read users, roles, risk
# events and decisions; only the superuser grants roles, makes logins, sets passwords, deletes.
ADMIN_ROLES = (*ROLES, "superuser")

_ADMIN_OBJECTS = {
    "account_emailaddress": "email_address",
    "mfa_authenticator": "authenticator",
    "accounts_user": "user",
    "auth_group": "role",
    "accounts_riskevent": "risk_event",
    "audit_auditevent": "audit_event",
    "sales_salesgroup": "sales_group",
    "verification_policyrule": "policy_rule",
    "review_holiday": "holiday",
    "review_peakperiod": "peak_period",
    "notifications_outgoingemail": "outgoing_email",
    "api_apiclient": "api_client",
    "api_clientapikey": "api_key",
    "api_webhookendpoint": "webhook_endpoint",
    "api_webhookdelivery": "webhook_delivery",
}
ADMIN_URL_ARGS = {
    f"admin:{model}_{page}": {"object_id": obj}
    for model, obj in _ADMIN_OBJECTS.items()
    for page in ("change", "delete", "history")
}
ADMIN_URL_ARGS["admin:auth_user_password_change"] = {"id": "user"}
ADMIN_URL_ARGS["admin:app_list"] = {"app_label": "app_label"}
ADMIN_URL_ARGS["admin:view_on_site"] = {"content_type_id": "user_content_type", "object_id": "user"}

_NEW_PASSWORD = {"password1": "An0ther-long-pass", "password2": "An0ther-long-pass"}


def _every_permission(objects):
    from django.contrib.auth.models import Permission

    return list(Permission.objects.values_list("pk", flat=True))


def _escalating_user_form(objects):
    """A complete user form that also tries to make its subject a superuser and a supervisor."""
    return {
        "email": f"renamed-{objects['user']}@example.com",
        "preferred_language": "en",
        "sales_group": objects["sales_group"],
        "date_joined_0": "2026-01-02",
        "date_joined_1": "03:04:05",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [objects["role"]],
    }


POST_DATA.update(
    {
        "admin:accounts_user_change": _escalating_user_form,
        "admin:accounts_user_add": {"email": "new-login@example.com", **_NEW_PASSWORD},
        "admin:auth_user_password_change": {**_NEW_PASSWORD, "usable_password": "true"},
        "admin:accounts_user_changelist": lambda objects: {
            "action": "delete_selected",
            "_selected_action": [objects["user"]],
            "post": "yes",
        },
        "admin:auth_group_change": lambda objects: {
            "name": "Reviewer",
            "permissions": _every_permission(objects),
        },
        "admin:auth_group_add": lambda objects: {
            "name": "Everything",
            "permissions": _every_permission(objects),
        },
        **{f"admin:{model}_delete": {"post": "yes"} for model in _ADMIN_OBJECTS},
    }
)

# Rules the admin table follows:
# - reviewers have no admin (they are not is_staff); inquiry logins' POSTs are 403 (read-only);
# - a supervisor may read users, roles, risk events, the audit trail and sales groups, edit the
#   calendar, policy rules and sales groups, and move a customer to another sales group (their
#   user POST redirects, but its is_superuser/is_staff/groups are ignored: never "granted");
# - only the superuser is ever "granted": new logins, passwords, roles and what a role may do;
# - nobody deletes a login whose records are kept (the owner: 200, Django's "protected" page),
#   nor risk events, audit events or the email outbox.
_ADMIN_TABLE = """
#   URL name                                     method anonymous   owner       other_cust  reviewer    supervisor  inquiry_own inquiry_oth no_mfa_staf superuser
    admin:account_emailaddress_add               GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:account_emailaddress_add               POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:account_emailaddress_change            GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:account_emailaddress_change            POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:account_emailaddress_changelist        GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:account_emailaddress_changelist        POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:account_emailaddress_delete            GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:account_emailaddress_delete            POST admin_login admin_login admin_login admin_login 403         403         403         mfa         redirect
    admin:account_emailaddress_history           GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:account_emailaddress_history           POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:accounts_riskevent_add                 GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:accounts_riskevent_add                 POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:accounts_riskevent_change              GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:accounts_riskevent_change              POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:accounts_riskevent_changelist          GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:accounts_riskevent_changelist          POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:accounts_riskevent_delete              GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:accounts_riskevent_delete              POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:accounts_riskevent_history             GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:accounts_riskevent_history             POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:accounts_user_add                      GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:accounts_user_add                      POST admin_login admin_login admin_login admin_login 403         403         403         mfa         granted
    admin:accounts_user_change                   GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:accounts_user_change                   POST admin_login admin_login admin_login admin_login redirect    403         403         mfa         granted
    admin:accounts_user_changelist               GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:accounts_user_changelist               POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:accounts_user_delete                   GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:accounts_user_delete                   POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:accounts_user_history                  GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:accounts_user_history                  POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_apiclient_add                      GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_apiclient_add                      POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_apiclient_change                   GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_apiclient_change                   POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_apiclient_changelist               GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_apiclient_changelist               POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_apiclient_delete                   GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:api_apiclient_delete                   POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:api_apiclient_history                  GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_apiclient_history                  POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_clientapikey_add                   GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:api_clientapikey_add                   POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:api_clientapikey_change                GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_clientapikey_change                POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_clientapikey_changelist            GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_clientapikey_changelist            POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_clientapikey_delete                GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:api_clientapikey_delete                POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:api_clientapikey_history               GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_clientapikey_history               POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_webhookdelivery_add                GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:api_webhookdelivery_add                POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:api_webhookdelivery_change             GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_webhookdelivery_change             POST admin_login admin_login admin_login admin_login redirect    403         403         mfa         ok
    admin:api_webhookdelivery_changelist         GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_webhookdelivery_changelist         POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_webhookdelivery_delete             GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:api_webhookdelivery_delete             POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:api_webhookdelivery_history            GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_webhookdelivery_history            POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_webhookendpoint_add                GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_webhookendpoint_add                POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_webhookendpoint_change             GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_webhookendpoint_change             POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_webhookendpoint_changelist         GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_webhookendpoint_changelist         POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:api_webhookendpoint_delete             GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:api_webhookendpoint_delete             POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:api_webhookendpoint_history            GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:api_webhookendpoint_history            POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:app_list                               GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:app_list                               POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:audit_auditevent_add                   GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:audit_auditevent_add                   POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:audit_auditevent_change                GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:audit_auditevent_change                POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:audit_auditevent_changelist            GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:audit_auditevent_changelist            POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:audit_auditevent_delete                GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:audit_auditevent_delete                POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:audit_auditevent_history               GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:audit_auditevent_history               POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:auth_group_add                         GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:auth_group_add                         POST admin_login admin_login admin_login admin_login 403         403         403         mfa         granted
    admin:auth_group_change                      GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:auth_group_change                      POST admin_login admin_login admin_login admin_login 403         403         403         mfa         granted
    admin:auth_group_changelist                  GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:auth_group_changelist                  POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:auth_group_delete                      GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:auth_group_delete                      POST admin_login admin_login admin_login admin_login 403         403         403         mfa         granted
    admin:auth_group_history                     GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:auth_group_history                     POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:auth_user_password_change              GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:auth_user_password_change              POST admin_login admin_login admin_login admin_login 403         403         403         mfa         granted
    admin:autocomplete                           GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:autocomplete                           POST admin_login admin_login admin_login admin_login 405         403         403         mfa         405
    admin:index                                  GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:index                                  POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:jsi18n                                 GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:jsi18n                                 POST admin_login admin_login admin_login admin_login 405         403         403         mfa         405
    admin:login                                  GET  login       403         403         403         redirect    403         403         mfa         redirect
    admin:login                                  POST login       403         403         403         ok          403         403         mfa         ok
    admin:logout                                 GET  redirect    redirect    redirect    redirect    405         redirect    redirect    mfa         405
    admin:logout                                 POST redirect    redirect    redirect    redirect    ok          403         403         mfa         ok
    admin:mfa_authenticator_add                  GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:mfa_authenticator_add                  POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:mfa_authenticator_change               GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:mfa_authenticator_change               POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:mfa_authenticator_changelist           GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:mfa_authenticator_changelist           POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:mfa_authenticator_delete               GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:mfa_authenticator_delete               POST admin_login admin_login admin_login admin_login 403         403         403         mfa         redirect
    admin:mfa_authenticator_history              GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:mfa_authenticator_history              POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:notifications_outgoingemail_add        GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:notifications_outgoingemail_add        POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:notifications_outgoingemail_change     GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:notifications_outgoingemail_change     POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:notifications_outgoingemail_changelist GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:notifications_outgoingemail_changelist POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:notifications_outgoingemail_delete     GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         403
    admin:notifications_outgoingemail_delete     POST admin_login admin_login admin_login admin_login 403         403         403         mfa         403
    admin:notifications_outgoingemail_history    GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:notifications_outgoingemail_history    POST admin_login admin_login admin_login admin_login 403         403         403         mfa         ok
    admin:password_change                        GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:password_change                        POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:password_change_done                   GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:password_change_done                   POST admin_login admin_login admin_login admin_login 405         403         403         mfa         405
    admin:review_holiday_add                     GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:review_holiday_add                     POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:review_holiday_change                  GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:review_holiday_change                  POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:review_holiday_changelist              GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:review_holiday_changelist              POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:review_holiday_delete                  GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:review_holiday_delete                  POST admin_login admin_login admin_login admin_login redirect    403         403         mfa         redirect
    admin:review_holiday_history                 GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:review_holiday_history                 POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:review_peakperiod_add                  GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:review_peakperiod_add                  POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:review_peakperiod_change               GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:review_peakperiod_change               POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:review_peakperiod_changelist           GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:review_peakperiod_changelist           POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:review_peakperiod_delete               GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:review_peakperiod_delete               POST admin_login admin_login admin_login admin_login redirect    403         403         mfa         redirect
    admin:review_peakperiod_history              GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:review_peakperiod_history              POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:sales_salesgroup_add                   GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:sales_salesgroup_add                   POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:sales_salesgroup_change                GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:sales_salesgroup_change                POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:sales_salesgroup_changelist            GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:sales_salesgroup_changelist            POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:sales_salesgroup_delete                GET  admin_login admin_login admin_login admin_login 403         admin_login admin_login mfa         ok
    admin:sales_salesgroup_delete                POST admin_login admin_login admin_login admin_login 403         403         403         mfa         redirect
    admin:sales_salesgroup_history               GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:sales_salesgroup_history               POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:verification_policyrule_add            GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:verification_policyrule_add            POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:verification_policyrule_change         GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:verification_policyrule_change         POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:verification_policyrule_changelist     GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:verification_policyrule_changelist     POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:verification_policyrule_delete         GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:verification_policyrule_delete         POST admin_login admin_login admin_login admin_login redirect    403         403         mfa         redirect
    admin:verification_policyrule_history        GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa         ok
    admin:verification_policyrule_history        POST admin_login admin_login admin_login admin_login ok          403         403         mfa         ok
    admin:view_on_site                           GET  admin_login admin_login admin_login admin_login 404         admin_login admin_login mfa         404
    admin:view_on_site                           POST admin_login admin_login admin_login admin_login 404         403         403         mfa         404
"""
ADMIN_MATRIX = _parse(_ADMIN_TABLE, ADMIN_ROLES)
