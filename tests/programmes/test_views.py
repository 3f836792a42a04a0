from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from openmentor.organisations.models import Invitation, Membership, Role
from openmentor.programmes.models import Answer, Enrolment, Programme, Question
from tests.conftest import Tenant, client_for
from tests.factories import AnswerFactory, CampaignFactory
from tests.programmes.helpers import (
    enrol_url,
    make_enrolment,
    make_user,
    member,
    page_url,
    programme,
    scale_question,
    track_question,
)

pytestmark = pytest.mark.django_db

GOOD_PROGRAMME: dict[str, Any] = {
    "name": "Spring cohort",
    "description": "Twelve weeks of mentoring.",
    "kind": "one_to_one",
    "starts_on": "2027-03-01",
    "ends_on": "2027-06-01",
    "mentors_per_mentee": "1",
    "default_mentor_capacity": "2",
    "matching_mode": "manager",
    "cadence_weeks": "2",
    "session_minutes": "45",
    "skills_text": "python: django, data analysis\nleadership",
    "agreement_text": "We meet every two weeks.",
    "welcome_message": "Welcome!",
}


def _body(response: Any) -> str:
    return str(response.content.decode())


# --- Programmes ------------------------------------------------------------------------


def test_manager_creates_a_programme_with_its_taxonomy(
    manager_client: Client, tenant: Tenant
) -> None:
    response = manager_client.post(
        f"/o/{tenant.organisation.slug}/programmes/new/", GOOD_PROGRAMME, follow=True
    )
    p = Programme.objects.get()
    assert response.redirect_chain[-1][0] == page_url(p)
    assert p.status == "draft" and p.session_minutes == 45
    assert p.skills == ["python", "django", "data analysis", "leadership"]
    assert p.related_skills == {"python": ["django", "data analysis"]}
    assert "ready as a draft" in _body(response)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "This field is required."),
        ({"name": " x "}, "at least 2 characters"),
        ({"ends_on": "2027-01-01"}, "The end date must be after the start date."),
        ({"starts_on": ""}, "Enter the start date, or make it evergreen."),
        ({"starts_on": "31/31/2027"}, "Enter a valid date."),
        ({"evergreen": "on"}, "An evergreen programme has no fixed dates"),
        ({"mentors_per_mentee": "4"}, "less than or equal to 3"),
        ({"default_mentor_capacity": "0"}, "greater than or equal to 1"),
        ({"session_minutes": "600"}, "less than or equal to 240"),
        ({"cadence_weeks": "abc"}, "Enter a whole number."),
        ({"kind": "solo"}, "Select a valid choice"),
        ({"matching_mode": "random"}, "Select a valid choice"),
        ({"skills_text": "python\nPython"}, "Line 2: “Python” is listed twice."),
        ({"skills_text": "python: python"}, "cannot be related to itself"),
        ({"skills_text": ": sql"}, "write the skill before the colon"),
        ({"skills_text": "x" * 61}, "under 60 characters"),
    ],
)
def test_programme_form_refuses_bad_input_at_the_field(
    manager_client: Client, tenant: Tenant, changes: dict[str, str], message: str
) -> None:
    response = manager_client.post(
        f"/o/{tenant.organisation.slug}/programmes/new/", {**GOOD_PROGRAMME, **changes}
    )
    assert response.status_code == 400
    body = _body(response)
    assert message in body
    assert 'class="error"' in body
    assert "Twelve weeks of mentoring." in body  # what was typed is kept
    assert Programme.objects.count() == 0


def test_settings_show_the_taxonomy_and_save_changes(
    manager_client: Client, tenant: Tenant
) -> None:
    p = programme(
        tenant.organisation,
        evergreen=True,
        skills=["sql", "postgres"],
        related_skills={"sql": ["postgres"]},
    )
    body = _body(manager_client.get(page_url(p, "settings/")))
    assert "sql: postgres" in body
    data = {**GOOD_PROGRAMME, "name": "Renamed", "skills_text": "sql\nrust"}
    response = manager_client.post(page_url(p, "settings/"), data)
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.name, p.skills, p.related_skills, p.slug) == ("Renamed", ["sql", "rust"], {}, p.slug)


