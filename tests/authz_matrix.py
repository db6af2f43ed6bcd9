# ruff: noqa: E501 - the table below is easier to check with one line per URL and method.
"""The authorization matrix: for every URL of our apps, every method and every kind of user,
the answer the portal must give. tests/test_authorization_matrix.py checks each cell.

Objects in the URLs belong to "owner", a customer of the sales group of "inquiry_own_group".
Answers: "ok" (2xx), "redirect" (a redirect the view itself chose), "login" (sent to sign in),
"mfa" (staff sent to set up two-step verification), "admin_login", or an HTTP status ("403", ...).
"""

OK, REDIRECT, LOGIN, MFA, ADMIN_LOGIN = "ok", "redirect", "login", "mfa", "admin_login"

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
}

# POST bodies; empty unless a view needs something to get past its form.
POST_DATA: dict = {}


# allauth's and the admin's own pages are theirs: covered by these prefixes, with one sample each.
COVERED_BY_PREFIX_RULES = ("accounts/", "admin/")

# One line per URL name and method; the columns follow ROLES. Rules the table follows:
# - staff pages (/review/, /sales/, /admin/) send staff without two-step verification to set it up;
# - inquiry logins are read-only everywhere: every POST is 403 except sign-out, language and
#   their own password/two-step pages (sales.middleware);
# - another person's object is 404, never 403, so ids cannot be probed (documents, messages,
#   another sales group's customer); documents answer 404 even to anonymous visitors;
# - staff of every role are refused the wizard (403); the owner's submitted application is
#   locked (409) until staff ask for a supplement;
# - POST with an empty body: 400 is a form error from a view the role may use.
_TABLE = """
#   URL name                         method anonymous   owner       other_cust  reviewer    supervisor  inquiry_own inquiry_oth no_mfa_staf
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
    admin:accounts_user_changelist     GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa
    admin:accounts_user_changelist     POST admin_login admin_login admin_login admin_login ok          403         403         mfa
    admin:index                        GET  admin_login admin_login admin_login admin_login ok          admin_login admin_login mfa
    admin:index                        POST admin_login admin_login admin_login admin_login ok          403         403         mfa
    mfa_index                          GET  login       ok          ok          ok          ok          ok          ok          ok
    mfa_index                          POST login       405         405         405         405         403         403         405
"""


def _parse(table: str) -> dict:
    parsed: dict = {}
    for line in table.strip().splitlines():
        if line.lstrip().startswith("#"):
            continue
        name, method, *answers = line.split()
        if len(answers) != len(ROLES):
            raise ValueError(f"{name} {method}: {len(answers)} answers for {len(ROLES)} roles")
        parsed.setdefault(name, {})[method] = dict(zip(ROLES, answers, strict=True))
    return parsed


MATRIX = _parse(_TABLE)
PREFIX_SAMPLES = _parse(_SAMPLES)
