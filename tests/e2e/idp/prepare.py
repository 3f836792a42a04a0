"""Prepares the provider's database: one person and the OpenMentor client.

python -m tests.e2e.idp.prepare REDIRECT_URI
"""

from __future__ import annotations

import sys

import django


def main() -> None:
    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0)
    User.objects.create_user(
        username="newbie",
        email="newbie@acme.test",
        password="idp-pass-42",
        first_name="Nadia",
        last_name="Newbie",
    )
    Application.objects.create(
        name="OpenMentor",
        client_id="openmentor-e2e",
        client_secret="e2e-client-secret",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=sys.argv[1],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


if __name__ == "__main__":
    main()
