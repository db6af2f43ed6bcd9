from django.urls import path

from . import views

app_name = "screening"

urlpatterns = [
    path("", views.hits, name="hits"),
    path("hits/<int:pk>/resolve/", views.resolve, name="resolve"),
    path("hits/<int:pk>/confirm/", views.confirm, name="confirm"),
]
