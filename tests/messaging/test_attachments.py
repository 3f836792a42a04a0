"""Attachments are judged by their bytes, and the name must agree."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from openmentor.messaging import attachments
from tests.messaging import files


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("plan.pdf", files.PDF, attachments.PDF),
        ("diagram.png", files.PNG, attachments.PNG),
        ("photo.jpg", files.JPEG, attachments.JPEG),
        ("photo.JPEG", files.JPEG, attachments.JPEG),
        ("sketch.webp", files.WEBP, attachments.WEBP),
        ("agenda.txt", files.TEXT, attachments.TEXT),
        ("notes.md", b"# Notes\n- one\n", attachments.TEXT),
        ("cv.docx", files.office("docx"), attachments.DOCX),
        ("budget.xlsx", files.office("xlsx"), attachments.XLSX),
        ("talk.pptx", files.office("pptx"), attachments.PPTX),
    ],
)
def test_allowed_files_are_accepted_with_the_type_their_content_shows(
    name: str, content: bytes, expected: str
) -> None:
    found = attachments.inspect_attachment(files.upload(name, content, "application/x-whatever"))
    assert found.content_type == expected
    assert found.name == name
    assert found.size == len(content)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("report.pdf", files.HTML, "not really a .pdf"),
        ("report.pdf", files.EXE, "not really a .pdf"),
        ("photo.png", files.JPEG, "not really a .png"),
        ("notes.txt", files.HTML, "not really a .txt"),
        ("notes.txt", b"\x00\x01binary\xff\xfe", "not really a .txt"),
        ("cv.docx", files.plain_zip(), "not really a .docx"),
        ("cv.docx", files.office("xlsx"), "not really a .docx"),
        ("cv.docx", b"PK\x03\x04 truncated zip", "not really a .docx"),
        ("page.html", files.HTML, "cannot be attached"),
        ("setup.exe", files.EXE, "cannot be attached"),
        ("plan.pdf.exe", files.PDF, "cannot be attached"),
        ("no-extension", files.PDF, "cannot be attached"),
        ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "cannot be attached"),
    ],
)
def test_other_files_and_impostors_are_refused_with_a_reason(
    name: str, content: bytes, says: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        attachments.inspect_attachment(files.upload(name, content))
    message = " ".join(refused.value.messages)
    assert says in message
    assert "Allowed: PDF, PNG, JPEG" in message


def test_a_file_over_ten_megabytes_is_refused_before_it_is_read() -> None:
    upload = files.upload("big.pdf", files.PDF + b"0" * (10 * 1024 * 1024))
    assert upload.file is not None
    upload.file.seek(5)  # reading would first seek back to the start
    with pytest.raises(ValidationError, match=r"10\.0 MB; attachments may be at most 10 MB"):
        attachments.inspect_attachment(upload)
    assert upload.file.tell() == 5


def test_exactly_ten_megabytes_is_allowed() -> None:
    content = files.PDF + b"0" * (10 * 1024 * 1024 - len(files.PDF))
    assert attachments.inspect_attachment(files.upload("big.pdf", content)).size == 10 * 1024**2


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ValidationError, match="empty"):
        attachments.inspect_attachment(files.upload("empty.txt", b""))


def test_a_zip_bomb_posing_as_a_document_is_refused_without_inflating_it() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", b" " * (50 * 1024 * 1024))
    with pytest.raises(ValidationError, match="not really a .docx"):
        attachments.inspect_attachment(files.upload("cv.docx", buffer.getvalue()))


def test_the_name_loses_folders_and_control_characters() -> None:
    assert attachments._clean_name("..\\..\\evil\r\n\x00plan.pdf") == "evilplan.pdf"
    assert attachments._clean_name("a/b/c.pdf") == "c.pdf"
    long = attachments._clean_name("n" * 400 + ".pdf")
    assert len(long) <= 255 and long.endswith(".pdf")
