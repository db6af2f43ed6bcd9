from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("v1/applicants", views.ApplicantByEmail.as_view(), name="applicant_by_email"),
    path("v1/applicants/<str:reference>", views.ApplicantDetail.as_view(), name="applicant"),
    path("v1/events", views.EventList.as_view(), name="events"),
]
