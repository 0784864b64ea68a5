"""SQLAlchemy implementation of the survey port: one answer per ticket and channel (a unique
key), and the console's tallies in one ``GROUP BY``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select

from core import repository
from core.adapters import orm
from core.adapters.repository import _flush
from core.model import SurveyAnswer, SurveyTally


class SqlAlchemySurveyRepository(repository.SurveyRepository):
    def __init__(self, session: Any):
        self.session = session

    def add(self, answer: SurveyAnswer) -> None:
        self.session.add(answer)
        _flush(self.session)

    def get(self, channel: str, ticket_number: str) -> SurveyAnswer | None:
        table = orm.survey_answers
        statement = select(SurveyAnswer).where(
            table.c.channel == channel, table.c.ticket_number == ticket_number
        )
        found: SurveyAnswer | None = self.session.execute(statement).scalars().first()
        return found

    def tallies(self, since: datetime | None = None) -> list[SurveyTally]:
        table = orm.survey_answers
        keys = (table.c.channel, table.c.theatre, table.c.language)
        statement = select(
            *keys,
            func.count(),
            func.sum(case((table.c.understood, 1), else_=0)),
            func.count(table.c.score),
            func.coalesce(func.sum(table.c.score), 0),
        )
        if since is not None:
            statement = statement.where(table.c.at >= since)
        rows = self.session.execute(statement.group_by(*keys).order_by(*keys))
        return [
            SurveyTally(
                channel=row[0],
                theatre=row[1],
                language=row[2],
                answers=int(row[3]),
                understood=int(row[4] or 0),
                scores=int(row[5]),
                score_sum=int(row[6]),
            )
            for row in rows
        ]

    def chat_ticket(self, conversation_id: str) -> str | None:
        table = orm.tickets
        statement = (
            select(table.c.number)
            .where(
                table.c.conversation_id == conversation_id,
                table.c.channel == "chat",
                table.c.number.is_not(None),
            )
            .order_by(table.c.opened_at.desc(), table.c.id.desc())
            .limit(1)
        )
        number = self.session.execute(statement).scalar_one_or_none()
        return str(number) if number else None
