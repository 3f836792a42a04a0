from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from openmentor.people.models import ParticipantImport
from openmentor.programmes.imports import reading
from openmentor.programmes.imports import services as importing

NOT_IN_FILE = ""


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel (.xlsx) file",
        help_text=(
            "One row per person under a header row naming the columns. At most "
            f"{reading.MAX_ROWS:,} rows and {reading.MAX_BYTES // 1024 // 1024} MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-"
                "officedocument.spreadsheetml.sheet"
            }
        ),
    )
    mode = forms.ChoiceField(
        label="If some rows have problems",
        choices=ParticipantImport.Mode.choices,
        initial=ParticipantImport.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
    )

    def clean_file(self) -> UploadedFile:
        """Checks the size and the first bytes only (an image, a PDF, an old .xls, an
        empty file are named at once); the reading itself is the background task's."""
        upload: UploadedFile = self.cleaned_data["file"]
        size = upload.size or 0
        if size > reading.MAX_BYTES:
            raise ValidationError(
                f"The file is {size / 1024 / 1024:.1f} MB; the limit is "
                f"{reading.MAX_BYTES // 1024 // 1024} MB. Split it into smaller files."
            )
        upload.seek(0)
        head = upload.read(reading.SNIFF_BYTES)
        upload.seek(0)
        try:
            self.kind = reading.file_sniff(head, size)
        except reading.ImportFileError as error:
            raise ValidationError(str(error)) from error
        return upload


class ImportMappingForm(forms.Form):
    """One select per OpenMentor field, offering the file's columns.

    Two fields may not share a column: one column meaning two things (a "Name" column as
    both first and last name) is almost always a slip, and the import could not split it.
    """

    def __init__(self, *args: Any, participant_import: ParticipantImport, **kwargs: Any) -> None:
        kwargs["initial"] = {key: str(index) for key, index in participant_import.mapping.items()}
        super().__init__(*args, **kwargs)
        self.header: list[str] = list(participant_import.header)
        choices = [(NOT_IN_FILE, "— not in the file —")] + [
            (str(index), reading.column_label(self.header, index))
            for index in range(len(self.header))
        ]
        for import_field in reading.FIELDS:
            self.fields[import_field.key] = forms.ChoiceField(
                label=import_field.label,
                choices=choices,
                required=False,
                help_text="Required." if import_field.required else "",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mapping = {
            key: int(value)
            for key, value in cleaned.items()
            if key in reading.FIELD_KEYS and value != NOT_IN_FILE
        }
        try:
            self.mapping = importing.mapping_clean(mapping, self.header)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(key, message)
        return cleaned
