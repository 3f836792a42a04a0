from django.contrib import admin

from openmentor.programmes.models import Answer, Enrolment, Programme, Question


class QuestionInline(admin.TabularInline[Question, Programme]):
    model = Question
    extra = 0
    fields = ("position", "kind", "text", "audience", "required", "feeds_matching")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ("name", "organisation", "status", "kind", "evergreen", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("name", "organisation__name")
    list_select_related = ("organisation",)
    # The join token is a secret: shown to managers in the app, never edited here.
    exclude = ("join_token",)
    inlines = [QuestionInline]


class AnswerInline(admin.TabularInline[Answer, Enrolment]):
    model = Answer
    extra = 0
    readonly_fields = ("question", "value")


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin[Enrolment]):
    list_display = ("user", "programme", "role", "status", "source", "created_at")
    list_filter = ("status", "role", "source")
    search_fields = ("user__email", "programme__name")
    list_select_related = ("user", "programme")
    raw_id_fields = ("user", "programme", "campaign", "ambassador", "decided_by")
    inlines = [AnswerInline]
