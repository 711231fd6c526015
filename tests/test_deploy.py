"""deploy/: pinned dependencies, the image's data volume and healthcheck, the systemd unit's sandbox."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from bot.healthcheck import check, main

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not an exact pin"
            found[canonicalize_name(name)] = version
    return found


def pyproject() -> dict[str, object]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["project"]


@pytest.mark.parametrize("group", ["dependencies", "dev"])
def test_every_dependency_is_pinned_within_its_range(group: str) -> None:
    project = pyproject()
    requirements = project["dependencies"] if group == "dependencies" else project["optional-dependencies"]["dev"]  # type: ignore[index]
    pinned = pins()
    for requirement in map(Requirement, requirements):  # type: ignore[arg-type]
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"constraints.txt pins {name}=={pinned[name]}, outside pyproject's {requirement}"
        )
    assert "rigfit" not in pinned


def test_the_image_installs_the_project_with_the_constraints() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY constraints.txt" in dockerfile
    assert re.search(r"^RUN \S*pip install -c constraints\.txt \.$", dockerfile, re.MULTILINE)
    assert not re.search(r"pip (wheel|install)[^\n]*discord\.py", dockerfile), "dependencies come from pyproject"


def test_the_image_data_volume_belongs_to_the_bot_user() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    chown = dockerfile.index("chown rigfit:rigfit /data")
    assert "--uid 10001" in dockerfile
    assert chown < dockerfile.index("USER rigfit") < dockerfile.index('VOLUME ["/data"]')
    assert "DATABASE_PATH=/data/" in dockerfile
    assert "HEARTBEAT_PATH=/data/heartbeat" in dockerfile
    assert re.search(r'^HEALTHCHECK .*CMD \["python", "-m", "bot.healthcheck"\]$', dockerfile, re.MULTILINE)


def test_compose_checks_health_and_keeps_data_in_the_volume() -> None:
    service = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]["rigfit"]
    assert service["healthcheck"]["test"] == ["CMD", "python", "-m", "bot.healthcheck"]
    assert service["environment"]["DATABASE_PATH"].startswith("/data/")
    assert service["environment"]["HEARTBEAT_PATH"].startswith("/data/")
    assert "rigfit-data:/data" in service["volumes"]


def test_env_example_does_not_override_the_deployed_paths() -> None:
    active = [line for line in (DEPLOY / ".env.example").read_text().splitlines() if line and not line.startswith("#")]
    assert not [line for line in active if line.startswith(("DATABASE_PATH=", "HEARTBEAT_PATH="))]
    assert "HASH_KEY=" in active


# --- systemd unit ----------------------------------------------------------------------------------------------------

HARDENING = {
    "ProtectSystem": "strict",
    "ProtectHome": "true",
    "PrivateTmp": "true",
    "PrivateDevices": "true",
    "NoNewPrivileges": "true",
    "ProtectKernelTunables": "true",
    "ProtectKernelModules": "true",
    "ProtectKernelLogs": "true",
    "ProtectControlGroups": "true",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "RestrictNamespaces": "true",
    "LockPersonality": "true",
    "MemoryDenyWriteExecute": "true",
    "RestrictRealtime": "true",
    "RestrictSUIDSGID": "true",
    "SystemCallArchitectures": "native",
    "CapabilityBoundingSet": "",
    "AmbientCapabilities": "",
    "ProtectHostname": "true",
    "ProtectClock": "true",
    "ProtectProc": "invisible",
    "ProcSubset": "pid",
    "UMask": "0077",
    "DevicePolicy": "closed",
}


def unit() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / "rigfit.service").read_text(encoding="utf-8"))
    return parser


def test_the_unit_is_sandboxed() -> None:
    service = unit()["Service"]
    assert {key: service.get(key) for key in HARDENING} == HARDENING
    assert "@system-service" in (DEPLOY / "rigfit.service").read_text()


def test_the_unit_keeps_state_in_its_state_directory_and_keeps_restarting() -> None:
    parsed = unit()
    service = parsed["Service"]
    assert service["StateDirectory"] == "rigfit"
    environment = (DEPLOY / "rigfit.service").read_text()
    assert "Environment=DATABASE_PATH=/var/lib/rigfit/" in environment
    assert "Environment=HEARTBEAT_PATH=/var/lib/rigfit/" in environment
    assert "EnvironmentFile" not in service, "an EnvironmentFile would override Environment= with .env's paths"
    assert service["Restart"] == "on-failure"
    assert int(service["RestartSec"]) >= 5
    assert parsed["Unit"]["StartLimitIntervalSec"] == "0"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_rates_the_unit_below_5() -> None:
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=yes", str(DEPLOY / "rigfit.service")],
        capture_output=True,
        text=True,
        check=False,
    )
    score = re.search(r"Overall exposure level for rigfit\.service: ([\d.]+)", result.stdout)
    assert score, result.stdout + result.stderr
    assert float(score.group(1)) < 5


# --- healthcheck -----------------------------------------------------------------------------------------------------


def test_a_fresh_heartbeat_is_healthy(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    beat.write_text("1000\n")
    assert check(beat, 90, now=1030) == (True, f"healthy: heartbeat {beat} is 30 s old")


@pytest.mark.parametrize(
    ("content", "now", "reason"),
    [
        ("1000\n", 1200, "is 200 s old (limit 90 s)"),
        (None, 1000, "no heartbeat at"),
    ],
)
def test_a_stale_or_missing_heartbeat_is_unhealthy(
    tmp_path: Path, content: str | None, now: float, reason: str
) -> None:
    beat = tmp_path / "heartbeat"
    if content is not None:
        beat.write_text(content)
    ok, line = check(beat, 90, now=now)
    assert not ok
    assert reason in line


def test_an_unreadable_heartbeat_falls_back_to_its_mtime(tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    beat.write_text("garbage")
    assert check(beat, 90, now=time.time())[0]
    assert not check(beat, 90, now=time.time() + 300)[0]


def test_the_entry_point_reads_heartbeat_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HEARTBEAT_PATH", str(tmp_path / "beat"))
    assert main([]) == 1
    (tmp_path / "beat").write_text(f"{time.time():.0f}\n")
    assert main([]) == 0
    monkeypatch.setenv("LOG_LEVEL", "loud")
    assert main([]) == 1


def test_python_m_bot_healthcheck_runs(tmp_path: Path) -> None:
    beat = tmp_path / "beat"
    beat.write_text(f"{time.time():.0f}\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot.healthcheck", "--path", str(beat)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("healthy:")
