"""All SQL of the claim submit path, on the lean unit of work (plain asyncpg, `$n` parameters, no ORM).

Submit runs hundreds of times a second; a session and the ORM cost it several times the CPU of the statements
themselves, and loading a whole `Claim` decodes JSON documents submit never reads. Each statement here says what
the ORM version said: the ledgers' conditional upserts, the guarded yearly counter and the claim's UPDATE are the
database's double-payment guards (CQ-6, CQ-7 / SH-6, SH-13) and keep their ON CONFLICT … WHERE conditions and
CHECK constraints. Constraint violations surface as asyncpg's ``IntegrityConstraintViolationError`` subclasses.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import orjson

from skills_shared.db.lean import LeanTx, Refuse, combined_statement
from subsidy_claims.claims.models import Claim
from subsidy_claims.claims.repository import HOLDING_VALUES, PRIOR_SQL, past_subsidy_of
from subsidy_claims.policies.facts import CatalogueClass, PastSubsidy, SubsidyKind
from subsidy_claims.policies.tables import CqAmountTable, catalogue_class_of, cq_amount_table

SH13_KINDS = [SubsidyKind.SH_UPGRADE.value, SubsidyKind.SH_TRAINING.value]

# What submit and its response read: everything `to_out` shows and the guards use, but not the stored decision
# (submit replaces it) nor the payout accounts (payment reads them later).
_DRAFT = """
SELECT id, policy, policy_version, status, applicant_id_number, applicant_name, certificate_number,
       certificate_kind, occupation_code, occupation_name, work_type, family_key, work_type_key, level, level_key,
       certificate_issue_date, district, facts::text AS facts, outcome, applied_amount_fen, amount_fen,
       city_share_fen, district_share_fen, as_in_service, as_secondary_student, submitted_on, review_due_on,
       review_started_on,
       rejection_reason, material_request, material_response, publicity_started_on, publicity_ends_on,
       confirmed_on, payment_channel, payment_attempts, payment_failure_reason, paid_on, clawback_reason,
       created_by
