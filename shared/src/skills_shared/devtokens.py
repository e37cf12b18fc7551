"""Development tokens the services accept (`make token` and the docs page's token helper), or a one-line reason why not.

A token the services then refuse (a scoped role without its scope, a citizen whose subject is not an ID number)
costs a newcomer an hour of 401s and 403s; so every such token is refused here, naming the `make` variable to set.
Permissions are only those some service reads: a `PERMS=` value nothing checks would suggest it grants something.
"""

from __future__ import annotations

from dataclasses import dataclass

from skills_shared.auth import SCOPE_CLAIM, Role
from skills_shared.validators import InvalidValue, validate_resident_id

MAKE_VARIABLE = {"body": "BODY", "institution": "INSTITUTION", "district": "DISTRICT"}
"""The `make token` variable that sets each scope claim."""

PERMISSIONS: dict[str, tuple[Role, str]] = {
    "unit_head": (Role.DISTRICT_OFFICER, "单位负责人：可审批本区县大额补贴申领（subsidy-claims）"),
}
"""Every permission a service reads from a token, the role it goes with, and what it grants. An institution's
redeem permission is not a token claim: the institution administrator grants it per redeemer (V-6)."""


class TokenRequestError(ValueError):
    """The token asked for would be refused by the services; the message says what to set."""


@dataclass(frozen=True)
class TokenRequest:
    role: Role
    sub: str
    scopes: dict[str, str]
    perms: tuple[str, ...]


def check_request(
    role: str, *, sub: str = "", district: str = "", body: str = "", institution: str = "", perms: str = ""
) -> TokenRequest:
    """The claims of a token the services accept, or :class:`TokenRequestError` with a one-line reason."""
    try:
        the_role = Role(role)
    except ValueError:
        raise TokenRequestError(
            f"ROLE={role!r} is not a role; choose one of {', '.join(r.value for r in Role)}"
        ) from None
    given = {"district": district, "body": body, "institution": institution}
    needed = SCOPE_CLAIM.get(the_role)
    if needed and not given[needed]:
        raise TokenRequestError(
            f"ROLE={the_role.value} needs {MAKE_VARIABLE[needed]}= (the {needed} the token is scoped to)"
        )
    extra = [MAKE_VARIABLE[k] for k, v in given.items() if v and k != needed]
    if extra:
        raise TokenRequestError(
            f"ROLE={the_role.value} takes no {', '.join(v + '=' for v in extra)}: remove it"
        )
    if the_role is Role.CITIZEN:
        try:
            validate_resident_id(sub)
        except InvalidValue:
            raise TokenRequestError(
                "ROLE=citizen needs SUB= a valid 18-digit resident ID number (the citizen the token speaks for)"
            ) from None
    wanted = tuple(p for p in perms.split(",") if p)
    for perm in wanted:
        if perm not in PERMISSIONS:
            known = ", ".join(f"{k} ({r.value})" for k, (r, _) in PERMISSIONS.items())
            raise TokenRequestError(f"PERMS={perm} is checked by no service; known permissions: {known}")
        if PERMISSIONS[perm][0] is not the_role:
            raise TokenRequestError(f"PERMS={perm} is only read for ROLE={PERMISSIONS[perm][0].value}")
    scopes = {needed: given[needed]} if needed else {}
    return TokenRequest(the_role, sub or the_role.value, scopes, wanted)
