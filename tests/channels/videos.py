"""Small real videos for tests, encoded with PyAV (no file leaves the test)."""

from __future__ import annotations

import io

import av
import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile


def mp4_bytes(seconds: int = 2, fps: int = 5) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as c:
        s = c.add_stream("mpeg4", rate=fps)
        s.width, s.height, s.pix_fmt = 72, 128, "yuv420p"
        for i in range(seconds * fps):
            frame = np.full((128, 72, 3), (i * 9) % 255, dtype=np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return buf.getvalue()


def mp4_upload(name: str = "发布会.mp4", seconds: int = 2) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, mp4_bytes(seconds), content_type="video/mp4")
