"""The system administrator's tools: users, organisations, roles, training records.

Cases, people and access records are deliberately not registered: the administrator reads no
case content (../shared/DOMAIN.md).
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Organisation, TrainingRecord, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    extra = 0
    fields = ["role", "granted_at"]
    readonly_fields = ["granted_at"]


class TrainingRecordInline(admin.TabularInline):
    model = TrainingRecord
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["is_active", "organisation__kind", "role_grants__role"]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "email"]
    inlines = [UserRoleInline, TrainingRecordInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email", "organisation"]}),
        (_("Access"), {"fields": ["is_active", "is_staff"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "organisation", "password1", "password2"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "municipality", "country", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "municipality"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(SimpleHistoryAdmin):
    list_display = ["user", "title", "provider", "completed_on", "valid_until"]
    list_select_related = ["user"]
    search_fields = ["user__username", "title", "provider"]
    autocomplete_fields = ["user"]