def test_settings_lock_kind_once_matching(manager_client: Client, tenant: Tenant) -> None:
    p = programme(tenant.organisation, status=Programme.Status.MATCHING, evergreen=True)
    body = _body(manager_client.get(page_url(p, "settings/")))
    assert "Fixed once matching has started." in body
    data = {**GOOD_PROGRAMME, "kind": "peer", "starts_on": "", "ends_on": "", "evergreen": "on"}
    assert manager_client.post(page_url(p, "settings/"), data).status_code == 302
    p.refresh_from_db()
    assert p.kind == "one_to_one" and p.name == "Spring cohort"


def test_status_buttons_move_the_programme(manager_client: Client, tenant: Tenant) -> None:
    p = programme(tenant.organisation, status=Programme.Status.DRAFT)
    assert "Open enrolment" in _body(manager_client.get(page_url(p)))
    response = manager_client.post(page_url(p, "status/"), {"to": "enrolling"}, follow=True)
    assert "is now enrolling" in _body(response)
    response = manager_client.post(page_url(p, "status/"), {"to": "closed"}, follow=True)
    assert "one step at a time" in _body(response)
    p.refresh_from_db()
    assert p.status == "enrolling"


def test_manager_page_links_to_the_other_parts(manager_client: Client, tenant: Tenant) -> None:
    p = programme(tenant.organisation)
    body = _body(manager_client.get(page_url(p)))
    for rest in ("settings/", "questions/", "approvals/"):
        assert f'href="{page_url(p, rest)}"' in body


def test_programme_list_for_managers_is_bounded_in_queries(
    manager_client: Client, tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    for _ in range(25):
        p = programme(tenant.organisation)
        make_enrolment(programme=p, role="mentor")
        make_enrolment(programme=p, status="pending")
    with django_assert_max_num_queries(10):
        response = manager_client.get(f"/o/{tenant.organisation.slug}/programmes/")
    assert response.status_code == 200 and "Create a programme" in _body(response)


def test_participants_see_open_programmes_and_their_own(
    participant_client: Client, tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    open_one = programme(tenant.organisation, name="Open one")
    draft = programme(tenant.organisation, name="Secret draft", status="draft")
    running = programme(tenant.organisation, name="Fixed cohort", status="running")
    mine = programme(tenant.organisation, name="My cohort", status="matching")
    make_enrolment(programme=mine, user=tenant.participant.user)
    for _ in range(20):
        programme(tenant.organisation)
    with django_assert_max_num_queries(10):
        body = _body(participant_client.get(f"/o/{tenant.organisation.slug}/programmes/"))
    assert "Open one" in body and "My cohort" in body
    assert "Secret draft" not in body and "Fixed cohort" not in body
    assert participant_client.get(page_url(draft)).status_code == 404
    assert participant_client.get(page_url(running)).status_code == 404
    assert participant_client.get(page_url(open_one)).status_code == 200


# --- Questionnaire builder --------------------------------------------------------------


def test_manager_builds_reorders_and_deletes_questions(
    manager_client: Client, tenant: Tenant
) -> None:
    p = programme(tenant.organisation)
    add = page_url(p, "questions/new/")
    manager_client.post(
        add,
        {
            "text": "Which track?",
            "kind": "single",
            "choices_text": "Leadership\nEngineering",
            "audience": "everyone",
            "required": "on",
        },
    )
    manager_client.post(
        add,
        {
            "text": "How confident are you?",
            "kind": "scale",
            "audience": "mentees",
            "feeds_matching": "on",
            "matching_weight": "2.5",
        },
    )
    first, second = p.questions.all()
    assert (first.choices, first.required) == (["Leadership", "Engineering"], True)
    assert (second.feeds_matching, second.matching_weight) == (True, 2.5)
    body = _body(manager_client.get(page_url(p, "questions/")))
    assert "Move down: Which track?" in body and "Move up: How confident are you?" in body
    manager_client.post(page_url(p, f"questions/{second.pk}/move/"), {"direction": "up"})
    assert [q.text for q in p.questions.all()] == ["How confident are you?", "Which track?"]
    manager_client.post(page_url(p, f"questions/{first.pk}/"), {
        "text": "Which track suits you?", "kind": "single",
        "choices_text": "Leadership\nEngineering\nProduct", "audience": "everyone",
    })  # fmt: skip
    first.refresh_from_db()
    assert first.text == "Which track suits you?" and first.choices[-1] == "Product"
    manager_client.post(page_url(p, f"questions/{first.pk}/delete/"))
    assert list(p.questions.values_list("text", flat=True)) == ["How confident are you?"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "kind": "text"}, "This field is required."),
        ({"text": "Track?", "kind": "single", "choices_text": "Only"}, "at least two answers"),
        ({"text": "Track?", "kind": "single", "choices_text": "A\na"}, "only once"),
        ({"text": "Why?", "kind": "text", "choices_text": "A\nB"}, "Only single and multiple"),
        ({"text": "Q?", "kind": "scale", "feeds_matching": "on"}, "weight above 0"),
        ({"text": "Q?", "kind": "scale", "matching_weight": "7"}, "less than or equal to 5"),
        ({"text": "Q?", "kind": "text", "feeds_matching": "on", "matching_weight": "1"}, "cannot be compared"),
        ({"text": "Q?", "kind": "essay"}, "Select a valid choice"),
        ({"text": "Q?", "kind": "skills"}, "taxonomy"),
    ],
)  # fmt: skip
def test_question_form_refuses_bad_input(
    manager_client: Client, tenant: Tenant, data: dict[str, str], message: str
) -> None:
    p = programme(tenant.organisation, skills=[])
    response = manager_client.post(page_url(p, "questions/new/"), {"audience": "everyone", **data})
    assert response.status_code == 400
    assert message in _body(response)
    assert Question.objects.count() == 0


