"""Back office: a piece's video for 抖音 and 视频号 (upload, replace, caption, remove). Kept apart
from the piece's main form so the editor's text form stays small; the checks and the channel
previews on the piece's page show what each platform will get."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from govhub.publishing import video
from govhub.publishing.admin_views import _get
from govhub.publishing.models import Publication, PublicationVideo


class VideoForm(forms.Form):
    file = forms.FileField(
        label="视频文件",
        required=False,
        help_text="MP4 为宜；抖音限 15 分钟、4GB 以内。留空表示只修改文案。",
        widget=forms.ClearableFileInput(attrs={"accept": "video/mp4,video/webm,video/quicktime"}),
    )
    caption = forms.CharField(
        label="视频文案",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="抖音、视频号的文字，可带 #话题#；第一行作标题（抖音显示前 30 字）；留空时用稿件标题。",
    )


def context_for(pub: Publication) -> dict:
    v = PublicationVideo.objects.filter(publication=pub).first()
    return {"pub_video": v, "pub_video_mb": f"{v.size / 1048576:.1f}" if v else ""}


def video_edit(request, pk: int):
    pub = _get(request.user, pk)
    current = PublicationVideo.objects.filter(publication=pub).first()
    if request.method == "POST":
        form = VideoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                if request.POST.get("remove"):
                    video.remove_video(request.user, pub)
                    messages.success(request, "已删除视频")
                elif form.cleaned_data["file"]:
                    video.attach_video(
                        request.user, pub, form.cleaned_data["file"], form.cleaned_data["caption"]
                    )
                    messages.success(request, "视频已上传")
                elif current is not None:
                    video.set_caption(request.user, pub, form.cleaned_data["caption"])
                    messages.success(request, "视频文案已保存")
                else:
                    form.add_error("file", "请选择视频文件")
                    raise video.VideoError("")
            except video.VideoError as exc:
                if exc.message:
                    form.add_error("file", exc.message)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or "无权操作")
            else:
                return redirect("publishing_admin:detail", pk=pub.pk)
    else:
        form = VideoForm(initial={"caption": current.caption if current else ""})
    return render(
        request,
        "publishing/admin/video.html",
        {"pub": pub, "form": form, "current": current, **context_for(pub)},
    )
