"""Database plumbing: engines, the one-unit-of-work session dependency, naming conventions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import MetaData, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Deterministic constraint names, so Alembic revisions name the same thing the same way on every database."""


def naming_metadata() -> MetaData:
    """A MetaData with the suite's naming convention; each service builds its Base on one."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def to_async_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs (as operators write them) and use the asyncpg driver."""
    for prefix in ("postgresql+asyncpg://", "postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def to_asyncpg_dsn(url: str) -> str:
    """The same URL in the form asyncpg itself takes (for lean read paths and bulk COPY)."""
    return "postgresql://" + to_async_url(url).removeprefix("postgresql+asyncpg://")


def make_engine(url: str, *, pool_size: int = 20, echo: bool = False) -> AsyncEngine:
    """An async engine on asyncpg whose pool heals by itself after PostgreSQL restarts.

    SQLAlchemy's ``pool_pre_ping`` costs three round trips on every checkout with asyncpg (BEGIN, a ping,
    ROLLBACK) — on a redeem of eight statements that was a quarter of its time. A PostgreSQL that shuts down
    closes its sockets, and asyncpg's protocol marks the connection closed as soon as the event loop reads
    the EOF, so checking ``is_closed()`` at checkout catches a restart at no cost; a connection that dies
    silently fails its first statement, the request answers 503, and the pool discards it.
    Overflow connections are closed again on check-in, so the steady pool is sized for the usual concurrency
    (``pool_size``) and overflow (half as many again) only absorbs bursts.
    """
    engine = create_async_engine(
        to_async_url(url),
        pool_size=pool_size,
        max_overflow=max(pool_size // 2, 1),
        pool_pre_ping=False,
        pool_recycle=1800,
        echo=echo,
    )
    event.listen(engine.sync_engine.pool, "checkout", _refuse_closed_connection)
    return engine


def _refuse_closed_connection(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """Pool checkout hook: a connection the server has closed is replaced (SQLAlchemy retries the checkout)."""
    driver = getattr(dbapi_connection, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


@dataclass
class Database:
    """Engines and the session factory a service keeps on ``app.state.db``."""

    engine: AsyncEngine
    read_engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    url: str = ""
    pool_size: int = 20
    _lean: asyncpg.Pool[Any] | None = field(default=None, repr=False)
    _lean_lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    @classmethod
    def from_urls(cls, url: str, read_url: str | None = None, *, pool_size: int = 20) -> Database:
        """Build the primary engine and, when a replica is named, a separate read engine."""
        engine = make_engine(url, pool_size=pool_size)
        read_engine = make_engine(read_url, pool_size=pool_size) if read_url and read_url != url else engine
        return cls(engine, read_engine, async_sessionmaker(engine, expire_on_commit=False), url, pool_size)

    async def lean_pool(self) -> asyncpg.Pool[Any]:
        """The plain asyncpg pool of the hot write paths (`skills_shared.db.lean`), opened on first use.

        Separate from SQLAlchemy's pool: a request takes one or the other, never both. Connections carry no
        session state (the hot paths use transaction-scoped locks only), so releasing one skips asyncpg's reset
        query — a round trip per request saved; an open transaction is still rolled back by the pool.
        """
        if self._lean is None:
            async with self._lean_lock:
                if self._lean is None:
                    self._lean = await stateless_pool(
                        to_asyncpg_dsn(self.url), min_size=0, max_size=self.pool_size
                    )
        return self._lean

    async def dispose(self) -> None:
        """Close every pooled connection (lifespan shutdown)."""
        await self.engine.dispose()
        if self.read_engine is not self.engine:
            await self.read_engine.dispose()
        if self._lean is not None:
            await self._lean.close()
            self._lean = None


async def stateless_pool(dsn: str, *, min_size: int, max_size: int) -> asyncpg.Pool[Any]:
    """A plain asyncpg pool whose connections never carry session state, so a release sends nothing.

    asyncpg's default reset runs ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`` on every
    release: one more round trip per request, 17 % of the registry's look-up handling under load (py-spy,
    7 Dec 2026). The hot paths take transaction-scoped locks only, never LISTEN, SET or a session lock, so there
    is nothing to reset; an open transaction is still rolled back by the pool before the connection returns.
    """
    return await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, reset=_no_session_state)


async def _no_session_state(connection: asyncpg.Connection[Any]) -> None:
    """Pool reset hook: nothing to reset (asyncpg has already rolled back any open transaction)."""


def database_of(request: Request) -> Database:
    """The service's Database, set by the app factory's lifespan."""
    db: Database = request.app.state.db
    return db


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: commit when the endpoint returns, roll back when it raises.

    Declared with ``scope="function"`` so the commit happens before the response is sent: a client is never told
    "created" about a write that then failed to commit.
    """
    async with database_of(request).sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
"""The request's unit of work. Endpoints never commit."""


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session on the read engine (replica when configured) for look-ups; never commits."""
    db = database_of(request)
    async with AsyncSession(db.read_engine, expire_on_commit=False) as session:
        yield session


ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
