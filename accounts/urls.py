from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.user_center, name="user_center"),
    path("language/", views.set_language, name="set_language"),
]
