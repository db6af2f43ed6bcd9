from django.contrib import admin

from .models import Holiday, PeakPeriod


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]


@admin.register(PeakPeriod)
class PeakPeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "start_date", "end_date", "extra_working_days"]
    date_hierarchy = "start_date"
