"""Managers' chat channels, and a participant's own chat opt-in."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openmentor.chat import services
from openmentor.chat.forms import ChannelForm, OptInForm
from openmentor.chat.models import ChatChannel, ChatMessage, ChatOptIn
from openmentor.core.forms import errors_to_form
from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view


@organisation_view(roles=MANAGERS)
@require_http_methods(["GET", "POST"])
def chat_channels(request: OrganisationRequest) -> HttpResponse:
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.chat_channel_create(actor=request.membership, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Channel added.")
            return redirect("chat_channels", slug=request.organisation.slug)
    return render(
        request,
        "chat/channels.html",
        {
            "form": form,
            "channels": ChatChannel.objects.filter(organisation=request.organisation),
            "log": ChatMessage.objects.filter(
                organisation=request.organisation, channel__isnull=False
            ).select_related("channel")[:30],
        },
        status=400 if request.method == "POST" else 200,
    )


@organisation_view(roles=MANAGERS)
@require_POST
def chat_channel_delete(request: OrganisationRequest, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(ChatChannel, organisation=request.organisation, pk=channel_id)
    services.chat_channel_delete(channel=channel, actor=request.membership)
    messages.success(request, f"{channel.name} removed.")
    return redirect("chat_channels", slug=request.organisation.slug)


@organisation_view()
@require_http_methods(["GET", "POST"])
def chat_opt_in(request: OrganisationRequest) -> HttpResponse:
    current = ChatOptIn.objects.filter(organisation=request.organisation, user=request.user).first()
    initial = (
        {
            "kind": current.kind,
            "url": current.url,
            "meeting_reminders": current.meeting_reminders,
            "nudges": current.nudges,
        }
        if current
        else None
    )
    form = OptInForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("action") == "stop":
        services.chat_opt_out(membership=request.membership)
        messages.success(request, "Nothing more goes to your chat.")
        return redirect("chat_opt_in", slug=request.organisation.slug)
    if request.method == "POST" and form.is_valid():
        try:
            services.chat_opt_in_save(membership=request.membership, **form.cleaned_data)
        except ValidationError as error:
            errors_to_form(form, error)
        else:
            messages.success(request, "Saved: your reminders and nudges also go to your chat.")
            return redirect("chat_opt_in", slug=request.organisation.slug)
    return render(
        request,
        "chat/opt_in.html",
        {"form": form, "current": current},
        status=400 if request.method == "POST" else 200,
    )
