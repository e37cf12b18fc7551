"""ORM models of operator-loaded policy tables: the CQ-10 amount table and the SH-2 catalogue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Integer, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from subsidy_claims.db import Base


class CqAmountTableRow(Base):
    """One loaded version of the 渝人社发〔2024〕13号 amount table (CQ-10); the newest is in force."""

    __tablename__ = "cq_amount_tables"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(100), unique=True)
    amounts: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    loaded_by: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CatalogueEntry(Base):
    """SH-2: which catalogue class (A/B/C) an occupation or 工种 is in; '' work type = the whole occupation."""

    __tablename__ = "sh_catalogue"

    occupation_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    work_type: Mapped[str] = mapped_column(String(100), primary_key=True, default="")
    catalogue_class: Mapped[str] = mapped_column(String(1))
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (CheckConstraint("catalogue_class IN ('A', 'B', 'C')", name="class_known"),)
