from django.contrib import admin

from openmentor.accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "display_name", "is_active", "date_joined")
    search_fields = ("email", "display_name", "first_name", "last_name")
