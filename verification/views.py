from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def start(request):
    """The wizard's entry (the User Center's "Set" button)."""
    return render(request, "verification/start.html")
