"""Writes for profiles and voluntary self-identification."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from openmentor.accounts.models import User
from openmentor.organisations.models import Membership, Organisation
from openmentor.people import selectors
from openmentor.people.completeness import profile_completeness
from openmentor.people.models import Profile, SelfIdentification
from openmentor.people.timezones import availability_clean, is_valid_timezone

__all__ = [
    "LANGUAGES",
    "SELF_IDENTIFICATION_CHOICES",
    "PhotoUpload",
    "profile_completeness",
    "profile_completeness_refresh",
    "profile_get_or_create",
    "profile_update",
    "self_identification_clear",
    "self_identification_save",
]

MAX_CAPACITY = 20

# A curated list of common languages as BCP 47 tags, with their English names.
LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "bn": "Bengali",
    "bg": "Bulgarian",
    "ca": "Catalan",
    "cs": "Czech",
    "cy": "Welsh",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fa": "Persian",
    "fi": "Finnish",
    "fil": "Filipino",
    "fr": "French",
    "ga": "Irish",
    "gu": "Gujarati",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "ms": "Malay",
    "nl": "Dutch",
    "no": "Norwegian",
    "pa": "Punjabi",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sr": "Serbian",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "yue": "Cantonese",
    "zh": "Chinese (Mandarin)",
}

_PREFER_NOT = (SelfIdentification.PREFER_NOT_TO_SAY, "Prefer not to say")

# Broad groups, each with "Prefer not to say"; every question may also be left unanswered.
SELF_IDENTIFICATION_CHOICES: dict[str, list[tuple[str, str]]] = {
    "gender": [
        ("woman", "Woman"),
        ("man", "Man"),
        ("non_binary", "Non-binary"),
        ("another", "Another gender"),
        _PREFER_NOT,
    ],
    "ethnicity": [
        ("asian", "Asian"),
        ("black", "Black"),
        ("hispanic_latino", "Hispanic or Latino"),
        ("middle_eastern_north_african", "Middle Eastern or North African"),
        ("mixed", "Mixed or multiple"),
        ("white", "White"),
        ("another", "Another ethnic group"),
        _PREFER_NOT,
    ],
    "age_band": [
        ("under_25", "Under 25"),
        ("25_34", "25 to 34"),
        ("35_44", "35 to 44"),
        ("45_54", "45 to 54"),
        ("55_64", "55 to 64"),
        ("65_plus", "65 or over"),
        _PREFER_NOT,
    ],
    "disability": [
        ("yes", "Yes"),
        ("no", "No"),
        _PREFER_NOT,
    ],
}


def _is_member(organisation: Organisation, user: User) -> bool:
    return Membership.objects.filter(organisation=organisation, user=user).exists()


@transaction.atomic
def profile_get_or_create(*, organisation: Organisation, user: User) -> tuple[Profile, bool]:
    """The person's profile in the organisation, created empty on their first visit."""
    if not _is_member(organisation, user):
        raise PermissionDenied("Only members of the organisation have a profile there.")
    profile, created = Profile.objects.get_or_create(organisation=organisation, user=user)
    if created:
        roles = selectors.profile_roles(organisation=organisation, user=user)
        profile.completeness = profile_completeness(profile, roles)[0]
        profile.save(update_fields=["completeness"])
    return profile, created


