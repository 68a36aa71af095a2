"""GET /auth/v1/invoice?token=…: the link of the invoice mail. Public (no authorizer): the token is the proof, an
HMAC only KMS can make; it answers a redirect to a fresh short-lived presigned link of the invoice's PDF (a
presigned link in the mail itself would have expired before it is read).

Included by the auth API's resolver (functions/auth_api/handler.py)."""

import html

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from bytebridge.billing.invoices import DOWNLOAD_PATH, InvalidLink, pdf_url_for_token

router = Router()


@router.get(DOWNLOAD_PATH, include_in_schema=False)
def invoice_download():  # no return annotation: the validating resolver would build a schema of Response
    try:
        url = pdf_url_for_token(router.current_event.get_query_string_value("token") or "")
    except InvalidLink:
        body = f"<!DOCTYPE html><p>{html.escape('This invoice link is not valid.')}</p><p>此发票链接无效。</p>"
        return Response(status_code=400, content_type="text/html; charset=utf-8", body=body)
    return Response(status_code=302, content_type="text/plain", body="", headers={"Location": url})
