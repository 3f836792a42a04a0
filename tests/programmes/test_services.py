from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from openmentor.core.models import Event
from openmentor.organisations.models import Invitation, Role
from openmentor.programmes.models import Ambassador, Answer, Enrolment, Programme
from openmentor.programmes.selectors import enrolment_attribution, participant_checklist
from openmentor.programmes.services import enrolment as programmes_enrolment
from openmentor.programmes.services import lifecycle as programmes_lifecycle
from openmentor.programmes.services import questions as programmes_questions
from tests.conftest import Tenant
from tests.factories import AnswerFactory, CampaignFactory
from tests.programmes.helpers import (
    make_enrolment,
    make_user,
    member,
    programme,
    scale_question,
    track_question,
)

pytestmark = pytest.mark.django_db


def test_status_moves_one_step_and_back_but_never_out_of_closed(tenant: Tenant) -> None:
    p = programme(tenant.organisation, status=Programme.Status.DRAFT, evergreen=True)
    for to in ("enrolling", "matching", "running"):
        programmes_lifecycle.programme_status_change(programme=p, actor=tenant.manager, to=to)
    with pytest.raises(ValidationError, match="one step at a time"):
        programmes_lifecycle.programme_status_change(programme=p, actor=tenant.manager, to="draft")
    programmes_lifecycle.programme_status_change(programme=p, actor=tenant.manager, to="matching")
    programmes_lifecycle.programme_status_change(programme=p, actor=tenant.manager, to="running")
    programmes_lifecycle.programme_status_change(programme=p, actor=tenant.manager, to="closed")
    with pytest.raises(ValidationError, match="stays closed"):
        programmes_lifecycle.programme_status_change(
            programme=p, actor=tenant.manager, to="running"
        )
    p.refresh_from_db()
    assert p.status == "closed"
    assert Event.objects.filter(kind="programme.status_changed").count() == 6


def test_running_needs_dates_or_evergreen(tenant: Tenant) -> None:
    p = programme(tenant.organisation, status=Programme.Status.MATCHING)
    with pytest.raises(ValidationError, match="start and end dates"):
        programmes_lifecycle.programme_status_change(
            programme=p, actor=tenant.manager, to="running"
        )


def test_participant_cannot_change_a_programme(tenant: Tenant) -> None:
    p = programme(tenant.organisation, status=Programme.Status.DRAFT)
    with pytest.raises(PermissionDenied):
        programmes_lifecycle.programme_status_change(
            programme=p, actor=tenant.participant, to="enrolling"
        )


