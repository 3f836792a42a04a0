"""Factories for the objects tests create most (factory-boy).

Each fills only what the model requires and leaves every other field at the model's own
default, so a test that swaps `Model.objects.create(...)` for a factory keeps its meaning:
what a test states is what is special about its object.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from openmentor.accounts.models import User
from openmentor.matching.models import MatchingRun, MentorRequest
from openmentor.meetings.models import Meeting
from openmentor.mentorships.models import Goal, Mentorship
from openmentor.organisations.models import Membership, Organisation, Role
from openmentor.people.models import Profile
from openmentor.programmes.models import Answer, Campaign, Enrolment, Programme, Question

PASSWORD = "correct-horse-battery-7"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create:
            self.save()  # keeps the password set above
            EmailAddress.objects.create(
                user=self, email=self.email, verified=extracted is not False, primary=True
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.PARTICIPANT


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    programme = factory.SubFactory(ProgrammeFactory)
    user = factory.SubFactory(UserFactory)
    role = Enrolment.Role.MENTEE


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    job_title = "Engineer"
    department = "Engineering"
    timezone = "Europe/London"
    languages = factory.LazyFunction(lambda: ["en"])


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    programme = factory.SubFactory(ProgrammeFactory)
    kind = Question.Kind.SINGLE
    text = factory.Sequence(lambda n: f"Question {n}")


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    question = factory.SubFactory(QuestionFactory)
    enrolment = factory.SubFactory(
        EnrolmentFactory, programme=factory.SelfAttribute("..question.programme")
    )
    value = "A"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    programme = factory.SubFactory(ProgrammeFactory)
    subject = factory.Sequence(lambda n: f"Join programme {n}")
    body_markdown = "Come and learn with us."
    audience = Campaign.Audience.PASTED
    link_token = factory.Sequence(lambda n: f"campaign-token-{n}")


class MentorshipFactory(factory.django.DjangoModelFactory):
    """A pair in a programme, in the model's default (first) status unless a test says."""

    class Meta:
        model = Mentorship

    programme = factory.SubFactory(ProgrammeFactory, status=Programme.Status.RUNNING)
    mentor = factory.SubFactory(UserFactory)
    mentee = factory.SubFactory(UserFactory)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    mentorship = factory.SubFactory(MentorshipFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")


class MeetingFactory(factory.django.DjangoModelFactory):
    """A meeting a day ahead, proposed by the mentor."""

    class Meta:
        model = Meeting

    mentorship = factory.SubFactory(MentorshipFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    duration_minutes = 30
    proposed_by = factory.SelfAttribute("mentorship.mentor")


class MatchingRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchingRun

    programme = factory.SubFactory(ProgrammeFactory, status=Programme.Status.MATCHING)


class MentorRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MentorRequest

    programme = factory.SubFactory(ProgrammeFactory, status=Programme.Status.ENROLLING)
    mentee = factory.SubFactory(UserFactory)
    mentor = factory.SubFactory(UserFactory)


# --- typed builders -----------------------------------------------------------------------
# factory-boy's calls are typed as returning the factory, not the model; these say what
# they return, so tests that use the result need no cast or `type: ignore`.


def make_user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def make_member(
    organisation: Organisation | None = None, role: str = Role.PARTICIPANT, **fields: Any
) -> Membership:
    if organisation is not None:
        fields["organisation"] = organisation
    return cast(Membership, MembershipFactory(role=role, **fields))


def make_programme(organisation: Organisation, **fields: Any) -> Programme:
    return cast(Programme, ProgrammeFactory(organisation=organisation, **fields))


def make_profile(organisation: Organisation, user: User, **fields: Any) -> Profile:
    return cast(Profile, ProfileFactory(organisation=organisation, user=user, **fields))


def make_enrolment(**fields: Any) -> Enrolment:
    return cast(Enrolment, EnrolmentFactory(**fields))
