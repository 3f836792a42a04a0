"""Writes for mentorships, one module a topic (Zulip's actions/ habit): `lifecycle` (creating,
the agreement, pausing, ending, rematch requests) and `journey` (what the pair does
together: goals and milestones, notes, meetings logged from elsewhere, icebreakers).
"""
