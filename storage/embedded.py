"""The embedded default store: TinyDB files in the data folder, with a flat cost per operation.

TinyDB as shipped re-reads and rewrites its whole file on every operation (about 330 ms per write
at 10,000 two-kilobyte documents), has no atomic write and no locking. This store keeps TinyDB as
the document format but bounds the work per operation:

- Keys are hashed into partitions (1,024 by default), one TinyDB file each, so a write rewrites one
  small file (about 10 documents at 10,000), not the whole store.
- A key -> partition index lives in memory, built at start-up; reads never scan. Parsed partitions
  are kept in a bounded LRU cache, so memory stays bounded however large the store grows.
- Every file write is atomic: serialize to a temporary file in the same folder, flush, fsync,
  os.replace, fsync the folder. A crash (even kill -9) leaves the old or the new file, never half.
- All file work runs in worker threads (asyncio.to_thread), never on the event loop; a lock per
  partition serialises writers inside the process, and an exclusive flock on the store folder
  itself (not on a lock file, which could be deleted while the bot runs) keeps a second process out.
- Every partition is read and checked when the store opens, and again whenever it is loaded: a
  file that is empty, cut short, not JSON or not of the shape written here (`{}` and `null`
  included) raises CorruptStore, which names the file and says how to restore a backup. A damaged
  file is never read as an empty one.
- e_tags as in botbuilder's stores: every write gets a new e_tag; a write that carries an e_tag
  (other than "*") must match the stored one, or the whole batch is refused with EtagConflict.
"""

from __future__ import annotations

import asyncio
import bisect
import fcntl
import hashlib
import json
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from contextlib import ExitStack
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import Storage as TinyStorage
from tinydb.table import Document

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

TABLE = "items"


class StoreLocked(Exception):
    """Another process uses this data folder."""


class CorruptStore(Exception):
    """A partition file cannot be read or does not hold what this store writes; nothing is silently dropped."""

    def __init__(self, path: Path, problem: str):
        super().__init__(
            f"Het opslagbestand {path} is beschadigd ({problem}). Zonder dat bestand zouden er antwoorden "
            "ontbreken. Zet de laatste goede back-up terug met `python -m app restore <map van de back-up>` "
            "(gemaakt met `python -m app backup`) en start de bot opnieuw."
        )
        self.path = path


def _checked_partition(path: Path, data: object) -> dict:
    """The parsed file if it has the shape this store writes: {"items": {"<doc id>": {key, value, e_tag}}}."""
    if not isinstance(data, dict) or set(data) != {TABLE} or not isinstance(data[TABLE], dict):
        raise CorruptStore(path, "de inhoud heeft niet de vorm van een opslagbestand van Poolster")
    for doc_id, document in data[TABLE].items():
        if (
            not doc_id.isdigit()
            or not isinstance(document, dict)
            or not isinstance(document.get("key"), str)
            or not isinstance(document.get("value"), dict)
            or not isinstance(document.get("e_tag"), str)
        ):
            raise CorruptStore(path, f"document ‘{doc_id[:20]}’ is onvolledig of van de verkeerde vorm")
    return data


