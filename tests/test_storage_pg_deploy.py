"""deploy/compose.yaml's fleet: a PostgreSQL service and bot replicas whose shard ranges cover every shard once."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[1] / "deploy" / "compose.yaml"


def fleet() -> dict[str, dict[str, object]]:
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    return {name: s for name, s in services.items() if "fleet" in s.get("profiles", []) and name != "postgres"}


def shard_args(service: dict[str, object]) -> tuple[list[int], int]:
    command = list(service["command"])  # type: ignore[call-overload]
    ids = [int(i) for i in command[command.index("--shard-ids") + 1].split(",")]
    return ids, int(command[command.index("--shard-count") + 1])


def test_the_replicas_cover_every_shard_exactly_once_with_one_count() -> None:
    ranges = [shard_args(s) for s in fleet().values()]
    assert len(ranges) >= 2
    counts = {count for _, count in ranges}
    assert len(counts) == 1
    assert sorted(i for ids, _ in ranges for i in ids) == list(range(counts.pop()))


def test_the_replicas_share_one_postgresql_and_wait_for_it() -> None:
    for name, service in fleet().items():
        env = service["environment"]
        assert isinstance(env, dict)
        assert env["DATABASE_URL"].startswith("postgresql://rigfit:${POSTGRES_PASSWORD"), name
        assert "@postgres:5432/rigfit" in env["DATABASE_URL"], name
        assert service["depends_on"] == {"postgres": {"condition": "service_healthy"}}, name
        assert service["healthcheck"]["test"] == ["CMD", "python", "-m", "bot.healthcheck"]  # type: ignore[index]


def test_the_single_process_service_stays_on_sqlite() -> None:
    single = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["rigfit"]
    assert "profiles" not in single and "DATABASE_URL" not in single["environment"]
