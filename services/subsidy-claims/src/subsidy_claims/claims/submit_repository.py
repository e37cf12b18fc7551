"""All SQL of the claim submit path, on the lean unit of work (plain asyncpg, `$n` parameters, no ORM).

Submit runs hundreds of times a second; a session and the ORM cost it several times the CPU of the statements
themselves, and loading a whole `Claim` decodes JSON documents submit never reads. Each statement here says what
the ORM version said: the ledgers' conditional upserts, the guarded yearly counter and the claim's UPDATE are the
database's double-payment guards (CQ-6, CQ-7 / SH-6, SH-13) and keep their ON CONFLICT … WHERE conditions and
CHECK constraints. Constraint violations surface as asyncpg's ``IntegrityConstraintViolationError`` subclasses.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from skills_shared.db.lean import LeanTx
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
_LOCK_STATUS = "SELECT status FROM claims WHERE id = $1::uuid FOR UPDATE"
_CQ_TABLE = "SELECT version, amounts::text FROM cq_amount_tables ORDER BY id DESC LIMIT 1"
_CATALOGUE = """
SELECT work_type, catalogue_class FROM sh_catalogue WHERE occupation_code = $1::text AND work_type = ANY($2::text[])
"""
_PRIOR = PRIOR_SQL.replace(":applicant", "$1").replace(":holding", "$2").replace(":exclude", "$3")
"""The preview's statement (``repository.PRIOR_SQL``) with ``$n`` parameters."""
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
"""


def _json(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


class SubmitRepository:
    """Speaks to the lean unit of work's connection; every method is one statement (two for the year row)."""

    def __init__(self, tx: LeanTx) -> None:
        self.conn = tx.conn

    async def draft(self, claim_id: uuid.UUID) -> Claim | None:
        """The claim as submit needs it: a transient `Claim` (never attached to a session) built from columns."""
        row = await self.conn.fetchrow(_DRAFT, claim_id)
        if row is None:
            return None
        values = dict(row)
        values["facts"] = orjson.loads(values["facts"])
        return Claim(**values)

    async def lock_status(self, claim_id: uuid.UUID) -> str:
        """Lock the claim's row (FOR UPDATE) and read its status as now committed."""
        status: str = await self.conn.fetchval(_LOCK_STATUS, claim_id)
        return status

    async def current_cq_table(self) -> CqAmountTable | None:
        """CQ-10: the newest loaded amount table, if any."""
        row = await self.conn.fetchrow(_CQ_TABLE)
        return None if row is None else cq_amount_table(row[0], orjson.loads(row[1]))

    async def catalogue_class(self, occupation_code: str, work_type: str | None) -> CatalogueClass | None:
        """SH-2: the catalogue class of the 工种, else of the occupation."""
        rows = await self.conn.fetch(_CATALOGUE, occupation_code, [work_type or "", ""])
        return catalogue_class_of({r[0]: r[1] for r in rows}, work_type)

    async def prior_subsidies(self, applicant: str, exclude: uuid.UUID) -> list[PastSubsidy]:
        """Subsidies that count against a new claim: recorded elsewhere, plus this service's live claims."""
        return [past_subsidy_of(r) for r in await self.conn.fetch(_PRIOR, applicant, HOLDING_VALUES, exclude)]

    async def take_level(
        self, applicant: str, policy: str, work_type_key: str, level_key: int, claim_id: uuid.UUID
    ) -> bool:
        """CQ-7 / SH-6: take the ledger row only with a strictly higher level (see `_TAKE_LEVEL`)."""
        taken = await self.conn.fetchval(_TAKE_LEVEL, applicant, policy, work_type_key, level_key, claim_id)
        return taken is not None

    async def take_family(self, applicant: str, policy: str, family_key: str, work_type_key: str) -> bool:
        """CQ-6: hold the occupation family for this 工种 (see `_TAKE_FAMILY`)."""
        taken = await self.conn.fetchval(_TAKE_FAMILY, applicant, policy, family_key, work_type_key)
        return taken is not None

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

    async def save(self, claim: Claim) -> None:
        """Write what submit changed (`submission.apply_submission`, the SH-13 standing) in one UPDATE."""
        await self.conn.execute(
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
        )
