"""Media Upload section: image post-policy credentials and pre-signed video upload URLs."""

from __future__ import annotations

from typing import Any

from trustoo_mock.domain import media
from trustoo_mock.server.api.call import Call, Handler


def get_image_upload_policy_token(call: Call) -> dict[str, Any]:
    host = media.storage_base(call.base_url)
    return media.image_credentials(call.ctx, call.caller.shop_id, host)


def get_video_upload_url(call: Call) -> dict[str, Any]:
    return media.video_upload(
        call.ctx,
        call.caller.shop_id,
        media.storage_base(call.base_url),
        call.query.get("filename"),
        call.query.get("content_type"),
    )


HANDLERS: dict[str, Handler] = {
    "get_image_upload_policy_token": get_image_upload_policy_token,
    "get_video_upload_url": get_video_upload_url,
}