def test_manager_of_another_organisation_cannot_change_it(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    p = programme(tenant.organisation)
    with pytest.raises(PermissionDenied):
        programmes_lifecycle.programme_update(
            programme=p, actor=other_tenant.owner, values={"name": "X"}
        )


def test_matching_fixes_kind_and_mode_but_not_the_welcome(tenant: Tenant) -> None:
    p = programme(tenant.organisation, status=Programme.Status.MATCHING, evergreen=True)
    programmes_lifecycle.programme_update(
        programme=p,
        actor=tenant.manager,
        values={"kind": "peer", "mentors_per_mentee": 3, "welcome_message": "Hello"},
    )
    p.refresh_from_db()
    assert (p.kind, p.mentors_per_mentee, p.welcome_message) == ("one_to_one", 1, "Hello")


def test_closed_programme_settings_are_read_only(tenant: Tenant) -> None:
    p = programme(tenant.organisation, status=Programme.Status.CLOSED)
    with pytest.raises(ValidationError, match="closed"):
        programmes_lifecycle.programme_update(
            programme=p, actor=tenant.manager, values={"name": "New"}
        )


def test_create_gives_a_unique_slug_and_never_new(tenant: Tenant) -> None:
    values = {"name": "New", "evergreen": True}
    first = programmes_lifecycle.programme_create(
        organisation=tenant.organisation, actor=tenant.manager, values=values
    )
    second = programmes_lifecycle.programme_create(
        organisation=tenant.organisation, actor=tenant.manager, values=values
    )
    assert first.slug == "new-programme" and second.slug == "new-programme-2"
    assert first.status == "draft" and first.created_by == tenant.manager.user


def test_questionnaire_freezes_once_someone_answered(tenant: Tenant) -> None:
    p = programme(tenant.organisation)
    question = track_question(p)
    programmes_questions.question_update(
        question=question, actor=tenant.manager, values={"text": "Track?"}
    )
    enrolment = make_enrolment(programme=p)
    AnswerFactory(enrolment=enrolment, question=question, value="Leadership")
    for call in (
        lambda: programmes_questions.question_update(
            question=question, actor=tenant.manager, values={"text": "Changed"}
        ),
        lambda: programmes_questions.question_delete(question=question, actor=tenant.manager),
        lambda: programmes_questions.question_move(
            question=question, actor=tenant.manager, direction="up"
        ),
        lambda: programmes_questions.question_create(
            programme=p, actor=tenant.manager, values={"kind": "text", "text": "More?"}
        ),
    ):
        with pytest.raises(ValidationError, match="answered"):
            call()
    question.refresh_from_db()
    assert question.text == "Track?" and p.questions.count() == 1


def test_skills_question_needs_a_taxonomy(tenant: Tenant) -> None:
    p = programme(tenant.organisation, skills=[])
    with pytest.raises(ValidationError) as error:
        programmes_questions.question_create(
            programme=p, actor=tenant.manager, values={"kind": "skills", "text": "Skills?"}
        )
    assert "taxonomy" in str(error.value)


def test_questions_are_appended_and_moved(tenant: Tenant) -> None:
    p = programme(tenant.organisation)
    a, b, c = (
        programmes_questions.question_create(
            programme=p, actor=tenant.manager, values={"kind": "text", "text": t}
        )
        for t in ("A", "B", "C")
    )
    assert programmes_questions.question_move(question=c, actor=tenant.manager, direction="up")
    assert not programmes_questions.question_move(question=a, actor=tenant.manager, direction="up")
    assert [q.text for q in p.questions.all()] == ["A", "C", "B"]


def _enrol(tenant: Tenant, p: Programme, **kwargs: object) -> list[Enrolment]:
    values: dict[str, object] = {
        "programme": p,
        "membership": tenant.participant,
        "roles": ["mentee"],
        "answers": {},
        "agreement_accepted": True,
    }
    values.update(kwargs)
    return programmes_enrolment.enrolment_create(**values)  # type: ignore[arg-type]


def test_enrolment_stores_answers_and_sends_the_welcome(
    tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    p = programme(
        tenant.organisation, welcome_message="Glad to have you!", agreement_text="Be kind"
    )
    track, scale = track_question(p), scale_question(p)
    with django_capture_on_commit_callbacks(execute=True):
        [enrolment] = _enrol(tenant, p, answers={track.pk: "Engineering", scale.pk: 4})
    assert enrolment.status == "active" and enrolment.source == "link"
    assert enrolment.agreement_accepted_at is not None
    assert {a.question_id: a.value for a in enrolment.answers.all()} == {
        track.pk: "Engineering",
        scale.pk: 4,
    }
    assert mail.outbox[0].subject == f"Welcome to {p.name}"
    assert "Glad to have you!" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({}, "Answer this question."),
        ({"track": "Marketing"}, "Choose one of the listed answers."),
        ({"track": "Leadership", "scale": 6}, "from 1 to 5"),
        ({"track": "Leadership", "scale": "3.5"}, "from 1 to 5"),
    ],
)
def test_enrolment_refuses_bad_answers_and_writes_nothing(
    tenant: Tenant, answers: dict[str, object], message: str
) -> None:
    p = programme(tenant.organisation)
    ids = {"track": track_question(p).pk, "scale": scale_question(p).pk}
    with pytest.raises(ValidationError, match=message):
        _enrol(tenant, p, answers={ids[k]: v for k, v in answers.items()})
    assert Enrolment.objects.count() == 0 and Answer.objects.count() == 0


def test_skills_answers_must_come_from_the_taxonomy(tenant: Tenant) -> None:
    p = programme(tenant.organisation, skills=["python", "sql"])
    question = track_question(p, kind="skills", choices=[], text="Skills?")
    with pytest.raises(ValidationError, match="cooking"):
        _enrol(tenant, p, answers={question.pk: ["python", "cooking"]})
    [enrolment] = _enrol(tenant, p, answers={question.pk: ["sql"]})
    assert enrolment.answers.get().value == ["sql"]


