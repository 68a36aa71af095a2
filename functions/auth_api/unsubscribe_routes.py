"""GET / POST /auth/v1/unsubscribe?token=…: the unsubscribe link of non-essential notices (PM messages, trial
dispute answers). GET is the link a person follows (an HTML page answers); POST is the one-click unsubscribe mail
clients send for the List-Unsubscribe-Post header (RFC 8058). Both turn the account's non-essential notices off;
essential ones still arrive. Public (no authorizer): the token is the proof, an HMAC only KMS can make.

Included by the auth API's resolver (functions/auth_api/handler.py: app.include_router(unsubscribe_routes.router)).
"""

import html
import json

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.delivery.notices import InvalidToken, unsubscribe
from bytebridge.observability import logger

PATH = "/auth/v1/unsubscribe"
router = Router()

_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ByteBridge</title></head>
<body style="font-family: Arial, 'PingFang SC', sans-serif; max-width: 40em; margin: 3em auto">
<p>{en}</p><p>{zh}</p>
</body></html>
"""
_DONE = (
    "You are unsubscribed from ByteBridge's optional e-mails (messages, dispute answers). Mails about your account, "
    "reviews, project status, results and stored files still arrive. Turn them back on in your account settings.",
    "您已退订 ByteBridge 的非必要邮件(消息、问题回复)。有关账号、审核、项目状态、结果和存储文件的邮件仍会发送。"
    "可在账号设置中重新开启。",
)
_INVALID = ("This unsubscribe link is not valid.", "此退订链接无效。")


def _token() -> str:
    return router.current_event.get_query_string_value("token") or ""


def _page(status: int, texts: tuple[str, str]) -> Response:
    body = _PAGE.format(en=html.escape(texts[0]), zh=html.escape(texts[1]))
    return Response(status_code=status, content_type="text/html; charset=utf-8", body=body)


@router.get(PATH, include_in_schema=False)
def unsubscribe_page():  # no return annotation: the validating resolver would build a schema of Response
    try:
        user_id = unsubscribe(_token())
    except InvalidToken:
        return _page(400, _INVALID)
    logger.info("unsubscribed", extra={"userId": user_id})
    return _page(200, _DONE)


@router.post(PATH, include_in_schema=False)
def unsubscribe_one_click():
    try:
        user_id = unsubscribe(_token())
    except InvalidToken:
        body = {"error": {"code": "invalid_token", "message": _INVALID[0]}}
        return Response(status_code=400, content_type=content_types.APPLICATION_JSON, body=json.dumps(body))
    logger.info("unsubscribed", extra={"userId": user_id})
    return Response(
        status_code=200, content_type=content_types.APPLICATION_JSON, body=json.dumps({"unsubscribed": True})
    )
