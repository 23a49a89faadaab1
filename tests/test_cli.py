"""The `aikb` command in-process against each backend: keys, export, reextract."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from app import keys
from app.cli import main
from app.config import get_settings
from app.db import get_engine
from app.errors import Unauthorized
from app.models import Claim, Entity, Relation

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
