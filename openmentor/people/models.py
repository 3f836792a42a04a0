from __future__ import annotations

from django.conf import settings
from django.db import models


class Profile(models.Model):
    """A person's mentoring profile within one organisation, reused across its programmes.

    Protected attributes (gender, ethnicity, age, disability) are deliberately not here:
    they live in SelfIdentification and never reach matching.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="profiles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profiles"
    )
    job_title = models.CharField(max_length=150, blank=True)
    department = models.CharField(max_length=100, blank=True)
    # The person's own manager, for the "never within a reporting line" matching rule.
    reports_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="direct_reports",
    )
    seniority_years = models.PositiveSmallIntegerField(null=True, blank=True)
    bio = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    languages = models.JSONField(default=list, blank=True)
    skills_offered = models.JSONField(default=list, blank=True)
    skills_wanted = models.JSONField(default=list, blank=True)
    # Weekly slots in the person's own timezone: [{"day": "mon", "start": "09:00",
    # "end": "11:00"}]; the matching engine converts them to UTC per week, so overlap
    # across timezones and daylight-saving changes is exact.
    availability = models.JSONField(default=list, blank=True)
    mentor_capacity = models.PositiveSmallIntegerField(default=2)
    # A mentor away (leave, a busy quarter) until this date, inclusive: nobody nudges their
    # mentorships and matching proposes no new mentee to them meanwhile.
    away_until = models.DateField(null=True, blank=True)
    photo = models.ImageField(upload_to="photos/%Y/%m/", null=True, blank=True)
    # 0-100, recomputed on every save by people.services; stored for fast filtering.
    completeness = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="profile_one_per_person_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(mentor_capacity__lte=20), name="profile_capacity_at_most_20"
            ),
            models.CheckConstraint(
                condition=models.Q(completeness__lte=100), name="profile_completeness_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class SelfIdentification(models.Model):
    """Voluntary, optional answers about protected attributes.

    Stored apart from the profile, never shown to other participants, never given to
    matching; read only as aggregate counts (groups under 5 suppressed) by
    people.selectors.self_identification_counts and the fairness audit.
    """

    PREFER_NOT_TO_SAY = "prefer_not_to_say"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    gender = models.CharField(max_length=40, blank=True)
    ethnicity = models.CharField(max_length=60, blank=True)
    age_band = models.CharField(max_length=20, blank=True)
    disability = models.CharField(max_length=30, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="self_identification_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"Self-identification of user {self.user_id}"


class ParticipantImport(models.Model):
    """A bulk import of participants from CSV or XLSX, validated then run as a task.

    The code that reads, checks and runs it is the programmes app's (programmes/imports/):
    an import enrols people in a programme. The model stays here, where its table is.
    """

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", "All rows or nothing"
        VALID_ONLY = "valid_only", "Import the valid rows, skip the rest"

    class Status(models.TextChoices):
        # Stored, waiting for (or in) the task that reads it: a file is never parsed in
        # the web request that uploads it.
        READING = "reading", "Reading the file"
        # The task could not use the file; `error` says why (a limit, damage, …).
        REFUSED = "refused", "File refused"
        UPLOADED = "uploaded", "Uploaded"
        CHECKING = "checking", "Checking the rows"
        CHECKED = "checked", "Checked (dry run)"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        # The worker running it died; a manager retries it (openmentor.core.leases).
        STUCK = "stuck", "Stuck (the worker stopped)"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="imports"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    file_kind = models.CharField(max_length=4)  # csv or xlsx
    encoding = models.CharField(max_length=20, blank=True)
    header = models.JSONField(default=list)
    # The first rows, as wide as the header, read with the header for the mapping page.
    preview = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    # CSV of the rejected rows with a reason column, downloadable by the manager.
    rejected_report = models.TextField(blank=True)
    error = models.TextField(blank=True)
    # The worker (openmentor.core.leases) that claimed the running import; blank before.
    worker_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.original_name}"
