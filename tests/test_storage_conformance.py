"""botbuilder's own storage conformance suite (botbuilder.testing.StorageBaseTests) over every Poolster store.

The suite is botbuilder's contract for a `Storage`: unknown and null keys, empty writes, e_tags,
odd keys, batches, and a waterfall dialog whose state (DialogState objects) goes through the
store, which the Azure stores keep with jsonpickle. The embedded, memory and Blob (Azurite) stores
all run it.
"""

from __future__ import annotations

import uuid

import pytest
from botbuilder.testing import StorageBaseTests

from storage.blob import BlobStore
from storage.embedded import EmbeddedStorage
from storage.memory import InMemoryStore
from tests.support.azurite import azurite  # noqa: F401  (a pytest fixture)

CHECKS = [
    "return_empty_object_when_reading_unknown_key",
    "handle_null_keys_when_reading",
    "handle_null_keys_when_writing",
    "does_not_raise_when_writing_no_items",
    "create_object",
    "handle_crazy_keys",
    "update_object",
    "delete_object",
    "delete_unknown_object",
    "perform_batch_operations",
    "proceeds_through_waterfall",
]


@pytest.fixture(params=["embedded", "memory", "blob"])
async def store(request, tmp_path):
    if request.param == "embedded":
        opened = await EmbeddedStorage.open(tmp_path / "data", partitions=8)
    elif request.param == "memory":
        opened = InMemoryStore()
    else:
        opened = await BlobStore.open(request.getfixturevalue("azurite"), f"t-{uuid.uuid4().hex[:16]}")
    yield opened
    await opened.close()


@pytest.mark.parametrize("check", CHECKS)
async def test_storage_base_tests(store, check):
    assert await getattr(StorageBaseTests, check)(store) is True


async def test_the_suite_is_run_whole():
    """If botbuilder adds a check, it is run here too."""
    offered = {name for name in vars(StorageBaseTests) if not name.startswith("_")}
    assert offered == set(CHECKS)


async def test_dialog_state_survives_a_reopen_of_the_embedded_store(tmp_path):
    """DialogState written through jsonpickle comes back as DialogState after a restart."""
    from botbuilder.dialogs import DialogInstance, DialogState

    store = await EmbeddedStorage.open(tmp_path / "data", partitions=8)
    state = DialogState([DialogInstance()])
    state.dialog_stack[0].id = "waterfall"
    state.dialog_stack[0].state = {"stepIndex": 1}
    await store.write({"msteams/conversations/c1": {"dialogState": state}})
    await store.close()
    reopened = await EmbeddedStorage.open(tmp_path / "data", partitions=8)
    found = (await reopened.read(["msteams/conversations/c1"]))["msteams/conversations/c1"]
    await reopened.close()
    assert isinstance(found["dialogState"], DialogState)
    assert found["dialogState"].dialog_stack[0].id == "waterfall"
    assert found["dialogState"].dialog_stack[0].state == {"stepIndex": 1}
    assert found["e_tag"]


async def test_stored_text_that_looks_like_jsonpickle_is_never_turned_into_an_object(tmp_path):
    """Only items the store itself marked are restored by jsonpickle: a user's text stays text."""
    store = await EmbeddedStorage.open(tmp_path / "data", partitions=8)
    hostile = {"py/object": "subprocess.Popen", "args": ["true"]}
    await store.write({"k": {"answer": hostile}, "j": {"py/object": "os.system"}})
    found = await store.read(["k", "j"])
    await store.close()
    assert found["k"]["answer"] == hostile
    assert found["j"]["py/object"] == "os.system"
