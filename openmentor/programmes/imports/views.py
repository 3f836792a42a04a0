"""Manager pages for importing a programme's participants and exporting them.

Objects named in the URL are fetched before the HTTP method is checked, so another
organisation's import answers 404 whatever the method.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRefresh

from openmentor.organisations.access import MANAGERS, OrganisationRequest, organisation_view
from openmentor.people.models import ParticipantImport
from openmentor.programmes.access import programme_for
from openmentor.programmes.imports import reading
from openmentor.programmes.imports import selectors as import_selectors
from openmentor.programmes.imports import services as importing
from openmentor.programmes.imports.forms import ImportMappingForm, ImportUploadForm
from openmentor.programmes.participants import exporting

# Shown wherever an import can be started: the manager must know nobody is told.
NO_EMAIL_NOTE = (
    "Importing sends no e-mail. People new to OpenMentor get an account without a "
    "password: they log in by choosing “Forgot password” or through an invitation."
)


def _import(request: OrganisationRequest, programme_slug: str, import_id: int) -> ParticipantImport:
    return import_selectors.programme_import(
        programme=programme_for(request, programme_slug), import_id=import_id
    )


@organisation_view(roles=MANAGERS)
def import_list(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    imports = import_selectors.programme_imports(programme=programme)[:100]
    return render(request, "imports/list.html", {"programme": programme, "imports": imports})


@organisation_view(roles=MANAGERS)
def import_upload(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Stored, not read: a task reads it, and the page it leads to shows how far.
        participant_import = importing.participant_import_create(
            programme=programme,
            uploaded_by=request.user,
            original_name=upload.name or "upload",
            upload=upload,
            kind=form.kind,
            mode=form.cleaned_data["mode"],
        )
        organisation = request.organisation
        return redirect("import_detail", organisation.slug, programme.slug, participant_import.pk)
    return render(
        request,
        "imports/upload.html",
        {"programme": programme, "form": form, "no_email_note": NO_EMAIL_NOTE},
        status=400 if request.method == "POST" else 200,
    )


@organisation_view(roles=MANAGERS)
def import_detail(
    request: OrganisationRequest, programme_slug: str, import_id: int
) -> HttpResponse:
    participant_import = _import(request, programme_slug, import_id)
    programme = participant_import.programme
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    action = request.POST.get("action") if request.method == "POST" else None
    mapping_form = ImportMappingForm(
        request.POST if action == "check" else None, participant_import=participant_import
    )
    status = 200
    if action == "check" and participant_import.status in importing.WORKING_STATUSES:
        messages.error(request, importing.working_message(participant_import))
        status = 400
    elif action == "check":
        if mapping_form.is_valid():
            try:
                importing.participant_import_check(
                    participant_import=participant_import, mapping=mapping_form.mapping
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                return redirect(request.path)
        status = 400
    elif action == "start":
        try:
            importing.participant_import_start(
                participant_import=participant_import,
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            return redirect(request.path)
    elif action == "retry":
        try:
            importing.participant_import_retry(
                participant_import=participant_import,
                actor=request.user,  # type: ignore[arg-type]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            return redirect(request.path)
    elif request.method == "POST":
        messages.error(request, "Choose one of the buttons on this page.")
        status = 400
    participant_import.refresh_from_db()
    editable = participant_import.status in importing.EDITABLE_STATUSES
    context = {
        "programme": programme,
        "participant_import": participant_import,
        "form": mapping_form,
        "editable": editable,
        "limits": reading.LIMITS,
        "preview": import_selectors.table_preview(participant_import) if editable else [],
        "header": participant_import.header,
        "rejections": import_selectors.rejected_rows(participant_import),
        "shown_rejections": import_selectors.SHOWN_REJECTIONS,
        "valid_rows": participant_import.total_rows - participant_import.rejected_count,
        "can_start": participant_import.status == ParticipantImport.Status.CHECKED
        and not (
            participant_import.mode == importing.ALL_OR_NOTHING
            and participant_import.rejected_count
        ),
        "no_email_note": NO_EMAIL_NOTE,
        **_progress_context(participant_import),
    }
    return render(request, "imports/detail.html", context, status=status)


def _progress_context(participant_import: ParticipantImport) -> dict[str, object]:
    status = participant_import.status
    processed = import_selectors.import_progress(participant_import)
    total = participant_import.total_rows or 1
    return {
        "processed": processed,
        "percent": 100 * processed // total,
        "working": status in importing.WORKING_STATUSES,
        "reading": status == ParticipantImport.Status.READING,
        "checking": status == ParticipantImport.Status.CHECKING,
        "importing": status == ParticipantImport.Status.IMPORTING,
        "rows_read": import_selectors.read_progress(participant_import)
        if status == "reading"
        else 0,
    }


@organisation_view(roles=MANAGERS)
def import_progress(
    request: OrganisationRequest, programme_slug: str, import_id: int
) -> HttpResponse:
    """How far the task holding the import got (reading the file, the dry run, the
    import), polled by htmx every second while one runs."""
    participant_import = _import(request, programme_slug, import_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if participant_import.status not in importing.WORKING_STATUSES and getattr(
        request, "htmx", False
    ):
        # Finished: reload the page, which then shows the outcome and stops polling.
        return HttpResponseClientRefresh()
    context = {
        "programme": participant_import.programme,
        "participant_import": participant_import,
        **_progress_context(participant_import),
    }
    return render(request, "imports/_progress.html", context)


@organisation_view(roles=MANAGERS)
def import_report(
    request: OrganisationRequest, programme_slug: str, import_id: int
) -> HttpResponse:
    """The refused rows as CSV: row number, the file's own columns, and the reason."""
    participant_import = _import(request, programme_slug, import_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    response = HttpResponse(
        participant_import.rejected_report.encode("utf-8-sig"), content_type="text/csv"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="import-{participant_import.pk}-rejected-rows.csv"'
    )
    return response


@organisation_view(roles=MANAGERS)
def participant_export(request: OrganisationRequest, programme_slug: str) -> HttpResponse:
    programme = programme_for(request, programme_slug)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    kind = request.GET.get("format", "csv")
    if kind not in exporting.FORMATS:
        return HttpResponse(
            "Unknown format: choose csv or xlsx.", status=400, content_type="text/plain"
        )
    if kind == "csv":
        response = HttpResponse(
            exporting.participants_csv(programme=programme), content_type="text/csv"
        )
    else:
        response = HttpResponse(
            exporting.participants_xlsx(programme=programme),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-participants.{kind}"'
    return response