FROM claims WHERE id = $1::uuid
"""
_PRIOR = PRIOR_SQL.replace(":applicant", "$1").replace(":holding", "$2").replace(":exclude", "$3")
"""The preview's statement (``repository.PRIOR_SQL``) with ``$n`` parameters."""
# Everything the decision reads once the registry has answered, in one round trip: the claim's row lock and its
# status as now committed (a parallel submit may have won while the registry was asked), the newest CQ-10 amount
# table (cq-eval), the SH-2 catalogue entries of the occupation and 工种 (sh-upgrade), and the prior subsidies. The
# row lock comes first, from the one-row source every other part hangs off: no row means no claim. One row per
# prior subsidy (or one with NULL prior columns); the lock, table and catalogue columns repeat on each.
_CONTEXT = f"""
SELECT l.status, cq.version AS cq_version, cq.amounts::text AS cq_amounts, cat.classes::text AS catalogue,
       p.own, p.kind, p.occupation_code, p.work_type, p.level, p.year, p.as_in_service, p.as_secondary_student,
       p.source
FROM (SELECT status FROM claims WHERE id = $3::uuid FOR UPDATE) AS l
LEFT JOIN LATERAL (SELECT version, amounts FROM cq_amount_tables WHERE $4::bool ORDER BY id DESC LIMIT 1) AS cq
       ON true
LEFT JOIN LATERAL (SELECT jsonb_object_agg(work_type, catalogue_class) AS classes FROM sh_catalogue
                   WHERE $5::bool AND occupation_code = $6::text AND work_type = ANY($7::text[])) AS cat ON true
LEFT JOIN ({_PRIOR}) AS p ON true
ORDER BY p.own
"""  # noqa: S608 - our own constant statement; every value is a parameter
# CQ-7 / SH-6: the upsert locks the (person, policy, 工种) row and re-checks the condition on its newest version,
# so of two simultaneous claims at the same level exactly one gets a row back. A certificate without level
# (level key 0) never takes an existing row: same project once.
_TAKE_LEVEL = """
INSERT INTO level_ledger AS l (applicant_id_number, policy, work_type_key, best_level_key, claim_id)
VALUES ($1::text, $2::text, $3::text, $4::smallint, $5::uuid)
ON CONFLICT (applicant_id_number, policy, work_type_key)
DO UPDATE SET best_level_key = $4::smallint, claim_id = $5::uuid
WHERE $4::smallint > 0 AND l.best_level_key > $4::smallint
RETURNING l.claim_id
"""
# CQ-6: the first 工种 of an occupation family claims the family; another 工种 gets no row back.
_TAKE_FAMILY = """
INSERT INTO family_ledger AS f (applicant_id_number, policy, family_key, work_type_key)
VALUES ($1::text, $2::text, $3::text, $4::text)
ON CONFLICT (applicant_id_number, policy, family_key)
DO UPDATE SET work_type_key = $4::text
WHERE f.work_type_key = $4::text
RETURNING f.work_type_key
"""
_TAKE_LEVEL_AND_FAMILY = combined_statement((_TAKE_LEVEL, _TAKE_FAMILY))
"""CQ-6 and CQ-7 in one round trip: the level row, then the family row (the main query reads the level's count
first, so every submit locks the two ledgers in the same order), each count 1 when taken."""
_EXTERNAL_COUNTS = """
SELECT count(*), count(*) FILTER (WHERE as_in_service) FROM past_subsidies
WHERE applicant_id_number = $1::text AND year = $2::int AND kind = ANY($3::text[])
"""
_YEAR_ROW = """
INSERT INTO yearly_counts (applicant_id_number, year, claims, in_service_claims) VALUES ($1::text, $2::int, 0, 0)
ON CONFLICT DO NOTHING
"""
# SH-13: the guarded increment counts the subsidies recorded elsewhere; the row's CHECKs stand behind it.
_COUNT_YEAR = """
UPDATE yearly_counts SET claims = claims + 1, in_service_claims = in_service_claims + $3::int
WHERE applicant_id_number = $1::text AND year = $2::int AND claims + 1 + $4::int <= 3
  AND (NOT $6::bool OR in_service_claims + $3::int + $5::int <= 1)
RETURNING claims
"""
# Every column submit sets; the unique indexes of live claims (CQ-7 / SH-6, one claim per certificate) check it.
_SAVE = """
UPDATE claims SET status = $2::text, occupation_name = $3::text, facts = $4::jsonb, policy_version = $5::text,
       decision = $6::jsonb, outcome = $7::text, district = $8::text, amount_fen = $9::bigint,
       city_share_fen = $10::bigint, district_share_fen = $11::bigint, as_in_service = $12::bool,
       as_secondary_student = $13::bool, submitted_on = $14::date, submitted_at = $15::timestamptz,
       review_due_on = $16::date, review_started_on = $17::date, updated_at = now()
WHERE id = $1::uuid
RETURNING 1
"""


@dataclass(frozen=True, slots=True)
class SubmitContext:
    """What `SubmitRepository.context` read under the claim's row lock."""

    status: str | None
    """The claim's status as committed once the lock was granted; None when there is no such claim."""
    cq_table: CqAmountTable | None
    catalogue_class: CatalogueClass | None
    prior: list[PastSubsidy]


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


