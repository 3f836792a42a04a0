"""Unread counts and who may open a conversation."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from openmentor.messaging import selectors, services
from openmentor.messaging.models import Message
from openmentor.organisations.models import Membership
from tests.conftest import Tenant
from tests.messaging.conftest import Pair, make_pair, new_participant

pytestmark = pytest.mark.django_db


def _say(pair: Pair, author: Membership, body: str, minutes_ago: int = 0) -> Message:
    return Message.objects.create(
        mentorship=pair.mentorship,
        author=author.user,
        body=body,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_unread_counts_are_the_partners_messages_since_the_last_read(
    tenant: Tenant, django_assert_num_queries: Any
) -> None:
    me = tenant.participant
    as_mentee = make_pair(tenant, mentee=me)
    # The same person mentors someone else in another programme.
    other = active_mentorship_as_mentor(tenant, me)
    for minutes in (30, 20, 10):
        _say(as_mentee, as_mentee.mentor, "news", minutes)
    _say(as_mentee, me, "my own words never count", 5)
    _say(other, other.mentee, "question", 3)
    services.conversation_mark_read(
        mentorship=as_mentee.mentorship, user=me.user, at=timezone.now() - timedelta(minutes=25)
    )
    with django_assert_num_queries(1):
        counts = selectors.unread_counts(membership=me)
    assert counts == {as_mentee.mentorship.pk: 2, other.mentorship.pk: 1}
    # The partner has read nothing but has only my one message waiting.
    assert selectors.unread_counts(membership=as_mentee.mentor) == {as_mentee.mentorship.pk: 1}


def active_mentorship_as_mentor(tenant: Tenant, mentor: Membership) -> Pair:
    from tests.scenarios import active_mentorship

    mentee = new_participant(tenant.organisation)
    mentorship = active_mentorship(tenant.organisation, mentor=mentor, mentee=mentee)
    return Pair(tenant=tenant, mentorship=mentorship, mentor=mentor, mentee=mentee)


def test_reading_clears_the_count(pair: Pair) -> None:
    _say(pair, pair.mentor, "hello", 1)
    assert selectors.unread_counts(membership=pair.mentee) == {pair.mentorship.pk: 1}
    services.conversation_mark_read(mentorship=pair.mentorship, user=pair.mentee.user)
    assert selectors.unread_counts(membership=pair.mentee) == {}


def test_unread_counts_stay_inside_the_organisation(tenant: Tenant, other_tenant: Tenant) -> None:
    """The same person in two organisations sees each organisation's counts apart."""
    here = make_pair(tenant)
    _say(here, here.mentor, "here", 1)
    elsewhere_membership = Membership.objects.create(
        organisation=other_tenant.organisation, user=tenant.participant.user
    )
    elsewhere = make_pair(other_tenant, mentee=elsewhere_membership)
    _say(elsewhere, elsewhere.mentor, "elsewhere", 1)
    assert selectors.unread_counts(membership=tenant.participant) == {here.mentorship.pk: 1}
    assert selectors.unread_counts(membership=elsewhere_membership) == {elsewhere.mentorship.pk: 1}
    # Managers have no conversations of their own to count.
    assert selectors.unread_counts(membership=tenant.manager) == {}


def test_only_the_two_members_can_open_the_conversation(pair: Pair, other_tenant: Tenant) -> None:
    mentorship_id = pair.mentorship.pk
    for member in (pair.mentor, pair.mentee):
        found = selectors.conversation_for_member(membership=member, mentorship_id=mentorship_id)
        assert found == pair.mentorship
        assert selectors.conversation_for_user(user=member.user, mentorship_id=mentorship_id)
    stranger = new_participant(pair.tenant.organisation)
    for outsider in (pair.tenant.manager, pair.tenant.owner, stranger, other_tenant.owner):
        with pytest.raises(Http404):
            selectors.conversation_for_member(membership=outsider, mentorship_id=mentorship_id)
        assert (
            selectors.conversation_for_user(user=outsider.user, mentorship_id=mentorship_id) is None
        )


def test_a_member_who_left_the_organisation_loses_the_conversation(pair: Pair) -> None:
    pair.mentor.delete()
    assert (
        selectors.conversation_for_user(user=pair.mentor.user, mentorship_id=pair.mentorship.pk)
        is None
    )


def test_the_page_is_the_latest_two_hundred_oldest_first(pair: Pair) -> None:
    made = [_say(pair, pair.mentor, f"m{i}", 300 - i) for i in range(205)]
    page, has_earlier = selectors.conversation_page(mentorship=pair.mentorship)
    assert [m.body for m in page] == [f"m{i}" for i in range(5, 205)]
    assert has_earlier
    earlier, more = selectors.conversation_page(mentorship=pair.mentorship, before_id=made[5].pk)
    assert [m.body for m in earlier] == [f"m{i}" for i in range(5)]
    assert not more


def test_the_reader_timezone_comes_from_their_profile(pair: Pair) -> None:
    assert selectors.reader_timezone(membership=pair.mentee) == "Europe/London"
    assert selectors.reader_timezone(membership=pair.tenant.manager) == "UTC"  # no profile
