"""Small real files of each kind, and impostors, built in memory."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
TEXT = "Agenda: goals, first steps, next meeting. Café ☕\n".encode()
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64

_MAIN = "application/vnd.openxmlformats-officedocument.{}.main+xml"


def office(kind: str) -> bytes:
    """A minimal Office Open XML package: docx, xlsx or pptx."""
    part = {
        "docx": ("word/document.xml", _MAIN.format("wordprocessingml.document")),
        "xlsx": ("xl/workbook.xml", _MAIN.format("spreadsheetml.sheet")),
        "pptx": ("ppt/presentation.xml", _MAIN.format("presentationml.presentation")),
    }[kind]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/content-types"><Override PartName="/{part[0]}" '
            f'ContentType="{part[1]}"/></Types>',
        )
        package.writestr(part[0], "<doc/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("readme.txt", "not a document")
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    # The declared type is deliberately often wrong: only the content counts.
    return SimpleUploadedFile(name, content, content_type=content_type)
