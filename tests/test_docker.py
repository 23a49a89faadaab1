"""The Docker image itself, built and run by a Docker engine: `.ci/run` installs and starts one in CI.

Where no engine answers, every test here is skipped with that reason; in CI it fails instead. The image is
built once per run (BuildKit, layer cache kept between runs) under the tag `AIKB_TEST_IMAGE`; everything
else the tests create (containers, volumes, compose projects with their networks) is removed afterwards,
on failure too.

Client: `AIKB_DOCKER`, else `docker` on PATH when it has buildx, else Debian's `/usr/bin/docker` (Debian 12's
20.10 client builds with BuildKit by itself; newer clients need the buildx plugin for that).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_image import compose_command

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
IMAGE = os.environ.get("AIKB_TEST_IMAGE", "aikb:test")
BUILD_TIMEOUT_S = 1200
# The HEALTHCHECK probes every 15 s; migrating and loading the five seeds takes a few seconds more.
HEALTHY_WITHIN_S = 180
SEED_SOURCES = 5
LABEL = f"aikb.test={uuid.uuid4().hex[:12]}"  # on every container this run starts

pytestmark = pytest.mark.docker


def run(
    *args: str, timeout: float = 120, check: bool = True, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited with {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def docker_client() -> str | None:
    if explicit := os.environ.get("AIKB_DOCKER"):
        return explicit
    on_path = shutil.which("docker")
    if on_path and subprocess.run([on_path, "buildx", "version"], capture_output=True).returncode == 0:
        return on_path
    if Path("/usr/bin/docker").exists():
        return "/usr/bin/docker"
    return on_path


@pytest.fixture(scope="module")
def docker() -> str:
    client = docker_client()
    if client is None:
        reason = "no docker client installed"
    elif subprocess.run([client, "info"], capture_output=True, timeout=60).returncode != 0:
        reason = f"no Docker engine answers `{client} info`"
    else:
        return client
    if IN_CI:
        pytest.fail(f"{reason}; in CI, .ci/run installs and starts one")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def image(docker: str) -> str:
    """Built once per module; the image the tag named before is removed when the build replaces it."""
    before = run(docker, "image", "inspect", "--format", "{{.Id}}", IMAGE, check=False).stdout.strip()
    build = run(
        docker,
        "build",
        "--progress=plain",
        "--tag",
        IMAGE,
        str(ROOT),
        timeout=BUILD_TIMEOUT_S,
        env={**os.environ, "DOCKER_BUILDKIT": "1"},
    )
    # Steps run afresh print their output (cached ones print nothing): no warning from useradd or pip.
    warnings = [line for line in build.stderr.splitlines() if "warning" in line.lower()]
    assert warnings == []
    after = run(docker, "image", "inspect", "--format", "{{.Id}}", IMAGE).stdout.strip()
    if before and before != after:
        run(docker, "image", "rm", before, check=False)
    return IMAGE


class Containers:
    """Starts containers and volumes for one test and removes them afterwards."""

    def __init__(self, docker: str, image: str) -> None:
        self.docker, self.image = docker, image
        self.containers: list[str] = []
        self.volumes: list[str] = []

    def volume(self) -> str:
        name = f"aikb-test-{uuid.uuid4().hex[:12]}"
        run(self.docker, "volume", "create", "--label", LABEL, name)
        self.volumes.append(name)
        return name

    def start(self, volume: str, *options: str) -> str:
        """A detached container of the image with `volume` on /data, its port 8000 on a loopback port."""
        container = run(
            self.docker,
            "run",
            "--detach",
            "--label",
            LABEL,
            "--volume",
            f"{volume}:/data",
            "--publish",
            "127.0.0.1::8000",
            *options,
            self.image,
        ).stdout.strip()
        self.containers.append(container)
        return container

    def port(self, container: str) -> int:
        published = run(self.docker, "port", container, "8000/tcp").stdout.split()[0]
        return int(published.rsplit(":", 1)[1])

    def logs(self, container: str) -> str:
        result = run(self.docker, "logs", container, check=False)
        return result.stdout + result.stderr

    def wait_healthy(self, container: str) -> None:
        wait_healthy(self.docker, container, lambda: self.logs(container))

    def remove(self, container: str) -> None:
        run(self.docker, "rm", "--force", "--volumes", container, check=False)

    def cleanup(self) -> None:
        for container in self.containers:
            self.remove(container)
        for volume in self.volumes:
            run(self.docker, "volume", "rm", "--force", volume, check=False)


def wait_healthy(docker: str, container: str, logs: Any) -> None:
    """Until the image's own HEALTHCHECK reports healthy: read from the engine's events, not polled."""
    created = run(docker, "inspect", "--format", "{{.Created}}", container).stdout.strip()
    events = subprocess.Popen(
        [
            docker,
            "events",
            "--since",
            created,
            "--until",  # a timestamp: a duration here would count back from now
            str(int(time.time()) + HEALTHY_WITHIN_S),
            "--filter",
            f"container={container}",
            "--filter",
            "event=health_status",
            "--filter",
            "event=die",
            "--format",
            "{{.Status}}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert events.stdout is not None
    try:
        for line in events.stdout:
            status = line.strip()
            if status == "health_status: healthy":
                return
            if status == "die":
                pytest.fail(f"container {container[:12]} exited:\n{logs()}")
    finally:
        events.kill()
        events.wait()
    pytest.fail(f"container {container[:12]} not healthy within {HEALTHY_WITHIN_S} s:\n{logs()}")


@pytest.fixture
def containers(docker: str, image: str) -> Iterator[Containers]:
    started = Containers(docker, image)
    try:
        yield started
    finally:
        started.cleanup()


def get_json(port: int, path: str) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    assert response.status == 200, (path, response.status, body[:500])
    return json.loads(body)


def entrypoint_events(logs: str) -> list[str]:
    return [
        event["msg"]
        for event in (json.loads(line) for line in logs.splitlines() if line.startswith("{"))
        if event.get("logger") == "aikb.entrypoint"
    ]


def test_image_leaves_pip_and_build_tools_out(docker: str, image: str) -> None:
    config = json.loads(run(docker, "image", "inspect", image).stdout)[0]["Config"]
    assert config["User"] == "10001:10001"
    assert config["Healthcheck"]["Test"][0] == "CMD"
    probe = run(
        docker,
        "run",
        "--rm",
        "--label",
        LABEL,
        "--entrypoint",
        "python",
        image,
        "-c",
        # The environment's python (first on PATH): the base image's own pip, if any, is not ours to drop.
        "import importlib.util as u, glob, shutil, sys; print(sys.prefix,"
        " [m for m in ('pip', 'setuptools') if u.find_spec(m)], glob.glob('/opt/venv/bin/pip*'),"
        " [t for t in ('strip', 'gcc') if shutil.which(t)])",
    )
    assert probe.stdout.strip() == "/opt/venv [] [] []"


def test_container_turns_healthy_as_uid_10001_serves_the_seeds_and_keeps_them(containers: Containers) -> None:
    volume = containers.volume()
    first = containers.start(volume)
    containers.wait_healthy(first)
    # The server (pid 1, exec'd by the entrypoint) runs as the unprivileged user, real and effective.
    status = run(containers.docker, "exec", first, "cat", "/proc/1/status").stdout
    uids = next(line.split()[1:] for line in status.splitlines() if line.startswith("Uid:"))
    assert set(uids) == {"10001"}
    port = containers.port(first)
    assert len(get_json(port, "/sources?limit=50")["items"]) == SEED_SOURCES
    claims = get_json(port, "/claims?limit=1")["items"]
    assert claims and claims[0]["id"]
    assert "loading the seeds" in entrypoint_events(containers.logs(first))

    containers.remove(first)  # a new container on the same volume, as after an upgrade
    second = containers.start(volume)
    containers.wait_healthy(second)
    assert len(get_json(containers.port(second), "/sources?limit=50")["items"]) == SEED_SOURCES
    events = entrypoint_events(containers.logs(second))
    assert "loading the seeds" not in events
    assert f"the knowledge base holds {SEED_SOURCES} sources: not loading the seeds" in events
    assert "Traceback" not in containers.logs(first) + containers.logs(second)


def test_a_host_folder_the_user_cannot_write_fails_in_one_line(
    docker: str, image: str, tmp_path: Path
) -> None:
    folder = tmp_path / "data"
    folder.mkdir(mode=0o755)
    if folder.stat().st_uid == 10001:
        pytest.skip("the test's own folder belongs to uid 10001")
    start = (docker, "run", "--rm", "--label", LABEL, "--volume", f"{folder}:/data")
    refused = run(*start, image, check=False)
    assert refused.returncode == 73
    assert refused.stdout == ""
    lines = refused.stderr.splitlines()
    assert len(lines) == 1, refused.stderr
    message = json.loads(lines[0])
    assert message["level"] == "ERROR"
    assert "/data is not writable by uid 10001" in message["msg"] and "chown" in message["msg"]
    assert list(folder.iterdir()) == []

    # The fix the message gives: run as the folder's owner (arguments replace the server; migrations run).
    owner = f"{folder.stat().st_uid}:{folder.stat().st_gid}"
    migrated = run(*start, "--user", owner, "--env", "AIKB_LOAD_SEEDS=never", image, "true")
    assert "Traceback" not in migrated.stderr
    assert (folder / "aikb.db").is_file()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture
def compose_project(docker: str, image: str) -> Iterator[tuple[list[str], dict[str, str]]]:
    """docker-compose.yml as a throwaway project (its own containers, volumes, network), on free ports."""
    command = [
        *compose_command(),
        "--project-name",
        f"aikbtest{uuid.uuid4().hex[:10]}",
        "--profile",
        "postgres",
    ]
    env = {
        **os.environ,
        "AIKB_IMAGE": image,
        "AIKB_HTTP_PORT": str(free_port()),
        "AIKB_POSTGRES_HTTP_PORT": str(free_port()),
        "COMPOSE_DOCKER_CLI_BUILD": "1",
        "DOCKER_BUILDKIT": "1",
    }
    try:
        yield command, env
    finally:
        run(
            *command,
            "down",
            "--volumes",
            "--remove-orphans",
            "--timeout",
            "20",
            cwd=ROOT,
            env=env,
            check=False,
        )


def test_compose_postgres_profile_serves_both_apis(
    docker: str, compose_project: tuple[list[str], dict[str, str]]
) -> None:
    command, env = compose_project
    run(*command, "up", "--detach", "--no-build", cwd=ROOT, env=env, timeout=300)

    def container(service: str) -> str:
        return run(*command, "ps", "-q", service, cwd=ROOT, env=env).stdout.strip()

    def logs() -> str:
        return run(*command, "logs", "--no-color", cwd=ROOT, env=env, check=False).stdout

    on_sqlite, on_postgres = container("app"), container("app-postgres")
    assert on_sqlite and on_postgres
    wait_healthy(docker, on_sqlite, logs)
    wait_healthy(docker, on_postgres, logs)
    for port in (env["AIKB_HTTP_PORT"], env["AIKB_POSTGRES_HTTP_PORT"]):
        sources = get_json(int(port), "/sources?limit=50")["items"]
        assert len(sources) == SEED_SOURCES
    # The second API's knowledge base is in the PostgreSQL service, not in a file of its own.
    counted = run(
        *command,
        "exec",
        "-T",
        "postgres",
        "psql",
        "-U",
        "aikb",
        "-d",
        "aikb",
        "-tAc",
        "SELECT count(*) FROM source",
        cwd=ROOT,
        env=env,
    )
    assert counted.stdout.strip() == str(SEED_SOURCES)
    assert "postgresql" in run(docker, "exec", on_postgres, "printenv", "DATABASE_URL").stdout
