"""Where the client's credentials come from: arguments, then the environment (BYTEBRIDGE_USER_ID,
BYTEBRIDGE_SECRET_KEY, BYTEBRIDGE_BASE_URL), then a config file (BYTEBRIDGE_CONFIG, default
~/.config/bytebridge/config.yaml) with `user_id`, `secret_key`, `base_url`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_BASE_URL = "http://127.0.0.1:20000"
DEFAULT_CONFIG = Path("~/.config/bytebridge/config.yaml")


@dataclass(frozen=True)
class Credentials:
    user_id: str
    secret_key: str
    base_url: str

    def __repr__(self) -> str:  # the secret never lands in a log or a traceback
        return f"Credentials(user_id={self.user_id!r}, secret_key='***', base_url={self.base_url!r})"


def _file_values() -> dict:
    path = Path(os.environ.get("BYTEBRIDGE_CONFIG", str(DEFAULT_CONFIG))).expanduser()
    if not path.is_file():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(loaded, dict):
        raise ValueError(f"{path}: expected a mapping with user_id, secret_key and base_url")
    return loaded


def resolve(user_id: str | None, secret_key: str | None, base_url: str | None) -> Credentials:
    found = _file_values()
    user = user_id or os.environ.get("BYTEBRIDGE_USER_ID") or found.get("user_id")
    secret = secret_key or os.environ.get("BYTEBRIDGE_SECRET_KEY") or found.get("secret_key")
    url = base_url or os.environ.get("BYTEBRIDGE_BASE_URL") or found.get("base_url") or DEFAULT_BASE_URL
    if not user or not secret:
        raise ValueError(
            "no credentials: pass user_id and secret_key, set BYTEBRIDGE_USER_ID and BYTEBRIDGE_SECRET_KEY, "
            f"or write them to {DEFAULT_CONFIG}"
        )
    return Credentials(str(user), str(secret), str(url).rstrip("/"))
