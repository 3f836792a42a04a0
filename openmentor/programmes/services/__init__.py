"""Writes for programmes, one module a topic: `lifecycle` (a programme, its settings, its
status and join link), `questions` (editing the questionnaire) and `enrolment` (joining,
enrolling, approval, programme invitations).
"""
