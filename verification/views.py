"""The customer's real-name authentication wizard, status page and private document images."""

from functools import wraps

from allauth.account.decorators import verified_email_required
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from . import access, mrz, policy, selectors, services, track, uploads
from .forms import CertificateForm, DetailsForm, DocumentUploadForm
from .models import Document, Status, Verification


def customer_view(view):
    """Signed in, email verified (allauth), and a customer rather than a staff account."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        access.require_wizard_user(request.user)
        return view(request, *args, **kwargs)

    return login_required(verified_email_required(wrapped))


def _locked(request, verification: Verification | None, error=None):
    ctx = {"verification": verification, "error": error}
    return render(request, "verification/locked.html", ctx, status=409)


def _editable_or_none(user) -> Verification | None:
    verification = access.get_open_verification(user)
    if verification is not None and verification.is_editable_by_customer:
        return verification
    return None


@customer_view
def start(request):
    """The wizard's entry (the User Center's "Set" button): resumes where the customer is."""
    verification = access.get_open_verification(request.user)
    if verification is None:
        if not services.may_start_new(request.user):
            return redirect("verification:status")
        if services.latest_application(request.user) is not None:
            # A retry or re-verification: the new draft starts from the last details (at most
            # one open application exists, so repeating this request creates nothing more).
            services.start_or_resume(request.user)
        return redirect("verification:certificate")
    if verification.status == Status.SUPPLEMENT_REQUESTED:
        return redirect("verification:review")
    if verification.status != Status.DRAFT:
        return redirect("verification:status")
    if not verification.document_type:
        return redirect("verification:certificate")
    present = services.current_documents(verification)
    if any(kind not in present for kind in services.required_document_kinds(verification)):
        return redirect("verification:documents")
    if not verification.surname:
        return redirect("verification:details")
    return redirect("verification:review")


@customer_view
@require_http_methods(["GET", "POST"])
def certificate(request):
    """Step 1: account type, nationality and document type (and the organization)."""
    verification = access.get_open_verification(request.user)
    if verification is not None and not verification.is_editable_by_customer:
        return _locked(request, verification)
    if verification is None and not services.may_start_new(request.user):
        return redirect("verification:status")
    form = CertificateForm(request.POST or None, verification=verification)
    if request.method == "POST" and form.is_valid():
        try:
            verification = services.start_or_resume(request.user)
            services.save_certificate(verification, form.to_application(), actor=request.user)
        except services.PolicyBlocked as blocked:
            form.add_error(None, policy.message_of(blocked.rule))
        except services.ApplicationLocked as error:
            return _locked(request, verification, error)
        except services.CannotStartApplication:
            return redirect("verification:status")
        else:
            data = form.cleaned_data
            for warning in policy.warnings_for(data["nationality"], data["document_type"]):
                messages.warning(request, warning)
            return redirect("verification:documents")
    status = 400 if request.method == "POST" else 200
    ctx = {"form": form, "verification": verification, "step": 1}
    return render(request, "verification/certificate.html", ctx, status=status)


@customer_view
@require_http_methods(["GET", "POST"])
def documents(request):
    """Step 2: upload the document images."""
    verification = access.get_open_verification(request.user)
    if verification is None or not verification.document_type:
        return redirect("verification:start")
    if not verification.is_editable_by_customer:
        return _locked(request, verification)
    errors = {}
    status = 200
    if request.method == "POST" and not _upload_allowed(request):
        errors[request.POST.get("kind", "")] = [
            _(
                "You have uploaded many images in a short time. Please try again later; the "
                "images you have already uploaded are kept."
            )
        ]
        status = 429
    elif request.method == "POST":
        form = DocumentUploadForm(request.POST, request.FILES)
        kind = request.POST.get("kind", "")
        if form.is_valid():
            try:
                services.add_document(
                    verification, kind, form.cleaned_data["file"], actor=request.user
                )
            except ValidationError as error:
                errors[kind] = error.messages
            except services.PolicyBlocked as blocked:
                errors[kind] = [policy.message_of(blocked.rule)]
            except services.ApplicationLocked as error:
                return _locked(request, verification, error)
            else:
                messages.success(
                    request, _("Uploaded. You can replace it at any time before you submit.")
                )
                if _from_upload_script(request):
                    return JsonResponse({"uploaded": True})
                return redirect("verification:documents")
        else:
            errors[kind] = [m for field_errors in form.errors.values() for m in field_errors]
        status = 400
    if request.method == "POST" and _from_upload_script(request):
        # The page stays as it is: the script shows these beside the control.
        return JsonResponse({"errors": errors.get(request.POST.get("kind", ""), [])}, status=status)
    ctx = {
        "verification": verification,
        "slots": _upload_slots(verification, errors),
        "step": 2,
        "reading": services.reading_in_progress(verification),
        "size_check": uploads.browser_size_check(),
    }
    return render(request, "verification/documents.html", ctx, status=status)


def _from_upload_script(request) -> bool:
    """static/js/uploads.js sends the same form with this header and wants JSON back."""
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _upload_allowed(request) -> bool:
    """Every upload is decoded and checked, so one account may send only so many in a window
    (ACCOUNT_RATE_LIMITS["document_upload"]). The 429 becomes a risk event (accounts middleware)."""
    return bool(ratelimit.consume(request, action="document_upload", user=request.user))


def _upload_slots(verification: Verification, errors: dict) -> list[dict]:
    present = services.current_documents(verification)
    return [
        {
            "kind": kind,
            "label": Document.Kind(kind).label,
            "document": present.get(kind),
            "may_change": services.may_change(verification, f"document:{kind}"),
            "errors": errors.get(kind, []),
            "form": DocumentUploadForm(initial={"kind": kind}),
        }
        for kind in services.required_document_kinds(verification)
    ]


@customer_view
@require_http_methods(["GET", "POST"])
def details(request):
    """Step 3: the details exactly as printed, pre-filled from the passport's MRZ when read."""
    verification = access.get_open_verification(request.user)
    if verification is None or not verification.document_type:
        return redirect("verification:start")
    if not verification.is_editable_by_customer:
        return _locked(request, verification)
    prefilled = services.prefill_from_document(verification)
    form = DetailsForm(request.POST or None, verification=verification, prefilled=prefilled)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.save_details(verification, data, actor=request.user)
        except services.ApplicationLocked as error:
            return _locked(request, verification, error)
        return redirect("verification:review")
    ctx = {
        "form": form,
        "verification": verification,
        "step": 3,
        "prefilled": bool(prefilled) and request.method == "GET",
        "reading": services.reading_in_progress(verification),
    }
    return render(request, "verification/details.html", ctx, status=400 if form.errors else 200)


