from accounts import roles


def portal(request):
    """What base.html needs on every page: the visitor's role for the menu."""
    user = getattr(request, "user", None)
    return {"user_roles": roles.of(user) if user is not None else frozenset()}
