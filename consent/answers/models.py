"""How many answers each consent has given for each derived question."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consent.storage.base import Base


class AnswerCount(Base):
    __tablename__ = "answer_counts"

    consent_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    used: Mapped[int] = mapped_column(Integer)
