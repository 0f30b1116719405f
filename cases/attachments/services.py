"""Every write of attachments: an upload, a recorded download, a milestone's evidence, a merge.

An upload is checked completely before anything is written: the case is visible (404), open (409),
the caller works it (403), the input is valid (400), the file within ATTACHMENT_MAX_BYTES (413) and of
an accepted type by its content (400). Then the file and its row are written together; if the row
cannot be written the stored file is removed again, so a refused upload leaves nothing behind."""

import hashlib
import logging
import unicodedata
import uuid
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.attachments import selectors, sniff
from cases.attachments.models import Attachment, AttachmentDownload, attachment_storage
from cases.attachments.serializers import AttachmentUpload
from cases.attachments.uploads import too_large
from cases.commitments.models import CommitmentApplication
from cases.errors import Conflict, Invalid, NotFound, NotPermitted
from cases.leads.models import Lead, Milestone
from workflow import engine

log = logging.getLogger(__name__)
CHUNK = 64 * 1024


def attachment_add(
    *, actor: Any, kind: str, owner_id: Any, data: Any, now: datetime | None = None
) -> Attachment:
    """Attach an uploaded file to a lead (`kind` "lead") or a commitment application ("commitment")."""
    owner = selectors.attachment_owner_get(user=actor, kind=kind, owner_id=owner_id)
    _refuse_closed(owner)
    if not selectors.upload_permitted(owner=owner, user=actor):
        raise NotPermitted(_("Only those who work this case may attach files to it."))
    given = engine.validate(AttachmentUpload, data)
    upload = given["file"]
    size, digest = _measure(upload)
    content_type = sniff.content_type(upload)
    now = now or timezone.now()
    storage = attachment_storage()
    stored = None
    try:
        with transaction.atomic():
            _refuse_closed(_locked(owner))  # closed meanwhile: refused, nothing written
            stored = storage.save(f"{now:%Y/%m}/{uuid.uuid4().hex}", File(upload))
            return Attachment.objects.create(
                lead=owner if isinstance(owner, Lead) else None,
                application=owner if isinstance(owner, CommitmentApplication) else None,
                file=stored, name=file_name(upload.name), size=size, content_type=content_type,
                sha256=digest, description=given["description"], uploaded_by=actor, uploaded_at=now,
            )  # fmt: skip
    except BaseException:
        if stored is not None:
            storage.delete(stored)
        raise


def _refuse_closed(owner: selectors.Owner) -> None:
    if selectors.owner_is_closed(owner=owner):
        noun = _("lead") if isinstance(owner, Lead) else _("application")
        raise Conflict(
            _("This %(noun)s is closed (%(state)s): files can no longer be attached to it."),
            {"noun": noun, "state": owner.get_state_display()},
            code="closed",
        )


def _locked(owner: selectors.Owner) -> selectors.Owner:
    """The case's row, locked until the upload's row is written (a close waits, or wins before it)."""
    return type(owner)._default_manager.select_for_update().get(pk=owner.pk)


def _measure(upload: IO[bytes]) -> tuple[int, str]:
    """Size and SHA-256, read a chunk at a time and refused (413) once past ATTACHMENT_MAX_BYTES."""
    limit = settings.ATTACHMENT_MAX_BYTES
    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        digest.update(chunk)
    upload.seek(0)
    return size, digest.hexdigest()


def file_name(name: str | None) -> str:
    """The person's own file name (Chinese kept), without directories or control characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cs")).strip()
    if len(name) > 255:  # keep the extension
        stem, dot, ext = name.rpartition(".")
        name = stem[: 254 - len(ext)] + dot + ext if dot and len(ext) < 20 else name[:255]
    return name or "file"


def attachment_download(
    *, actor: Any, attachment_id: Any, now: datetime | None = None
) -> tuple[Attachment, IO]:
    """Open a visible attachment for download and record who downloaded it, when."""
    attachment = selectors.attachment_get(user=actor, attachment_id=attachment_id)
    try:
        handle = attachment_storage().open(str(attachment.file.name), "rb")
    except (FileNotFoundError, OSError) as exc:
        log.error("attachment %s: its file %s is missing from storage", attachment.pk, attachment.file.name)
        raise NotFound(_("The file is missing from storage. Tell the administrator.")) from exc
    AttachmentDownload.objects.create(attachment=attachment, user=actor, at=now or timezone.now())
    return attachment, handle


def milestone_attachments_link(*, milestone: Milestone, attachment_ids: list[int]) -> None:
    """Point the milestone at files of its lead as its evidence (report_progress)."""
    wanted = set(attachment_ids)
    if not wanted:
        return
    found = list(Attachment.objects.filter(lead_id=milestone.lead_id, pk__in=wanted))
    if len(found) != len(wanted):  # the input's check names them; this is the last guard
        raise Invalid(_("Some attachments are not files of this lead."), code="foreign_attachment")
    milestone.attachments.add(*found)


def attachments_move(*, source: Lead, target: Lead) -> int:
    """A merge of duplicates: the survivor keeps the other's files (DESIGN §3). Returns how many moved."""
    return Attachment.objects.filter(lead=source).update(lead=target)