def test_audience_questions_only_bind_their_role(tenant: Tenant) -> None:
    p = programme(tenant.organisation)
    mentors_only = track_question(p, audience="mentors")
    [mentee] = _enrol(tenant, p, roles=["mentee"], answers={mentors_only.pk: "Leadership"})
    # Not asked of mentees: not stored either.
    assert mentee.answers.count() == 0
    with pytest.raises(ValidationError, match="Answer this question"):
        _enrol(tenant, p, roles=["mentor"], answers={})


def test_both_roles_make_two_enrolments(tenant: Tenant) -> None:
    p = programme(tenant.organisation)
    track = track_question(p)
    enrolments = _enrol(tenant, p, roles=["mentor", "mentee"], answers={track.pk: "Leadership"})
    assert sorted(e.role for e in enrolments) == ["mentee", "mentor"]
    assert Answer.objects.count() == 2
    with pytest.raises(ValidationError, match="already enrolled"):
        _enrol(tenant, p, roles=["mentee"], answers={track.pk: "Leadership"})


@pytest.mark.parametrize(
    "status", [Programme.Status.DRAFT, Programme.Status.MATCHING, Programme.Status.CLOSED]
)
def test_enrolment_only_while_the_programme_is_open(tenant: Tenant, status: str) -> None:
    p = programme(tenant.organisation, status=status)
    with pytest.raises(ValidationError, match="not taking enrolments"):
        _enrol(tenant, p)
    assert Enrolment.objects.count() == 0


def test_running_evergreen_programme_still_enrols(tenant: Tenant) -> None:
    p = programme(tenant.organisation, status=Programme.Status.RUNNING, evergreen=True)
    assert len(_enrol(tenant, p)) == 1


def test_agreement_must_be_accepted(tenant: Tenant) -> None:
    p = programme(tenant.organisation, agreement_text="We meet every fortnight.")
    with pytest.raises(ValidationError, match="Accept the agreement"):
        _enrol(tenant, p, agreement_accepted=False)


def test_member_of_another_organisation_cannot_enrol(tenant: Tenant, other_tenant: Tenant) -> None:
    p = programme(tenant.organisation)
    with pytest.raises(PermissionDenied):
        _enrol(tenant, p, membership=other_tenant.participant)


def test_attribution_only_for_tokens_of_the_same_programme(tenant: Tenant) -> None:
    p, other = programme(tenant.organisation), programme(tenant.organisation)
    campaign = CampaignFactory(
        programme=p, subject="Join", body_markdown="x", audience="pasted", link_token="camp-1"
    )
    ambassador = Ambassador.objects.create(
        programme=p, user=tenant.participant.user, link_token="amb-1"
    )
    CampaignFactory(
        programme=other, subject="Other", body_markdown="x", audience="pasted", link_token="c-2"
    )
    assert enrolment_attribution(p, "camp-1") == (campaign, None)
    assert enrolment_attribution(p, "amb-1") == (None, ambassador)
    assert enrolment_attribution(p, "c-2") == (None, None)
    assert enrolment_attribution(p, "") == (None, None)
    [enrolment] = _enrol(tenant, p, ambassador=ambassador)
    assert enrolment.source == "ambassador" and enrolment.ambassador == ambassador


def test_pending_enrolment_is_approved_once_with_an_email(
    tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    p = programme(tenant.organisation, requires_approval=True, welcome_message="Welcome aboard")
    [enrolment] = _enrol(tenant, p)
    assert enrolment.status == "pending"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        programmes_enrolment.enrolment_decide(
            enrolment=enrolment, actor=tenant.manager, approve=True
        )
    enrolment.refresh_from_db()
    assert enrolment.status == "active" and enrolment.decided_by == tenant.manager.user
    assert mail.outbox[0].subject == f"You are in: {p.name}"
    assert "Welcome aboard" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="decided already"):
        programmes_enrolment.enrolment_decide(
            enrolment=enrolment, actor=tenant.manager, approve=False
        )


