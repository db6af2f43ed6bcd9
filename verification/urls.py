from django.urls import path

from . import views

app_name = "verification"

urlpatterns = [
    path("", views.start, name="start"),
    path("certificate/", views.certificate, name="certificate"),
    path("documents/", views.documents, name="documents"),
    path("details/", views.details, name="details"),
    path("review/", views.review, name="review"),
    path("status/", views.status, name="status"),
    path("status/reading.json", views.reading_state, name="reading_state"),
    path("documents/<int:pk>/", views.document, name="document"),
]
