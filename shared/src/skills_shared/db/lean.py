"""The hot paths' unit of work: one pooled asyncpg connection and one transaction per request, no ORM.

A SQLAlchemy session costs this machine about 0.8 ms of CPU per request before its first statement
(checkout, BEGIN, commit, close), and about 0.1 ms more per statement than the driver does. Routes that run
hundreds of times a second with a handful of fixed statements (scan-to-redeem, claim submit) take a
`LeanTxDep` instead of a `SessionDep` and speak SQL through ``tx.conn``. The contract is the session's: the
transaction commits before the response is sent, and any exception rolls everything back.

Trailing writes — the audit row, the outbox event, the stored idempotent answer, a row's final UPDATE — are
written through `LeanTx.write`: nothing later in the unit of work reads them, so the request's own unit of work
holds them back and sends them all as one statement (`LeanTx.flush`, one CTE per write) just before it commits, or
together with the idempotency store. Each round trip costs a service 60–100 µs of CPU. A refusal raised before
the flush rolls back a transaction in which none of them ever ran; one raised by the flush (the idempotency store
finding the key taken, or a held UPDATE's constraint, which its ``refuse`` words) rolls them back with the rest.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Annotated, Any, TypeAlias

import asyncpg
from fastapi import Depends, Request

from skills_shared.db import database_of

Connection: TypeAlias = "asyncpg.Connection[Any] | asyncpg.pool.PoolConnectionProxy[Any]"

_PARAMETER = re.compile(r"\$(\d+)")


Refuse: TypeAlias = Callable[[asyncpg.IntegrityConstraintViolationError], BaseException]
"""Turns a constraint the database enforced into the refusal the caller owes its client (a 409 naming the rule)."""


@dataclass(frozen=True, slots=True)
class HeldWrite:
    """One trailing write waiting for the flush: a statement that yields rows (a SELECT, or DML with RETURNING,
    so its CTE can be referenced and is certain to run), and its arguments.

    ``refuse`` is set on a write whose constraints can refuse the request (a guarded UPDATE): held back, its
    violation surfaces at the flush instead of at the call, and the flush raises what ``refuse`` makes of it.
    """

    sql: str
    args: tuple[Any, ...]
    refuse: Refuse | None = None


def parameter_count(sql: str) -> int:
    """The highest ``$n`` a statement uses: how far the next statement's parameters are shifted."""
    return max((int(n) for n in _PARAMETER.findall(sql)), default=0)


def renumbered(sql: str, shift: int) -> str:
    """``sql`` with every ``$n`` made ``$(n + shift)``: its arguments follow those of the statements before it."""
    return _PARAMETER.sub(lambda m: f"${int(m.group(1)) + shift}", sql.strip())


@lru_cache(maxsize=128)
def combined_statement(statements: tuple[str, ...]) -> str:
    """One statement running ``statements`` in order, each as a CTE with its parameters renumbered.

    The main query counts every CTE's rows: PostgreSQL runs a SELECT CTE only when the main query reads it (a data
    changing CTE always runs), so counting is what makes ``SELECT audit_append(…)`` happen, and the counts tell the
    caller what each write did (0 from ``ON CONFLICT DO NOTHING RETURNING 1`` means the row was already there).
    The same route makes the same text every time, so asyncpg's statement cache keeps it prepared. Only our own
    constant statements go in (`LeanTx.write`); their values travel as parameters.
    """
    ctes: list[str] = []
    offset = 0
    for i, sql in enumerate(statements):
        ctes.append(f"w{i} AS ({renumbered(sql, offset)})")
        offset += parameter_count(sql)
    counts = ", ".join(f"(SELECT count(*) FROM w{i})" for i in range(len(statements)))  # noqa: S608 - CTE names
    return f"WITH {', '.join(ctes)}\nSELECT {counts}"


@dataclass(slots=True)
class LeanTx:
    """A request's open transaction; ``info`` holds per-transaction memos (the audit chain it locked).

    ``hold_writes`` is set by `lean_transaction`, which flushes before it commits; a `LeanTx` made by hand around
    a connection runs each write at once, as a plain statement would.
    """

    conn: Connection
    info: dict[str, Any] = field(default_factory=dict)
    hold_writes: bool = False
    held: list[HeldWrite] = field(default_factory=list)

    async def write(self, sql: str, *args: Any, refuse: Refuse | None = None) -> None:
        """A write nothing later in this unit of work reads (audit row, outbox event, a row's final UPDATE): held
        for the flush. With ``refuse``, a constraint violation it causes becomes that refusal, here or there."""
        if self.hold_writes:
            self.held.append(HeldWrite(sql, args, refuse))
            return
        try:
            await self.conn.execute(sql, *args)
        except asyncpg.IntegrityConstraintViolationError as exc:
            if refuse is None:
                raise
            raise refuse(exc) from None

    async def flush(self, last: HeldWrite | None = None) -> int:
        """Run every held write, then ``last``, in one round trip; the number of rows ``last`` yielded (0 if none).

        The held writes are taken off first: if the statement fails, the unit of work rolls back and nothing of
        them remains to be sent again.
        """
        writes, self.held = self.held, []
        if last is not None:
            writes.append(last)
        if not writes:
            return 0
        sql = combined_statement(tuple(w.sql for w in writes))
        try:
            counts = await self.conn.fetchrow(sql, *[a for w in writes for a in w.args])
        except asyncpg.IntegrityConstraintViolationError as exc:
            # One statement: the violation cannot say which write caused it, only which constraint. The writes
            # that can be refused say what that means; audit rows, events and stored answers never are.
            refuse = next((w.refuse for w in writes if w.refuse is not None), None)
            if refuse is None:
                raise
            raise refuse(exc) from None
        assert counts is not None  # a SELECT without FROM always yields one row
        return int(counts[-1]) if last is not None else 0


@asynccontextmanager
async def lean_transaction(conn: Connection) -> AsyncIterator[LeanTx]:
    """BEGIN, hand out a `LeanTx` that holds its trailing writes, flush them and COMMIT; roll back on any error."""
    transaction = conn.transaction()
    await transaction.start()
    tx = LeanTx(conn, hold_writes=True)
    try:
        yield tx
        await tx.flush()
    except BaseException:
        if not conn.is_closed():
            await transaction.rollback()
        raise
    await transaction.commit()
    # Counters held back until the commit (skills_shared.metrics.count_on_commit).
    for child, amount in tx.info.pop("skills_metrics_pending", ()):
        child.inc(amount)


async def get_lean_tx(request: Request) -> AsyncIterator[LeanTx]:
    """Commit when the endpoint returns, roll back when it raises (``scope="function"``: before the response)."""
    pool = await database_of(request).lean_pool()
    async with pool.acquire() as conn, lean_transaction(conn) as tx:
        yield tx


LeanTxDep = Annotated[LeanTx, Depends(get_lean_tx, scope="function")]
"""The request's lean unit of work. Endpoints never commit."""
