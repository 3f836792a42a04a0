"""Photos: only real JPEG/PNG/WebP images, re-encoded small without metadata, shown to members."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image

from openmentor.people.models import Profile
from tests.conftest import Tenant, client_for
from tests.people.conftest import image_bytes, upload
from tests.people.helpers import make_member, make_profile, snapshot, valid_post

pytestmark = pytest.mark.django_db


def profile_url(tenant: Tenant) -> str:
    return reverse("profile_edit", kwargs={"slug": tenant.organisation.slug})


def photo_url(tenant: Tenant, user_id: int) -> str:
    return reverse("person_photo", kwargs={"slug": tenant.organisation.slug, "user_id": user_id})


def jpeg_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # camera make
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPS latitude
    return image_bytes("JPEG", size=(2000, 1500), exif=exif.tobytes())


def save_photo(tenant: Tenant, content: bytes, name: str = "me.jpg", **changes: object) -> object:
    post = valid_post(skills_offered=[], skills_wanted=[], **changes)
    post["photo"] = upload(name, content)
    return client_for(tenant.participant).post(profile_url(tenant), post)


def stored(tenant: Tenant) -> Profile:
    return Profile.objects.get(organisation=tenant.organisation, user=tenant.participant.user)


def test_a_photo_is_resized_and_stripped_of_its_metadata(tenant: Tenant) -> None:
    original = jpeg_with_location()
    assert b"SpyCam" in original
    response = save_photo(tenant, original)
    assert response.status_code == 302  # type: ignore[attr-defined]
    profile = stored(tenant)
    with profile.photo.open("rb") as handle:
        data = handle.read()
    assert b"SpyCam" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP"
    assert max(image.size) == 512 and image.size == (512, 384)
    assert not image.getexif()
    assert "me" not in profile.photo.name  # the file name says nothing about the person


@pytest.mark.parametrize(("fmt", "mode"), [("PNG", "RGBA"), ("WEBP", "RGB"), ("JPEG", "RGB")])
def test_jpeg_png_and_webp_are_accepted(tenant: Tenant, fmt: str, mode: str) -> None:
    assert save_photo(tenant, image_bytes(fmt, size=(100, 80), mode=mode)).status_code == 302  # type: ignore[attr-defined]
    assert Image.open(stored(tenant).photo.open("rb")).size == (100, 80)


BAD_FILES = [
    ("html named .jpg", "photo.jpg", b"<html><script>alert(1)</script></html>"),
    ("text file", "notes.png", b"just some words"),
    ("gif", "anim.jpg", image_bytes("GIF", size=(10, 10))),
    ("truncated jpeg", "cut.jpg", image_bytes("JPEG")[:400]),
    ("empty file", "empty.jpg", b""),
    ("svg", "logo.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
]


@pytest.mark.parametrize(
    ("name", "content"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_a_file_that_is_not_a_supported_image_is_refused(
    tenant: Tenant, name: str, content: bytes
) -> None:
    client_for(tenant.participant).get(profile_url(tenant))
    before = snapshot(stored(tenant))
    response = save_photo(tenant, content, name=name)
    assert response.status_code == 400  # type: ignore[attr-defined]
    errors = response.context["form"].errors  # type: ignore[attr-defined]
    assert list(errors) == ["photo"]
    assert "not a JPEG, PNG or WebP image" in errors["photo"][0] or "empty" in errors["photo"][0]
    assert snapshot(stored(tenant)) == before


def test_a_photo_over_5_mb_is_refused(tenant: Tenant) -> None:
    big = image_bytes("PNG", size=(200, 200)) + b"\0" * (5 * 1024 * 1024)
    response = save_photo(tenant, big, name="big.png")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert response.context["form"].errors["photo"] == [  # type: ignore[attr-defined]
        "The photo is larger than 5 MB. Choose a smaller one or reduce its size first."
    ]
    assert not stored(tenant).photo


def test_a_decompression_bomb_is_refused_before_decoding(tenant: Tenant) -> None:
    bomb = image_bytes("PNG", size=(8000, 8000), mode="RGB")  # tiny file, 64 megapixels
    assert len(bomb) < 5 * 1024 * 1024
    response = save_photo(tenant, bomb, name="bomb.png")
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "too many pixels" in response.context["form"].errors["photo"][0]  # type: ignore[attr-defined]


def test_a_photo_can_be_replaced_and_removed(
    tenant: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    save_photo(tenant, image_bytes())
    first = stored(tenant).photo.name
    with django_capture_on_commit_callbacks(execute=True):
        save_photo(tenant, image_bytes("PNG"))
    second = stored(tenant).photo.name
    assert second != first
    storage = stored(tenant).photo.storage
    assert not storage.exists(first)  # the old file is deleted once the new one is saved
    post = valid_post(skills_offered=[], skills_wanted=[], photo_remove="on")
    with django_capture_on_commit_callbacks(execute=True):
        client_for(tenant.participant).post(profile_url(tenant), post)
    assert not stored(tenant).photo
    assert not storage.exists(second)


def test_members_of_the_organisation_see_a_photo(tenant: Tenant) -> None:
    save_photo(tenant, image_bytes())
    response = client_for(tenant.manager).get(photo_url(tenant, tenant.participant.user_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "private" in response["Cache-Control"]
    assert Image.open(io.BytesIO(response.content)).format == "WEBP"


def test_a_member_without_a_photo_gets_a_placeholder(tenant: Tenant) -> None:
    person = make_member(tenant.organisation, user__first_name="<b>Ada", user__last_name="Lovelace")
    response = client_for(tenant.participant).get(photo_url(tenant, person.user_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert "<b>" not in body and "&lt;b&gt;Ada Lovelace" in body and ">&lt;L<" in body


def test_photos_of_people_outside_the_organisation_are_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    make_profile(other_tenant.organisation, other_tenant.participant.user)
    client = client_for(tenant.participant)
    assert client.get(photo_url(tenant, other_tenant.participant.user_id)).status_code == 404
    assert client.get(photo_url(tenant, 987654)).status_code == 404
    # Nor through the other organisation's address, to which the person does not belong.
    assert client.get(photo_url(other_tenant, other_tenant.participant.user_id)).status_code == 404


def test_a_photo_cannot_be_posted_to(tenant: Tenant) -> None:
    client = client_for(tenant.participant)
    assert client.post(photo_url(tenant, tenant.manager.user_id)).status_code == 405