def test_question_of_another_programme_is_404(manager_client: Client, tenant: Tenant) -> None:
    p, other = programme(tenant.organisation), programme(tenant.organisation)
    foreign = track_question(other)
    assert manager_client.get(page_url(p, f"questions/{foreign.pk}/")).status_code == 404
    assert manager_client.post(page_url(p, f"questions/{foreign.pk}/delete/")).status_code == 404
    assert Question.objects.filter(pk=foreign.pk).exists()


def test_answered_questionnaire_is_shown_locked(manager_client: Client, tenant: Tenant) -> None:
    p = programme(tenant.organisation)
    question = track_question(p)
    AnswerFactory(enrolment=make_enrolment(programme=p), question=question, value="A")
    body = _body(manager_client.get(page_url(p, "questions/")))
    assert "can no longer change" in body and "Add a question" not in body
    response = manager_client.post(
        page_url(p, f"questions/{question.pk}/"),
        {"text": "New", "kind": "text", "audience": "everyone"},
    )
    assert response.status_code == 400 and "can no longer change" in _body(response)
    question.refresh_from_db()
    assert question.text == "Which track?"


def test_question_list_is_bounded_in_queries(
    manager_client: Client, tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    p = programme(tenant.organisation)
    for i in range(30):
        track_question(p, position=i)
    with django_assert_max_num_queries(10):
        assert manager_client.get(page_url(p, "questions/")).status_code == 200


def test_preview_shows_the_questions_as_members_see_them(
    manager_client: Client, tenant: Tenant
) -> None:
    p = programme(tenant.organisation, agreement_text="Be on time.")
    track_question(p)
    scale_question(p)
    body = _body(manager_client.get(page_url(p, "questions/preview/")))
    assert "<legend>Which track?" in body and "<legend>How confident are you?" in body
    assert "Be on time." in body and "I accept the mentoring agreement" in body


# --- Enrolment ------------------------------------------------------------------------


def _answers(p: Programme) -> dict[str, str]:
    track, scale = p.questions.all()
    return {f"q_{track.pk}": "Engineering", f"q_{scale.pk}": "4"}


def test_member_enrols_with_answers_and_agreement(
    participant_client: Client, tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    p = programme(tenant.organisation, agreement_text="Be kind.", welcome_message="Hi there")
    track_question(p)
    scale_question(p)
    body = _body(participant_client.get(enrol_url(p) + "?role=mentor"))
    assert 'value="mentor" id="id_role_1" required checked' in body  # preselected
    with django_capture_on_commit_callbacks(execute=True):
        response = participant_client.post(
            enrol_url(p), {"role": "mentor", "agreement": "on", **_answers(p)}, follow=True
        )
    assert f"You are enrolled in {p.name}" in _body(response)
    enrolment = Enrolment.objects.get()
    assert (enrolment.role, enrolment.status, enrolment.source) == ("mentor", "active", "link")
    assert sorted(a.value for a in enrolment.answers.all() if isinstance(a.value, int)) == [4]
    assert "Hi there" in mail.outbox[-1].body
    # The checklist on the programme page now ticks the questionnaire.
    assert "Done:</span> Answer the questionnaire" in _body(response)


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"agreement": "on"}, "This field is required."),  # no role
        ({"role": "mentee"}, "Accept the agreement to join."),
        ({"role": "mentee", "agreement": "on", "q_track": ""}, "Answer this question."),
        ({"role": "mentee", "agreement": "on", "q_track": "Marketing"}, "Select a valid choice"),
        ({"role": "mentee", "agreement": "on", "q_scale": "9"}, "Select a valid choice"),
        ({"role": "boss", "agreement": "on"}, "Select a valid choice"),
    ],
)
def test_enrol_form_refuses_bad_input_and_keeps_answers(
    participant_client: Client, tenant: Tenant, data: dict[str, str], field_message: str
) -> None:
    p = programme(tenant.organisation, agreement_text="Be kind.")
    track, scale = track_question(p), scale_question(p)
    posted = {f"q_{track.pk}": "Leadership", f"q_{scale.pk}": "3"}
    for key, value in data.items():
        name = {"q_track": f"q_{track.pk}", "q_scale": f"q_{scale.pk}"}.get(key, key)
        posted[name] = value
    response = participant_client.post(enrol_url(p), posted)
    assert response.status_code == 400
    body = _body(response)
    assert field_message in body and 'class="error"' in body
    assert Enrolment.objects.count() == 0 and Answer.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "text"),
    [("draft", "not open yet"), ("matching", "Enrolment is shut"), ("closed", "is closed")],
)
def test_enrolment_in_a_shut_programme_is_refused_clearly(
    participant_client: Client, tenant: Tenant, status: str, text: str
) -> None:
    p = programme(tenant.organisation, status=status)
    for response in (participant_client.get(enrol_url(p)), participant_client.post(enrol_url(p))):
        assert response.status_code == 409 and text in _body(response)
    assert Enrolment.objects.count() == 0


