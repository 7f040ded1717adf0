"""Configuration from environment variables (the standard Bot Framework names plus POOLSTER_*).

Secrets are held as SecretStr so they never appear in logs or reprs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from bot.delivery import RetryPolicy
from survey.questionnaire import CONTENT_DIR


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in (value or "").replace(";", ",").split(",") if part.strip())


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    app_id: str = ""
    app_password: SecretStr = SecretStr("")
    app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = "MultiTenant"
    app_tenant_id: str = ""
    host: str = "127.0.0.1"
    port: int = 3978
    data_dir: Path = Path("data")
    # The questionnaire files, one per version (docs/questionnaires.md).
    content_dir: Path = CONTENT_DIR
    store: Literal["embedded", "memory", "blob"] = "embedded"
    blob_connection_string: SecretStr = SecretStr("")
    blob_container: str = "poolster"
    # Tenants whose activities are served; empty = any tenant (only sensible without an app id).
    allowed_tenants: tuple[str, ...] = ()
    # POC+ administrators: AAD object ids or e-mail addresses / UPNs.
    admins: tuple[str, ...] = ()
    # Public base URL of this bot's web server, for export download links.
    public_url: str = "http://127.0.0.1:3978"
    # Key that signs download links; a random one is made at start when empty (links die on restart).
    signing_key: SecretStr = SecretStr("")
    # Service URL used to reach people the bot has never heard from.
    default_service_url: str = "https://smba.trafficmanager.net/emea/"
    # Days before the deadline at which the bot reminds those who have not finished.
    reminder_days: tuple[int, ...] = (7, 2)
    # Create an open wave for every centre at start-up when no wave exists yet.
    default_wave: bool = True
    # Minimum seconds between two updates of the same director card (Teams allows ~1 per second).
    summary_update_interval: float = 2.0
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # Calls to Teams: how long one may take and how often it is tried before giving up.
    teams_call_timeout: float = 15.0
    teams_call_attempts: int = Field(default=6, ge=1)
    # Microsoft Graph: find registry people by e-mail and, with the app's id in the organisation's
    # catalog, install Poolster for them (docs/deploy.md). Off: people are reached as Teams allows.
    use_graph: bool = False
    catalog_app_id: str = ""
    graph_endpoint: str = "https://graph.microsoft.com/v1.0"
    # Graph requests a second for the Teams app installation calls (Microsoft publishes 30 per app and tenant).
    graph_teams_rate: float = Field(default=30.0, gt=0)
    log_level: str = "INFO"

    @field_validator("reminder_days", mode="before")
    @classmethod
    def _days(cls, value):
        if isinstance(value, str):
            return tuple(int(part) for part in _split(value))
        return value

    @model_validator(mode="after")
    def _graph_needs_a_tenant(self) -> Settings:
        if self.use_graph and self.app_id and not self.app_tenant_id:
            raise ValueError(
                "POOLSTER_GRAPH=true heeft MicrosoftAppTenantId nodig: de tenant waarin Poolster "
                "mensen opzoekt en installeert."
            )
        return self

    @property
    def graph_mode(self) -> str:
        if not self.use_graph:
            return "off"
        return "lookup and install" if self.catalog_app_id else "lookup only (no POOLSTER_CATALOG_APP_ID)"

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(attempts=self.teams_call_attempts, call_timeout=self.teams_call_timeout)

    @property
    def auth_mode(self) -> str:
        return (
            f"Bot Framework tokens ({self.app_type}, app id {self.app_id})"
            if self.app_id
            else "anonymous (no app id: local testing only)"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        values: dict[str, object] = {
            "app_id": env.get("MicrosoftAppId", ""),
            "app_password": env.get("MicrosoftAppPassword", ""),
            "app_type": env.get("MicrosoftAppType") or "MultiTenant",
            "app_tenant_id": env.get("MicrosoftAppTenantId", ""),
        }
        mapping = {
            "POOLSTER_HOST": "host",
            "POOLSTER_PORT": "port",
            "POOLSTER_DATA_DIR": "data_dir",
            "POOLSTER_CONTENT_DIR": "content_dir",
            "POOLSTER_STORE": "store",
            "POOLSTER_BLOB_CONNECTION_STRING": "blob_connection_string",
            "POOLSTER_BLOB_CONTAINER": "blob_container",
            "POOLSTER_PUBLIC_URL": "public_url",
            "POOLSTER_SIGNING_KEY": "signing_key",
            "POOLSTER_DEFAULT_SERVICE_URL": "default_service_url",
            "POOLSTER_REMINDER_DAYS": "reminder_days",
            "POOLSTER_SUMMARY_UPDATE_INTERVAL": "summary_update_interval",
            "POOLSTER_MAX_BODY_BYTES": "max_body_bytes",
            "POOLSTER_LOG_LEVEL": "log_level",
            "POOLSTER_CATALOG_APP_ID": "catalog_app_id",
            "POOLSTER_GRAPH_ENDPOINT": "graph_endpoint",
            "POOLSTER_GRAPH_TEAMS_RATE": "graph_teams_rate",
        }
        for variable, name in mapping.items():
            if env.get(variable):
                values[name] = env[variable]
        for variable, name in (("POOLSTER_DEFAULT_WAVE", "default_wave"), ("POOLSTER_GRAPH", "use_graph")):
            if env.get(variable):
                values[name] = env[variable].lower() in ("1", "true", "ja", "on")
        tenants = _split(env.get("POOLSTER_ALLOWED_TENANTS"))
        if not tenants and values["app_tenant_id"]:
            tenants = (str(values["app_tenant_id"]).lower(),)
        values["allowed_tenants"] = tenants
        values["admins"] = _split(env.get("POOLSTER_ADMINS"))
        return cls.model_validate(values)

    def bot_framework_config(self) -> object:
        """The object ConfigurationBotFrameworkAuthentication reads (APP_ID, APP_PASSWORD, ...)."""

        class _Config:
            APP_ID = self.app_id
            APP_PASSWORD = self.app_password.get_secret_value()
            APP_TYPE = self.app_type
            APP_TENANTID = self.app_tenant_id

        return _Config()

    @property
    def registry_path(self) -> Path:
        return self.data_dir / "centres.yaml"
