from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit.models import AuditEvent
from audit.services import record
from verification.models import Verification

from . import access, selectors
from .csv_export import customers_csv
from .forms import CustomerSearchForm

PAGE_SIZE = 50


@require_safe
@login_required
def customer_list(request):
    group = access.get_group_for_inquiry(request.user)
    form = CustomerSearchForm(request.GET)
    criteria = form.criteria()
    paginator = Paginator(selectors.search_customers(group, **criteria), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    rows = [selectors.to_row(values) for values in page.object_list]
    record(
        request.user,
        AuditEvent.Action.INQUIRY_LOOKUP,
        sales_group_id=group.pk,
        searched=bool(criteria["email"]),
        status_filter=criteria["status"],
        page=page.number,
        customer_ids=[row.pk for row in rows],
    )
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {"group": group, "form": form, "page": page, "rows": rows, "query": query.urlencode()}
    return render(request, "sales/customer_list.html", ctx)


@require_safe
@login_required
def customer_detail(request, pk):
    row = access.get_customer_for_inquiry(request.user, pk)
    record(
        request.user,
        AuditEvent.Action.INQUIRY_LOOKUP,
        subject=get_user_model().objects.get(pk=row.pk),
        verification=(
            Verification.objects.get(pk=row.verification_id) if row.verification_id else None
        ),
        sales_group_id=request.user.sales_group_id,
    )
    ctx = {"row": row, "history": selectors.status_history(row.verification_id)}
    return render(request, "sales/customer_detail.html", ctx)


@require_safe
@login_required
def export_csv(request):
    group = access.get_group_for_inquiry(request.user)
    criteria = CustomerSearchForm(request.GET).criteria()
    rows = [selectors.to_row(values) for values in selectors.search_customers(group, **criteria)]
    record(
        request.user,
        AuditEvent.Action.INQUIRY_EXPORT,
        sales_group_id=group.pk,
        searched=bool(criteria["email"]),
        status_filter=criteria["status"],
        customer_ids=[row.pk for row in rows],
    )
    response = HttpResponse(customers_csv(rows), content_type="text/csv; charset=utf-8")
    filename = f"customers-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
