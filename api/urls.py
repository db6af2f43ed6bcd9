from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import handoff_views, views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/applicants", views.ApplicantByEmail.as_view(), name="applicant_by_email"),
    path("v1/applicants/<str:reference>", views.ApplicantDetail.as_view(), name="applicant"),
    path("v1/events", views.EventList.as_view(), name="events"),
    path("v1/invitations", views.InvitationCreate.as_view(), name="invitations"),
    path("handoff/continue/", handoff_views.continue_after_sign_in, name="handoff_continue"),
    path("handoff/return/", handoff_views.return_to_shop, name="handoff_return"),
    path("handoff/<str:token>/", handoff_views.follow, name="handoff"),
]
