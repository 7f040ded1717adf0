"""The shared store: Azure Blob Storage, for several bot instances behind a load balancer.

One blob per key in one container: the blob's name is the key (keys are already URL-safe,
"kind/part/part" with percent-quoted parts), its body the item as JSON, and the item's `e_tag` is
the blob's ETag. Azure checks the e_tag on the server, so optimistic concurrency holds across
processes and machines:

* e_tag missing or "*"  -> unconditional upload (last writer wins);
* MUST_NOT_EXIST        -> upload with If-None-Match: * (fails when the blob exists);
* any other e_tag       -> upload with If-Match: <etag> (fails when someone wrote since the read);

and a failed precondition (412, or 409 BlobAlreadyExists) raises `EtagConflict`, which
`Repository.update` answers by re-running the change on fresh data.

One exception to name = key keeps names faithful: a "." that ends a part (a part "." or "..",
which URLs collapse, or "x.", which Azure advises against) is stored as "%2E" and turned back
when listing; `make_key` never produces "%2E" itself, and a key that holds "%2E" or a backslash
(Azure reads it as "/") is refused with ValueError.

A write of several keys is NOT atomic here (Blob Storage has no multi-blob transaction): the keys
are written concurrently, each under its own condition, and when one fails the others may have
been written. The embedded store is all-or-nothing; the app never relies on either, because it
writes one key per update.

The async SDK (`azure.storage.blob.aio`, on aiohttp) is the maintained one; botbuilder-azure's
BlobStorage pins a 2021 version. Tests run against Azurite (tests/support/azurite.py).
The connection string holds the account key: it is never logged, and errors name the account and
container only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid

from azure.core import MatchConditions
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.storage.blob import ContentSettings
from azure.storage.blob.aio import BlobServiceClient, ContainerClient, LinearRetry

from storage.base import (
    MUST_NOT_EXIST,
    DocumentStore,
    EtagConflict,
    expected_etag,
    from_document,
    item_fields,
    require_changes,
    require_keys,
    to_document,
)

log = logging.getLogger("poolster.storage.blob")

# Reads of many keys run concurrently, this many at a time per call.
READ_CONCURRENCY = 32
# Writes and deletes of several keys likewise.
WRITE_CONCURRENCY = 32
# Blobs under this prefix are the store's own (health probes), never the app's keys.
PROBE_PREFIX = "_poolster-probe/"
HEALTH_TIMEOUT = 10.0
JSON = ContentSettings(content_type="application/json; charset=utf-8")


def _client_options() -> dict:
    """Short time-outs and quick retries: a turn waits on the store (the SDK's default retries alone wait 15 s+)."""
    return {
        "connection_timeout": 5,
        "read_timeout": 20,
        # The SDK annotates seconds as int but sleeps any float: half a second, not a whole one.
        "retry_policy": LinearRetry(backoff=0.5, random_jitter_range=0.3, retry_total=3),  # type: ignore[arg-type]
    }


def _quiet_sdk_logs() -> None:
    # The SDK logs every request and response at INFO (URL and headers); the app logs at INFO.
    logging.getLogger("azure.core.pipeline.policies.http_logging_policy").setLevel(logging.WARNING)
    logging.getLogger("azure.storage").setLevel(logging.WARNING)


def _escape_part(part: str) -> str:
    return part[:-1] + "%2E" if part.endswith(".") else part


def blob_name(key: str) -> str:
    """The blob's name for a key: the key, with a "." that ends a part written as "%2E"."""
    if not key or "\\" in key or "%2e" in key.lower() or key.startswith(PROBE_PREFIX):
        raise ValueError(f"key {key!r} cannot be stored as a blob name")
    name = "/".join(_escape_part(part) for part in key.split("/"))
    if len(name) > 1024:
        raise ValueError(f"key {key[:60]!r}... is longer than a blob name may be (1,024 characters)")
    return name


def key_of(name: str) -> str:
    """The key a blob name stands for (blob_name reversed)."""
    return "/".join(part[:-3] + "." if part.endswith("%2E") else part for part in name.split("/"))


def _reason(error: BaseException) -> str:
    """What went wrong, safe to log or show: the error type and the service's error code only."""
    code = getattr(error, "error_code", None)
    return f"{type(error).__name__}{f' ({code})' if code else ''}"


class BlobStore(DocumentStore):
    shared = True  # every bot instance behind the load balancer uses the same container

    def __init__(self, service: BlobServiceClient, container: ContainerClient):
        self._service = service
        self._container = container

    @classmethod
    async def open(cls, connection_string: str, container: str = "poolster") -> BlobStore:
        """Connect and create the container when it does not exist yet.

        Raises ValueError (the app prints it and stops) when the configuration is missing or wrong
        or the service cannot be reached; the message never contains the connection string.
        """
        if not connection_string:
            raise ValueError(
                "POOLSTER_STORE=blob heeft POOLSTER_BLOB_CONNECTION_STRING nodig "
                "(de verbindingsreeks van het Azure Storage-account)."
            )
        _quiet_sdk_logs()
        try:
            service = BlobServiceClient.from_connection_string(connection_string, **_client_options())
        except (ValueError, AzureError):
            raise ValueError(
                "POOLSTER_BLOB_CONNECTION_STRING is geen geldige Azure Storage-verbindingsreeks."
            ) from None
        store = cls(service, service.get_container_client(container))
        try:
            # exists() first: a SAS for the container alone may not create containers.
            if not await store._container.exists():
                await store._container.create_container()
        except ResourceExistsError:
            pass  # another instance created it a moment ago
        except (TimeoutError, AzureError, OSError) as error:
            await store.close()
            raise ValueError(f"De Azure Blob-opslag ({store.where}) is niet bruikbaar: {_reason(error)}.") from None
        return store

    # ----- Storage interface ------------------------------------------------------------------

    async def read(self, keys: list[str]) -> dict[str, object]:
        require_keys(keys)
        unique = list(dict.fromkeys(keys))
        if not unique:
            return {}
        limit = asyncio.Semaphore(READ_CONCURRENCY)

        async def one(key: str) -> tuple[str, dict | None]:
            async with limit:
                try:
                    downloader = await self._container.download_blob(blob_name(key))
                    body = await downloader.readall()
                except ResourceNotFoundError:
                    return key, None
            return key, {**from_document(json.loads(body)), "e_tag": downloader.properties.etag}

        found = await asyncio.gather(*(one(key) for key in unique))
        return {key: item for key, item in found if item is not None}

    async def write(self, changes: dict[str, object]) -> None:
        """Write every key under its own e_tag condition; not atomic across keys (see the module doc)."""
        require_changes(changes)
        if not changes:
            return
        limit = asyncio.Semaphore(WRITE_CONCURRENCY)

        async def one(key: str, value: object) -> None:
            async with limit:
                await self._write_one(key, expected_etag(value), to_document(item_fields(value)))

        outcomes = await asyncio.gather(*(one(key, value) for key, value in changes.items()), return_exceptions=True)
        # Every write has finished (or failed) by now: report the first failure, conflicts first.
        errors = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if errors:
            raise next((e for e in errors if isinstance(e, EtagConflict)), errors[0])

    async def _write_one(self, key: str, expected: str | None, document: dict) -> None:
        body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if expected in (None, "*"):
            conditions: dict = {}
        elif expected == MUST_NOT_EXIST:
            conditions = {"match_condition": MatchConditions.IfMissing}  # If-None-Match: *
        else:
            conditions = {"etag": expected, "match_condition": MatchConditions.IfNotModified}  # If-Match
        try:
            await self._container.upload_blob(blob_name(key), body, overwrite=True, content_settings=JSON, **conditions)
        except (ResourceModifiedError, ResourceExistsError) as error:
            raise EtagConflict(f"{key}: stored item changed ({_reason(error)})") from None
        except ResourceNotFoundError as error:
            if conditions and getattr(error, "error_code", None) != "ContainerNotFound":
                # If-Match on a blob deleted since it was read.
                raise EtagConflict(f"{key}: stored item is gone ({_reason(error)})") from None
            raise
        except HttpResponseError as error:
            if error.status_code in (409, 412) and conditions:
                raise EtagConflict(f"{key}: stored item changed ({_reason(error)})") from None
            raise

    async def delete(self, keys: list[str]) -> None:
        limit = asyncio.Semaphore(WRITE_CONCURRENCY)

        async def one(key: str) -> None:
            async with limit:
                with contextlib.suppress(ResourceNotFoundError):
                    await self._container.delete_blob(blob_name(key))

        await asyncio.gather(*(one(key) for key in dict.fromkeys(keys)))

    # ----- DocumentStore extras ------------------------------------------------------------------

    async def keys_with_prefix(self, prefix: str) -> list[str]:
        # Whole parts of the prefix are named as in blob_name; of the last, unfinished part only what
        # precedes its trailing dots is certain ("a." may be stored as "a%2E" or begin "a.b").
        *whole, last = prefix.split("/")
        listing = "/".join([*(_escape_part(part) for part in whole), last.rstrip(".")])
        names = [name async for name in self._container.list_blob_names(name_starts_with=listing or None)]
        keys = (key_of(name) for name in names if not name.startswith(PROBE_PREFIX))
        return sorted(key for key in keys if key.startswith(prefix))

    async def check_writable(self) -> bool:
        probe = f"{PROBE_PREFIX}{uuid.uuid4().hex}"

        async def write_and_delete() -> None:
            await self._container.upload_blob(probe, b"ok", overwrite=True)
            await self._container.delete_blob(probe)

        try:
            await asyncio.wait_for(write_and_delete(), HEALTH_TIMEOUT)
            return True
        except (TimeoutError, AzureError, OSError) as error:
            log.warning("blob store not writable", extra={"reason": _reason(error)})
            return False

    async def close(self) -> None:
        await self._container.close()
        await self._service.close()

    @property
    def where(self) -> str:
        # Scheme and host only: the client's url may carry a SAS token, the connection string a key.
        return (
            f"account {self._service.account_name} at {self._service.scheme}://{self._service.primary_hostname}, "
            f"container {self._container.container_name}"
        )

    def describe(self) -> str:
        return f"Azure Blob Storage ({self.where}; shared by every instance)"
