"""A person's choices about the programme community pages of one organisation.

Both are off until the person turns them on: nobody appears in a directory, and no
milestone of theirs is shown beyond their pair and the programme team, unless they chose it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CommunityOptIn(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # Listed in the directory of each programme they take part in, with a short profile.
    listed = models.BooleanField(default=False)
    # Their milestones (first and fifth meeting, halfway, goals reached) shown by name.
    share_milestones = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="community_opt_in_once_per_person"
            )
        ]
        indexes = [models.Index(fields=["organisation", "listed"])]

    def __str__(self) -> str:
        return f"Community choices of {self.user_id}"
