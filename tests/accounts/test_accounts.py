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
