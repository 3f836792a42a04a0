"""The owner's webhook pages: adding an endpoint (and the bad input it refuses), the
delivery log with each attempt, and sending a delivery again."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from openmentor.core.events import EventKind, event_record
from openmentor.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import Tenant
from tests.webhooks.receiver import receiver

pytestmark = pytest.mark.django_db


def _url(tenant: Tenant, rest: str = "") -> str:
    return f"/o/{tenant.organisation.slug}/integrations/webhooks/{rest}"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": "", "event_types": ["mentorship.started"]}, "This field is required."),
        ({"url": "https://hooks.example.org/"}, "Choose at least one event."),
        ({"url": "gopher://x/", "event_types": ["mentorship.started"]}, "https://"),
        ({"url": "https://h.example.org/", "event_types": ["nope"]}, "valid choice"),
    ],
)
def test_bad_endpoints_are_refused_and_nothing_is_saved(
    tenant: Tenant, owner_client: Client, data: dict[str, Any], message: str
) -> None:
    response = owner_client.post(_url(tenant), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_owner_adds_an_endpoint_sees_its_deliveries_and_sends_one_again(
    tenant: Tenant, owner_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as hooks:
        hooks.statuses = [503]
        response = owner_client.post(
            _url(tenant),
            {"url": hooks.url, "description": "HRIS", "event_types": ["mentorship.ended"]},
        )
        assert response.status_code == 302
        endpoint = WebhookEndpoint.objects.get()
        page = owner_client.get(response["Location"]).content.decode()
        assert endpoint.secret in page and "Nothing sent yet." in page

        with django_capture_on_commit_callbacks(execute=True):
            event_record(organisation=tenant.organisation, kind=EventKind.MENTORSHIP_ENDED)
        delivery = WebhookDelivery.objects.get()
        page = owner_client.get(_url(tenant, f"{endpoint.pk}/")).content.decode()
        assert "mentorship.ended" in page and "Failed, will retry" in page
        detail = owner_client.get(_url(tenant, f"deliveries/{delivery.pk}/")).content.decode()
        assert "503" in detail and "The receiver answered 503." in detail
        assert delivery.message_id in detail

        with django_capture_on_commit_callbacks(execute=True):
            response = owner_client.post(_url(tenant, f"deliveries/{delivery.pk}/replay/"))
        assert response.status_code == 302
        assert len(hooks.received) == 2
    detail = owner_client.get(_url(tenant, f"deliveries/{delivery.pk}/")).content.decode()
    assert "Delivered" in detail and "204" in detail


def test_pausing_an_endpoint_stops_new_deliveries(
    tenant: Tenant, owner_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    owner_client.post(
        _url(tenant), {"url": "https://hooks.example.org/", "event_types": ["feedback.given"]}
    )
    endpoint = WebhookEndpoint.objects.get()
    response = owner_client.post(
        _url(tenant, f"{endpoint.pk}/"), {"event_types": ["feedback.given"]}
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active is False
    event_record(organisation=tenant.organisation, kind=EventKind.FEEDBACK_GIVEN)
    assert not WebhookDelivery.objects.exists()


def test_the_delivery_log_runs_a_bounded_number_of_queries(
    tenant: Tenant, owner_client: Client, django_assert_max_num_queries: Any
) -> None:
    owner_client.post(
        _url(tenant), {"url": "https://hooks.example.org/", "event_types": ["feedback.given"]}
    )
    endpoint = WebhookEndpoint.objects.get()
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint, message_id=f"msg_{i}", event_type="feedback.given", payload={}
        )
        for i in range(60)
    )
    with django_assert_max_num_queries(12):
        assert owner_client.get(_url(tenant, f"{endpoint.pk}/")).status_code == 200
    with django_assert_max_num_queries(12):
        assert owner_client.get(_url(tenant)).status_code == 200
