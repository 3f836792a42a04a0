from __future__ import annotations

from django.conf import settings
from django.db import models


class MentorshipRating(models.Model):
    """How useful a member found a mentorship, 1 (not at all) to 5 (very).

    Kept apart from Mentorship (related_name "+") so that no query of the mentorship
    carries a rating to the partner or a manager: ratings are read back only by their
    author (`selectors.own_rating`) or as means over many mentorships (the outcomes report).
    """

    class Moment(models.TextChoices):
        CHECKIN = "checkin", "Check-in"
        ENDING = "ending", "Ending"

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.PositiveSmallIntegerField()
    moment = models.CharField(max_length=10, choices=Moment.choices)
    # Private to the author, like an ending reflection.
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "author", "moment"], name="rating_once_per_author_and_moment"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="rating_one_to_five"
            ),
            models.CheckConstraint(
                condition=models.Q(moment__in=["checkin", "ending"]), name="rating_moment_valid"
            ),
        ]
        indexes = [models.Index(fields=["mentorship", "moment"])]

    def __str__(self) -> str:
        return f"Rating of mentorship {self.mentorship_id} ({self.moment})"


class MeetingFeedback(models.Model):
    """One member's word on one meeting: how useful (1–5), an optional private comment,
    and, for a meeting not held in the product's own call, whether it happened.

    Opened (answered_at empty) when the meeting ends; answered in the app or from the
    e-mail's one-click rating. The programme team sees ratings only in aggregate, unless
    the author ticked `shared`; the comment is the author's alone, always.
    """

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ask_happened = models.BooleanField(default=False)
    happened = models.BooleanField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    shared = models.BooleanField(default=False)
    # Answers to the programme's own questions (SurveyQuestion id → answer).
    answers = models.JSONField(default=dict, blank=True)
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "author"], name="meeting_feedback_once"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="meeting_feedback_rating_one_to_five",
            ),
        ]
        indexes = [models.Index(fields=["mentorship", "answered_at"])]

    def __str__(self) -> str:
        return f"Feedback on meeting {self.meeting_id} by {self.author_id}"


class Checkin(models.Model):
    """A short survey one member answers at a set moment of their mentorship.

    - pairing fit, after the first meeting held: comfortable? does the match work?
      ("not working" offers the no-fault ending and alerts the programme team);
    - pulse, on day 30 and then every 60 days (the programme's tracking settings): 1–5;
    - closing, when the mentorship ends: how useful (1–5) and the NPS question (0–10).
    Answers other than the pairing fit reach the programme team only in aggregate unless
    shared; comments never leave their author.
    """

    class Survey(models.TextChoices):
        PAIRING_FIT = "pairing_fit", "Pairing fit"
        PULSE = "pulse", "Pulse"
        CLOSING = "closing", "Closing survey"

    class Fit(models.TextChoices):
        YES = "yes", "Yes, it works for me"
        PARTLY = "partly", "Partly; we are still finding our feet"
        NO = "no", "No, it is not working"

    mentorship = models.ForeignKey(
        "mentorships.Mentorship", on_delete=models.CASCADE, related_name="+"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    survey = models.CharField(max_length=12, choices=Survey.choices)
    period = models.PositiveSmallIntegerField(default=0)
    opened_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    comfortable = models.BooleanField(null=True, blank=True)
    fit = models.CharField(max_length=6, choices=Fit.choices, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    nps = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True)
    shared = models.BooleanField(default=False)
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "author", "survey", "period"], name="checkin_once"
            ),
            models.CheckConstraint(
                condition=models.Q(survey__in=["pairing_fit", "pulse", "closing"]),
                name="checkin_survey_known",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="checkin_rating_one_to_five",
            ),
            models.CheckConstraint(
                condition=models.Q(nps__isnull=True) | models.Q(nps__lte=10),
                name="checkin_nps_zero_to_ten",
            ),
            models.CheckConstraint(
                condition=models.Q(fit__in=["", "yes", "partly", "no"]), name="checkin_fit_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} check-in of {self.author_id} on {self.mentorship_id}"


class SurveyQuestion(models.Model):
    """A programme's own question added to one of its surveys, of the same kinds as the
    enrolment questionnaire (programmes.Question.Kind). Answers are kept with each
    MeetingFeedback or Checkin (`answers`, keyed by this question's id)."""

    class Survey(models.TextChoices):
        MEETING = "meeting", "After each meeting"
        PAIRING_FIT = "pairing_fit", "Pairing fit"
        PULSE = "pulse", "Pulse"
        CLOSING = "closing", "Closing survey"

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="survey_questions"
    )
    survey = models.CharField(max_length=12, choices=Survey.choices)
    kind = models.CharField(max_length=10)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    choices = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(survey__in=["meeting", "pairing_fit", "pulse", "closing"]),
                name="survey_question_survey_known",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["single", "multiple", "text", "scale", "skills"]),
                name="survey_question_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return self.text