@customer_view
@require_http_methods(["GET", "POST"])
def review(request):
    """Step 4: everything on one page, then Submit (with the mismatch prompt when needed)."""
    verification = access.get_open_verification(request.user)
    if verification is None:
        return redirect("verification:start")
    if request.method == "POST":
        if request.POST.get("action") == "double_check":
            return redirect("verification:details")
        return _submit(request, verification)
    if not verification.is_editable_by_customer:
        return redirect("verification:status")
    return _render_review(request, verification, services.missing_items(verification))


def _render_review(request, verification, problems, status=200):
    declaration_missing = str(services.DECLARATION_MISSING)
    ctx = {
        "verification": verification,
        "documents": _in_upload_order(verification),
        "problems": problems,
        # Only a forgotten tick: Submit stays pressable, the tick is asked for beside the box.
        "blocking_problems": [problem for problem in problems if problem != declaration_missing],
        "declaration": services.DECLARATION,
        "declaration_missing": declaration_missing in problems,
        "step": 4,
        "reading": services.reading_in_progress(verification),
        "requested": services.describe_requested(verification),
    }
    return render(request, "verification/review.html", ctx, status=status)


def _in_upload_order(verification) -> dict:
    present = services.current_documents(verification)
    kinds = services.required_document_kinds(verification)
    return {kind: present[kind] for kind in kinds if kind in present}


