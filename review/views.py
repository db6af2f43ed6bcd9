from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import roles
from audit.models import AuditEvent
from audit.services import record
from verification.models import Status

from . import customer_messages, selectors, services
from .access import get_verification_for_reviewer, require_reviewer, require_supervisor
from .forms import (
    ConfirmationForm,
    DecisionForm,
    DocumentMarkForm,
    QueueFilterForm,
    ReassignForm,
)
from .models import RejectionReason, ReviewDecision

QUEUE_PAGE_SIZE = 100


@require_GET
@login_required
def queue(request):
    require_reviewer(request.user)
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.filtered_queue(request.user, filters), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    now = timezone.now()
    rows = [(case, selectors.sla_state(case, now)) for case in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "now": now,
        "query": query.urlencode(),
        "is_supervisor": roles.is_supervisor(request.user),
    }
    return render(request, "review/queue.html", context)


@require_POST
@login_required
def claim(request, pk):
    verification = get_verification_for_reviewer(request.user, pk)
    try:
        services.claim(verification.pk, request.user)
    except services.DecisionRefused as refused:
        messages.error(request, str(refused))
        return redirect("review:queue")
    return redirect("review:detail", pk=verification.pk)


@require_POST
@login_required
def next_case(request):
    require_reviewer(request.user)
    verification = services.claim_next(request.user)
    if verification is None:
        messages.info(request, _("The queue is empty: nothing is waiting for review."))
        return redirect("review:queue")
    return redirect("review:detail", pk=verification.pk)


def _document_url(document):
    # The wizard serves images through an audited, permission-checked view.
    try:
        return reverse("verification:document", args=[document.pk])
    except NoReverseMatch:
        return None


def _render_case(request, verification, *, form=None, status=200):
    user = request.user
    details = selectors.case_details(verification)
    is_mine = verification.status == Status.UNDER_REVIEW and verification.assigned_to_id == user.pk
    texts = customer_messages.page_texts(verification)
    if form is None:
        form = DecisionForm(
            initial={
                "evidence_version": verification.evidence_version,
                "pass_message": texts["pass"],
            }
        )
    typed = form.data if form.is_bound else {}
    signal_rows = [
        (signal, typed.get(DecisionForm.ACKNOWLEDGE_PREFIX + signal.key, ""))
        for signal in details["signals"]
    ]
    context = {
        "verification": verification,
        "details": details,
        "documents": [(d, ocr, _document_url(d)) for d, ocr in details["documents"]],
        "form": form,
        "is_mine": is_mine,
        "can_decide": is_mine and details["awaiting_confirmation"] is None,
        "can_claim": verification.status == Status.PROVIDED
        or (
            verification.status == Status.UNDER_REVIEW
            and not is_mine
            and not services.claim_is_live(verification)
        ),
        "claim_is_live": services.claim_is_live(verification),
        "is_supervisor": roles.is_supervisor(user),
        "reassign_form": ReassignForm() if roles.is_supervisor(user) else None,
        "sla": selectors.sla_state(verification),
        "customer_texts": texts,
        "signal_rows": signal_rows,
        "open_signal_count": sum(1 for signal in details["signals"] if signal.is_open),
        "new_since_request": selectors.new_since_request(verification, details),
        "reason_labels": [
            (code, label, texts["reasons"][code]) for code, label in RejectionReason.choices
        ],
        "latest_decision": selectors.latest_decision(verification),
        "requested_labels": selectors.requested_item_labels(verification.requested_items),
    }
    return render(request, "review/detail.html", context, status=status)


@require_GET
@login_required
def detail(request, pk):
    verification = get_verification_for_reviewer(request.user, pk)
    services.touch_claim(verification, request.user)
    record(request.user, AuditEvent.Action.CASE_OPENED, verification=verification)
    return _render_case(request, verification)


