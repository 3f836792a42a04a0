"""Admin for profiles only.

Self-identification is deliberately not registered: nobody, staff included, should read
an individual's answers (see people.selectors.self_identification_counts).
"""

from django.contrib import admin

from openmentor.people.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "job_title", "completeness", "updated_at")
    list_filter = ("organisation",)
    search_fields = ("user__email", "job_title", "department")
    raw_id_fields = ("user", "reports_to")
    readonly_fields = ("completeness", "updated_at")
