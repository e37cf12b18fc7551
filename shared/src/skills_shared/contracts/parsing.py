"""Consumers parse every answer from another service into its contract; a mismatch is a 502 naming the provider.

An answer that does not match the contract is never passed on half-parsed: the provider changed something the
consumer relies on (a renamed field, a dropped member), and the caller is told which service broke the contract.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from skills_shared.logging import get_logger
from skills_shared.problems import Problem

log = get_logger(__name__)

M = TypeVar("M")


class ContractMismatch(Problem):
    """502: the provider's answer does not match the contract this consumer was built against."""

    def __init__(self, service: str, contract: str, error: ValidationError) -> None:
        fields = sorted({".".join(str(p) for p in e["loc"]) or "(root)" for e in error.errors()})
        super().__init__(
            502,
            "upstream_contract_mismatch",
            f"服务 {service} 的应答与约定的接口格式不符，请联系运维人员",
            title="Bad gateway",
            extra={"service": service, "contract": contract, "fields": fields[:20]},
        )
        self.service = service


def parse_contract(model: type[M] | Any, data: Any, *, service: str) -> M:
    """``data`` (decoded JSON) as ``model`` (a pydantic model or any type pydantic can validate), or a 502."""
    try:
        if isinstance(model, type) and issubclass(model, BaseModel):
            return model.model_validate(data)  # type: ignore[return-value]
        adapter: TypeAdapter[M] = TypeAdapter(model)
        return adapter.validate_python(data)
    except ValidationError as exc:
        name = getattr(model, "__name__", str(model))
        log.warning("upstream_contract_mismatch", service=service, contract=name, errors=exc.error_count())
        raise ContractMismatch(service, name, exc) from exc