def test_nobody_enrols_in_another_organisations_programme(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    p = programme(tenant.organisation)
    outsider = client_for(other_tenant.participant)
    assert outsider.post(enrol_url(p), {"role": "mentee"}).status_code == 404
    # Naming the programme under the organisation the person does belong to: still 404.
    path = f"/o/{other_tenant.organisation.slug}/programmes/{p.slug}/enrol/"
    assert outsider.post(path, {"role": "mentee"}).status_code == 404
    assert Enrolment.objects.count() == 0


def test_already_enrolled_roles_are_not_offered_again(
    participant_client: Client, tenant: Tenant
) -> None:
    p = programme(tenant.organisation)
    make_enrolment(programme=p, user=tenant.participant.user, role="mentee")
    body = _body(participant_client.get(enrol_url(p)))
    assert 'value="mentor"' in body and 'value="mentee"' not in body and 'value="both"' not in body
    make_enrolment(programme=p, user=tenant.participant.user, role="mentor")
    response = participant_client.get(enrol_url(p), follow=True)
    assert "already enrolled" in _body(response)


def test_campaign_link_is_recorded_on_the_enrolment(
    participant_client: Client, tenant: Tenant
) -> None:
    p = programme(tenant.organisation)
    campaign = CampaignFactory(
        programme=p, subject="Join", body_markdown="x", audience="pasted", link_token="tok-123"
    )
    body = _body(participant_client.get(enrol_url(p) + "?via=tok-123"))
    assert 'value="tok-123"' in body
    participant_client.post(enrol_url(p), {"role": "mentee", "via": "tok-123"})
    enrolment = Enrolment.objects.get()
    assert (enrolment.source, enrolment.campaign) == ("campaign", campaign)


# --- Join link -------------------------------------------------------------------------


def _join(p: Programme) -> str:
    p.join_token = f"join-{p.pk}-secret"
    p.save(update_fields=["join_token"])
    return f"/join/{p.join_token}/"


def test_forged_or_replaced_join_link_gives_a_clear_page(
    tenant: Tenant, manager_client: Client
) -> None:
    p = programme(tenant.organisation)
    old = _join(p)
    manager_client.post(page_url(p, "join-link/"))
    for client in (Client(), client_for(tenant.participant)):
        for path in (old, "/join/forged/"):
            response = client.get(path)
            assert response.status_code == 404 and "This link is not valid" in _body(response)


@pytest.mark.parametrize(("status", "code"), [("draft", 409), ("matching", 409), ("closed", 410)])
def test_join_link_of_a_shut_programme_makes_nobody_a_member(
    tenant: Tenant, status: str, code: int
) -> None:
    p = programme(tenant.organisation, status=status)
    path = _join(p)
    client = Client()
    client.force_login(make_user())
    for response in (client.get(path), client.post(path)):
        assert response.status_code == code and "cannot be used" in _body(response)
    assert Membership.objects.filter(organisation=tenant.organisation).count() == 3


def test_anonymous_visitor_is_asked_to_sign_up_and_brought_back(tenant: Tenant) -> None:
    p = programme(tenant.organisation, description="Grow with a mentor.")
    path = _join(p) + "?via=amb-1"
    client = Client()
    response = client.get(path)
    body = _body(response)
    assert response.status_code == 200 and "Grow with a mentor." in body
    assert "/accounts/signup/?next=%2Fjoin%2F" in body
    assert client.session["openmentor.pending_join"] == path


def test_logged_in_outsider_joins_the_organisation_then_enrols(tenant: Tenant) -> None:
    p = programme(tenant.organisation)
    path = _join(p) + "?via=tok"
    user = make_user()
    client = Client()
    client.force_login(user)
    assert "Join Acme" in _body(client.get(path))
    assert not Membership.objects.filter(user=user).exists()  # GET changes nothing
    response = client.post(path)
    assert response["Location"] == enrol_url(p) + "?via=tok"
    assert Membership.objects.get(user=user).role == Role.PARTICIPANT
    # A member goes straight to the enrol page.
    assert client.get(path)["Location"] == enrol_url(p) + "?via=tok"


# --- Approval queue ---------------------------------------------------------------------


def test_approval_queue_lists_pending_people_in_bounded_queries(
    manager_client: Client, tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    p = programme(tenant.organisation, requires_approval=True)
    track = track_question(p)
    for i in range(25):
        enrolment = make_enrolment(programme=p, status="pending")
        AnswerFactory(enrolment=enrolment, question=track, value="Leadership")
        if i % 5 == 0:
            make_enrolment(programme=p, status="active")
    with django_assert_max_num_queries(10):
        response = manager_client.get(page_url(p, "approvals/"))
    body = _body(response)
    assert body.count(">Approve</button>") == 25 and "Leadership" in body


def test_manager_approves_and_declines_with_emails(
    manager_client: Client, tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    p = programme(tenant.organisation, requires_approval=True)
    yes = make_enrolment(programme=p, status="pending")
    no = make_enrolment(programme=p, status="pending")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            page_url(p, f"approvals/{yes.pk}/"), {"decision": "approve"}, follow=True
        )
        manager_client.post(page_url(p, f"approvals/{no.pk}/"), {"decision": "decline"})
    assert "is approved; they have been told by e-mail" in _body(response)
    yes.refresh_from_db()
    no.refresh_from_db()
    assert (yes.status, no.status) == ("active", "declined")
    assert [m.to for m in mail.outbox] == [[yes.user.email], [no.user.email]]
    assert "not approved" in mail.outbox[1].subject
    response = manager_client.post(
        page_url(p, f"approvals/{yes.pk}/"), {"decision": "decline"}, follow=True
    )
    assert "decided already" in _body(response)
    response = manager_client.post(
        page_url(p, f"approvals/{no.pk}/"), {"decision": "x"}, follow=True
    )
    assert "Choose Approve or Decline" in _body(response)


def test_enrolment_of_another_programme_cannot_be_decided_here(
    manager_client: Client, tenant: Tenant
) -> None:
    p, other = programme(tenant.organisation), programme(tenant.organisation)
    foreign = make_enrolment(programme=other, status="pending")
    response = manager_client.post(page_url(p, f"approvals/{foreign.pk}/"), {"decision": "approve"})
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "pending"


# --- Programme invitations -------------------------------------------------------------


def test_bulk_invitation_refuses_bad_addresses_and_sends_nothing(
    manager_client: Client, tenant: Tenant
) -> None:
    p = programme(tenant.organisation)
    text = "ok@example.org, not-an-address\nalso bad@"
    response = manager_client.post(page_url(p, "invite/"), {"emails": text, "programme_role": ""})
    assert response.status_code == 400
    body = _body(response)
    assert "not valid e-mail addresses: not-an-address, also bad@" in body
    assert "ok@example.org, not-an-address" in body
    assert Invitation.objects.count() == 0 and mail.outbox == []
    response = manager_client.post(page_url(p, "invite/"), {"emails": " , ", "programme_role": ""})
    assert "Enter at least one e-mail address." in _body(response)
    response = manager_client.post(
        page_url(p, "invite/"), {"emails": "a@example.org", "programme_role": "boss"}
    )
    assert response.status_code == 400 and "Select a valid choice" in _body(response)


def test_bulk_invitation_reports_duplicates_and_enrolled(
    manager_client: Client, tenant: Tenant
) -> None:
    p = programme(tenant.organisation)
    make_enrolment(programme=p, user=make_user(email="in@example.org"))
    text = "a@example.org\nb@example.org, A@example.org\nin@example.org"
    response = manager_client.post(
        page_url(p, "invite/"), {"emails": text, "programme_role": "mentee"}, follow=True
    )
    body = _body(response)
    assert "Invitation sent to 2: a@example.org, b@example.org." in body
    assert "Listed twice, invited once: A@example.org." in body
    assert "Already enrolled, not invited: in@example.org." in body
    assert set(Invitation.objects.values_list("programme_role", flat=True)) == {"mentee"}


def test_participant_sees_the_checklist_with_a_profile_link(
    participant_client: Client, tenant: Tenant
) -> None:
    p = programme(tenant.organisation)
    make_enrolment(programme=p, user=tenant.participant.user, status="active")
    body = _body(participant_client.get(page_url(p)))
    assert "Next steps in" in body and "Complete your profile" in body
    assert member(tenant.organisation)  # another member does not change the page


def test_approval_queue_shows_every_kind_of_answer(manager_client: Client, tenant: Tenant) -> None:
    p = programme(tenant.organisation, requires_approval=True, skills=["sql", "rust"])
    scale = scale_question(p)
    skills = track_question(p, kind="skills", choices=[], text="Skills?", position=3)
    pending = make_enrolment(programme=p, status="pending")
    AnswerFactory(enrolment=pending, question=scale, value=4)
    AnswerFactory(enrolment=pending, question=skills, value=["sql", "rust"])
    body = _body(manager_client.get(page_url(p, "approvals/")))
    assert "<dd>4</dd>" in body and "<dd>sql, rust</dd>" in body


def test_dashboards_get_one_checklist_per_programme(tenant: Tenant) -> None:
    from openmentor.programmes.selectors import checklists_for_member

    first, second = programme(tenant.organisation), programme(tenant.organisation)
    programme(tenant.organisation)  # not enrolled: no checklist
    for p in (first, second):
        make_enrolment(programme=p, user=tenant.participant.user)
    checklists = checklists_for_member(membership=tenant.participant)
    assert {c.programme for c in checklists} == {first, second}
    assert all(c.steps[1].done for c in checklists)


def test_admin_lists_programmes_and_enrolments(tenant: Tenant) -> None:
    p = programme(tenant.organisation, join_token="secret-token")
    make_enrolment(programme=p)
    admin = make_user(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/programmes/programme/").status_code == 200
    body = _body(client.get(f"/admin/programmes/programme/{p.pk}/change/"))
    assert "secret-token" not in body
    assert client.get("/admin/programmes/enrolment/").status_code == 200
