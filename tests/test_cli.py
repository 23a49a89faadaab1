"""The `aikb` command in-process against each backend: keys, export, reextract."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from app import keys
from app.cli import main
from app.config import get_settings
from app.db import get_engine
from app.errors import Unauthorized
from app.main import create_app
from app.models import Claim, Entity, Relation, Source
from app.queries import stats
from tests.api.conftest import every_item

ARTICLES = Path(__file__).parent / "fixtures" / "articles"


@pytest.fixture
def cli(engine: Engine, migrated_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """`main` pointed at the test database (emptied afterwards by `engine`)."""
    monkeypatch.setenv("DATABASE_URL", migrated_url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield engine
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_keys_create_list_revoke(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "create", "ci-bot", "--scope", "write"]) == 0
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("aikb_") and len(secret) > 40
    assert main(["keys", "create", "dashboard"]) == 0
    capsys.readouterr()
    with Session(cli) as session:
        assert keys.authenticate(session, secret).scopes == ["read", "write"]
    assert main(["keys", "list"]) == 0
    listing = capsys.readouterr().out
    assert "ci-bot\tread,write" in listing and "dashboard\tread\t" in listing
    assert secret not in listing
    key_id = next(line.split("\t")[0] for line in listing.splitlines() if "ci-bot" in line)
    assert main(["keys", "revoke", key_id]) == 0
    with Session(cli) as session, pytest.raises(Unauthorized, match="revoked"):
        keys.authenticate(session, secret)
    assert main(["keys", "revoke", "9999"]) == 1
    assert "no key with id 9999" in capsys.readouterr().err


def test_export_streams_every_item_as_ndjson_or_csv(
    cli: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", str(ARTICLES)]) == 0
    capsys.readouterr()
    target = tmp_path / "claims.ndjson"
    assert main(["export", "claims", "--output", str(target)]) == 0
    claims = [orjson.loads(line) for line in target.read_bytes().splitlines()]
    assert len(claims) == len({c["id"] for c in claims}) == count(cli, Claim) > 0
    assert {"id", "source", "text", "span", "topics"} <= set(claims[0])

    assert main(["export", "entities", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == count(cli, Entity) and {"id", "name", "type"} <= set(rows[0])

    assert main(["export", "relations", "-o", str(tmp_path / "relations.csv"), "--format", "csv"]) == 0
    with (tmp_path / "relations.csv").open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == count(cli, Relation)


def test_reextract_reports_what_it_ran(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(ARTICLES)]) == 0
    claims = count(cli, Claim)
    capsys.readouterr()
    assert main(["reextract"]) == 0
    assert "0 sources (nothing to do)" in capsys.readouterr().out
    with cli.begin() as conn:
        conn.execute(
            text("UPDATE source SET extractor_version = '0.1' WHERE url = 'https://example.test/kimi'")
        )
    assert main(["reextract"]) == 0
    assert "1 sources (1 changed)" in capsys.readouterr().out
    assert main(["reextract", "--all"]) == 0
    assert f"3 sources (3 changed); claims {claims} -> {claims}" in capsys.readouterr().out
    assert count(cli, Claim) == claims


def test_load_exits_non_zero_when_an_article_failed(
    cli: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(ARTICLES, folder)
    (folder / "stray.txt").write_text("Nobody lists this file.")
    assert main(["load", str(folder)]) == 0  # an unlisted file is skipped, not a failure
    out, err = capsys.readouterr()
    assert "skipped: stray.txt: not listed in sources.json" in err and "0 failed" in out
    (folder / "kimi_release.txt").write_text("")
    assert main(["load", str(folder)]) == 1
    err = capsys.readouterr().err
    assert err.count("failed: ") == 1 and "kimi_release.txt: empty file" in err
    for path, message in ((tmp_path / "nowhere", "no such folder"), (folder / "stray.txt", "is a file")):
        assert main(["load", str(path)]) == 2
        assert message in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"aikb {version('aikb')} (extractor ")


def test_export_takes_the_api_filters_and_a_limit(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(ARTICLES)]) == 0
    capsys.readouterr()
    with TestClient(create_app(cli)) as api:
        expected = [c["id"] for c in every_item(api, "/claims", topic="chips", entity="huawei")]
        relations = [r["id"] for r in every_item(api, "/relations", origin="article")]
    assert expected and relations
    assert main(["export", "claims", "--topic", "chips", "--entity", "Huawei", "--format", "csv"]) == 0
    assert [row["id"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))] == expected
    assert main(["export", "claims", "--topic", "chips", "--entity", "huawei", "--limit", "1"]) == 0
    assert [orjson.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == expected[:1]
    assert main(["export", "relations", "--origin", "article"]) == 0
    assert [orjson.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == relations


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--topic", "chip"], "--topic: 'chip' is not one of"),
        (
            ["--entity", "nvidai"],
            "--entity: no entity 'nvidai' (by id, name or alias); did you mean 'nvidia'?",
        ),
        (
            ["--published-from", "2025-02-01", "--published-to", "2025-01-01"],
            "--published-to: published_from",
        ),
    ],
)
def test_export_refuses_a_bad_filter_and_writes_nothing(
    cli: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str], message: str
) -> None:
    assert main(["load", str(ARTICLES)]) == 0
    target = tmp_path / "claims.csv"
    assert main(["export", "claims", *options, "-o", str(target)]) == 2
    assert message in capsys.readouterr().err
    assert not target.exists()


def test_export_to_a_folder_that_does_not_exist_says_so(
    cli: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "entities", "-o", str(tmp_path / "missing" / "x.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_export_into_a_reader_that_stops_early_ends_quietly(cli: Engine, migrated_url: str) -> None:
    assert main(["load", str(ARTICLES)]) == 0
    aikb = Path(sys.executable).with_name("aikb")
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"'{aikb}' export entities | head -1"],
        env={**os.environ, "DATABASE_URL": migrated_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and orjson.loads(done.stdout)["id"]


def test_stats_and_delete(cli: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", str(ARTICLES)]) == 0
    capsys.readouterr()
    with Session(cli) as session:
        sizes = orjson.loads(orjson.dumps(stats(session), option=orjson.OPT_NAIVE_UTC))
    assert main(["stats", "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out) == sizes
    assert main(["stats"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"claims:      {sizes['claims']} (" in lines[1]
    assert f"{sizes['entities_with_claims']} named by a claim" in lines[3]
    assert main(["delete", "https://example.test/kimi"]) == 0  # by url, or by id
    assert capsys.readouterr().out.startswith("deleted src_")
    assert count(cli, Source) == 2
    assert main(["delete", "https://example.test/kimi"]) == 1
    assert "no source" in capsys.readouterr().err