class _FolderSync:
    """Makes renames into one folder durable with as few fsyncs of the folder as possible.

    Group commit: a writer takes a ticket after its rename; an fsync of the folder covers every ticket
    issued before it began, so writers that queued behind one return without an fsync of their own.
    Under concurrent writes this turns one folder fsync per write (which the file system serialises)
    into one per group.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self._ticket_lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._issued = 0
        self._covered = 0

    def after_rename(self) -> None:
        with self._ticket_lock:
            self._issued += 1
            ticket = self._issued
        with self._sync_lock:
            if self._covered >= ticket:
                return
            with self._ticket_lock:
                through = self._issued
            directory = os.open(self.folder, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
            self._covered = through


class _PartitionFile(TinyStorage):
    """TinyDB storage for one partition: read once, written atomically, never re-read."""

    def __init__(self, path: Path, folder_sync: _FolderSync | None):
        self.path = path
        self.folder_sync = folder_sync  # None: no fsync (tests that need speed, never the bot)
        self._data: dict | None = None

    def read(self) -> dict | None:
        if self._data is None:
            if not self.path.exists():
                return None
            try:
                text = self.path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                raise CorruptStore(self.path, "het is geen UTF-8-tekst") from None
            except OSError:
                raise CorruptStore(
                    self.path, "het kan niet gelezen worden: is het een map, of mag Poolster het niet lezen?"
                ) from None
            if not text.strip():
                raise CorruptStore(self.path, "het is leeg")
            try:
                parsed = json.loads(text)
            except ValueError:
                raise CorruptStore(self.path, "het is onvolledig of geen JSON") from None
            except RecursionError:
                raise CorruptStore(self.path, "het is geen opslagbestand van Poolster") from None
            self._data = _checked_partition(self.path, parsed)
        return self._data

    def write(self, data: dict) -> None:
        temporary = self.path.with_name(f"{self.path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                # dumps, not dump: json.dump streams through the pure-Python encoder, which holds the
                # GIL (and so the event loop) for milliseconds per partition write (profile in
                # docs/benchmarks.md); the C encoder writes the same bytes.
                handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
                handle.flush()
                if self.folder_sync:
                    os.fsync(handle.fileno())
            os.replace(temporary, self.path)
            if self.folder_sync:
                self.folder_sync.after_rename()
        except BaseException:
            # TinyDB changed the dict it read before calling write: forget it, the file is the truth.
            self._data = None
            temporary.unlink(missing_ok=True)
            raise
        self._data = data


class _Partition:
    def __init__(self, path: Path, folder_sync: _FolderSync | None):
        self.path = path
        self.lock = threading.Lock()
        self.folder_sync = folder_sync
        self._db: TinyDB | None = None

    @property
    def table(self):
        if self._db is None:
            self._db = TinyDB(storage=_PartitionFile, path=self.path, folder_sync=self.folder_sync)
        return self._db.table(TABLE, cache_size=0)

    def unload(self) -> None:
        self._db = None


class EmbeddedStorage(DocumentStore):
    def __init__(self, data_dir: Path, partitions: int = 1024, fsync: bool = True, cached_partitions: int = 256):
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / "store"
        self.partition_count = partitions
        self.cached_partitions = cached_partitions
        folder_sync = _FolderSync(self.folder) if fsync else None
        self._partitions = [_Partition(self.folder / f"p-{n:03d}.json", folder_sync) for n in range(partitions)]
        # key -> (partition number, TinyDB doc id), and the same keys sorted for prefix queries
        self._index: dict[str, tuple[int, int]] = {}
        self._sorted_keys: list[str] = []
        self._loaded: OrderedDict[int, None] = OrderedDict()
        self._lru_lock = threading.Lock()
        self._lock_fd: int | None = None

    @classmethod
    async def open(cls, data_dir: Path, partitions: int = 1024, fsync: bool = True) -> EmbeddedStorage:
        store = cls(data_dir, partitions, fsync)
        await asyncio.to_thread(store._open)
        return store

    # ----- start-up -------------------------------------------------------------------------

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock()
        try:
            for leftover in self.folder.glob("*.tmp-*"):
                leftover.unlink(missing_ok=True)
            self._build_index()
        except BaseException:
            self._release()
            raise

    def _lock(self) -> None:
        # The lock is on the store folder itself: a lock file can be deleted while the bot runs (and a
        # second process would then lock a new one), the folder it locks cannot without losing the store.
        folder = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            os.close(folder)
            owner = self._owner()
            raise StoreLocked(
                f"De datamap {self.data_dir} is al in gebruik door een ander Poolster-proces (pid {owner}). "
                f"Stop dat proces eerst. / The data folder is in use by another process."
            ) from error
        self._lock_fd = folder
        # Who holds the lock, for the message above (informational only).
        (self.folder / ".lock").write_text(str(os.getpid()), encoding="utf-8")

    def _owner(self) -> str:
        try:
            return (self.folder / ".lock").read_text(encoding="utf-8").strip() or "?"
        except OSError:
            return "?"

    def _build_index(self) -> None:
        """Read every partition once: each must be whole and of this store's shape, each key in one place only."""
        ours = {partition.path.name for partition in self._partitions}
        for path in sorted(self.folder.glob("p-*.json")):
            if path.name not in ours:
                # Its keys would never be read: refuse rather than start without them.
                raise CorruptStore(path, f"het hoort niet bij een opslag met {self.partition_count} partities")
        for number, partition in enumerate(self._partitions):
            if not partition.path.exists():
                continue
            for document in partition.table.all():
                seen = self._index.get(document["key"])
                if seen is not None:
                    raise CorruptStore(
                        partition.path, f"het bevat een sleutel die ook in {self._partitions[seen[0]].path.name} staat"
                    )
                self._index[document["key"]] = (number, document.doc_id)
            partition.unload()
        self._sorted_keys = sorted(self._index)

    async def close(self) -> None:
        if self._lock_fd is not None:
            await asyncio.to_thread(self._release)

    def _release(self) -> None:
        if self._lock_fd is None:
            return
        fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        os.close(self._lock_fd)
        self._lock_fd = None

    def describe(self) -> str:
        return f"embedded TinyDB store in {self.folder} ({self.partition_count} partitions)"

    # ----- helpers ----------------------------------------------------------------------------

    def _partition_of(self, key: str) -> int:
        digest = hashlib.blake2b(key.encode("utf-8"), digest_size=4).digest()
        return int.from_bytes(digest, "big") % self.partition_count

    def _touch(self, number: int) -> None:
        """Keep at most `cached_partitions` partitions parsed in memory (caller holds its lock)."""
        with self._lru_lock:
            self._loaded[number] = None
            self._loaded.move_to_end(number)
            evict = [n for n in self._loaded if n != number][: max(0, len(self._loaded) - self.cached_partitions)]
            for old in evict:
                del self._loaded[old]
        for old in evict:
            partition = self._partitions[old]
            if partition.lock.acquire(blocking=False):
                try:
                    partition.unload()
                finally:
                    partition.lock.release()

    # ----- Storage interface ------------------------------------------------------------------

    async def read(self, keys: list[str]) -> dict[str, object]:
        require_keys(keys)
        if not keys:
            return {}
        return await asyncio.to_thread(self._read, list(keys))

    def _read(self, keys: list[str]) -> dict[str, object]:
        found: dict[str, object] = {}
        for key in keys:
            location = self._index.get(key)
            if location is None:
                continue
            number, doc_id = location
            partition = self._partitions[number]
            with partition.lock:
                document = partition.table.get(doc_id=doc_id)
                self._touch(number)
            if document is not None:
                # A deep copy: callers may change what they get without changing the store.
                found[key] = {**from_document(json.loads(json.dumps(document["value"]))), "e_tag": document["e_tag"]}
        return found

    async def write(self, changes: dict[str, object]) -> None:
        require_changes(changes)
        if changes:
            await asyncio.to_thread(
                self._write,
                {key: (expected_etag(value), to_document(item_fields(value))) for key, value in changes.items()},
            )

    def _write(self, changes: dict[str, tuple[str | None, dict]]) -> None:
        """changes: key -> (the e_tag the write expects, the document to store)."""
        by_partition: dict[int, list[str]] = {}
        for key in changes:
            by_partition.setdefault(self._partition_of(key), []).append(key)
        with ExitStack() as stack:
            for number in sorted(by_partition):
                stack.enter_context(self._partitions[number].lock)
            # Check every e_tag before writing anything: a batch is all or nothing.
            for key, (expected, _) in changes.items():
                location = self._index.get(key)
                stored = None
                if location is not None:
                    document = self._partitions[location[0]].table.get(doc_id=location[1])
                    stored = document["e_tag"] if document else None
                if expected == MUST_NOT_EXIST:
                    if stored is not None:
                        raise EtagConflict(f"{key}: already exists")
                elif expected not in (None, "*") and expected != stored:
                    raise EtagConflict(f"{key}: stored item changed (e_tag mismatch)")
            for number, keys in by_partition.items():
                table = self._partitions[number].table
                for key in keys:
                    document = {"key": key, "value": changes[key][1], "e_tag": uuid.uuid4().hex}
                    location = self._index.get(key)
                    if location is not None:
                        table.upsert(Document(document, doc_id=location[1]))
                    else:
                        self._index[key] = (number, table.insert(document))
                        bisect.insort(self._sorted_keys, key)
                self._touch(number)

    async def delete(self, keys: list[str]) -> None:
        if keys:
            await asyncio.to_thread(self._delete, list(keys))

    def _delete(self, keys: list[str]) -> None:
        for key in keys:
            location = self._index.get(key)
            if location is None:
                continue
            partition = self._partitions[location[0]]
            with partition.lock:
                partition.table.remove(doc_ids=[location[1]])
                del self._index[key]
                self._sorted_keys.pop(bisect.bisect_left(self._sorted_keys, key))
                self._touch(location[0])

    # ----- DocumentStore extras ------------------------------------------------------------------

    async def keys_with_prefix(self, prefix: str) -> list[str]:
        # Sorted keys make a prefix a contiguous range: O(log n + matches), whatever the size.
        start = bisect.bisect_left(self._sorted_keys, prefix)
        end = bisect.bisect_left(self._sorted_keys, prefix + "\uffff")
        return self._sorted_keys[start:end]

    async def check_writable(self) -> bool:
        return await asyncio.to_thread(self._check_writable)

    def _check_writable(self) -> bool:
        probe = self.folder / f".probe-{os.getpid()}"
        try:
            probe.write_text("ok", encoding="utf-8")
            probe.unlink()
            return True
        except OSError:
            return False

    async def snapshot(self, dest: Path) -> None:
        """Copy every partition into dest/store while holding all partition locks (a data-folder layout)."""
        await asyncio.to_thread(self._snapshot, Path(dest))

    def _snapshot(self, dest: Path) -> None:
        target = dest / "store"
        target.mkdir(parents=True, exist_ok=True)
        with ExitStack() as stack:
            for partition in self._partitions:
                stack.enter_context(partition.lock)
            for partition in self._partitions:
                if partition.path.exists():
                    shutil.copy2(partition.path, target / partition.path.name)
