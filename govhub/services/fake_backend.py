"""Fake department backends for the demo and the tests (公积金中心, 信件办理系统).

Served by the demo itself under /services/fake-backend/ and only outside production: they
answer like the real systems would (JSON over POST, API key or HMAC signature checked) from
numbers derived from what was asked, so any valid ID number has a plausible account.
"""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from govhub.channels.query_backend import verify_signature

GJJ_KEY = "demo-gjj-key"  # demo only: the fake 公积金中心's API key
LETTERS_SECRET = "demo-letters-secret"  # demo only: the fake letter system's HMAC secret


def _seed(value: str) -> int:
    return int(hashlib.sha256(value.encode()).hexdigest()[:12], 16)


def _gjj(params: dict) -> dict:
    idno = str(params.get("idcard", ""))
    seed = _seed(idno)
    if seed % 5 == 0:
        return {"code": 0, "data": None, "message": "无缴存记录"}
    monthly = 300 + seed % 2400
    months = 12 + seed % 96
    return {
        "code": 0,
        "data": {
            "account": f"6{seed % 10**10:010d}"[:8] + "****",
            "status": "正常缴存" if seed % 3 else "封存",
            "balance": round(monthly * months * 0.62, 2),
            "monthly": monthly,
            "paid_until": f"2026年{1 + seed % 11}月",
            "employer": ["示范县第一中学", "示范县人民医院", "示范县农商银行", "县供电公司"][
                seed % 4
            ],
        },
    }


def _letters(params: dict) -> dict:
    code = str(params.get("code", "")).upper()
    seed = _seed(code)
    if seed % 4 == 0:
        return {"result": {}}
    stages = ["已受理", "已转办至承办单位", "承办单位办理中", "已答复"]
    stage = stages[seed % 4]
    return {
        "result": {
            "stage": stage,
            "department": ["县人力资源和社会保障局", "县住房和城乡建设局", "城关镇"][seed % 3],
            "due": f"2026-12-{10 + seed % 18:02d}",
            "reply": "已答复，请登录县长信箱查看答复全文。" if stage == "已答复" else "",
        }
    }


@csrf_exempt
@require_http_methods(["POST"])
def answer(request: HttpRequest, name: str) -> JsonResponse:
    if getattr(settings, "MODE", "production") == "production":
        raise Http404("not here in production")
    try:
        params = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "bad json"}, status=400)
    if name == "gjj":
        if request.headers.get("X-Api-Key") != GJJ_KEY:
            return JsonResponse({"error": "unauthorised"}, status=401)
        return JsonResponse(_gjj(params))
    if name == "letters":
        ok = verify_signature(
            LETTERS_SECRET, "POST", request.path, dict(request.headers), request.body
        )
        if not ok:
            return JsonResponse({"error": "bad signature"}, status=401)
        return JsonResponse(_letters(params))
    raise Http404("unknown backend")
