from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Programme(models.Model):
    """A mentoring programme run by an organisation; every setting is editable by managers."""

    class Kind(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one"
        GROUP = "group", "Group / circle"
        PEER = "peer", "Peer"
        REVERSE = "reverse", "Reverse"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ENROLLING = "enrolling", "Enrolling"
        MATCHING = "matching", "Matching"
        RUNNING = "running", "Running"
        CLOSED = "closed", "Closed"

    class MatchingMode(models.TextChoices):
        MANAGER = "manager", "Manager-matched"
        MENTEE_CHOICE = "mentee_choice", "Mentee choice"
        BOTH = "both", "Both"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="programmes"
    )
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ONE_TO_ONE)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    evergreen = models.BooleanField(
        default=False, help_text="Rolling enrolment with no fixed cohort dates."
    )
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    mentors_per_mentee = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    default_mentor_capacity = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    matching_mode = models.CharField(
        max_length=20, choices=MatchingMode.choices, default=MatchingMode.MANAGER
    )
    cadence_weeks = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Expected weeks between meetings.",
    )
    session_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(15), MaxValueValidator(240)]
    )
    # The skills/topics taxonomy offered: names, and for each name the related names
    # that count partly in matching.
    skills = models.JSONField(default=list, blank=True)
    related_skills = models.JSONField(default=dict, blank=True)
    requires_approval = models.BooleanField(default=False)
    agreement_text = models.TextField(
        blank=True, help_text="The mentoring agreement each person accepts when joining."
    )
    welcome_message = models.TextField(blank=True)
    # Secret part of the shareable join link (/join/<token>/).
    join_token = models.CharField(max_length=43, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="programme_slug_unique_in_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(mentors_per_mentee__gte=1, mentors_per_mentee__lte=3),
                name="programme_mentors_per_mentee_1_to_3",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True)
                | models.Q(ends_on__isnull=True)
                | models.Q(starts_on__lt=models.F("ends_on")),
                name="programme_starts_before_it_ends",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    """One question of a programme's enrolment questionnaire."""

    class Kind(models.TextChoices):
        SINGLE = "single", "Single choice"
        MULTIPLE = "multiple", "Multiple choice"
        TEXT = "text", "Free text"
        SCALE = "scale", "Scale 1–5"
        SKILLS = "skills", "Skills from the taxonomy"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        MENTORS = "mentors", "Mentors only"
        MENTEES = "mentees", "Mentees only"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.EVERYONE)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True)
    feeds_matching = models.BooleanField(default=False)
    matching_weight = models.FloatField(
        default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(5.0)]
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(matching_weight__gte=0, matching_weight__lte=5),
                name="question_weight_0_to_5",
            )
        ]

    def __str__(self) -> str:
        return self.text


class Enrolment(models.Model):
    """A person's place in a programme in one role, with their questionnaire answers."""

    class Role(models.TextChoices):
        MENTOR = "mentor", "Mentor"
        MENTEE = "mentee", "Mentee"
        # Peer programmes: everyone is both, matched with each other (matching's peer mode).
        PEER = "peer", "Peer"

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting approval"
        ACTIVE = "active", "Active"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Source(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        LINK = "link", "Shareable link"
        CAMPAIGN = "campaign", "Campaign"
        AMBASSADOR = "ambassador", "Ambassador"
        IMPORT = "import", "Bulk import"
        MANAGER = "manager", "Added by a manager"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MANAGER)
    campaign = models.ForeignKey(
        "programmes.Campaign",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    ambassador = models.ForeignKey(
        "programmes.Ambassador",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    agreement_accepted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Set by the mentorships service when the person has an active mentorship here;
    # kept on the row so that the participants list can filter 10,000 rows quickly.
    matched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user", "role"], name="enrolment_once_per_role"
            )
        ]
        indexes = [models.Index(fields=["programme", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} in {self.programme}"


class Answer(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # str for single/text, list[str] for multiple/skills, int 1-5 for scale.
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "question"], name="answer_once_per_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"


class Campaign(models.Model):
    """A promotion e-mail for a programme, sent through the task queue."""

    class Audience(models.TextChoices):
        NOT_ENROLLED = "not_enrolled", "Organisation members not yet enrolled"
        PASTED = "pasted", "A pasted list of addresses"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="campaigns")
    subject = models.CharField(max_length=200)
    body_markdown = models.TextField()
    audience = models.CharField(max_length=20, choices=Audience.choices)
    pasted_emails = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    link_token = models.CharField(max_length=43, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


class CampaignDelivery(models.Model):
    """One row per address a campaign was sent to: makes sending idempotent and countable."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    email = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "email"], name="campaign_delivery_once_per_address"
            )
        ]

    def __str__(self) -> str:
        return self.email


class Ambassador(models.Model):
    """A person the manager names to promote the programme with their own tracked link."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="ambassadors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    link_token = models.CharField(max_length=43, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user"], name="ambassador_once_per_programme"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} for {self.programme}"
