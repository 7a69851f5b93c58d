"""The Starlette request adapter: Authlib's OAuth2Request over a body read beforehand.

Authlib is synchronous while Starlette reads bodies asynchronously, so the
route reads the form first and hands the adapter plain values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from authlib.oauth2.rfc6749.requests import OAuth2Payload, OAuth2Request
from starlette.requests import Request


class FormPayload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._datalist: defaultdict[str, list[str]] = defaultdict(list)
        for key, value in items:
            self._datalist[key].append(value)
        self._data = {key: values[0] for key, values in self._datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class StarletteOAuth2Request(OAuth2Request):  # type: ignore[misc]
    def __init__(
        self,
        method: str,
        uri: str,
        headers: Mapping[str, str],
        form: list[tuple[str, str]],
        query: list[tuple[str, str]] | None = None,
    ) -> None:
        # The transport check is the deployment's (TLS terminates in front of the gateway).
        self.method = method
        self.uri = uri
        self.headers = headers
        self._body = None
        self._form = dict(form)
        self._args = dict(query or [])
        self.payload = FormPayload(form if method == "POST" else (query or []))
        self.client = None
        self.auth_method = None
        self.user = None
        self.authorization_code = None
        self.refresh_token = None
        self.credential = None
        self._scope = None

    @property
    def form(self) -> dict[str, str]:
        return self._form

    @property
    def args(self) -> dict[str, str]:
        return self._args


async def from_starlette(request: Request, uri: str) -> StarletteOAuth2Request:
    """Read `request` into an OAuth2Request whose URI is `uri` (the public, issuer-based URL)."""
    form: list[tuple[str, str]] = []
    if request.method == "POST":
        data = await request.form()
        form = [(key, value) for key, value in data.multi_items() if isinstance(value, str)]
    return StarletteOAuth2Request(
        request.method, uri, request.headers, form, list(request.query_params.multi_items())
    )
