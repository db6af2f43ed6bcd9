from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("next/", views.next_case, name="next"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/reassign/", views.reassign, name="reassign"),
    path("<int:pk>/documents/<int:document_pk>/mark/", views.mark_document, name="mark_document"),
    path("<int:pk>/decisions/<int:decision_pk>/confirm/", views.confirm, name="confirm"),
]
