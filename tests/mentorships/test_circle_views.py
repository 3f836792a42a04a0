"""Circle pages as people use them: members, managers, outsiders and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from openmentor.dashboard.programme_report import Filters, programme_report
from openmentor.mentorships.models import Mentorship, MentorshipMember
from openmentor.mentorships.services import circles
from openmentor.messaging.services import message_send
from tests.conftest import Tenant, client_for
from tests.mentorships.circles import form_circle, group_programme, running_circle
from tests.mentorships.test_views import base, member_client

pytestmark = pytest.mark.django_db


def circle_url(tenant: Tenant, circle: Mentorship, tail: str) -> str:
    return f"/o/{tenant.organisation.slug}/circles/{circle.pk}/{tail}"


def programme_url(tenant: Tenant, programme_slug: str, tail: str) -> str:
    return f"/o/{tenant.organisation.slug}/programmes/{programme_slug}/{tail}"


def test_each_member_sees_the_circle_and_its_conversation(tenant: Tenant) -> None:
    running = running_circle(tenant.organisation, mentees=3)
    circle = running.circle
    message_send(mentorship=circle, author=running.mentors[0], body="Welcome, all three of you")
    for user in [running.mentors[0], *running.mentees[:3]]:
        client = member_client(tenant, user)
        page = client.get(base(tenant, circle)).content.decode()
        assert "The Moving into management circle" in page
        assert all(other.name in page for other in running.mentees[:3] if other != user)
        talk = client.get(base(tenant, circle) + "messages/").content.decode()
        assert "Messages with the Moving into management circle" in talk
        assert "Welcome, all three of you" in talk


def test_only_members_enter_and_managers_see_people_not_talk(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    running = running_circle(tenant.organisation, mentees=2)
    circle = running.circle
    message_send(mentorship=circle, author=running.mentees[0], body="Between us")
    url = base(tenant, circle)
    outsider = member_client(tenant, running.mentees[3])  # same programme, not in the circle
    for path in ("", "messages/", "meetings/", "call/"):
        assert outsider.get(url + path).status_code == 404
    assert outsider.post(circle_url(tenant, circle, "leave/")).status_code == 404
    manager = client_for(tenant.manager).get(url)
    body = manager.content.decode()
    assert manager.status_code == 200 and "Circle: Moving into management" in body
    assert all(u.name in body for u in running.mentees[:2]) and "Between us" not in body
    assert client_for(tenant.manager).get(url + "messages/").status_code == 404
    assert client_for(other_tenant.manager).get(url).status_code == 404
    assert client_for(other_tenant.owner).get(base(other_tenant, circle)).status_code == 404
    # a participant cannot reach the managers' pages
    slug = running.scenario.programme.slug
    for tail in ("circles/", "circles/new/"):
        assert member_client(tenant, running.mentees[0]).get(
            programme_url(tenant, slug, tail)
        ).status_code in (403, 404)
    add = member_client(tenant, running.mentees[0]).post(
        circle_url(tenant, circle, "people/"), {"person": 1}
    )
    assert add.status_code in (403, 404)


def test_a_member_accepts_and_leaves_from_the_page(tenant: Tenant) -> None:
    scenario = group_programme(tenant.organisation)
    circle = form_circle(scenario, mentees=2)
    mentee = member_client(tenant, scenario.mentees[0].user)
    bad = mentee.post(circle_url(tenant, circle, "agreement/"), {"hopes": ""})
    assert bad.status_code == 400
    assert "Write a sentence or two" in bad.content.decode()
    assert not MentorshipMember.objects.filter(accepted_at__isnull=False).exists()
    good = mentee.post(
        circle_url(tenant, circle, "agreement/"), {"hopes": "Learn", "confidentiality": "on"}
    )
    assert good.status_code == 302
    assert mentee.get(good["Location"]).status_code == 200
    left = mentee.post(circle_url(tenant, circle, "leave/"))
    assert left.status_code == 302
    assert mentee.get(base(tenant, circle)).status_code == 404
    assert Mentorship.objects.get(pk=circle.pk).status == Mentorship.Status.PROPOSED


def test_a_manager_forms_a_circle_with_the_form(tenant: Tenant) -> None:
    scenario = group_programme(tenant.organisation, mentors=2, mentees=4)
    url = programme_url(tenant, scenario.programme.slug, "circles/new/")
    manager = client_for(tenant.manager)
    page = manager.get(url).content.decode()
    assert 'for="id_mentors"' in page and 'for="id_mentees"' in page and 'for="id_topic"' in page
    data = {
        "topic": "Public speaking",
        "capacity": "3",
        "mentors": [str(scenario.mentors[0].pk)],
        "mentees": [str(e.pk) for e in scenario.mentees[:2]],
    }
    made = manager.post(url, data)
    assert made.status_code == 302
    circle = Mentorship.objects.get(kind=Mentorship.Kind.CIRCLE)
    assert circle.topic == "Public speaking" and circle.capacity == 3
    assert len(circle.member_ids()) == 3
    listing = manager.get(programme_url(tenant, scenario.programme.slug, "circles/"))
    assert "Public speaking" in listing.content.decode() and "2 of 3" in listing.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"topic": ""}, "This field is required."),
        ({"capacity": "0"}, "A circle takes between 1 and 50 mentees."),
        ({"capacity": "many"}, "Enter a number of mentees from 1 to 50."),
        ({"mentors": []}, "Choose one or two mentors."),
        ({"mentors": ["999999"]}, "Choose mentors from the list."),
        ({"mentors": ["x"]}, "Choose mentors from the list."),
        ({"capacity": "1"}, "The circle takes 1 mentees; 2 were chosen."),
        ({"mentors": "three"}, "Choose one or two different mentors."),
    ],
)
def test_bad_circle_forms_answer_400_and_form_nothing(
    tenant: Tenant, change: dict[str, object], message: str
) -> None:
    scenario = group_programme(tenant.organisation, mentors=3, mentees=4)
    data: dict[str, object] = {
        "topic": "Public speaking",
        "capacity": "3",
        "mentors": [str(scenario.mentors[0].pk)],
        "mentees": [str(e.pk) for e in scenario.mentees[:2]],
    }
    if change.get("mentors") == "three":
        change = {"mentors": [str(e.pk) for e in scenario.mentors]}
    data.update(change)
    response = client_for(tenant.manager).post(
        programme_url(tenant, scenario.programme.slug, "circles/new/"), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Mentorship.objects.exists() and not MentorshipMember.objects.exists()


def test_managers_add_and_take_people_out(tenant: Tenant) -> None:
    scenario = group_programme(tenant.organisation, mentors=2, mentees=4)
    circle = form_circle(scenario, mentees=2, capacity=3)
    manager = client_for(tenant.manager)
    url = circle_url(tenant, circle, "")
    newcomer = scenario.mentees[2]
    assert manager.post(url + "people/", {"person": newcomer.pk}).status_code == 302
    assert newcomer.user_id in Mentorship.objects.get(pk=circle.pk).member_ids()
    full = manager.post(url + "people/", {"person": scenario.mentees[3].pk})
    assert full.status_code == 400 and "The circle is full (3 mentees)." in full.content.decode()
    junk = manager.post(url + "people/", {"person": "nobody"})
    assert junk.status_code == 400 and "Choose one of the listed people." in junk.content.decode()
    out = manager.post(url + f"people/{newcomer.user_id}/remove/")
    assert out.status_code == 302
    assert newcomer.user_id not in Mentorship.objects.get(pk=circle.pk).member_ids()
    assert manager.post(url + "people/999999/remove/").status_code == 404


def test_circle_pages_use_a_bounded_number_of_queries(
    tenant: Tenant, django_assert_max_num_queries
) -> None:
    scenario = group_programme(tenant.organisation, mentors=2, mentees=12)
    made = [
        circles.circle_create(
            programme=scenario.programme,
            manager=scenario.manager,
            topic=f"Topic {i}",
            capacity=12,
            mentors=[scenario.mentors[i % 2].user],
            mentees=[e.user for e in scenario.mentees[i : i + 6]],
        )
        for i in range(6)
    ]
    manager = client_for(tenant.manager)
    slug = scenario.programme.slug
    with django_assert_max_num_queries(10):
        assert manager.get(programme_url(tenant, slug, "circles/")).status_code == 200
    with django_assert_max_num_queries(12):
        assert manager.get(base(tenant, made[0])).status_code == 200
    with django_assert_max_num_queries(12):
        assert manager.get(programme_url(tenant, slug, "mentorships/")).status_code == 200
    mentee = member_client(tenant, scenario.mentees[5].user)  # in all six circles
    with django_assert_max_num_queries(16):
        assert mentee.get(base(tenant, made[0])).status_code == 200
    with django_assert_max_num_queries(24):  # as for one circle: no query per circle
        home = mentee.get(f"/o/{tenant.organisation.slug}/")
        assert home.status_code == 200 and "the Topic 5 circle" in home.content.decode()


def test_the_programme_health_page_names_circles(tenant: Tenant) -> None:
    running = running_circle(tenant.organisation, mentees=2)
    slug = running.scenario.programme.slug
    page = client_for(tenant.manager).get(programme_url(tenant, slug, "health/"))
    body = page.content.decode()
    assert page.status_code == 200
    assert f"{running.mentors[0].name} and the Moving into management circle" in body
    assert "None None" not in body


def test_the_programme_report_counts_everyone_in_a_circle_as_matched(tenant: Tenant) -> None:
    running = running_circle(tenant.organisation, mentees=3)
    today = timezone.localdate()
    report = programme_report(
        programme=running.scenario.programme,
        filters=Filters(start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=1)),
    )
    funnel = {row[0]: row[1] for row in report.table("funnel").rows}
    assert funnel["Matched"] == 4  # the mentor and three mentees (a fourth mentee is not in it)
