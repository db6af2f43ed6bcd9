from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("export.csv", views.export_csv, name="export_csv"),
]
