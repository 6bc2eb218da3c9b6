# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The facts of the analysis: day rows that reports group instead of the
records when they are materialized.

A fact is a ``table_query`` of the figures of one company and one day (in
the company's time zone) that add up over days, by the dimensions the
reports keep.  It does not depend on the user's context, so that on
PostgreSQL, with ``[table_query_materialized]`` set for it, Tryton stores it
as a materialized view and its cron refreshes it.  A report that names a
fact in ``_fact`` then groups its day rows, when the context only filters on
what the fact keeps (``_fact_filters``); otherwise, and on SQLite, the
report reads the records.  The figures are those of the last refresh.
"""
import datetime as dt

import psycopg
from sql import FromItem, Literal, Null, Union
from sql.aggregate import Count, Max, Min, Sum
from sql.conditionals import Case
from sql.functions import CurrentTimestamp

from trytond import backend
from trytond.cache import Cache
from trytond.model import Index, ModelSQL, fields
from trytond.pool import Pool
from trytond.transaction import Transaction

from .analysis_sql import (
    _FLOAT, _INTEGER, analysis_session, company_zone, facts, hours_between,
    period_start, repeat_days)
from .common import CheckedSearchMixin
from .ticket import CHANNELS, PRIORITIES, TYPES

# the repeat failure days of the scorecard's facts: the context's default
FACT_REPEAT_DAYS = 30
# the context of the reports' sources when they give day rows of every
# company and every date
FACT_CONTEXT = {
    '_analysis_facts': True,
    'period': 'day',
    'from_date': None,
    'to_date': None,
    'repeat_days': FACT_REPEAT_DAYS,
    }


class _Inline(FromItem):
    """The query with its parameters written inline: PostgreSQL refuses
    parameters in the query of a materialized view"""
    __slots__ = ('_text',)

    def __init__(self, query):
        super().__init__()
        cursor = psycopg.ClientCursor(Transaction().connection)
        self._text = cursor.mogrify(str(query), query.params)

    def __str__(self):
        return f'({self._text})'

    @property
    def params(self):
        return ()

# whether the materialized view of a fact exists, by model
_stored = Cache('service.analysis.fact.stored', context=False)


def _day(column, company):
    "The day of the UTC datetime column in the zone of each row's company"
    return period_start(column, period='day', timezone=company_zone(company))


def _count(condition):
    return _INTEGER.sql_cast(Sum(Case((condition, 1), else_=0)))


class Fact(CheckedSearchMixin, ModelSQL):
    "The figures of a company's day that add up"
    __slots__ = ()
    # found by analysis_sql.facts (the cron of ir.model refreshes them)
    _analysis_fact = True

    company = fields.Many2One('company.company', "Company")
    date = fields.Date("Date")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        if cls._table_query_materialized():
            table = cls.__table__()
            cls._sql_indexes.add(Index(table,
                    (table.company, Index.Equality()),
                    (table.date, Index.Range())))

    @classmethod
    def table_query(cls):
        with Transaction().set_context(FACT_CONTEXT):
            query = cls._fact_query()
        if backend.name == 'postgresql':
            names = [c.output_name for c in query.columns]
            query = _Inline(query)
            query = query.select(*(getattr(query, n) for n in names))
        return query

    @classmethod
    def _fact_query(cls):
        raise NotImplementedError

    @classmethod
    def __register__(cls, module):
        # the view is created by the refresh that ends the update, once the
        # columns that the extensions of every module add exist
        with Transaction().set_context(_analysis_fact_register=True):
            super().__register__(module)
        _stored.clear()

    @classmethod
    def _table_query_materialized(cls):
        if Transaction().context.get('_analysis_fact_register'):
            return 0
        return super()._table_query_materialized()

    @classmethod
    def _table_query_refresh(cls, concurrently=True, force=False):
        """Refresh the facts and their statistics, for the reports' plans;
        create the view first if it is missing"""
        transaction = Transaction()
        if not (transaction.database.has_materialized_views()
                and cls._table_query_materialized()):
            return
        analysis_session()
        if not backend.TableHandler.view_exist(cls._table):
            query = cls.table_query()
            query.columns += (CurrentTimestamp().as_('_refreshed'),)
            transaction.database.create_materialized_view(
                transaction.connection, cls._table, query)
            _stored.clear()
            concurrently, force = False, True
        super()._table_query_refresh(concurrently=concurrently, force=force)
        cursor = transaction.connection.cursor()
        cursor.execute(f'ANALYZE "{cls._table}"')

    @classmethod
    def materialized(cls):
        """Whether the facts are stored, and the reports may group them: set
        in the configuration and created by the update of the module"""
        if not (Transaction().database.has_materialized_views()
                and cls._table_query_materialized()):
            return False
        stored = _stored.get(cls.__name__)
        if stored is None:
            stored = backend.TableHandler.view_exist(cls._table)
            _stored.set(cls.__name__, stored)
        return stored

    @classmethod
    def answers(cls):
        "Whether the facts answer the context of the reports"
        return True


def facts_configured():
    "Whether the server stores facts that the reports may group"
    return Transaction().database.has_materialized_views() and any(
        Model._table_query_materialized() for Model in facts())


def figures_as_of():
    """The time of the last refresh of the stored facts (the oldest of
    them), or None when no fact is stored and the reports read the
    records"""
    cursor = Transaction().connection.cursor()
    times = []
    for Model in facts():
        if Model.materialized():
            table = Model.__table__()
            cursor.execute(*table.select(table._refreshed, limit=1))
            for refreshed, in cursor:
                if refreshed.tzinfo:
                    refreshed = refreshed.astimezone(dt.UTC).replace(
                        tzinfo=None)
                times.append(refreshed)
    return min(times, default=None)


class TicketFact(Fact):
    "Tickets per day"
    __name__ = 'service.analysis.fact.ticket'

    type = fields.Selection(TYPES, "Type")
    channel = fields.Selection(CHANNELS, "Channel")
    priority = fields.Selection(PRIORITIES, "Priority")
    tickets = fields.Integer("Tickets")
    responded = fields.Integer("Responded")
    response_count = fields.Integer("Responded with a Deadline")
    response_on_time = fields.Integer("Responded on Time")
    response_hours = fields.Float("Hours to Respond")
    resolved = fields.Integer("Resolved")
    resolution_count = fields.Integer("Resolved with a Deadline")
    resolution_on_time = fields.Integer("Resolved on Time")
    resolution_hours = fields.Float("Hours to Resolve")

    @classmethod
    def _fact_query(cls):
        pool = Pool()
        Ticket = pool.get('service.ticket')
        Promise = pool.get('service.analysis.promise.timeseries')
        ticket = Ticket.__table__()
        day = ticket.select(
            ticket.id, ticket.company,
            _day(ticket.received_at, ticket.company).as_('date'),
            ticket.type, ticket.channel, ticket.priority, ticket.received_at,
            ticket.responded_at, ticket.resolved_at,
            ticket.response_deadline, ticket.resolution_deadline,
            ticket.promised_at,
            where=~ticket.state.in_(['draft', 'cancelled']))
        responded = (
            (day.responded_at != Null) & (day.response_deadline != Null))
        resolved = (
            (day.resolved_at != Null) & (day.resolution_deadline != Null))
        return day.select(
            Min(day.id).as_('id'), day.company.as_('company'),
            day.date.as_('date'), day.type.as_('type'),
            day.channel.as_('channel'), day.priority.as_('priority'),
            _INTEGER.sql_cast(Count(Literal(1))).as_('tickets'),
            _INTEGER.sql_cast(Count(day.responded_at)).as_('responded'),
            _count(responded).as_('response_count'),
            _count(responded & Promise._response_kept(day)).as_(
                'response_on_time'),
            _FLOAT.sql_cast(Sum(
                    hours_between(day.received_at, day.responded_at))).as_(
                'response_hours'),
            _INTEGER.sql_cast(Count(day.resolved_at)).as_('resolved'),
            _count(resolved).as_('resolution_count'),
            _count(resolved & Promise._resolution_kept(day)).as_(
                'resolution_on_time'),
            _FLOAT.sql_cast(Sum(
                    hours_between(day.received_at, day.resolved_at))).as_(
                'resolution_hours'),
            group_by=[day.company, day.date, day.type, day.channel,
                day.priority])


class CallbackFact(Fact):
    "Callbacks per day"
    __name__ = 'service.analysis.fact.callback'

    kind = fields.Selection([
            ('repair', "Repair"),
            ('inspection', "Inspection"),
            ], "Kind")
    callbacks = fields.Integer("Callbacks")
    reached = fields.Integer("Reached")
    failed = fields.Integer("Not Reached")
    solved = fields.Integer("Solved")
    not_solved = fields.Integer("Not Solved")
    satisfied = fields.Integer("Satisfied")
    score_count = fields.Integer("Answers")
    score_sum = fields.Integer("Sum of Answers")

    @classmethod
    def _fact_query(cls):
        Callback = Pool().get('service.callback')
        callback = Callback.__table__()
        day = callback.select(
            callback.id, callback.company,
            _day(callback.called_at, callback.company).as_('date'),
            callback.kind, callback.state, callback.solved,
            callback.satisfaction,
            where=callback.state.in_(['done', 'failed']))
        reached = day.state == 'done'
        score = Case(*[((reached & (day.satisfaction == str(i))), i)
                for i in range(1, 6)], else_=Null)
        return day.select(
            Min(day.id).as_('id'), day.company.as_('company'),
            day.date.as_('date'), day.kind.as_('kind'),
            _INTEGER.sql_cast(Count(Literal(1))).as_('callbacks'),
            _count(reached).as_('reached'),
            _count(day.state == 'failed').as_('failed'),
            _count(reached & (day.solved == 'yes')).as_('solved'),
            _count(reached & (day.solved == 'no')).as_('not_solved'),
            _count(reached & day.satisfaction.in_(['4', '5'])).as_(
                'satisfied'),
            _INTEGER.sql_cast(Count(score)).as_('score_count'),
            _INTEGER.sql_cast(Sum(score)).as_('score_sum'),
            group_by=[day.company, day.date, day.kind])


class FailureFact(Fact):
    "Failures of equipment per day"
    __name__ = 'service.analysis.fact.failure'

    equipment = fields.Many2One('service.equipment', "Equipment")
    site = fields.Many2One('service.site', "Site")
    fault_code = fields.Many2One('service.fault.category', "Fault Code")
    failures = fields.Integer("Failures")
    last_failure = fields.DateTime("Last Failure")

    @classmethod
    def _fact_query(cls):
        Ticket = Pool().get('service.ticket')
        ticket = Ticket.__table__()
        day = ticket.select(
            ticket.id, ticket.company,
            _day(ticket.received_at, ticket.company).as_('date'),
            ticket.equipment, ticket.site, ticket.symptom_code,
            ticket.received_at,
            where=~ticket.state.in_(['draft', 'cancelled'])
            & (ticket.type == 'repair') & (ticket.equipment != Null))
        return day.select(
            Min(day.id).as_('id'), day.company.as_('company'),
            day.date.as_('date'), day.equipment.as_('equipment'),
            day.site.as_('site'), day.symptom_code.as_('fault_code'),
            _INTEGER.sql_cast(Count(Literal(1))).as_('failures'),
            Max(day.received_at).as_('last_failure'),
            group_by=[day.company, day.date, day.equipment, day.site,
                day.symptom_code])


class ScorecardFact(Fact):
    """Staff scorecard per day

    A column for each figure of the scorecard's _figures, added up per
    employee and day over its sources."""
    __name__ = 'service.analysis.fact.scorecard'

    employee = fields.Many2One('company.employee', "Employee")

    @classmethod
    def _fact_query(cls):
        Scorecard = Pool().get('service.analysis.scorecard')
        source = Union(*Scorecard._sources(), all_=True)
        columns = [Min(source.id).as_('id'), source.company.as_('company'),
            source.employee.as_('employee'), source.date.as_('date')]
        for name in Scorecard._figures:
            total = Sum(getattr(source, name))
            if name in Scorecard._float_figures:
                total = _FLOAT.sql_cast(total)
            else:
                total = _INTEGER.sql_cast(total)
            columns.append(total.as_(name))
        return source.select(*columns,
            group_by=[source.company, source.employee, source.date])

    @classmethod
    def answers(cls):
        return repeat_days() == FACT_REPEAT_DAYS
