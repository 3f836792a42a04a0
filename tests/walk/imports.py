from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile

from openmentor.organisations.models import Organisation
from openmentor.people.models import ParticipantImport
from openmentor.programmes.models import Programme
from tests.factories import ProgrammeFactory


def import_id(organisation: Organisation, values: dict[str, Any]) -> int:
    programme = Programme.objects.filter(
        organisation=organisation, slug=values.get("programme_slug", "")
    ).first()
    if programme is None:
        programme = ProgrammeFactory.create(organisation=organisation)
    participant_import = ParticipantImport(
        organisation=organisation,
        programme=programme,
        original_name="people.csv",
        file_kind="csv",
        encoding="utf-8",
        header=["email", "role"],
        mapping={"email": 0, "role": 1},
        total_rows=1,
    )
    participant_import.file.save("walk.csv", ContentFile(b"email,role\na@example.org,mentor\n"))
    return participant_import.pk


MAKERS = {"import_id": import_id}
