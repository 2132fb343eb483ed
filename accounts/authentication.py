"""The API's token authentication: service accounts only, hashed keys, expiry, scope, logged.

`Authorization: Token <key>` (or `Bearer <key>`). A token that does not authenticate is a 401;
a write outside its scope a 403; every use and every refusal is in the security log
(accounts.services.api_token_use). People use the API through their session.
"""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from . import services

KEYWORDS = (b"token", b"bearer")


class ServiceTokenAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(services.TOKEN_INVALID)
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(services.TOKEN_INVALID) from exc
        match = getattr(request._request, "resolver_match", None)
        return services.api_token_use(
            key=key,
            request=request._request,
            method=request.method or "GET",
            endpoint=match.url_name if match else None,
        )

    def authenticate_header(self, request: Request) -> str:
        return "Token"
