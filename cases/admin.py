"""The system administrator's tools: users, organisations, roles, training records.

Cases, people and access records are deliberately not registered: the administrator reads no
case content (docs/decisions.md).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Organisation, Role, TrainingRecord, User, UserRole

# More than a career's worth of courses; the page lists them all at once.
TRAINING_RECORDS_PER_USER = 100


class BoundedInline(admin.TabularInline):
    """An inline that builds at most `max_num` forms, whatever the posted management form claims.

    Django's own ceiling is 1,000 forms above `max_num`, and a refused form page renders every one
    of them again: a forged TOTAL_FORMS made one request render 2,000 forms. Past `max_num` the
    page now answers with Django's "Please submit at most ... forms"."""

    def get_formset(self, request, obj=None, **kwargs):
        kwargs.setdefault("absolute_max", self.max_num)
        return super().get_formset(request, obj, **kwargs)


class UserRoleInline(BoundedInline):
    model = UserRole
    fk_name = "user"
    extra = 0
    # Each role at most once.
    max_num = len(Role)
    fields = ["role", "granted_at"]
    readonly_fields = ["granted_at"]


class UserInviteForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "email", "organisation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _("The link to set their own password is sent here.")


class TrainingRecordInline(BoundedInline):
    model = TrainingRecord
    extra = 0
    max_num = TRAINING_RECORDS_PER_USER


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["is_active", "organisation__kind", "role_grants__role"]
    list_select_related = ["organisation"]
    search_fields = ["username", "first_name", "last_name", "email"]
    inlines = [UserRoleInline, TrainingRecordInline]
    fieldsets = [
        (None, {"fields": ["username"]}),
        (_("Person"), {"fields": ["first_name", "last_name", "email", "organisation"]}),
        (_("Access"), {"fields": ["is_active", "is_staff"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    # The administrator never sets or learns a password: a new user gets a first-login link by
    # e-mail and chooses their own, and there is no page here to set one.
    add_form = UserInviteForm
    add_form_template = None
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "organisation"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def user_change_password(self, request, id, form_url=""):
        raise Http404

    def save_model(self, request, obj, form, change):
        from accounts import services as security

        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if not change:
            transaction.on_commit(
                lambda: security.first_login_link_send(user=obj, actor=request.user, request=request)
            )
        elif "organisation" in form.changed_data:
            # A move into another organisation waits for approval like a new grant.
            security.user_moved(user=obj, actor=request.user, request=request)

    def save_formset(self, request, form, formset, change):
        """A role that reads case files, added or changed here, waits for a second person."""
        from accounts import services as security

        if formset.model is not UserRole:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        for grant in formset.deleted_objects:
            user_id, role = grant.user_id, grant.role
            grant._history_user = request.user
            grant.delete()
            security.role_revoked(user_id=user_id, role=role, actor=request.user, request=request)
        for grant in instances:
            grant._history_user = request.user
            grant.save()
            security.role_grant_request(grant=grant, actor=request.user, request=request)
        formset.save_m2m()
        return None


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