@require_POST
@login_required
def decide(request, pk):
    verification = get_verification_for_reviewer(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_case(request, verification, form=form, status=400)
    data = form.cleaned_data
    try:
        decision = services.record_decision(
            verification.pk,
            data["outcome"],
            reviewer=request.user,
            evidence_version=data["evidence_version"],
            customer_message=data["customer_message"],
            internal_note=data["internal_note"],
            reasons=data["reasons"],
            other_reason=data["other_reason"],
            final=data["final"],
            requested_items=data["requested_items"],
            # The page's one pass button is "Accept all and pass".
            accept_documents=data["outcome"] == ReviewDecision.Outcome.PASS,
            acknowledgements=data["acknowledgements"],
        )
    except services.DecisionRefused as refused:
        verification.refresh_from_db()
        form.add_error(None, str(refused))
        conflict = isinstance(
            refused, services.StaleEvidence | services.CaseClaimedByOther | services.CaseWithdrawn
        )
        status = 409 if conflict else 400
        if isinstance(refused, services.StaleEvidence):
            # The page now shows the new version; the reviewer decides again after looking.
            data = request.POST.copy()
            data["evidence_version"] = verification.evidence_version
            form = DecisionForm(data)
            form.is_valid()
            form.add_error(None, str(refused))
        return _render_case(request, verification, form=form, status=status)
    except services.TransitionNotAllowed:
        messages.error(request, _("This case has already been decided."))
        return redirect("review:detail", pk=pk)
    if decision.state == ReviewDecision.State.AWAITING_CONFIRMATION:
        messages.success(
            request, _("Final rejection recorded: it waits for a supervisor to confirm.")
        )
    else:
        messages.success(
            request,
            _("Decision recorded: %(outcome)s.") % {"outcome": decision.get_outcome_display()},
        )
    return redirect("review:detail", pk=pk)


@require_POST
@login_required
def mark_document(request, pk, document_pk):
    verification = get_verification_for_reviewer(request.user, pk)
    document = get_object_or_404(verification.documents, pk=document_pk)
    form = DocumentMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accepted or re-upload needed."))
        return redirect("review:detail", pk=pk)
    try:
        services.mark_document(
            document.pk,
            form.cleaned_data["state"],
            reviewer=request.user,
            reason=form.cleaned_data["reason"],
            evidence_version=form.cleaned_data["evidence_version"],
        )
    except services.DecisionRefused as refused:
        messages.error(request, str(refused))
    return redirect(reverse("review:detail", args=[pk]) + f"#document-{document.pk}")


@require_POST
@login_required
def release(request, pk):
    verification = get_verification_for_reviewer(request.user, pk)
    try:
        services.release(verification.pk, request.user)
    except services.DecisionRefused as refused:
        messages.error(request, str(refused))
        return redirect("review:detail", pk=pk)
    messages.success(request, _("The case is back in the queue."))
    return redirect("review:queue")


@require_POST
@login_required
def reassign(request, pk):
    require_supervisor(request.user)
    verification = get_verification_for_reviewer(request.user, pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a reviewer."))
        return redirect("review:detail", pk=pk)
    try:
        services.reassign(verification.pk, form.cleaned_data["reviewer"], supervisor=request.user)
    except services.DecisionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Case reassigned."))
    return redirect("review:detail", pk=pk)


@require_POST
@login_required
def confirm(request, pk, decision_pk):
    require_supervisor(request.user)
    verification = get_verification_for_reviewer(request.user, pk)
    decision = get_object_or_404(verification.review_decisions, pk=decision_pk)
    form = ConfirmationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Confirm or decline the rejection."))
        return redirect("review:detail", pk=pk)
    try:
        services.confirm_final_rejection(
            decision.pk,
            supervisor=request.user,
            confirmed=form.cleaned_data["confirmed"],
            note=form.cleaned_data["note"],
        )
    except services.DecisionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Thank you: your answer is recorded."))
    return redirect("review:detail", pk=pk)


@require_GET
@login_required
def dashboard(request):
    require_supervisor(request.user)
    return render(request, "review/dashboard.html", {"stats": selectors.dashboard()})
