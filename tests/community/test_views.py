"""The programme community page: nobody is listed or named until they opt in; the
directory is searchable by skill and name and paged; milestones are shown only for
those who share them; only the programme's participants and managers see it; bounded
queries whatever the size."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from openmentor.community.models import CommunityOptIn
from openmentor.events import services as events
from openmentor.mentorships.activity import ActivityKind, activity_record
from openmentor.organisations.models import Membership, Role
from openmentor.programmes.models import Enrolment, Programme
from tests.conftest import Tenant, client_for
from tests.factories import make_member, make_profile, make_programme
from tests.scenarios import active_mentorship

pytestmark = pytest.mark.django_db
SKILLS = ["Python", "Public speaking", "Go", "Café management"]


def programme_of(tenant: Tenant) -> Programme:
    return make_programme(tenant.organisation, status=Programme.Status.RUNNING, skills=SKILLS)


def person(
    tenant: Tenant, programme: Programme, name: str, *, listed: bool = True, **profile: Any
) -> Membership:
    member = make_member(tenant.organisation, Role.PARTICIPANT)
    first, last = name.split()
    member.user.first_name, member.user.last_name = first, last
    member.user.save()
    Enrolment.objects.create(programme=programme, user=member.user, role="mentor")
    make_profile(tenant.organisation, member.user, **profile)
    if listed:
        CommunityOptIn.objects.create(
            organisation=tenant.organisation, user=member.user, listed=True
        )
    return member


def url(programme: Programme) -> str:
    return f"/o/{programme.organisation.slug}/programmes/{programme.slug}/community/"


def test_only_people_who_opted_in_are_listed_with_a_short_profile(tenant: Tenant) -> None:
    programme = programme_of(tenant)
    ada = person(
        tenant,
        programme,
        "Ada Lovelace",
        job_title="Analyst",
        skills_offered=["Python"],
        skills_wanted=["Public speaking"],
        bio="Engines. " * 100,
    )
    person(tenant, programme, "Quiet Person", listed=False, skills_offered=["Python"])
    page = client_for(ada).get(url(programme)).content.decode()
    assert "Ada Lovelace" in page and "Mentor · Analyst" in page
    assert "Offers: Python" in page and "Wants to develop: Public speaking" in page
    assert "Engines. " * 30 in page and "Engines. " * 40 not in page  # the start of the bio
    assert "Quiet Person" not in page


def test_the_opt_in_is_off_by_default_and_the_person_s_own_choice(tenant: Tenant) -> None:
    programme = programme_of(tenant)
    bo = person(tenant, programme, "Bo Diddley", listed=False)
    client = client_for(bo)
    page = client.get(url(programme)).content.decode()
    assert "<h3>Bo Diddley</h3>" not in page
    assert 'name="listed"' in page and "checked" not in page
    assert client.post(url(programme), {"listed": "on"}).status_code == 302
    assert CommunityOptIn.objects.get(user=bo.user).listed
    assert "<h3>Bo Diddley</h3>" in client.get(url(programme)).content.decode()
    assert client.post(url(programme), {}).status_code == 302
    assert not CommunityOptIn.objects.get(user=bo.user).listed
    # Managers see the page but are not part of the directory: they cannot opt in.
    assert client_for(tenant.manager).post(url(programme), {"listed": "on"}).status_code == 400
    assert not CommunityOptIn.objects.filter(user=tenant.manager.user).exists()


def test_search_by_skill_and_name(tenant: Tenant) -> None:
    programme = programme_of(tenant)
    ada = person(tenant, programme, "Ada Lovelace", skills_offered=["Python"])
    person(tenant, programme, "Grace Hopper", skills_wanted=["Go", "Café management"])
    person(tenant, programme, "Linus Pauling", skills_offered=["Public speaking"])
    client = client_for(ada)

    def names(**query: str) -> list[str]:
        page = client.get(url(programme), query).content.decode()
        return [
            n for n in ("Ada Lovelace", "Grace Hopper", "Linus Pauling") if f"<h3>{n}</h3>" in page
        ]

    assert names(skill="Python") == ["Ada Lovelace"]
    assert names(skill="Go") == ["Grace Hopper"]  # whole skills: "Go" is not in "Google"
    assert names(skill="Café management") == ["Grace Hopper"]
    assert names(q="hop") == ["Grace Hopper"]
    assert names(q="ada", skill="Go") == []
    assert names() == ["Ada Lovelace", "Grace Hopper", "Linus Pauling"]
    bad = client.get(url(programme), {"skill": "Lockpicking"})
    assert bad.status_code == 400 and "Choose a skill from the programme" in bad.content.decode()
    assert client.get(url(programme), {"q": "x" * 101}).status_code == 400


def test_the_directory_is_paged(tenant: Tenant) -> None:
    programme = programme_of(tenant)
    people = [person(tenant, programme, f"Person N{i:02d}") for i in range(25)]
    client = client_for(people[0])
    first = client.get(url(programme)).content.decode()
    second = client.get(url(programme), {"page": "2"}).content.decode()
    assert first.count("<h3>") == 20 and second.count("<h3>") == 5
    assert "Page 1 of 2" in first and "page=2" in first
    assert client.get(url(programme), {"page": "nonsense"}).status_code == 200


def test_milestones_are_shown_only_for_those_who_share_them(tenant: Tenant) -> None:
    programme = programme_of(tenant)
    mentorship = active_mentorship(tenant.organisation, programme=programme)
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.MILESTONE,
        key=f"milestone:{mentorship.pk}:first_meeting",
        data={"milestone": "first_meeting", "label": "First meeting"},
    )
    activity_record(
        mentorship=mentorship,
        kind=ActivityKind.GOAL_REACHED,
        key=f"goal:{mentorship.pk}:1",
        data={"title": "Secret goal"},
    )
    viewer = person(tenant, programme, "Ada Lovelace")
    page = client_for(viewer).get(url(programme)).content.decode()
    assert "First meeting" not in page and "No milestones shared yet." in page
    CommunityOptIn.objects.create(
        organisation=tenant.organisation, user=mentorship.mentee, share_milestones=True
    )
    page = client_for(viewer).get(url(programme)).content.decode()
    assert f"{mentorship.mentee.name}: First meeting" in page
    assert f"{mentorship.mentee.name}: Reached a goal" in page
    assert mentorship.mentor.name not in page  # the partner did not choose to share
    assert "Secret goal" not in page


def test_upcoming_events_are_shown(tenant: Tenant) -> None:
    programme = programme_of(tenant)
    start = timezone.now() + dt.timedelta(days=2)
    events.event_schedule(
        programme=programme,
        actor=tenant.manager,
        values={
            "title": "Launch webinar",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=1),
        },
    )
    cancelled = events.event_schedule(
        programme=programme,
        actor=tenant.manager,
        values={
            "title": "Called off",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=1),
        },
    )
    events.event_cancel(event=cancelled, actor=tenant.manager)
    viewer = person(tenant, programme, "Ada Lovelace")
    page = client_for(viewer).get(url(programme)).content.decode()
    assert "Launch webinar" in page and "Called off" not in page


def test_only_the_programme_s_participants_and_managers_see_it(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    programme = programme_of(tenant)
    person(tenant, programme, "Ada Lovelace")
    # A participant of the organisation not in a running programme does not find it.
    assert client_for(tenant.participant).get(url(programme)).status_code == 404
    # One open for enrolment they can see: told the page is for its participants.
    Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.ENROLLING)
    outsider = client_for(tenant.participant).get(url(programme))
    assert outsider.status_code == 200
    assert "for the programme's participants" in outsider.content.decode().replace("&#x27;", "'")
    assert "Ada Lovelace" not in outsider.content.decode()
    assert client_for(tenant.participant).post(url(programme), {"listed": "on"}).status_code == 400
    assert not CommunityOptIn.objects.filter(user=tenant.participant.user).exists()
    # Someone who withdrew is no longer in the community, nor listed.
    gone = person(tenant, programme, "Gone Away")
    Enrolment.objects.filter(user=gone.user).update(status=Enrolment.Status.WITHDRAWN)
    assert "Ada Lovelace" not in client_for(gone).get(url(programme)).content.decode()
    manager_page = client_for(tenant.manager).get(url(programme)).content.decode()
    assert "Ada Lovelace" in manager_page and "Gone Away" not in manager_page
    assert client_for(other_tenant.manager).get(url(programme)).status_code == 404
    assert client_for(other_tenant.participant).get(url(programme)).status_code == 404


def test_the_page_runs_a_bounded_number_of_queries(
    tenant: Tenant, django_assert_max_num_queries: Any
) -> None:
    programme = programme_of(tenant)
    people = [
        person(tenant, programme, f"Person N{i:02d}", skills_offered=["Python"]) for i in range(30)
    ]
    for member in people[:10]:
        mentorship = active_mentorship(tenant.organisation, programme=programme, mentee=member)
        activity_record(
            mentorship=mentorship,
            kind=ActivityKind.MILESTONE,
            key=f"milestone:{mentorship.pk}:first_meeting",
            data={"label": "First meeting"},
        )
        CommunityOptIn.objects.filter(user=member.user).update(share_milestones=True)
    start = timezone.now() + dt.timedelta(days=2)
    for i in range(8):
        events.event_schedule(
            programme=programme,
            actor=tenant.manager,
            values={
                "title": f"Event {i}",
                "starts_at": start,
                "ends_at": start + dt.timedelta(hours=1),
            },
        )
    client = client_for(people[0])
    with django_assert_max_num_queries(18):
        page = client.get(url(programme), {"skill": "Python"})
    body = page.content.decode()
    assert body.count("<h3>") == 20 and body.count(": First meeting") == 10
    manager = client_for(tenant.manager)
    with django_assert_max_num_queries(18):
        second = manager.get(url(programme), {"q": "Person", "page": "2"})
    assert second.content.decode().count("<h3>") == 10
