"""What a message may carry: the file's type is read from its content, not its name.

A file is accepted when its bytes are one of the allowed kinds AND its name ends with an
extension of that kind, so an HTML page or a program renamed `.pdf` is refused, and so
is a real PDF named `.exe`. The type stored (and served back) is the one found here,
never the one the browser declared.
"""

from __future__ import annotations

import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
WEBP = "image/webp"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

EXTENSIONS: dict[str, str] = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".webp": WEBP,
    ".txt": TEXT,
    ".md": TEXT,
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".pptx": PPTX,
}
ALLOWED_DESCRIPTION = "PDF, PNG, JPEG, WebP, plain text (.txt, .md), Word, Excel or PowerPoint"
ACCEPT_ATTRIBUTE = ",".join(sorted(EXTENSIONS))

# The main part an Office Open XML package declares in [Content_Types].xml.
_OFFICE_MAIN_PARTS: dict[str, bytes] = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    PPTX: b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
}
# [Content_Types].xml is a few kilobytes; a bigger one is a zip bomb, not a document.
_MAX_CONTENT_TYPES_BYTES = 512 * 1024
# Markup that a browser would run if it ever rendered the file: not "plain text".
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml", b"<head", b"<body")


@dataclass(frozen=True)
class InspectedAttachment:
    name: str
    content_type: str
    size: int


def _clean_name(raw: str) -> str:
    # Browsers send a base name, but nothing forces them to; control characters would
    # break the Content-Disposition header we send back.
    name = raw.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if len(name) > 255:
        stem, dot, extension = name.rpartition(".")
        name = stem[: 250 - len(extension)] + dot + extension
    return name


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


def _office_type(handle: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(handle) as package:
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > _MAX_CONTENT_TYPES_BYTES:
                return None
            declared = package.read(info)
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    for content_type, main_part in _OFFICE_MAIN_PARTS.items():
        if main_part in declared:
            return content_type
    return None


def _plain_text(handle: IO[bytes]) -> bool:
    handle.seek(0)
    data = handle.read()
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not data.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_MARKUP_STARTS)


def detect_content_type(handle: IO[bytes], *, expected: str) -> str | None:
    """The allowed type the content really is, checked against `expected`; None if neither."""
    handle.seek(0)
    head = handle.read(16)
    found: str | None = None
    if head.startswith(b"%PDF-"):
        found = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        found = WEBP
    elif head.startswith(b"PK\x03\x04"):
        found = _office_type(handle)
    elif expected == TEXT and _plain_text(handle):
        found = TEXT
    handle.seek(0)
    return found


def inspect_attachment(upload: UploadedFile) -> InspectedAttachment:
    """Checks an uploaded file's size, name and content; raises ValidationError with why."""
    name = _clean_name(upload.name or "")
    size = upload.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            f"The file is {size / 1024 / 1024:.1f} MB; attachments may be at most "
            f"{MAX_ATTACHMENT_BYTES // 1024 // 1024} MB.",
            code="too_large",
        )
    if size == 0:
        raise ValidationError("The file is empty.", code="empty")
    expected = EXTENSIONS.get(_extension(name))
    if expected is None:
        raise ValidationError(
            f"Files of this type cannot be attached. Allowed: {ALLOWED_DESCRIPTION}.",
            code="type",
        )
    found = detect_content_type(upload, expected=expected)  # type: ignore[arg-type]
    if found != expected:
        raise ValidationError(
            f"“{name}” is not really a {_extension(name)} file, so it was not attached. "
            f"Allowed: {ALLOWED_DESCRIPTION}.",
            code="content",
        )
    return InspectedAttachment(name=name, content_type=found, size=size)
