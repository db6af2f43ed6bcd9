from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("retry/", views.start_retry, name="start_retry"),
    path("reverify/", views.start_reverification, name="start_reverification"),
]
