"""Names the matching app's services and selectors share (selectors never import services)."""

from __future__ import annotations

# The two kinds of run: a whole cohort, or a rematch of the people waiting for one.
COHORT = "cohort"
REMATCH = "rematch"
