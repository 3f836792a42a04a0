"""Forms for a person's own profile and self-identification; every field says what is wrong."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from PIL import Image, ImageOps, UnidentifiedImageError

from openmentor.accounts.models import User
from openmentor.people.models import Profile
from openmentor.people.services import (
    LANGUAGES,
    MAX_CAPACITY,
    SELF_IDENTIFICATION_CHOICES,
    PhotoUpload,
)
from openmentor.people.timezones import (
    CELL_MINUTES,
    DAY_MINUTES,
    DAY_NAMES,
    DAYS,
    cell_choices,
    cell_label,
    cell_value,
    cells_to_slots,
    format_minutes,
    is_valid_timezone,
    slots_to_cells,
)

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # refuse decompression bombs before decoding them
PHOTO_SIZE = 512
MAX_BIO = 1000
MAX_GOALS = 2000
NOT_AN_IMAGE = "This file is not a JPEG, PNG or WebP image. Choose a photo in one of those formats."


class PersonChoiceField(forms.ModelChoiceField):
    # The person themselves is not offered; naming them anyway gets its own message.
    self_id: int | None = None

    def to_python(self, value: Any) -> Any:
        if self.self_id is not None and str(value).strip() == str(self.self_id):
            raise forms.ValidationError("You cannot be your own manager.", code="self")
        return super().to_python(value)

    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        return user.email if user.name == user.email else f"{user.name} ({user.email})"


def photo_prepare(upload: UploadedFile) -> PhotoUpload:
    """Checks an uploaded photo by decoding it and re-encodes it without its metadata.

    Only what Pillow can decode as JPEG, PNG or WebP is accepted, whatever the file's name
    or declared type says; the result is at most 512 px a side, turned upright, and
    written afresh as WebP, so no EXIF (location, camera) or embedded payload survives.
    """
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise forms.ValidationError(
            "The photo is larger than 5 MB. Choose a smaller one or reduce its size first."
        )
    upload.seek(0)
    try:
        with Image.open(upload, formats=["JPEG", "PNG", "WEBP"]) as opened:
            if opened.width * opened.height > MAX_PHOTO_PIXELS:
                raise forms.ValidationError(
                    "The photo has too many pixels. Choose one under 40 megapixels."
                )
            opened.load()
            image = ImageOps.exif_transpose(opened) or opened
            image.thumbnail((PHOTO_SIZE, PHOTO_SIZE))
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
            out = io.BytesIO()
            image.save(out, format="WEBP", quality=85)
    except forms.ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise forms.ValidationError(NOT_AN_IMAGE) from None
    return PhotoUpload(content=out.getvalue(), extension="webp")


class ProfileForm(forms.Form):
    job_title = forms.CharField(label="Job title", max_length=150, required=False)
    department = forms.CharField(label="Department", max_length=100, required=False)
    reports_to = PersonChoiceField(
        label="Your manager",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not listed / nobody",
        help_text="So that you are never matched with someone in your own reporting line.",
        error_messages={"invalid_choice": "Choose a member of this organisation."},
    )
    seniority_years = forms.IntegerField(
        label="Years of work experience",
        min_value=0,
        max_value=70,
        required=False,
        error_messages={
            "min_value": "Enter a number of years from 0 to 70.",
            "max_value": "Enter a number of years from 0 to 70.",
            "invalid": "Enter a whole number of years, for example 5.",
        },
    )
    skills_offered = forms.MultipleChoiceField(
        label="Skills you can offer as a mentor",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "“%(value)s” is not in your programmes' skills list."},
    )
    skills_wanted = forms.MultipleChoiceField(
        label="Skills you want to develop as a mentee",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "“%(value)s” is not in your programmes' skills list."},
    )
    goals = forms.CharField(
        label="Your goals",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_GOALS,
        help_text="What you hope to get from mentoring.",
        error_messages={
            "max_length": "Keep your goals to %(limit_value)d characters (they have %(show_value)d)."
        },
    )
    bio = forms.CharField(
        label="Short bio",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_BIO,
        help_text=f"A few sentences about you and your experience, up to {MAX_BIO} characters.",
        error_messages={
            "max_length": "Keep your bio to %(limit_value)d characters (it has %(show_value)d)."
        },
    )
    timezone = forms.CharField(
        label="Your timezone",
        max_length=64,
        help_text="Start typing a city, for example Europe/London or America/New_York.",
        widget=forms.TextInput(
            attrs={"list": "timezone-options", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": "Choose your timezone from the list."},
    )
    languages = forms.MultipleChoiceField(
        label="Languages you can be mentored or mentor in",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(tag, LANGUAGES[tag]) for tag in sorted(LANGUAGES, key=LANGUAGES.__getitem__)],
        error_messages={"invalid_choice": "“%(value)s” is not one of the listed languages."},
    )
    availability = forms.MultipleChoiceField(
        label="When you are available each week",
        required=False,
        choices=cell_choices(),
        error_messages={
            "invalid_choice": "“%(value)s” is not a half-hour on the weekly grid. "
            "Tick the times you are free."
        },
    )
    mentor_capacity = forms.IntegerField(
        label="How many mentees you can take at once",
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text=f"0 to {MAX_CAPACITY}. Only used when you are a mentor.",
        error_messages={
            "min_value": f"Enter a number from 0 to {MAX_CAPACITY}.",
            "max_value": f"Enter a number from 0 to {MAX_CAPACITY}.",
            "invalid": f"Enter a whole number from 0 to {MAX_CAPACITY}.",
            "required": f"Enter a number from 0 to {MAX_CAPACITY}.",
        },
    )
    photo = forms.FileField(
        label="Photo",
        required=False,
        help_text="JPEG, PNG or WebP, up to 5 MB. It is resized to 512 pixels and its "
        "hidden details (such as location) are removed.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    photo_remove = forms.BooleanField(label="Remove my photo", required=False)

    def __init__(
        self,
        *args: Any,
        profile: Profile,
        people: QuerySet[User],
        taxonomy: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.profile = profile
        reports_to = self.fields["reports_to"]
        assert isinstance(reports_to, PersonChoiceField)
        reports_to.queryset = people.exclude(pk=profile.user_id)
        reports_to.self_id = profile.user_id
        for name, kept in (
            ("skills_offered", profile.skills_offered),
            ("skills_wanted", profile.skills_wanted),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            # Skills the person already has stay choosable after a taxonomy change.
            names = list(dict.fromkeys([*taxonomy, *(kept or [])]))
            field.choices = [(skill, skill) for skill in names]

    @classmethod
    def initial_for(cls, profile: Profile, *, fresh: bool) -> dict[str, Any]:
        return {
            "job_title": profile.job_title,
            "department": profile.department,
            "reports_to": profile.reports_to_id,
            "seniority_years": profile.seniority_years,
            "skills_offered": profile.skills_offered,
            "skills_wanted": profile.skills_wanted,
            "goals": profile.goals,
            "bio": profile.bio,
            # Empty on the first visit so the browser's own timezone can be suggested.
            "timezone": "" if fresh else profile.timezone,
            "languages": profile.languages,
            "availability": sorted(slots_to_cells(profile.availability or [])),
            "mentor_capacity": profile.mentor_capacity,
        }

    def clean_reports_to(self) -> User | None:
        chosen: User | None = self.cleaned_data.get("reports_to")
        if chosen is not None and chosen.pk == self.profile.user_id:
            raise forms.ValidationError("You cannot be your own manager.")
        return chosen

    def clean_timezone(self) -> str:
        name: str = self.cleaned_data["timezone"].strip()
        if not is_valid_timezone(name):
            raise forms.ValidationError(
                f"“{name}” is not a timezone we know. Choose one from the list, "
                "for example Europe/London."
            )
        return name

    def clean_availability(self) -> list[dict[str, str]]:
        return cells_to_slots(self.cleaned_data["availability"])

    def clean_photo(self) -> PhotoUpload | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return photo_prepare(upload)

    def availability_grid(self) -> list[dict[str, Any]]:
        """Rows of the weekly grid (one per half hour) with each day's cell for the template."""
        chosen = set(self["availability"].value() or [])
        rows = []
        for start in range(0, DAY_MINUTES, CELL_MINUTES):
            rows.append(
                {
                    "time": format_minutes(start),
                    "on_the_hour": start % 60 == 0,
                    "cells": [
                        {
                            "value": cell_value(day, start),
                            "label": cell_label(day, start),
                            "id": f"id_availability_{day}_{start}",
                            "checked": cell_value(day, start) in chosen,
                        }
                        for day in DAYS
                    ],
                }
            )
        return rows

    @staticmethod
    def day_names() -> list[str]:
        return [DAY_NAMES[day] for day in DAYS]


class SelfIdentificationForm(forms.Form):
    gender = forms.ChoiceField(label="Gender", required=False)
    ethnicity = forms.ChoiceField(label="Ethnicity", required=False)
    age_band = forms.ChoiceField(label="Age", required=False)
    disability = forms.ChoiceField(
        label="Do you consider yourself to have a disability?", required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, choices in SELF_IDENTIFICATION_CHOICES.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", "Not answered"), *choices]
            field.error_messages["invalid_choice"] = (
                "Choose one of the listed answers, or “Not answered”."
            )
