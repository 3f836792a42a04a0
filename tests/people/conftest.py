from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


@pytest.fixture(autouse=True)
def media_root(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Uploaded photos go to a temporary folder, never to var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]
    return tmp_path / "media"


def image_bytes(
    fmt: str = "JPEG", size: tuple[int, int] = (800, 600), mode: str = "RGB", **save: object
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else (200, 30, 30, 128)).save(
        out, format=fmt, **save
    )
    return out.getvalue()


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
