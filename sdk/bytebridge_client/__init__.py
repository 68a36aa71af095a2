"""The ByteBridge client API from Python: `Client` signs every call as documented, retries safely, and turns
error codes into exceptions (bytebridge_client.errors); `verify_callback` checks callbacks on your side."""

from bytebridge_client import errors, models
from bytebridge_client.client import Client
from bytebridge_client.errors import ByteBridgeError, ByteBridgeHTTPError
from bytebridge_client.signing import HMAC_SHA256, MD5, sign, verify_callback

__all__ = [
    "HMAC_SHA256",
    "MD5",
    "ByteBridgeError",
    "ByteBridgeHTTPError",
    "Client",
    "errors",
    "models",
    "sign",
    "verify_callback",
]
__version__ = "0.1.0"