def test_checklist_ticks_each_step(tenant: Tenant) -> None:
    p = programme(tenant.organisation, requires_approval=True, agreement_text="Be kind")
    labels = lambda c: [(s.label, s.done) for s in c.steps]  # noqa: E731
    before = participant_checklist(membership=tenant.participant, programme=p)
    assert labels(before) == [
        ("Complete your profile", False),
        ("Answer the questionnaire", False),
        ("Accept the mentoring agreement", False),
        ("Wait for approval", False),
        ("Get matched", False),
    ]
    [enrolment] = _enrol(tenant, p)
    programmes_enrolment.enrolment_decide(enrolment=enrolment, actor=tenant.manager, approve=True)
    after = participant_checklist(membership=tenant.participant, programme=p)
    assert [done for _, done in labels(after)] == [False, True, True, True, False]


def test_bulk_invitation_reports_each_kind_of_address(
    tenant: Tenant, django_capture_on_commit_callbacks
) -> None:
    p = programme(tenant.organisation)
    enrolled = make_enrolment(programme=p, user=make_user(email="in@example.org"))
    colleague = member(tenant.organisation)
    programmes_enrolment.programme_invite(
        programme=programme(tenant.organisation),
        inviter=tenant.manager,
        emails=["open@example.org"],
        programme_role="",
    )
    with django_capture_on_commit_callbacks(execute=True):
        outcome = programmes_enrolment.programme_invite(
            programme=p,
            inviter=tenant.manager,
            emails=[
                "new@example.org",
                enrolled.user.email,
                colleague.user.email,
                "open@example.org",
            ],
            programme_role="mentor",
            duplicates=["NEW@example.org"],
        )
    assert outcome.invited == ["new@example.org"]
    assert outcome.already_enrolled == ["in@example.org"]
    assert outcome.members_notified == [colleague.user.email]
    assert outcome.already_invited == ["open@example.org"]
    invitation = Invitation.objects.get(email="new@example.org")
    assert (invitation.programme, invitation.programme_role, invitation.role) == (
        p,
        "mentor",
        Role.PARTICIPANT,
    )
    subjects = sorted(m.subject for m in mail.outbox)
    assert f"You are invited to {p.name} at Acme" in subjects
    assert f"Join {p.name} at Acme" in subjects


def test_programme_invitation_leads_to_the_enrol_page(tenant: Tenant) -> None:
    from openmentor.organisations.services import (
        invitation_accept,
        invitation_create,
        invitation_next_url,
    )

    p = programme(tenant.organisation)
    created = invitation_create(
        organisation=tenant.organisation,
        inviter=tenant.manager,
        email="x@example.org",
        role=Role.PARTICIPANT,
        programme=p,
        programme_role="mentee",
    )
    invitation_accept(token=created.token, user=make_user(email="x@example.org"))
    assert invitation_next_url(created.invitation) == (
        f"/o/{tenant.organisation.slug}/programmes/{p.slug}/enrol/?role=mentee"
    )


def test_programme_invitation_must_name_a_programme_of_the_organisation(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    from openmentor.organisations.services import invitation_create

    with pytest.raises(PermissionDenied):
        invitation_create(
            organisation=tenant.organisation,
            inviter=tenant.manager,
            email="x@example.org",
            role=Role.PARTICIPANT,
            programme=programme(other_tenant.organisation),
        )
    assert Invitation.objects.count() == 0


def test_join_link_rotation_kills_the_old_link(tenant: Tenant) -> None:
    p = programme(tenant.organisation)
    first = programmes_lifecycle.programme_join_link_rotate(programme=p, actor=tenant.manager)
    second = programmes_lifecycle.programme_join_link_rotate(programme=p, actor=tenant.manager)
    assert first != second
    assert Programme.objects.filter(join_token=first).count() == 0


def test_dates_must_be_in_order(tenant: Tenant) -> None:
    with pytest.raises(ValidationError):
        programmes_lifecycle.programme_create(
            organisation=tenant.organisation,
            actor=tenant.manager,
            values={"name": "Spring", "starts_on": date(2027, 5, 1), "ends_on": date(2027, 1, 1)},
        )
    assert Programme.objects.count() == 0
