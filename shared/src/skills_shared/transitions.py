"""One transition helper for every state machine of the suite (applications, bodies, batches, claims, vouchers).

A machine is a table ``action → (states it may start from, state it leads to)``. Moving from a state the
table does not allow raises a 409 :class:`~skills_shared.refusals.Refusal` with code ``illegal_state`` that names
the current state and the action in Chinese and carries both as fields, so a client can tell why and what state
it would need. Keeping the table as data keeps the machine testable as a table and printable in the docs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from skills_shared.refusals import Refusal

S = TypeVar("S", bound=StrEnum)


class IllegalTransition(Refusal):
    """The current state does not allow the action (409 ``illegal_state``)."""

    def __init__(
        self,
        *,
        entity_zh: str,
        current: str,
        action: str,
        action_zh: str,
        rule: str | None,
        current_zh: str | None = None,
    ) -> None:
        super().__init__(
            rule,
            "illegal_state",
            f"{entity_zh}当前状态为“{current_zh or current}”，不能{action_zh}",
            status=409,
            title="Illegal state transition",
            extra={"current_state": current, "action": action},
        )
        self.current = current
        self.action = action


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    """A state machine as a table; ``next`` is the only way a status changes."""

    entity_zh: str
    """What the machine is about, in Chinese (申请, 批次, 申领…), for the refusal's detail."""
    moves: Mapping[str, tuple[frozenset[S], S]]
    """action → (states the action may start from, the state it leads to)."""
    actions_zh: Mapping[str, str] = field(default_factory=dict)
    """action → its Chinese verb, for the refusal's detail; the action's own name otherwise."""
    rule: str | None = None
    """The DOMAIN.md rule the machine implements, cited in every refusal."""
    states_zh: Mapping[str, str] = field(default_factory=dict)
    """state → its Chinese name, so the refusal a citizen or office reads names the state in Chinese; the state's
    code travels beside it in ``current_state`` for programs."""

    def allows(self, current: S | str, action: str) -> bool:
        sources, _ = self.moves[action]
        return str(current) in {str(s) for s in sources}

    def next(self, current: S | str, action: str) -> S:
        """The state ``action`` leads to from ``current``, or :class:`IllegalTransition`."""
        sources, target = self.moves[action]
        if str(current) not in {str(s) for s in sources}:
            raise self.refusal(current, action)
        return target

    def refusal(self, current: S | str, action: str) -> IllegalTransition:
        """The 409 for ``action`` from ``current``: also for a route that allows less than the table does."""
        return IllegalTransition(
            entity_zh=self.entity_zh,
            current=str(current),
            current_zh=self.states_zh.get(str(current)),
            action=str(action),
            action_zh=self.actions_zh.get(str(action), str(action)),
            rule=self.rule,
        )

    def actions_from(self, current: S | str) -> list[str]:
        """The actions the current state allows, in table order (for "what can I do next" answers)."""
        return [a for a, (sources, _) in self.moves.items() if str(current) in {str(s) for s in sources}]
