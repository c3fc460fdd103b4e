"""Runtime settings, read from ``ALUE_*`` environment variables (or a ``.env`` file)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALUE_", env_file=".env", extra="ignore")

    #: SQLAlchemy URL. SQLite for development and the demo; PostgreSQL (psycopg 3) in production:
    #: ``postgresql+psycopg://user@host:5432/alue``.
    database_url: str = "sqlite:///./alue.db"
    #: Directory holding the public reference data (ESCO, municipalities, statistics).
    data_dir: Path = Field(default_factory=lambda: REPO_ROOT.parent / "shared" / "data")
    #: Which employment area to run: the name of a file in ``alue/area/areas`` or a path to one.
    area: str = "satakunta"
    #: ``development`` allows the generated demo secret; ``production`` refuses to start without one.
    environment: str = "development"
    #: Signs session cookies and CSRF tokens. No working default in production.
    secret_key: SecretStr | None = None
    #: Default user-interface language.
    default_locale: str = "fi"

    def require_secret(self) -> str:
        if self.secret_key is not None and len(self.secret_key.get_secret_value()) >= 32:
            return self.secret_key.get_secret_value()
        if self.environment == "production":
            raise RuntimeError("ALUE_SECRET_KEY (at least 32 characters) must be set in production")
        return "development-only-secret-not-for-production-use-0000"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
