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