@dataclass(frozen=True)
class PhotoUpload:
    """A photo already checked and re-encoded (see forms.ProfileForm.clean_photo)."""

    content: bytes
    extension: str


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    job_title: str,
    department: str,
    reports_to: User | None,
    seniority_years: int | None,
    skills_offered: list[str],
    skills_wanted: list[str],
    goals: str,
    bio: str,
    timezone: str,
    languages: list[str],
    availability: list[dict[str, Any]],
    mentor_capacity: int,
    photo: PhotoUpload | None = None,
    photo_remove: bool = False,
) -> Profile:
    """Saves the person's own profile and recomputes its completeness.

    Checks again what the database cannot (the manager is another member of the same
    organisation, a known timezone and languages, well-formed availability, capacity
    0-20) and raises ValidationError keyed by field, writing nothing, if any fails.
    """
    errors: dict[str, list[str]] = {}
    organisation = profile.organisation
    if reports_to is not None:
        if reports_to.pk == profile.user_id:
            errors["reports_to"] = ["You cannot be your own manager."]
        elif not _is_member(organisation, reports_to):
            errors["reports_to"] = ["Choose a member of this organisation."]
    if not is_valid_timezone(timezone):
        errors["timezone"] = ["Choose a timezone from the list."]
    # Skills already on the profile stay allowed when a manager later drops them from
    # a taxonomy, so that saving an unrelated field does not fail.
    taxonomy = set(selectors.skills_taxonomy(organisation=organisation))
    for field, chosen, kept in (
        ("skills_offered", skills_offered, profile.skills_offered),
        ("skills_wanted", skills_wanted, profile.skills_wanted),
    ):
        outside = [s for s in chosen if s not in taxonomy and s not in (kept or [])]
        if outside:
            errors[field] = [f"Not in your programmes' skills list: {', '.join(outside)}."]
    unknown = [tag for tag in languages if tag not in LANGUAGES]
    if unknown:
        errors["languages"] = [f"Unknown language: {', '.join(unknown)}."]
    if not 0 <= mentor_capacity <= MAX_CAPACITY:
        errors["mentor_capacity"] = [f"Enter a number from 0 to {MAX_CAPACITY}."]
    try:
        slots = availability_clean(availability)
    except ValidationError as error:
        errors["availability"] = error.messages
    if errors:
        raise ValidationError(errors)

    profile.job_title = job_title.strip()
    profile.department = department.strip()
    profile.reports_to = reports_to
    profile.seniority_years = seniority_years
    profile.skills_offered = list(dict.fromkeys(skills_offered))
    profile.skills_wanted = list(dict.fromkeys(skills_wanted))
    profile.goals = goals.strip()
    profile.bio = bio.strip()
    profile.timezone = timezone
    profile.languages = list(dict.fromkeys(languages))
    profile.availability = slots
    profile.mentor_capacity = mentor_capacity
    old_photo = profile.photo.name if profile.photo else None
    if photo is not None:
        # A random name: the file name says nothing about the person.
        profile.photo.save(
            f"{uuid.uuid4().hex}.{photo.extension}", ContentFile(photo.content), save=False
        )
    elif photo_remove:
        profile.photo = None  # type: ignore[assignment]
    roles = selectors.profile_roles(organisation=organisation, user=profile.user)
    profile.completeness = profile_completeness(profile, roles)[0]
    profile.save()
    if old_photo and (photo is not None or photo_remove):
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    return profile


def profile_completeness_refresh(*, profile: Profile) -> int:
    """Recomputes the stored completeness, e.g. after the person's enrolments change."""
    roles = selectors.profile_roles(organisation=profile.organisation, user=profile.user)
    percent = profile_completeness(profile, roles)[0]
    if percent != profile.completeness:
        Profile.objects.filter(pk=profile.pk).update(completeness=percent)
        profile.completeness = percent
    return percent


@transaction.atomic
def self_identification_save(
    *,
    organisation: Organisation,
    user: User,
    gender: str = "",
    ethnicity: str = "",
    age_band: str = "",
    disability: str = "",
) -> SelfIdentification | None:
    """Stores the person's own voluntary answers; all blank deletes them.

    Raises ValidationError keyed by field for an answer that is not one of the choices.
    Nothing else is recorded: no event, no log, so the answers live only in this row.
    """
    if not _is_member(organisation, user):
        raise PermissionDenied("Only members of the organisation can answer.")
    answers = {
        "gender": gender,
        "ethnicity": ethnicity,
        "age_band": age_band,
        "disability": disability,
    }
    errors = {
        field: ["Choose one of the listed answers, or leave it blank."]
        for field, value in answers.items()
        if value and value not in {code for code, _ in SELF_IDENTIFICATION_CHOICES[field]}
    }
    if errors:
        raise ValidationError(errors)
    if not any(answers.values()):
        self_identification_clear(organisation=organisation, user=user)
        return None
    row, _ = SelfIdentification.objects.update_or_create(
        organisation=organisation, user=user, defaults=answers
    )
    return row


def self_identification_clear(*, organisation: Organisation, user: User) -> bool:
    """Deletes the person's answers; True if there were any."""
    deleted, _ = SelfIdentification.objects.filter(organisation=organisation, user=user).delete()
    return deleted > 0


@transaction.atomic
def profile_set_away(*, organisation: Organisation, user: User, away_until: Any) -> Profile:
    """Sets (or, with None, clears) the date until which the person is away.

    Refuses a date in the past or more than a year ahead.
    """
    import datetime as dt

    from django.utils import timezone

    if away_until is not None:
        today = timezone.localdate()
        if away_until < today:
            raise ValidationError({"away_until": "Choose today or a later date."})
        if away_until > today + dt.timedelta(days=366):
            raise ValidationError({"away_until": "Choose a date within a year."})
    profile, _ = profile_get_or_create(organisation=organisation, user=user)
    profile.away_until = away_until
    profile.save(update_fields=["away_until", "updated_at"])
    return profile
