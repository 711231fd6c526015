"""The PostgreSQL server the `postgres` tests use: the one DATABASE_URL names (CI), else a throwaway cluster."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from bot.storage.pg_cluster import Cluster, ClusterError, create, destroy


@dataclass
class PgServer:
    url: str  # a database to connect to for CREATE DATABASE
    cluster: Cluster | None  # set when the tests may stop and start the server (fault tests)
    owned: bool  # started by the tests: destroyed at the end

    @classmethod
    def find(cls, outer_url: str | None) -> tuple[PgServer | None, str]:
        """The server, or None and why there is none."""
        folder = os.environ.get("RIGFIT_PG_DIR")
        if folder:
            cluster = Cluster.at(folder)
            return cls(outer_url or cluster.url, cluster, owned=False), ""
        if outer_url:
            return cls(outer_url, None, owned=False), ""
        try:
            cluster = create()
        except ClusterError as exc:
            return None, f"no PostgreSQL: DATABASE_URL is not set and a throwaway cluster could not start ({exc})"
        return cls(cluster.url, cluster, owned=True), ""

    def new_database(self) -> str:
        import psycopg

        name = f"rigfit_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]  # a name made above
        return with_database(self.url, name)

    def drop_database(self, url: str) -> None:
        import psycopg

        from bot.storage.postgres import close_pools

        close_pools()
        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

    def close(self) -> None:
        if self.owned and self.cluster is not None:
            destroy(self.cluster)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
