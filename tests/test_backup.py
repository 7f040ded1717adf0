"""Backup while the bot runs, and restore: the documented operations commands really work."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import aiohttp

from storage.embedded import EmbeddedStorage
from storage.repository import Repository
from survey.answers import Response
from tests.support.content import self_scan
from tests.support.harness import MEMBERS, write_registry
from tests.support.process import ROOT, BotProcess
from tests.support.scripts import CONTEXT, SITUERING, answer_page, start
from tests.support.teams import TeamsClient

MO = MEMBERS[0]


def run_cli(*args: str, data_dir, port: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "POOLSTER_DATA_DIR": str(data_dir), "POOLSTER_PORT": str(port)}
    return subprocess.run(
        [sys.executable, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


async def responses_in(folder) -> list[Response]:
    store = await EmbeddedStorage.open(folder)
    try:
        return await Repository(store, "responses", Response).list()
    finally:
        await store.close()


async def test_backup_while_running_and_restore(tmp_path, connector):
    data_dir = tmp_path / "data"
    write_registry(data_dir)
    bot = BotProcess(data_dir).start()
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(session, bot.url, connector)
            card = await start(teams, MO)
            card = await answer_page(teams, MO, card, SITUERING)
            result = run_cli("backup", str(tmp_path / "backup"), data_dir=data_dir, port=bot.port)
            assert result.returncode == 0, result.stderr
            assert "draaiende bot" in result.stdout
            # Answers given after the backup are not in it.
            await answer_page(teams, MO, card, CONTEXT)
    finally:
        bot.stop()

    backed_up = await responses_in(tmp_path / "backup")
    assert backed_up[0].is_page_answered(self_scan(), "behartiger", "situering")
    assert not backed_up[0].is_page_answered(self_scan(), "behartiger", "context")

    refused = BotProcess(data_dir).start()
    try:
        result = run_cli("restore", str(tmp_path / "backup"), data_dir=data_dir, port=refused.port)
        assert result.returncode == 1 and "Stop de bot" in result.stderr
    finally:
        refused.stop()

    result = run_cli("restore", str(tmp_path / "backup"), data_dir=data_dir, port=0)
    assert result.returncode == 0, result.stderr
    restored = await responses_in(data_dir)
    assert restored[0].is_page_answered(self_scan(), "behartiger", "situering")
    assert not restored[0].is_page_answered(self_scan(), "behartiger", "context")


async def test_export_from_the_command_line(tmp_path, connector):
    data_dir = tmp_path / "data"
    write_registry(data_dir)
    bot = BotProcess(data_dir).start()
    try:
        async with aiohttp.ClientSession() as session:
            teams = TeamsClient(session, bot.url, connector)
            await answer_page(teams, MO, await start(teams, MO), SITUERING)
        locked = run_cli("export", "--ronde", "x", "--uit", str(tmp_path), data_dir=data_dir, port=bot.port)
        assert locked.returncode == 1 and "stop hem eerst" in locked.stderr
    finally:
        bot.stop()
    wave_id = (await responses_in(data_dir))[0].wave_id
    result = run_cli("export", "--ronde", wave_id, "--uit", str(tmp_path / "out"), data_dir=data_dir, port=0)
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert any(name.endswith(".xlsx") for name in written) and any(name.endswith("-csv.zip") for name in written)


def test_a_second_process_on_the_same_data_folder_refuses_to_start(tmp_path):
    data_dir = tmp_path / "data"
    write_registry(data_dir)
    first = BotProcess(data_dir).start()
    try:
        second = subprocess.run(
            [sys.executable, "app.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "POOLSTER_DATA_DIR": str(data_dir), "POOLSTER_PORT": "0"},
        )
        assert second.returncode == 1
        assert "al in gebruik" in second.stderr and "Traceback" not in second.stderr
    finally:
        first.stop()


def test_an_invalid_registry_names_the_line_and_stops(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "centres.yaml").write_text(
        "centres:\n  - id: clb-x\n    name: X\n    director:\n      name: D\n      email: geen-email\n"
    )
    result = subprocess.run(
        [sys.executable, "app.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "POOLSTER_DATA_DIR": str(data_dir), "POOLSTER_PORT": "0"},
    )
    assert result.returncode == 1 and "centres.yaml:6" in result.stderr and "Traceback" not in result.stderr


def test_a_port_in_use_is_refused_in_dutch_without_a_traceback(tmp_path):
    data_dir = tmp_path / "data"
    write_registry(data_dir)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_cli("run", data_dir=data_dir, port=taken.getsockname()[1])
    assert result.returncode == 1
    assert "Poolster start niet: poort" in result.stderr and "Traceback" not in result.stderr
