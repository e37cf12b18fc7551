"""The configuration reference, generated from the settings classes: `python -m skills_tools.configref`.

Written from the code, not by hand, because the environment names are not obvious (a per-service prefix, plus
suite-wide ``SKILLS_*`` aliases on some fields) and a hand-written table drifts the first time a field is added.
`deploy/tests` checks that the committed ``docs/config-reference.md`` equals this module's output, and uses
:func:`environment_names` to check every variable the compose file and the manifests set.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings, EnvSettingsSource

from skills_shared.settings import ServiceSettings
from skills_tools.services import SERVICES, ServiceSpec

SETTINGS_CLASSES = {
    "gateway": "gateway.settings:GatewaySettings",
    "certificate-registry": "certificate_registry.settings:RegistrySettings",
    "org-filing": "org_filing.settings:OrgFilingSettings",
    "subsidy-claims": "subsidy_claims.settings:SubsidySettings",
    "voucher": "voucher.settings:VoucherSettings",
}
"""Service name → its settings class (``module:Class``)."""

DEFAULT_OUTPUT = Path("docs/config-reference.md")

SECRET_WORDS = ("secret", "seed", "password")


@dataclass(frozen=True)
class Variable:
    """One setting as an operator sees it: the environment names that set it, its type, default and meaning."""

    field: str
    names: tuple[str, ...]
    type: str
    default: str
    description: str

    @property
    def suite_wide(self) -> bool:
        """Whether an unprefixed ``SKILLS_*`` name sets it for every service at once."""
        return any(n.startswith("SKILLS_") for n in self.names)


def settings_class(spec: ServiceSpec) -> type[ServiceSettings]:
    """Import the service's settings class."""
    module, _, name = SETTINGS_CLASSES[spec.name].partition(":")
    cls: type[ServiceSettings] = getattr(import_module(module), name)
    return cls


def environment_names(cls: type[BaseSettings], field: str) -> tuple[str, ...]:
    """Every environment variable that sets ``field``, in the order pydantic-settings tries them.

    Asked of pydantic-settings' own environment source rather than recomputed, so the answer is what the running
    service really reads (an alias drops the prefix; ``populate_by_name`` adds the prefixed name back).
    """
    source = EnvSettingsSource(cls)
    info = source._extract_field_info(cls.model_fields[field], field)
    names: list[str] = []
    for _key, env_name, _complex in info:
        upper = env_name.upper()
        if upper not in names:
            names.append(upper)
    return tuple(names)


def _type_name(info: FieldInfo) -> str:
    text = repr(info.annotation) if not isinstance(info.annotation, type) else info.annotation.__name__
    return text.replace("typing.", "").replace("NoneType", "None")


def _default(field: str, info: FieldInfo) -> str:
    if info.default_factory is not None:
        value: Any = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return "(required)"
    else:
        value = info.default
    if value is None:
        return "unset"
    if any(word in field for word in SECRET_WORDS) and value:
        return "development value; must be set in production"
    return f"`{value}`" if value != "" else '`""`'


def _constraints(info: FieldInfo) -> str:
    parts = []
    for meta in info.metadata:
        for attr, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            bound = getattr(meta, attr, None)
            if bound is not None:
                parts.append(f"{sign} {bound}")
    return f" ({', '.join(parts)})" if parts else ""


def variables(cls: type[ServiceSettings]) -> list[Variable]:
    """Every field of a settings class, with its environment names."""
    found = []
    for field, info in cls.model_fields.items():
        description = (info.description or "").replace("|", "\\|").replace("\n", " ")
        found.append(
            Variable(
                field=field,
                names=environment_names(cls, field),
                type=(_type_name(info) + _constraints(info)).replace("|", "\\|"),
                default=_default(field, info).replace("|", "\\|"),
                description=description,
            )
        )
    return found


def _table(rows: Iterable[Variable]) -> list[str]:
    lines = ["| variable | type | default | meaning |", "| --- | --- | --- | --- |"]
    for v in rows:
        names = "<br>".join(f"`{n}`" for n in v.names)
        lines.append(f"| {names} | {v.type} | {v.default} | {v.description} |")
    return lines


def render() -> str:
    """The whole reference as Markdown."""
    lines = [
        "# Configuration reference",
        "",
        "<!-- Generated by `python -m skills_tools.configref > docs/config-reference.md`; do not edit by hand."
        " deploy/tests checks it is current. -->",
        "",
        "Every setting is an environment variable. A name in the first table sets the value for every service;",
        "the per-service tables give the prefixed names (`GATEWAY_`, `REGISTRY_`, `ORGFILING_`, `SUBSIDY_`,",
        "`VOUCHER_`). Where a field lists several names, the first one found in the environment wins.",
        'Lists (`jwt_algorithms`, `cors_allow_origins`) are written as JSON: `\'["RS256","ES256"]\'`.',
        "",
        "Tracing is configured by the standard OpenTelemetry variables, not by these classes: it is off unless",
        "`OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set; `OTEL_SERVICE_NAME`,",
        "`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` work as documented by",
        "OpenTelemetry.",
        "",
        "## Suite-wide",
        "",
        "The same in every service (shown with the gateway's prefixed fallback name).",
        "",
    ]
    first = settings_class(SERVICES[0])
    shared = [v for v in variables(first) if v.suite_wide]
    shared_fields = {v.field for v in shared}
    lines += _table(shared)
    for spec in SERVICES:
        cls = settings_class(spec)
        own = [v for v in variables(cls) if v.field not in shared_fields]
        lines += [
            "",
            f"## {spec.name} (`{spec.env_prefix}`, port {spec.port}, database `{spec.database}`)",
            "",
            f"`{cls.__module__}.{cls.__name__}`",
            "",
        ]
        lines += _table(own)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Print the reference, or write it with ``--write [PATH]``."""
    parser = argparse.ArgumentParser(prog="python -m skills_tools.configref", description=__doc__)
    parser.add_argument("--write", nargs="?", const=str(DEFAULT_OUTPUT), help="write to a file instead")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
