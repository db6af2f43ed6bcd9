"""The two statements of an API lookup by reference (the first, the key check, runs for every
API request), written out once instead of built by the ORM.

An API lookup is three small indexed queries, and building and compiling them through the
ORM cost the web process about three quarters of its CPU per request (benchmarks/api). Here
the SQL is made once per process from the models' own table and column names, and the rows
go through the fields' own converters, so values come back exactly as the ORM gives them on
SQLite and PostgreSQL; tests/api/test_lookup.py compares them with the ORM's answers.

- `usable_key(prefix)`: the key and its client, one row (revocation is read every time);
- `applicant_row(client_id, reference)`: the customer behind a reference and their latest
  application (LEFT JOIN: no application is a row too), one row.
"""

from functools import cache

from django.contrib.auth.models import Group
from django.db import connection

from accounts import roles
from accounts.models import User
from verification.models import Verification

from .models import ApiClient, ClientApiKey, ClientCustomer

KEY_FIELDS = ("id", "hashed_key", "revoked", "expiry_date", "scopes", "last_used_at", "client_id")
CLIENT_FIELDS = ("id", "active", "sales_group_id")
USER_FIELDS = ("id", "email", "is_active", "is_staff", "is_superuser")
APPLICATION_FIELDS = (
    "status",
    "account_type",
    "nationality",
    "submitted_at",
    "decided_at",
    "valid_until",
    "sla_due_at",
    "may_retry",
    "updated_at",
)


def _column(model, name: str, alias: str) -> str:
    return f"{alias}.{connection.ops.quote_name(model._meta.get_field(name).column)}"


def _table(model, alias: str) -> str:
    return f"{connection.ops.quote_name(model._meta.db_table)} {alias}"


def _converters(model, names, alias):
    """Per column, the converters the ORM would apply (backend's, then the field's own)."""
    result = []
    for name in names:
        field = model._meta.get_field(name)
        column = field.get_col(alias)
        result.append(
            (column, connection.ops.get_db_converters(column) + field.get_db_converters(connection))
        )
    return result


def _convert(values, converters) -> list:
    converted = []
    for value, (column, functions) in zip(values, converters, strict=True):
        for function in functions:
            value = function(value, column, connection)
        converted.append(value)
    return converted


def instance(model, names, values):
    """A model instance from some of its fields' converted values (others load when read);
    Model.from_db wants them in the model's field order."""
    given = dict(zip(names, values, strict=True))
    ordered = [f.attname for f in model._meta.concrete_fields if f.attname in given]
    return model.from_db(connection.alias, ordered, [given[name] for name in ordered])


@cache
def _key_statement(vendor: str):
    # Cached per database backend (quoting differs), so it cannot serve another backend's SQL.
    columns = [_column(ClientApiKey, name, "k") for name in KEY_FIELDS]
    columns += [_column(ApiClient, name, "c") for name in CLIENT_FIELDS]
    sql = (
        f"SELECT {', '.join(columns)} FROM {_table(ClientApiKey, 'k')} "  # noqa: S608 - our own names
        f"INNER JOIN {_table(ApiClient, 'c')} "
        f"ON {_column(ApiClient, 'id', 'c')} = {_column(ClientApiKey, 'client', 'k')} "
        f"WHERE {_column(ClientApiKey, 'prefix', 'k')} = %s "
        f"AND {_column(ClientApiKey, 'revoked', 'k')} = %s"
    )
    converters = _converters(ClientApiKey, KEY_FIELDS, "k")
    converters += _converters(ApiClient, CLIENT_FIELDS, "c")
    return sql, converters


def usable_key(prefix: str) -> ClientApiKey | None:
    """The unrevoked key with this prefix, its client attached, or None. Only the fields in
    KEY_FIELDS and CLIENT_FIELDS are loaded (others load when read). The caller checks the
    hash, the expiry and whether the client is active."""
    sql, converters = _key_statement(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix, False])
        row = cursor.fetchone()
    if row is None:
        return None
    values = _convert(row, converters)
    api_key = instance(ClientApiKey, KEY_FIELDS, values[: len(KEY_FIELDS)])
    api_key.client = instance(ApiClient, CLIENT_FIELDS, values[len(KEY_FIELDS) :])
    return api_key


@cache
def _applicant_statement(vendor: str):
    through = User.groups.through
    roles_in = ", ".join(["%s"] * len(roles.STAFF_ROLES))
    staff_role = (
        f"EXISTS (SELECT 1 FROM {_table(through, 'ug')} INNER JOIN {_table(Group, 'g')} "  # noqa: S608 - our own names
        f"ON {_column(Group, 'id', 'g')} = {_column(through, 'group', 'ug')} "
        f"WHERE {_column(through, 'user', 'ug')} = {_column(User, 'id', 'u')} "
        f"AND {_column(Group, 'name', 'g')} IN ({roles_in}))"
    )
    latest = (
        f"SELECT {_column(Verification, 'id', 'v2')} FROM {_table(Verification, 'v2')} "  # noqa: S608 - our own names
        f"WHERE {_column(Verification, 'user', 'v2')} = {_column(ClientCustomer, 'user', 'cc')} "
        f"ORDER BY {_column(Verification, 'created_at', 'v2')} DESC, "
        f"{_column(Verification, 'id', 'v2')} DESC LIMIT 1"
    )
    columns = [_column(User, name, "u") for name in USER_FIELDS]
    columns += [_column(Verification, name, "v") for name in APPLICATION_FIELDS]
    sql = (
        f"SELECT {', '.join(columns)}, {staff_role} "  # noqa: S608 - our own names
        f"FROM {_table(ClientCustomer, 'cc')} "
        f"INNER JOIN {_table(User, 'u')} "
        f"ON {_column(User, 'id', 'u')} = {_column(ClientCustomer, 'user', 'cc')} "
        f"LEFT OUTER JOIN {_table(Verification, 'v')} "
        f"ON {_column(Verification, 'id', 'v')} = ({latest}) "
        f"WHERE {_column(ClientCustomer, 'client', 'cc')} = %s "
        f"AND {_column(ClientCustomer, 'reference', 'cc')} = %s"
    )
    converters = _converters(User, USER_FIELDS, "u")
    converters += _converters(Verification, APPLICATION_FIELDS, "v")
    return sql, converters, sorted(roles.STAFF_ROLES)


def applicant_row(client_id: int, reference: str) -> tuple[dict, dict | None] | None:
    """(the user's fields with `has_staff_role`, their latest application's fields or None)
    for the client's reference, or None when the client has no such reference."""
    sql, converters, staff_roles = _applicant_statement(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*staff_roles, client_id, reference])
        row = cursor.fetchone()
    if row is None:
        return None
    *values, has_staff_role = row
    values = _convert(values, converters)
    user = dict(zip(USER_FIELDS, values[: len(USER_FIELDS)], strict=True))
    user["has_staff_role"] = bool(has_staff_role)
    application = dict(zip(APPLICATION_FIELDS, values[len(USER_FIELDS) :], strict=True))
    if application["status"] is None:  # the LEFT JOIN found no application
        application = None
    return user, application
