# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The SQL pieces of the reports and their facts, on the ground floor: the
periods in the company's time zone, the durations, the session settings of
the reports' queries and the context's dates.

On PostgreSQL the stored UTC datetimes are converted with ``AT TIME
ZONE``; SQLite has no time zone support, so the zone's current UTC offset
is added (exact for zones without daylight saving time, such as
Asia/Shanghai).
"""
import datetime as dt
import re
from zoneinfo import ZoneInfo

from sql import Expression, Literal
from sql.conditionals import Coalesce, NullIf
from sql.functions import AtTimeZone, DateTrunc, Extract, Function
from sql.operators import Concat

from trytond import backend, config
from trytond.model import fields
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

PERIODS = [
    ('day', "Day"),
    ('week', "Week"),
    ('month', "Month"),
    ('quarter', "Quarter"),
    ('year', "Year"),
    ]
# to cast SQL expressions to the type of a field
_DATE = fields.Date("Date")
_INTEGER = fields.Integer("Integer")
_FLOAT = fields.Float("Float")
_NUMERIC = fields.Numeric("Numeric")


class _SQLiteDate(Function):
    __slots__ = ()
    _function = 'DATE'


class _SQLiteDateTime(Function):
    __slots__ = ()
    _function = 'DATETIME'


class _JulianDay(Function):
    __slots__ = ()
    _function = 'JULIANDAY'


class _StrfTime(Function):
    __slots__ = ()
    _function = 'STRFTIME'


class _Raw(Expression):
    "A piece of SQL written inline, not as a parameter"
    __slots__ = ('_text',)

    def __init__(self, text):
        super().__init__()
        self._text = text

    def __str__(self):
        return self._text

    @property
    def params(self):
        return ()


def _inline(value, pattern=r'^[A-Za-z0-9_+\-/]+$'):
    """The string value as an inline SQL literal

    PostgreSQL matches the expressions of GROUP BY with those of the select
    list only when they are the same text, parameters included: the period
    and the time zone are written inline, checked against pattern."""
    if not re.match(pattern, value):
        raise ValueError(value)
    return _Raw(f"'{value}'")


def _timezone():
    pool = Pool()
    Company = pool.get('company.company')
    company_id = Transaction().context.get('company')
    if company_id is not None and company_id >= 0:
        return Company(company_id).timezone or 'UTC'
    return 'UTC'


def company_zone(company):
    """The time zone of the company of each row, as SQL (PostgreSQL): the
    facts are bucketed for every company at once"""
    Company = Pool().get('company.company')
    table = Company.__table__()
    return Coalesce(
        table.select(table.timezone, where=table.id == company),
        _inline('UTC'))


def local(column, timezone=None):
    """The naive UTC datetime column as a datetime of the company's zone

    timezone is the zone's name (by default the zone of the context's
    company) or the SQL of each row's zone (company_zone)"""
    timezone = timezone or _timezone()
    if isinstance(timezone, Expression):
        return AtTimeZone(AtTimeZone(column, _inline('UTC')), timezone)
    if backend.name == 'sqlite':
        offset = dt.datetime.now(ZoneInfo(timezone)).utcoffset()
        minutes = int(offset.total_seconds() // 60)
        return _SQLiteDateTime(column, f'{minutes:+d} minutes')
    ZoneInfo(timezone)  # a known zone
    return AtTimeZone(AtTimeZone(column, _inline('UTC')), _inline(timezone))


def period_start(column, period=None, timezone=None, date=False):
    """The first day of the period (day, week from Monday, month, quarter,
    year) of the UTC datetime column in the company's time zone (or of the
    date column)"""
    period = period or Transaction().context.get('period') or 'month'
    if period not in dict(PERIODS):
        period = 'month'
    value = column if date else local(column, timezone)
    if backend.name == 'sqlite':
        if period == 'day':
            return _SQLiteDate(value)
        elif period == 'week':
            return _SQLiteDate(value, 'weekday 0', '-6 days')
        elif period == 'month':
            return _SQLiteDate(value, 'start of month')
        elif period == 'quarter':
            month = _StrfTime('%m', value)
            return _SQLiteDate(value, 'start of month', Concat(
                    Concat('-', (month - 1) % 3), ' months'))
        return _SQLiteDate(value, 'start of year')
    return _DATE.sql_cast(DateTrunc(_inline(period), value))


def hours_between(start, end):
    "The clock hours between two datetime columns"
    if backend.name == 'sqlite':
        return (_JulianDay(end) - _JulianDay(start)) * 24
    return _FLOAT.sql_cast(Extract('EPOCH', end - start) / 3600)


def days_between(start, end):
    "The days between two date columns"
    if backend.name == 'sqlite':
        return _JulianDay(end) - _JulianDay(start)
    return end - start


def add_days(column, days):
    "The datetime column plus days"
    if backend.name == 'sqlite':
        return _SQLiteDateTime(column, f'{days:+d} days')
    return column + dt.timedelta(days=days)


def ratio(numerator, denominator):
    "numerator ÷ denominator as a float, NULL when the denominator is 0"
    return Literal(1.0) * numerator / NullIf(denominator, 0)


def analysis_session():
    """Set the PostgreSQL session for the reports' queries, for the
    transaction: JIT compilation off (the cost estimates of the reports make
    PostgreSQL compile them, which takes longer than running them: three
    times the scorecard's time), and the memory of a sort or a hash of
    ``[service_desk] analysis_work_mem`` (64MB), so that grouping a
    half-year of tickets by week and site is not done on disk"""
    if backend.name == 'postgresql':
        work_mem = config.get(
            'service_desk', 'analysis_work_mem', default='64MB')
        cursor = Transaction().connection.cursor()
        cursor.execute('SET LOCAL jit = off')
        if work_mem:
            cursor.execute(
                'SELECT set_config(%s, %s, true)', ('work_mem', work_mem))


def context_dates():
    "The from and to dates of the context (None when not set)"
    context = Transaction().context
    dates = []
    for name in ['from_date', 'to_date']:
        date = context.get(name) or None
        if isinstance(date, str):
            date = dt.date.fromisoformat(date)
        dates.append(date)
    return dates


def utc_bounds():
    "The UTC datetimes of the context's from and to dates, end excluded"
    timezone = ZoneInfo(_timezone())
    bounds = []
    for date, days in zip(context_dates(), [0, 1], strict=True):
        if date:
            value = dt.datetime.combine(
                date + dt.timedelta(days=days), dt.time(),
                tzinfo=timezone)
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        else:
            value = None
        bounds.append(value)
    return bounds


def repeat_days():
    """The repeat failure days of the context, by default the
    configuration's, which the needs analysis uses too (R-DATA-4)"""
    days = Transaction().context.get('repeat_days')
    if days:
        # from the client: refused out of the bounds of the filter
        Pool().get('service.analysis.context').check_bounds(
            {'repeat_days': days})
    if not days:
        Configuration = Pool().get('service.configuration')
        with without_check_access():
            days = Configuration(1).repeat_days
    return int(days or 30)


def facts():
    """The models of the facts in the pool: those of ``analysis_fact.Fact``,
    which marks them with ``_analysis_fact``"""
    return [M for _, M in Pool().iterobject()
        if getattr(M, '_analysis_fact', False)]