def _submit(request, verification):
    confirm = request.POST.get("action") == "manual_verification"
    declared = request.POST.get("declaration") == "yes"
    try:
        outcome = services.submit(
            verification, actor=request.user, declared=declared, confirm_mismatch=confirm
        )
    except services.IncompleteApplication as incomplete:
        return _render_review(request, verification, incomplete.problems, status=400)
    except services.PolicyBlocked as blocked:
        return _render_review(request, verification, [policy.message_of(blocked.rule)], 400)
    if outcome.differences:
        ctx = {
            "verification": outcome.verification,
            "differences": [_describe(difference) for difference in outcome.differences],
        }
        return render(request, "verification/mismatch.html", ctx)
    if outcome.already_submitted:
        messages.info(request, _("Your application has already been submitted."))
    else:
        messages.success(request, _("Submitted. We will let you know when it has been reviewed."))
    return redirect("verification:status")


HINTS = {
    mrz.HINT_TRANSLITERATION: gettext_lazy(
        "This looks like the same name spelt another way: documents write letters such as Ä as "
        "AE or A and ß as SS in the machine-readable zone. If you typed the name as printed on "
        "the document, go for manual verification."
    ),
    mrz.HINT_SEPARATOR: gettext_lazy("Only spaces, hyphens or apostrophes differ."),
    mrz.HINT_DAY_MONTH_SWAPPED: gettext_lazy("The day and the month look swapped."),
    mrz.HINT_LETTER_DIGIT_CONFUSION: gettext_lazy(
        "Letters and digits that look alike differ (O and 0, I and 1, S and 5)."
    ),
}


def _describe(difference) -> dict:
    name = "given_names" if difference.field == "names" else difference.field
    try:
        label = Verification._meta.get_field(name).verbose_name
    except FieldDoesNotExist:
        label = name
    return {
        "field": difference.field,
        "label": str(label)[:1].upper() + str(label)[1:],
        "typed": difference.typed,
        "document": difference.document,
        "hint_text": HINTS.get(difference.hint, ""),
    }


@customer_view
@require_GET
def status(request):
    """Where the customer follows their application: Provided, Under review, Passed."""
    progress = selectors.progress_for(request.user)
    latest = progress.verification
    ctx = {
        "progress": progress,
        "verification": latest,
        "track": track.track_for(latest),
        "reading": latest is not None and services.reading_in_progress(latest),
        "earlier": Verification.objects.filter(user=request.user)
        .exclude(pk=getattr(latest, "pk", None))
        .order_by("-created_at"),
        "may_start_new": services.may_start_new(request.user),
    }
    return render(request, "verification/status.html", ctx)


@customer_view
@require_GET
def reading_state(request):
    """Polled by static/js/reading-poll.js while a document is being recognised."""
    verification = access.get_open_verification(request.user)
    reading = verification is not None and services.reading_in_progress(verification)
    return JsonResponse({"reading": reading})


@require_GET
def document(request, pk):
    """A document image, for its owner and reviewers only; every staff view is audited.

    Anyone else, signed in or not, gets 404.
    """
    document = access.get_document_for_viewer(request.user, pk)
    if access.is_staff_view(request.user, document):
        services.record_document_view(request.user, document)
    if request.GET.get("face"):
        # A face cropped out of this image (the case page's face match), after the same checks.
        from identity.crops import face_crop

        content = face_crop(document, request.GET["face"])
        if content is None:
            raise Http404
        response = HttpResponse(content, content_type="image/jpeg")
    else:
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        response = FileResponse(handle, content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Content-Disposition"] = "inline"
    return response
