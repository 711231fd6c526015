"""A throwaway PostgreSQL cluster for tests, the bench and CI: `initdb` and `pg_ctl` under a temporary folder,
listening on 127.0.0.1 at a free port and on a unix socket in that folder, trust authentication, no fsync.

Never for production (no password, no durability): `deploy/compose.yaml` runs a real server. As root it runs the
server as the `postgres` user the Debian package creates (PostgreSQL refuses to run as root), else as whoever
runs it. Standard library only, so `.ci/run` can use it before the project is installed:

    python3 bot/storage/pg_cluster.py start DIR   # prints DATABASE_URL=... and RIGFIT_PG_DIR=DIR
    python3 bot/storage/pg_cluster.py stop DIR

`Cluster.at(DIR)` finds a running one again (tests use it to restart the server under load).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

SUPERUSER = "rigfit"
STATE_FILE = "cluster.json"
START_TIMEOUT_S = 60


class ClusterError(Exception):
    """PostgreSQL is not installed here, or the cluster would not start: one line saying which."""


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's /usr/lib/postgresql/<version>/bin (newest)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).resolve().parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: _version(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.split(".") if p.isdigit())


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Cluster:
    folder: str
    bindir: str
    port: int
    run_as: str | None  # the user the server runs as when started by root

    @property
    def url(self) -> str:
        return self.database_url("postgres")

    def database_url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    @property
    def data(self) -> Path:
        return Path(self.folder) / "data"

    @classmethod
    def at(cls, folder: str | Path) -> Cluster:
        state = json.loads((Path(folder) / STATE_FILE).read_text(encoding="utf-8"))
        return cls(**state)

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self._run(
            str(Path(self.bindir) / "pg_ctl"), "-D", str(self.data), "-l", str(Path(self.folder) / "server.log"),
            "-w", "-t", str(START_TIMEOUT_S), "-o", options, *args,
        )  # fmt: skip

    def start(self) -> None:
        self.pg_ctl("start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("stop", "-m", mode)

    def restart(self) -> None:
        self.pg_ctl("restart", "-m", "fast")

    def _run(self, *argv: str) -> None:
        user = self.run_as if os.geteuid() == 0 else None
        done = subprocess.run(argv, capture_output=True, text=True, user=user, cwd=self.folder, check=False)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["(no output)"]
            raise ClusterError(f"{Path(argv[0]).name} {' '.join(argv[1:2])} failed: {tail[0]}")


def create(folder: str | Path | None = None) -> Cluster:
    """initdb in `folder` (a new temporary one when None) and start the server; ClusterError when PostgreSQL is
    not installed or will not start."""
    bindir = find_bindir()
    if bindir is None:
        raise ClusterError("PostgreSQL is not installed (no initdb on PATH nor in /usr/lib/postgresql/*/bin)")
    run_as = _server_user()
    where = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="rigfit-pg-"))
    where.mkdir(parents=True, exist_ok=True)
    if run_as is not None:
        entry = pwd.getpwnam(run_as)
        os.chown(where, entry.pw_uid, entry.pw_gid)
    cluster = Cluster(folder=str(where), bindir=str(bindir), port=free_port(), run_as=run_as)
    cluster._run(
        str(bindir / "initdb"), "-D", str(cluster.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
        "--no-locale", "--no-sync",
    )  # fmt: skip
    cluster.start()
    (where / STATE_FILE).write_text(json.dumps(asdict(cluster)), encoding="utf-8")
    return cluster


def destroy(cluster: Cluster) -> None:
    with contextlib.suppress(ClusterError):
        cluster.stop("immediate")
    shutil.rmtree(cluster.folder, ignore_errors=True)


def _server_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise ClusterError("running as root and there is no 'postgres' or 'nobody' user to run the server as")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python3 bot/storage/pg_cluster.py start|stop DIR", file=sys.stderr)
        return 2
    try:
        if argv[0] == "start":
            cluster = create(argv[1])
            print(f"DATABASE_URL={cluster.url}\nRIGFIT_PG_DIR={cluster.folder}")
        else:
            Cluster.at(argv[1]).stop()
    except (ClusterError, OSError) as exc:
        print(f"pg_cluster: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
