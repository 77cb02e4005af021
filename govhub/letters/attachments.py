"""Attachments: the type is sniffed from the bytes (filetype), never trusted from the name or
the browser; the extension must agree with what the bytes are."""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import filetype
from django.core.files.base import ContentFile

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


class AttachmentError(ValueError):
    pass


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
