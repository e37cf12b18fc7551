"""Paths of the downstream services' APIs that the gateway calls, in one place (read from their routers)."""

from __future__ import annotations

import re

# certificate-registry :8001
REGISTRY_PUBLIC_LOOKUP = "/v1/certificates/{number}"
"""CR-6 public query: ?name=&id_number=; answers the masked public view or one 404 for every mismatch."""
REGISTRY_HOLDER_CERTIFICATES = "/v1/me/certificates"
REGISTRY_SIGNING_KEY = "/v1/signing-key"
REGISTRY_DOCUMENT = "/v1/certificates/{number}/document"
"""The signed document of a certificate: {"document": {...}, "signature": "...", "key_id": "..."}."""
REGISTRY_BATCHES = "/v1/batches"
REGISTRY_BATCH = "/v1/batches/{batch_id}"
REGISTRY_BATCH_RESULTS = "/v1/batches/{batch_id}/results"
REGISTRY_BATCH_PUBLICITY = "/v1/batches/{batch_id}/publicity"
REGISTRY_BATCH_APPROVAL = "/v1/batches/{batch_id}/approval"
REGISTRY_BATCH_ISSUE = "/v1/batches/{batch_id}/issue"
REGISTRY_NUMBER_DECODE = "/v1/certificate-numbers/{number}"
"""CR-1: a certificate number's parts, or the one refusal listing every fault (public)."""

# org-filing :8002
ORG_APPLICATIONS = "/v1/applications"
ORG_APPLICATION_SUBMIT = "/v1/applications/{app_id}/submit"
ORG_APPLICATION_STEPS = {
    "evaluation": "/v1/applications/{app_id}/evaluation",
    "rejection": "/v1/applications/{app_id}/rejection",
    "publication": "/v1/applications/{app_id}/publication",
    "filing": "/v1/applications/{app_id}/filing",
}
ORG_BODY_PLANS = "/v1/bodies/{code}/plans"
ORG_BODY = "/v1/bodies/{code}"
ORG_CALENDAR_WORKING_DAYS = "/v1/calendar/working-days"
"""P-1: ?start=&n= → the N working days after start (public)."""
ORG_CALENDAR_DEADLINE = "/v1/calendar/deadline"
"""P-2: ?event_date=&n=&filed_on= → the last day to file, and whether a filing day is on time (public)."""
ORG_BODY_STATUS_MOVES = {
    "suspend": "/v1/bodies/{code}/suspension",
    "reinstate": "/v1/bodies/{code}/reinstatement",
    "cancel": "/v1/bodies/{code}/cancellation",
    "extend": "/v1/bodies/{code}/extension",
}

# subsidy-claims :8003
SUBSIDY_CLAIMS = "/v1/claims"
SUBSIDY_CLAIM_SUBMIT = "/v1/claims/{claim_id}/submit"
SUBSIDY_MY_CLAIMS = "/v1/claims/mine"
SUBSIDY_CLAIM = "/v1/claims/{claim_id}"
SUBSIDY_CLAIM_MOVES = {"approve": "/v1/claims/{claim_id}/approve", "reject": "/v1/claims/{claim_id}/reject"}

# voucher :8004
VOUCHER_CLAIMS = "/v1/me/vouchers/claims"
VOUCHER_MINE = "/v1/me/vouchers"
VOUCHER_QR_TOKEN = "/v1/me/vouchers/{voucher_id}/qr-token"  # noqa: S105 - a path, not a secret
VOUCHER_REDEMPTIONS = "/v1/redemptions"

# The gateway's own paths that carry the suite's bulk uploads: a 10,000-candidate result list (2–4 MB; the
# registry takes up to 8 MB) and a 300,000-holder voucher issue list (about 17 MB; the voucher service takes
# up to 40 MB). They get GATEWAY_BULK_BODY_BYTES; every other route keeps GATEWAY_MAX_BODY_BYTES, so a large
# body is read before authentication only on these three paths.
BULK_UPLOADS = re.compile(
    r"/api/v1/batches/[^/]+/results"
    r"|/api/v1/registry/batches/[^/]+/results"
    r"|/api/v1/voucher/campaigns/[^/]+/issues"
)
