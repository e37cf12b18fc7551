"""Pure rules of supervision (OF-6): the reproducible 双随机 draw and the complaint lifecycle."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from skills_shared.transitions import StateMachine

OF_6 = "OF-6"


@dataclass(frozen=True, slots=True)
class Draw:
    """Which bodies are inspected and by whom — anyone holding the seed and the lists can redo it."""

    seed: str
    assignments: tuple[tuple[str, tuple[str, ...]], ...]


class DrawError(ValueError):
    """The draw cannot be made with what was given (too few bodies or inspectors)."""


def draw_inspections(
    seed: str,
    body_codes: Iterable[str],
    inspector_ids: Iterable[str],
    bodies_to_draw: int,
    inspectors_per_body: int,
) -> Draw:
    """双随机: random bodies, then random inspectors for each, from `random.Random(seed)` over sorted inputs.

    Sorting and de-duplicating first makes the draw depend only on the seed and the sets, never on the order
    rows came back from the database, so the published seed lets the public redo it.
    """
    bodies = sorted(set(body_codes))
    inspectors = sorted(set(inspector_ids))
    if bodies_to_draw < 1 or inspectors_per_body < 1:
        raise DrawError("draw sizes must be at least 1")
    if bodies_to_draw > len(bodies):
        raise DrawError(f"only {len(bodies)} bodies to draw from")
    if inspectors_per_body > len(inspectors):
        raise DrawError(f"only {len(inspectors)} inspectors to draw from")
    rng = random.Random(seed)
    chosen = sorted(rng.sample(bodies, bodies_to_draw))
    assignments = tuple((code, tuple(sorted(rng.sample(inspectors, inspectors_per_body)))) for code in chosen)
    return Draw(seed, assignments)


class ComplaintStatus(StrEnum):
    received = "received"
    handling = "handling"
    substantiated = "substantiated"
    unfounded = "unfounded"


COMPLAINT_MACHINE: StateMachine[ComplaintStatus] = StateMachine(
    "投诉",
    moves={
        "start": (frozenset({ComplaintStatus.received}), ComplaintStatus.handling),
        "substantiate": (
            frozenset({ComplaintStatus.received, ComplaintStatus.handling}),
            ComplaintStatus.substantiated,
        ),
        "dismiss": (
            frozenset({ComplaintStatus.received, ComplaintStatus.handling}),
            ComplaintStatus.unfounded,
        ),
    },
    actions_zh={"start": "开始处理", "substantiate": "认定属实", "dismiss": "认定不属实"},
    rule=OF_6,
    states_zh={"received": "已受理", "handling": "处理中", "substantiated": "属实", "unfounded": "不属实"},
)
"""OF-6: complaints are accepted and handled; a decided complaint stays decided."""


class InspectionStatus(StrEnum):
    drawn = "drawn"
    published = "published"


INSPECTION_MACHINE: StateMachine[InspectionStatus] = StateMachine(
    "双随机检查",
    moves={
        "record_result": (frozenset({InspectionStatus.drawn}), InspectionStatus.drawn),
        "publish": (frozenset({InspectionStatus.drawn}), InspectionStatus.published),
    },
    actions_zh={"record_result": "录入或修改检查结果（结果已公布）", "publish": "再次公布"},
    rule=OF_6,
    states_zh={"drawn": "已抽取", "published": "已公布"},
)
"""OF-6 一公开: results are recorded while drawn and frozen once published."""
