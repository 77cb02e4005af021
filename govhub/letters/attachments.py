"""Attachments: the type is sniffed from the bytes (filetype), never trusted from the name or
the browser; the extension must agree with what the bytes are. Stored files live in a private
storage outside MEDIA_ROOT under random names and are reached only through views that check
who is asking (``download_response``)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

from govhub.core.errors import DomainError

MAX_FILES = 5
MAX_BYTES = 10 * 1024 * 1024
ALLOWED = {
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "image/heic": {".heic"},
    "application/pdf": {".pdf"},
    "video/mp4": {".mp4"},
    "audio/mpeg": {".mp3"},
}


class AttachmentError(DomainError):
    code = "attachment"


@dataclass
class CheckedFile:
    name: str
    mime: str
    ext: str
    data: bytes


def check_files(files: Sequence) -> list[CheckedFile]:
    """Read and check every upload; raise AttachmentError with a Chinese message on the first
    one refused."""
    files = [f for f in files if f is not None]
    if len(files) > MAX_FILES:
        raise AttachmentError(f"附件最多 {MAX_FILES} 个。")
    out = []
    for f in files:
        name = os.path.basename(getattr(f, "name", "") or "附件")[:200]
        size = getattr(f, "size", None)
        if size is not None and size > MAX_BYTES:
            raise AttachmentError(
                f"附件“{name}”超过 {MAX_BYTES // 1024 // 1024} MB，请压缩后再上传。"
            )
        data = f.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise AttachmentError(
                f"附件“{name}”超过 {MAX_BYTES // 1024 // 1024} MB，请压缩后再上传。"
            )
        if not data:
            raise AttachmentError(f"附件“{name}”是空文件。")
        kind = filetype.guess(data[:8192])
        ext = os.path.splitext(name)[1].lower()
        if kind is None or kind.mime not in ALLOWED:
            raise AttachmentError(f"附件“{name}”的文件类型不允许（仅限图片、PDF、音视频）。")
        if ext not in ALLOWED[kind.mime]:
            raise AttachmentError(f"附件“{name}”的扩展名与文件实际类型（{kind.mime}）不符。")
        out.append(CheckedFile(name=name, mime=kind.mime, ext=ext, data=data))
    return out


def stored_file(checked: CheckedFile) -> ContentFile:
    """A random stored name: the citizen's file name never reaches the file system."""
    return ContentFile(checked.data, name=secrets.token_hex(12) + checked.ext)


# --- private storage and permission-checked downloads -------------------------------------


def private_root() -> str:
    """Where letter attachments live: outside MEDIA_ROOT, so no public URL reaches them.
    ``LETTERS_PRIVATE_ROOT`` (setting) or ``GOVHUB_PRIVATE_ROOT`` (environment) overrides
    ``<VAR_DIR>/private``."""
    root = getattr(settings, "LETTERS_PRIVATE_ROOT", None) or os.environ.get("GOVHUB_PRIVATE_ROOT")
    if not root:
        root = os.path.join(str(getattr(settings, "VAR_DIR", settings.MEDIA_ROOT)), "private")
    return str(root)


class PrivateStorage(FileSystemStorage):
    """File-system storage with no URL: files are served only by the checked download views."""

    @property
    def base_location(self) -> str:  # read each time, so a test's settings apply
        return private_root()

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("letter attachments have no public URL; use the download views")


def private_storage() -> PrivateStorage:
    return PrivateStorage()


def x_accel_prefix() -> str:
    """nginx internal location serving ``private_root()`` (see deploy/nginx.conf); empty:
    Django streams the file itself."""
    return getattr(settings, "LETTERS_X_ACCEL_PREFIX", None) or os.environ.get(
        "GOVHUB_PRIVATE_X_ACCEL", ""
    )


def download_response(attachment) -> HttpResponse:
    """The file as a download, never rendered inline by the browser: the type is the sniffed
    one, nosniff, a sandboxing CSP and no caching by shared caches. Missing file: 404."""
    name = attachment.file.name
    storage = attachment.file.storage
    if not name or not storage.exists(name):
        raise Http404("附件不存在")
    prefix = x_accel_prefix()
    if prefix:
        response = HttpResponse(content_type=attachment.mime)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + name.lstrip("/")
        response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    else:
        response = FileResponse(
            storage.open(name, "rb"),
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.mime,
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def staff_download(user, letter_id: int, attachment_id: int, via: str) -> HttpResponse:
    """An attachment for staff who may see its letter (PermissionDenied otherwise), audited;
    the back office and the API both serve downloads through here."""
    from govhub.core import audit
    from govhub.letters.access import get_letter_for

    letter = get_letter_for(user, letter_id)
    att = letter.attachments.filter(pk=attachment_id).first()
    if att is None:
        raise Http404("附件不存在")
    audit.record(
        actor=user,
        action="letter_attachment_downloaded",
        obj=letter,
        summary={"attachment": att.pk, "via": via},
    )
    return download_response(att)


def staff_thumbnail(user, letter_id: int, attachment_id: int) -> HttpResponse:
    """A photo shown inline on the letter's page to staff who may see the letter: seeing it is
    seeing the letter (not a download, so not audited as one). Anything but an image is 404."""
    from govhub.letters.access import get_letter_for

    letter = get_letter_for(user, letter_id)
    att = letter.attachments.filter(pk=attachment_id).first()
    if att is None or not att.is_image:
        raise Http404("附件不存在")
    name = att.file.name
    if not name or not att.file.storage.exists(name):
        raise Http404("附件不存在")
    prefix = x_accel_prefix()
    if prefix:
        response = HttpResponse(content_type=att.mime)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + name.lstrip("/")
    else:
        response = FileResponse(att.file.storage.open(name, "rb"), content_type=att.mime)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