class SubmitRepository:
    """Speaks to the lean unit of work's connection; every method is one statement (two for the year row)."""

    def __init__(self, tx: LeanTx) -> None:
        self.tx = tx
        self.conn = tx.conn

    async def draft(self, claim_id: uuid.UUID) -> Claim | None:
        """The claim as submit needs it: a transient `Claim` (never attached to a session) built from columns."""
        row = await self.conn.fetchrow(_DRAFT, claim_id)
        if row is None:
            return None
        values = dict(row)
        values["facts"] = orjson.loads(values["facts"])
        return Claim(**values)

    async def context(self, claim: Claim, occupation_code: str, work_type: str | None) -> SubmitContext:
        """Lock the claim's row and read what the decision needs with it (see `_CONTEXT`)."""
        rows = await self.conn.fetch(
            _CONTEXT,
            claim.applicant_id_number,
            HOLDING_VALUES,
            claim.id,
            claim.policy == "cq-eval",
            claim.policy == "sh-upgrade",
            occupation_code,
            [work_type or "", ""],
        )
        if not rows:
            return SubmitContext(status=None, cq_table=None, catalogue_class=None, prior=[])
        first = rows[0]
        return SubmitContext(
            status=first["status"],
            cq_table=None
            if first["cq_version"] is None
            else cq_amount_table(first["cq_version"], orjson.loads(first["cq_amounts"])),
            catalogue_class=catalogue_class_of(orjson.loads(first["catalogue"] or "{}"), work_type),
            prior=[past_subsidy_of(r) for r in rows if r["kind"] is not None],
        )

    async def take_level(
        self, applicant: str, policy: str, work_type_key: str, level_key: int, claim_id: uuid.UUID
    ) -> bool:
        """CQ-7 / SH-6: take the ledger row only with a strictly higher level (see `_TAKE_LEVEL`)."""
        taken = await self.conn.fetchval(_TAKE_LEVEL, applicant, policy, work_type_key, level_key, claim_id)
        return taken is not None

    async def take_level_and_family(
        self,
        applicant: str,
        policy: str,
        work_type_key: str,
        level_key: int,
        claim_id: uuid.UUID,
        family_key: str,
    ) -> tuple[bool, bool]:
        """CQ-7 and CQ-6 together (see `_TAKE_LEVEL_AND_FAMILY`): whether the level and the family were taken."""
        row = await self.conn.fetchrow(
            _TAKE_LEVEL_AND_FAMILY,
            *(applicant, policy, work_type_key, level_key, claim_id),
            *(applicant, policy, family_key, work_type_key),
        )
        assert row is not None  # a SELECT without FROM always yields one row
        return bool(row[0]), bool(row[1])

    async def external_counts(self, applicant: str, year: int) -> tuple[int, int]:
        """SH-13: training or upgrade subsidies recorded elsewhere this year, and how many as in-service."""
        row = await self.conn.fetchrow(_EXTERNAL_COUNTS, applicant, year, SH13_KINDS)
        assert row is not None  # an aggregate without GROUP BY always returns one row
        return int(row[0]), int(row[1])

    async def count_year(
        self, applicant: str, year: int, *, in_service: bool, external: int, external_in_service: int
    ) -> bool:
        """SH-13: add one claim to the (person, year) counter if the caps still allow it."""
        await self.conn.execute(_YEAR_ROW, applicant, year)
        counted = await self.conn.fetchval(
            _COUNT_YEAR, applicant, year, 1 if in_service else 0, external, external_in_service, in_service
        )
        return counted is not None

    async def save(self, claim: Claim, refuse: Refuse) -> None:
        """Write what submit changed (`submission.apply_submission`, the SH-13 standing) in one UPDATE.

        Nothing later reads it, so it goes with the unit of work's trailing writes (`LeanTx.write`); a live-claim
        index it breaks (a simultaneous submit committed first) surfaces there and becomes ``refuse``'s 409.
        """
        await self.tx.write(
            _SAVE,
            claim.id,
            claim.status,
            claim.occupation_name,
            _json(claim.facts),
            claim.policy_version,
            _json(claim.decision),
            claim.outcome,
            claim.district,
            claim.amount_fen,
            claim.city_share_fen,
            claim.district_share_fen,
            claim.as_in_service,
            claim.as_secondary_student,
            claim.submitted_on,
            claim.submitted_at,
            claim.review_due_on,
            claim.review_started_on,
            refuse=refuse,
        )
