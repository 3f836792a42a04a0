from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from openmentor.core import leases, scheduler
from openmentor.core.models import ScheduledRun, WorkerHeartbeat
from openmentor.core.scheduler import heartbeat_beat, scheduler_tick

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "openmentor" / "templates"


@pytest.mark.django_db
def test_healthz_is_503_without_a_worker_and_200_with_one() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert body["checks"]["channel_layer"]["ok"]
    assert body["checks"]["worker"] == {"ok": False, "error": "RuntimeError"}
    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    leases.beat("w1")
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_a_stale_worker() -> None:
    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    WorkerHeartbeat.objects.update(last_seen_at=timezone.now() - timedelta(minutes=10))
    assert Client().get("/healthz").status_code == 503


@pytest.mark.django_db
def test_healthz_reports_a_broken_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.cache.backends.dummy import DummyCache

    from openmentor.core import views

    heartbeat_beat(worker_id="w1", started_at=timezone.now())
    leases.beat("w1")
    monkeypatch.setattr(views, "cache", DummyCache("broken", {}))
    response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["cache"]["ok"] is False


@pytest.mark.django_db
def test_scheduler_runs_each_job_once_per_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[datetime] = []
    monkeypatch.setattr(scheduler, "_jobs", {"test.job": calls.append})
    minute = datetime(2026, 3, 29, 1, 0, 17, tzinfo=UTC)
    assert scheduler_tick(now=minute) == {"test.job": "ran"}
    assert scheduler_tick(now=minute + timedelta(seconds=30)) == {"test.job": "skipped"}
    assert scheduler_tick(now=minute + timedelta(minutes=1)) == {"test.job": "ran"}
    assert [c.minute for c in calls] == [0, 1]
    assert ScheduledRun.objects.filter(job="test.job").count() == 2


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_does_not_stop_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[str] = []

    def broken(minute: datetime) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(
        scheduler, "_jobs", {"a.broken": broken, "b.fine": lambda m: ran.append("b")}
    )
    assert scheduler_tick() == {"a.broken": "failed", "b.fine": "ran"}
    assert "boom" in ScheduledRun.objects.get(job="a.broken").error
    assert ran == ["b"]


@pytest.mark.django_db
def test_seed_demo_is_idempotent() -> None:
    from openmentor.accounts.models import User
    from openmentor.people.models import Profile
    from openmentor.programmes.models import Enrolment

    call_command("seed_demo", stdout=io.StringIO())
    counts = (User.objects.count(), Profile.objects.count(), Enrolment.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (User.objects.count(), Profile.objects.count(), Enrolment.objects.count()) == counts
    cohort = Enrolment.objects.filter(programme__slug="mentoring-2027")
    assert cohort.filter(role="mentor").count() == 40
    assert cohort.filter(role="mentee").count() == 120
    profiles = Profile.objects.all()
    assert len({p.timezone for p in profiles}) >= 8
    assert len({lang for p in profiles for lang in p.languages}) >= 5
    assert len({s for p in profiles for s in p.skills_offered + p.skills_wanted}) >= 15


@pytest.mark.django_db
def test_seed_demo_shows_off_programmes_promotion_and_mentoring() -> None:
    from openmentor.mentorships.models import Mentorship
    from openmentor.programmes.models import Ambassador, Campaign, Enrolment, Programme

    call_command("seed_demo", stdout=io.StringIO())
    programme = Programme.objects.get(slug="mentoring-2027")
    assert programme.questions.filter(feeds_matching=True).count() == 2
    assert programme.requires_approval and programme.join_token
    assert Enrolment.objects.filter(status="pending").count() == 6
    campaign = Campaign.objects.get(programme=programme)
    assert campaign.deliveries.count() > 0 and campaign.enrolments.count() == 12
    assert Ambassador.objects.get().enrolments.count() > 0
    assert Mentorship.objects.get(programme=programme).status == "active"
    # Every profile is complete, so the participants list shows a matchable cohort.
    from openmentor.people.models import Profile

    assert set(Profile.objects.values_list("completeness", flat=True)) == {100}


@pytest.mark.django_db
def test_demo_logins_work() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"login": "manager@northwind.example", "password": "northwind-demo"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/o/northwind/"
    assert "Manager dashboard" in response.content.decode()


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "openmentor.config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 30 + "production-like-secret-key-with-enough-entropy-0123456789",
        "ALLOWED_HOSTS": "mentoring.example.org",
        "SITE_URL": "https://mentoring.example.org",
        "OPENMENTOR_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="openmentor.config.settings.base",
        DEBUG="0",
        OPENMENTOR_VAR_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_no_template_contains_an_inline_script_or_a_cdn() -> None:
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, f"inline script in {template}"
        assert not re.search(r"(src|href)=\"(https?:)?//", text), f"external asset in {template}"
        assert " on" + "click=" not in text


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy() -> None:
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_friendly_error_pages(tenant) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import client_for

    client = client_for(tenant.participant)
    not_found = client.get("/o/does-not-exist/")
    assert not_found.status_code == 404 and "could not find that page" in not_found.content.decode()
    forbidden = client.get(f"/o/{tenant.organisation.slug}/members/")
    assert forbidden.status_code == 403 and "do not have access" in forbidden.content.decode()


def test_server_error_page_renders_without_a_database() -> None:
    from django.test import RequestFactory

    from openmentor.core.views import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


def test_request_logs_never_contain_link_secrets() -> None:
    from openmentor.core.middleware import loggable_path

    assert loggable_path("/calendar/s3cr3t.ics") == "/calendar/<token>.ics"
    assert loggable_path("/invitations/s3cr3t/") == "/invitations/<token>/"
    assert loggable_path("/join/s3cr3t/") == "/join/<token>/"
    assert loggable_path("/o/acme/programmes/") == "/o/acme/programmes/"


@pytest.mark.django_db
def test_a_line_break_in_a_subject_does_not_lose_the_e_mail(
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    from openmentor.core.email import email_send

    with django_capture_on_commit_callbacks(execute=True):
        email_send(
            to=["a@example.org"],
            subject="Your mentorship with Ann\nMarie has ended",
            template="organisations/email/invitation",
            context={
                "organisation_name": "A",
                "inviter_name": "B",
                "role": "x",
                "url": "u",
                "expires_at": "today",
            },
        )
    assert mail.outbox[0].subject == "Your mentorship with Ann Marie has ended"


@pytest.mark.django_db
def test_plain_text_e_mails_are_not_html_escaped(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    from django.core import mail

    from openmentor.core.email import email_send

    with django_capture_on_commit_callbacks(execute=True):
        email_send(
            to=["a@example.org"],
            subject="Invitation",
            template="organisations/email/invitation",
            context={
                "organisation_name": "O'Brien & Sons",
                "inviter_name": "<Bea>",
                "role": "participant",
                "url": "https://x.example/i/?a=1&b=2",
                "expires_at": "today",
            },
        )
    body = mail.outbox[0].body
    assert "O'Brien & Sons" in body and "https://x.example/i/?a=1&b=2" in body and "<Bea>" in body
    assert "&amp;" not in body and "&#x27;" not in body
