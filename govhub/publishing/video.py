"""A piece's video (短视频) for 抖音 and 视频号: attach, replace, remove.

The file is probed with PyAV (FFmpeg's libraries) on upload: a file that is not a video is
refused with a Chinese message, and its duration, size, resolution and format are kept so every
short-video channel's limits show up among the piece's checks before review."""

from __future__ import annotations

import av
from django.db import transaction

from govhub.core import audit
from govhub.core.permissions import require
from govhub.publishing.models import Publication, PublicationVideo, PubStatus

MAX_UPLOAD_BYTES = 4 * 1024**3
CONTAINERS = {"webm": "webm", "matroska": "webm"}
EDITABLE = {PubStatus.DRAFT, PubStatus.SENT_BACK}


class VideoError(Exception):
    """A refused video; ``message`` is Chinese and shown beside the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def probe(fh) -> dict:
    """Duration (s), resolution and container of a video file; raises VideoError otherwise."""
    try:
        with av.open(fh) as c:
            streams = c.streams.video
            if not streams:
                raise VideoError("文件中没有视频画面，请上传视频文件")
            v = streams[0]
            seconds = float(c.duration / av.time_base) if c.duration else 0.0
            names = c.format.name.split(",")  # e.g. "mov,mp4,m4a,3gp,3g2,mj2" for MP4 and MOV
            if "mp4" in names:
                mov = getattr(fh, "name", "").lower().endswith(".mov")
                container = "mov" if mov else "mp4"
            else:
                container = next((CONTAINERS[n] for n in names if n in CONTAINERS), names[0])
            return {
                "duration": round(seconds, 2),
                "width": int(v.width or 0),
                "height": int(v.height or 0),
                "container": container[:16],
            }
    except VideoError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder error means "not a video we can read"
        raise VideoError("无法识别该视频文件，请上传 MP4 格式的视频") from exc


def attach_video(user, pub: Publication, uploaded, caption: str = "") -> PublicationVideo:
    """Attach (or replace) the piece's video, while it can still be edited."""
    require(user, "edit_content", pub)
    if pub.status not in EDITABLE:
        raise VideoError("只有草稿或退回修改的稿件可以更换视频")
    size = getattr(uploaded, "size", 0) or 0
    if size > MAX_UPLOAD_BYTES:
        raise VideoError("视频超过 4GB，无法上传")
    facts = probe(uploaded)
    uploaded.seek(0)
    with transaction.atomic():
        video = PublicationVideo.objects.filter(publication=pub).first() or PublicationVideo(
            publication=pub
        )
        old = video.file.name if video.pk else ""
        video.file = uploaded
        video.caption = (caption or "").strip()[:2000]
        video.size = size
        for k, v in facts.items():
            setattr(video, k, v)
        video.save()
        audit.record(
            actor=user,
            action="publication_video_attached",
            obj=pub,
            summary={"seconds": facts["duration"], "bytes": size, "format": facts["container"]},
        )
        if old and old != video.file.name:
            storage = video.file.storage
            transaction.on_commit(lambda: storage.delete(old))
    return video


def set_caption(user, pub: Publication, caption: str) -> PublicationVideo:
    require(user, "edit_content", pub)
    if pub.status not in EDITABLE:
        raise VideoError("只有草稿或退回修改的稿件可以修改视频文案")
    with transaction.atomic():
        video = PublicationVideo.objects.select_for_update().get(publication=pub)
        video.caption = (caption or "").strip()[:2000]
        video.save(update_fields=["caption", "uploaded_at"])
        audit.record(actor=user, action="publication_video_caption", obj=pub, summary={})
    return video


def remove_video(user, pub: Publication) -> None:
    require(user, "edit_content", pub)
    if pub.status not in EDITABLE:
        raise VideoError("只有草稿或退回修改的稿件可以删除视频")
    with transaction.atomic():
        video = PublicationVideo.objects.filter(publication=pub).first()
        if video is None:
            return
        name, storage = video.file.name, video.file.storage
        video.delete()
        audit.record(actor=user, action="publication_video_removed", obj=pub, summary={})
        transaction.on_commit(lambda: storage.delete(name))
