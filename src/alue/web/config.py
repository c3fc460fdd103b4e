"""Settings of the web application and of OIDC sign-in (``ALUE_WEB_*`` and ``ALUE_OIDC_*``).

The general settings (database, secret key, environment, default language) are in ``alue.settings``;
these add only what the web application needs.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALUE_WEB_", env_file=".env", extra="ignore")

    #: ``auto``: cookies are Secure when the request came over TLS (run uvicorn with --proxy-headers behind
    #: a TLS-terminating proxy); ``always`` / ``never`` force it
    secure_cookies: Literal["auto", "always", "never"] = "auto"
    #: absolute lifetime of a sign-in
    session_hours: float = 10
    #: a session unused this long ends
    idle_minutes: float = 60
    #: failed sign-ins allowed per username and per client address in the window
    throttle_per_username: int = 5
    throttle_per_ip: int = 30
    throttle_window_minutes: float = 15
    #: the area home page's headline figures are kept this long per day and set of municipalities
    #: (0 = counted on every request)
    home_figures_seconds: float = 60
    #: the largest request body taken, an uploaded file with its form included: a larger one is refused
    #: with 413 as soon as its declared length or the bytes received pass it, before it is stored. Kept
    #: above the upload limit (``alue.web.uploads.MAX_BYTES``, 10 MB) so that the import page itself says
    #: that a file a little too large is too large.
    max_body_mb: float = 11
    #: prepare the occupation coder as the application starts, on a background thread, and let no request
    #: wait for it to be built (a page that needs it meanwhile says it is being prepared, 503). ``alue
    #: serve`` turns it on; an application that a test builds leaves it off.
    prepare_coder: bool = False

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)

    @property
    def session_lifetime(self) -> dt.timedelta:
        return dt.timedelta(hours=self.session_hours)

    @property
    def idle_timeout(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.idle_minutes)


class OidcSettings(BaseSettings):
    """OpenID Connect sign-in (authorization-code flow with PKCE). Off unless an issuer is set."""

    model_config = SettingsConfigDict(env_prefix="ALUE_OIDC_", env_file=".env", extra="ignore")

    #: the issuer URL; its ``/.well-known/openid-configuration`` is read at the first sign-in
    issuer: str | None = None
    client_id: str | None = None
    #: for a confidential client (``client_secret_post``); leave empty for a public client (PKCE only)
    client_secret: SecretStr | None = None
    #: the callback URL registered at the provider; by default derived from the request
    redirect_uri: str | None = None
    scopes: str = "openid profile email"
    #: the ID-token claim matched against alue usernames at the first OIDC sign-in
    username_claim: str = "preferred_username"
    #: the sign-in button's text (e.g. the organisation's identity service)
    label: str = "Suomi.fi / Entra ID"

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)


@lru_cache(maxsize=1)
def get_web_settings() -> WebSettings:
    return WebSettings()


@lru_cache(maxsize=1)
def get_oidc_settings() -> OidcSettings:
    return OidcSettings()
