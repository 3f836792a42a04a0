"""Account security a person notices: login limits, password reset, e-mail change."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_repeated_failed_logins_are_refused_even_with_the_right_password() -> None:
    user = UserFactory(email="target@example.org")
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-guess"})
        assert response.status_code == 200
        assert "not correct" in response.content.decode()
    blocked = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert (
        blocked.status_code == 429 or "Too many failed login attempts" in blocked.content.decode()
    )
    assert "_auth_user_id" not in client.session


def _login(client: Client, email: str, password: str, **headers: str) -> int:
    client.post("/accounts/login/", {"login": email, "password": password}, **headers)
    return 1 if "_auth_user_id" in client.session else 0


def test_a_guesser_elsewhere_cannot_lock_the_owner_out_and_the_owner_is_told(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    user = UserFactory(email="owner@example.org")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(8):
            assert _login(attacker, user.email, "wrong-guess") == 0
        # The guesser stays paused, even with the right password.
        assert _login(attacker, user.email, PASSWORD) == 0
    # The owner, from their own address, signs in at once.
    assert _login(Client(REMOTE_ADDR="198.51.100.4"), user.email, PASSWORD) == 1
    notices = [m for m in mail.outbox if "Failed sign-ins" in m.subject]
    assert len(notices) == 1, "one notice, not one per attempt"
    assert notices[0].to == [user.email] and "203.0.113.9" in notices[0].body


def test_no_notice_is_sent_for_an_address_that_has_no_account(
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(7):
            _login(Client(), "nobody@example.org", "wrong-guess")
    assert mail.outbox == []


def test_forwarded_addresses_count_only_behind_a_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory(email="proxied@example.org")
    # Without BEHIND_PROXY the header is the client's to forge: a new one per guess
    # does not get the guesser round the limit.
    for n in range(6):
        _login(Client(), user.email, "wrong-guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert _login(Client(), user.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.77") == 0

    # Behind the proxy every request comes from its address; the header names the client.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(6):
        _login(Client(**proxy), user.email, "wrong-guess", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert _login(Client(**proxy), user.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200") == 0
    assert _login(Client(**proxy), user.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.201") == 1


def test_unverified_address_cannot_log_in_until_verified() -> None:
    user = UserFactory(email="new@example.org", verified=False)
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert "Check your e-mail" in client.get("/accounts/confirm-email/").content.decode()
    assert "_auth_user_id" not in client.session
    assert any("confirm-email" in m.body for m in mail.outbox)


def test_password_reset_mails_a_working_link() -> None:
    user = UserFactory(email="forgetful@example.org")
    client = Client()
    client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body)
    assert link
    path = "/" + link.group(0).split("/", 3)[3]
    response = client.get(path, follow=True)
    new_password = "A-completely-new-passphrase-9"
    client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
    )
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_answers_the_same_for_an_unknown_address() -> None:
    """Nobody can find out from the page whether an address has an account."""
    UserFactory(email="known@example.org")
    pages = [
        Client().post("/accounts/password/reset/", {"email": address}, follow=True)
        for address in ("known@example.org", "nobody@example.org")
    ]
    assert [p.redirect_chain[-1][0] for p in pages] == ["/accounts/password/reset/done/"] * 2


def test_changing_e_mail_sends_a_verification_to_the_new_address() -> None:
    user = UserFactory(email="old@example.org")
    client = Client()
    client.force_login(user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new-home@example.org"})
    assert response.status_code in (200, 302)
    assert any(m.to == ["new-home@example.org"] for m in mail.outbox)
    bad = client.post("/accounts/email/", {"action_add": "", "email": "not-an-address"})
    assert bad.status_code == 200 and "Enter a valid email address." in bad.content.decode()


def test_production_hashes_passwords_with_argon2() -> None:
    from openmentor.config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
