from __future__ import annotations

from typing import Any

from allauth.account.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from openmentor.organisations.access import CURRENT_ORGANISATION_SESSION_KEY
from openmentor.sso.models import SsoProvider
from openmentor.sso.services import sso_membership_ensure


@receiver(user_logged_in, dispatch_uid="sso.membership_on_login")
def _membership_on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if kwargs.get("sociallogin") is None:
        return
    provider_id = request.session.pop("openmentor.sso_provider", None)
    provider = SsoProvider.objects.select_related("organisation").filter(pk=provider_id).first()
    if provider is None:
        return
    sso_membership_ensure(provider=provider, user=user)
    # The home page opens the organisation last used: this one.
    request.session[CURRENT_ORGANISATION_SESSION_KEY] = provider.organisation.slug
