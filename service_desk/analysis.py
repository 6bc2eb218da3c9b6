# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Analysis of the service (R-DATA-1..4): reports as ``table_query`` models.

Each report is built, like Tryton's ``sale_reporting``, from class methods
that an add-on module can extend: ``_joins`` (the tables), ``_where`` (the
filters of the shared context), ``_dimensions`` (the grouped columns, also
used to open the records behind a row) and ``_measures`` (the aggregates).

Dates are bucketed in the company's time zone.  On PostgreSQL the stored
UTC datetimes are converted with ``AT TIME ZONE``; SQLite has no time zone
support, so the zone's current UTC offset is added (exact for zones without
daylight saving time, such as Asia/Shanghai).  The from/to dates of the
context are converted to UTC bounds in Python, so the filter is exact on
both.
"""
import contextvars
import datetime as dt
import json
import re
import statistics
from collections import OrderedDict
from decimal import Decimal

from sql import (
    Cast, Column, Literal, Null, Union, Values, Window)
from sql.aggregate import Avg, Count, Max, Min, Sum
from sql.conditionals import Case, Coalesce, Greatest, Least, NullIf
from sql.functions import (
    AtTimeZone, CurrentTimestamp, Function)
from sql.operators import And, Equal, Exists, Greater, Or
from sql.operators import Concat

from trytond import backend, config
from trytond.cache import Cache
from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.modelsql import _TABLE_QUERY_COLUMNS
from trytond.pool import Pool
from trytond.pyson import Eval, If, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.transaction import Transaction
from trytond.wizard import StateAction, Wizard

from .analysis_fact import figures_as_of
from .analysis_sql import (
    _DATE, _FLOAT, _INTEGER, _NUMERIC, PERIODS, add_days, analysis_session,
    company_zone, context_dates, days_between, hours_between, period_start,
    ratio, repeat_days, utc_bounds)
from .common import BoundedMixin, ReportMixin, check_context
from .site import Site
from .ticket import CHANNELS, PRIORITIES, TYPES

SITE_TYPES = Site.site_type.selection
# the filters of the context besides the company and the dates
FILTERS = ['area', 'site_type', 'product_category', 'analysis_employee']
# the model and rows of a screen that read reads back instead of its query
_SCREEN_ROWS = contextvars.ContextVar('service_desk_screen_rows', default=None)
# the most rows of a screen kept, and the values read back in one statement
SCREEN_SIZE = 1000
SCREEN_VALUES = 20000
# the most rows whose records one statement selects (SQLite refuses deep
# expressions)
ROW_BATCH = 50
# the records of a screen built at once (core's browse is quadratic)
BROWSE_BATCH = 100


class _JSONRecordset(Function):
    "PostgreSQL's rows of a JSON array of objects, typed by their columns"
    __slots__ = ()
    _function = 'JSON_TO_RECORDSET'


def _json_value(value):
    "The text PostgreSQL reads back as the value, for json.dumps"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(value)


class Context(BoundedMixin, ModelView):
    "Service analysis context"
    __name__ = 'service.analysis.context'
    _field_bounds = {'repeat_days': (1, 3660), 'idle_days': (1, 3660)}

    company = fields.Many2One('company.company', "Company", required=True)
    from_date = fields.Date(
        "From Date",
        domain=[
            If(Eval('to_date') & Eval('from_date'),
                ('from_date', '<=', Eval('to_date')),
                ()),
            ])
    to_date = fields.Date(
        "To Date",
        domain=[
            If(Eval('from_date') & Eval('to_date'),
                ('to_date', '>=', Eval('from_date')),
                ()),
            ])
    period = fields.Selection(PERIODS, "Period", required=True, sort=False)
    area = fields.Many2One(
        'service.area', "Area",
        help="Only the sites of this township or area and of its children.")
    site_type = fields.Selection(
        [(None, "")] + SITE_TYPES, "Site Type")
    product_category = fields.Many2One(
        'product.category', "Product Category",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'},
        help="Only the equipment of products in this category "
        "or its children.")
    analysis_employee = fields.Many2One(
        'company.employee', "Employee",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="Only the work of this employee.")
    repeat_days = fields.Integer(
        "Repeat Failure Days", required=True,
        domain=[('repeat_days', '>', 0)],
        help="A failure of the same equipment within these days after a "
        "repair is a repeat failure, charged to the one who did the repair.")

    idle_days = fields.Integer(
        "Idle Days", required=True,
        domain=[('idle_days', '>', 0)],
        help="Parts without any move for these days are idle.")
    figures_as_of = fields.DateTime(
        "Figures as of", readonly=True,
        states={
            'invisible': ~Eval('figures_as_of'),
            },
        help="The reports per period, the hot spots, the top equipment and "
        "the scorecards show the figures stored at this time, stored again "
        "every 10 minutes; with a filter they do not keep, they read the "
        "records.")

    @classmethod
    def default_figures_as_of(cls):
        return figures_as_of()

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_idle_days(cls):
        return Transaction().context.get('idle_days', 180)

    @classmethod
    def default_from_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        if 'from_date' in context:
            return context['from_date']
        today = Date.today()
        return today.replace(month=1, day=1)

    @classmethod
    def default_to_date(cls):
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        if 'to_date' in context:
            return context['to_date']
        return Date.today()

    @classmethod
    def default_period(cls):
        return Transaction().context.get('period', 'month')

    @classmethod
    def default_repeat_days(cls):
        return repeat_days()


class Abstract(ReportMixin, ModelSQL, ModelView):
    "A report grouped by _dimensions with the figures of _measures"
    __slots__ = ()

    company = fields.Many2One('company.company', "Company")

    # the model of the records behind a row and the key in tables of its
    # table
    _record_model = 'service.ticket'
    _record_table = 'ticket'
    # the facts (day rows) the report groups when they are materialized,
    # and the filters of the context they keep
    _fact = None
    _fact_filters = frozenset()

    @classmethod
    def _columns(cls, tables):
        "Return the selected columns: id, company, dimensions and measures"
        columns = [cls._column_id(tables).as_('id')]
        columns.append(cls._column_company(tables).as_('company'))
        columns.extend(
            c.as_(n) for n, c in cls._dimensions(tables).items())
        columns.extend(cls._measures(tables))
        return columns

    @classmethod
    def _group_by(cls, tables):
        return [
            cls._column_company(tables), *cls._dimensions(tables).values()]


    @classmethod
    def _column_id(cls, tables):
        return Min(tables[cls._record_table].id)

    @classmethod
    def _column_company(cls, tables):
        return tables[cls._record_table].company

    @classmethod
    def _dimensions(cls, tables):
        "Return {field name: SQL expression} of the grouped columns"
        return OrderedDict()

    @classmethod
    def _measures(cls, tables):
        return []

    @classmethod
    def _where(cls, tables):
        context = Transaction().context
        where = Literal(True)
        company = context.get('company')
        where &= cls._column_company(tables) == (
            company if company is not None else -1)
        return where

    @classmethod
    def _where_site(cls, site, where):
        "Add the area and site type of the context on the site table"
        pool = Pool()
        Area = pool.get('service.area')
        context = Transaction().context
        if context.get('area'):
            areas = Area.search([('parent', 'child_of', [context['area']])])
            where &= site.area.in_([a.id for a in areas] or [-1])
        if context.get('site_type'):
            where &= site.site_type == context['site_type']
        return where

    @classmethod
    def _where_product(cls, equipment, where):
        "Add the product category of the context on the equipment table"
        pool = Pool()
        Category = pool.get('product.category')
        Product = pool.get('product.product')
        TemplateCategory = pool.get('product.template-product.category')
        context = Transaction().context
        if context.get('product_category'):
            categories = Category.search(
                [('parent', 'child_of', [context['product_category']])])
            product = Product.__table__()
            template_category = TemplateCategory.__table__()
            where &= equipment.product.in_(
                product.join(template_category,
                    condition=(
                        product.template == template_category.template))
                .select(product.id,
                    where=template_category.category.in_(
                        [c.id for c in categories] or [-1])))
        return where

    @classmethod
    def _where_dates(cls, column, where):
        "Add the from and to dates of the context on the datetime column"
        start, end = utc_bounds()
        if start:
            where &= column >= start
        if end:
            where &= column < end
        return where

    @classmethod
    def _records_where(cls, rows, tables):
        """The condition on the joined tables selecting the rows' records

        One condition per row, so that the caller gives at most ROW_BATCH
        rows: SQLite refuses deeper expressions (parser stack overflow)."""
        dimensions = cls._dimensions(tables)
        conditions = []
        for row in rows:
            row_conditions = []
            for name, column in dimensions.items():
                value = getattr(row, name)
                if isinstance(value, ModelSQL):
                    value = value.id
                if value is None:
                    row_conditions.append(column == Null)
                else:
                    row_conditions.append(column == value)
            conditions.append(And(row_conditions or [Literal(True)]))
        return Or(conditions) if conditions else Literal(False)

    @classmethod
    def _select_rows(cls, rows, columns, where=None):
        """Yield the values of columns (a function of the tables) of the
        records behind the rows, selected by batches of ROW_BATCH rows"""
        cursor = Transaction().connection.cursor()
        for sub_rows in grouped_slice(rows, ROW_BATCH):
            from_item, tables = cls._joins()
            condition = (
                cls._where(tables)
                & cls._records_where(list(sub_rows), tables))
            if where is not None:
                condition &= where(tables)
            cursor.execute(*from_item.select(
                    *columns(tables), where=condition))
            yield from cursor.fetchall()

    @classmethod
    def record_ids(cls, rows, where=None):
        "Return the ids of the records behind the rows"
        return [i for i, in cls._select_rows(
                rows, lambda tables: [tables[cls._record_table].id],
                where=where)]

    @classmethod
    def _broken_where(cls, tables):
        "The condition of the records with a broken promise"
        return None

    @classmethod
    def table_query(cls):
        check_context('service.analysis.context')
        analysis_session()
        if cls._from_facts():
            return cls._fact_query()
        return super().table_query()

    # A list of a report asks for its rows three times: search, read (sao
    # reads by batches of 100 as the list scrolls) and search_count when
    # the list is full, and each would group the records again.  So the
    # search of a read-only transaction (every RPC search and read is one)
    # selects the rows' values and their total count in one query and
    # keeps them for a minute, per user and context; read and search_count
    # answer from them.  A new search computes the rows again.
    _screen = Cache('service.analysis.screen', duration=60)
    # screens of up to SCREEN_SIZE rows kept by a process
    _screen.size_limit = config.getint(
        'cache', 'service.analysis.screen', default=64)

    @classmethod
    def _screen_key(cls, *key):
        transaction = Transaction()
        if (not transaction.readonly
                or transaction.context.get('_datetime')):
            return None
        return (cls.__name__, transaction.user, *key)

    @classmethod
    def _screen_names(cls):
        "The fields whose values a screen keeps"
        return ['id'] + [n for n, f in sorted(cls._fields.items())
            if not hasattr(f, 'get') and n != 'id'
            and n not in _TABLE_QUERY_COLUMNS
            and not getattr(f, 'translate', False)
            and f.loading == 'eager']

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        key = cls._screen_key('count', repr(domain))
        if key is None or query or (count and offset):
            return super().search(domain, offset=offset, limit=limit,
                order=order, count=count, query=query)
        if count:
            total = cls._screen.get(key)
            if total is None:
                return super().search(
                    domain, limit=limit, order=order, count=True)
            return min(total, limit) if limit is not None else total

        select = super().search(
            domain, offset=offset, limit=limit, order=order, query=True)
        table = select.columns[0].expression.table
        if isinstance(table, Union):
            # the union of the OR-to-UNION optimization has only the ids
            return super().search(
                domain, offset=offset, limit=limit, order=order)
        columns = []
        for name in cls._screen_names():
            column = Column(table, name).as_(name)
            if backend.name == 'sqlite':
                column.output_name += (
                    f' [{cls._fields[name].sql_type().base}]')
            columns.append(column)
        columns.append(Count(window=Window([])).as_('__count'))
        select.columns = columns
        cursor = Transaction().connection.cursor()
        cursor.execute(*select)
        # the rows kept as tuples: the cache copies a dict of each
        names = tuple(d[0] for d in cursor.description[:-1])
        rows = cursor.fetchall()
        if rows:
            total = rows[0][-1]
        else:
            total = None if offset else 0
        rows = tuple(tuple(r[:-1]) for r in rows)
        if total is not None and len(rows) <= SCREEN_SIZE:
            cls._screen.set(key, total)
            cls._screen.set(cls._screen_key('rows'), (names, rows))
        return cls._browse([r[0] for r in rows])

    @classmethod
    def _browse(cls, ids):
        """The records of ids, browsed by batches: core's browse checks
        every id of the list for each record (a square of the rows)"""
        records = []
        for sub_ids in grouped_slice(ids, BROWSE_BATCH):
            records.extend(cls.browse(sub_ids))
        return records

    @classmethod
    def read(cls, ids, fields_names):
        key = cls._screen_key('rows')
        screen = cls._screen.get(key) if key else None
        if not screen or not ids:
            return super().read(ids, fields_names)
        names, rows = screen
        kept = {r[0]: r for r in rows}
        if any(i not in kept for i in ids):
            return super().read(ids, fields_names)
        ids = list(dict.fromkeys(ids))
        for name in fields_names:
            field = cls._fields.get(re.split(r'[.:]', name)[0])
            if (field and field.name not in names
                    and not hasattr(field, 'get') and field.sql_type()
                    and field.name not in _TABLE_QUERY_COLUMNS):
                return super().read(ids, fields_names)
        # the name of a row is its id: not asked of each record
        rec_name = ('rec_name' in fields_names
            and cls.get_rec_name.__func__ is Abstract.get_rec_name.__func__)
        if rec_name:
            FieldAccess = Pool().get('ir.model.field.access')
            FieldAccess.check(cls.__name__, ['rec_name'], 'read')
            fields_names = [n for n in fields_names if n != 'rec_name']
        result = []
        for sub_ids in grouped_slice(
                ids, max(1, SCREEN_VALUES // len(names))):
            sub_ids = list(sub_ids)
            token = _SCREEN_ROWS.set(
                (cls.__name__, names, [kept[i] for i in sub_ids]))
            try:
                result.extend(super().read(sub_ids, fields_names))
            finally:
                _SCREEN_ROWS.reset(token)
        if rec_name:
            for row in result:
                row['rec_name'] = f"({row['id']})"
        return result

    @classmethod
    def get_rec_name(cls, records, name):
        # core's name of a record without a name field, without calling
        # each record
        return {r.id: f'({r.id})' for r in records}

    @classmethod
    def __table__(cls):
        screen = _SCREEN_ROWS.get()
        if screen is None or screen[0] != cls.__name__:
            return super().__table__()
        # the kept rows of the screen in place of the report's query
        _, names, rows = screen
        if backend.name == 'postgresql':
            # one parameter, not one a value, which the driver parses
            try:
                text = json.dumps(
                    [dict(zip(names, row, strict=True)) for row in rows],
                    default=_json_value, allow_nan=False)
            except (TypeError, ValueError):
                pass
            else:
                recordset = _JSONRecordset(
                    Cast(Literal(text), 'JSON'), columns_definitions=[
                        (n, cls._fields[n].sql_type().base) for n in names])
                return recordset.select(
                    *(Column(recordset, n).as_(n) for n in names))
        values = Values([list(row) for row in rows])
        columns = []
        for i, name in enumerate(names, 1):
            column = Column(values, f'column{i}')
            if backend.name == 'postgresql':
                column = Cast(column, cls._fields[name].sql_type().base)
            columns.append(column.as_(name))
        return values.select(*columns)

    @classmethod
    def _from_facts(cls):
        """Whether the report groups the day rows of its facts: they are
        materialized and keep what the context filters on"""
        if not cls._fact:
            return False
        Fact = Pool().get(cls._fact)
        context = Transaction().context
        return (Fact.materialized() and Fact.answers()
            and not any(context.get(n) for n in FILTERS
                if n not in cls._fact_filters))

    @classmethod
    def _fact_query(cls):
        "The report grouped from the day rows of its facts"
        context = Transaction().context
        from_item, tables = cls._fact_joins()
        fact = tables['fact']
        company = context.get('company')
        where = fact.company == (company if company is not None else -1)
        from_date, to_date = context_dates()
        if from_date:
            where &= fact.date >= from_date
        if to_date:
            where &= fact.date <= to_date
        where &= cls._fact_where(tables)
        dimensions = cls._fact_dimensions(tables)
        return from_item.select(
            Min(fact.id).as_('id'), fact.company.as_('company'),
            *(c.as_(n) for n, c in dimensions.items()),
            *cls._fact_measures(tables),
            where=where,
            group_by=[fact.company, *dimensions.values()])

    @classmethod
    def _fact_joins(cls):
        fact = Pool().get(cls._fact).__table__()
        return fact, {'fact': fact}

    @classmethod
    def _fact_where(cls, tables):
        return Literal(True)

    @classmethod
    def _fact_dimensions(cls, tables):
        return OrderedDict()

    @classmethod
    def _fact_measures(cls, tables):
        return []


class TicketMixin:
    "Reports on the tickets received in the period"
    __slots__ = ()

    @classmethod
    def _joins(cls):
        pool = Pool()
        Ticket = pool.get('service.ticket')
        Site = pool.get('service.site')
        Equipment = pool.get('service.equipment')
        tables = {
            'ticket': Ticket.__table__(),
            'site': Site.__table__(),
            'equipment': Equipment.__table__(),
            }
        ticket = tables['ticket']
        from_item = (ticket
            .join(tables['site'], 'LEFT',
                condition=ticket.site == tables['site'].id)
            .join(tables['equipment'], 'LEFT',
                condition=ticket.equipment == tables['equipment'].id))
        return from_item, tables

    @classmethod
    def _where(cls, tables):
        context = Transaction().context
        ticket = tables['ticket']
        where = super()._where(tables)
        where &= ~ticket.state.in_(['draft', 'cancelled'])
        where = cls._where_dates(ticket.received_at, where)
        where = cls._where_site(tables['site'], where)
        where = cls._where_product(tables['equipment'], where)
        if context.get('analysis_employee'):
            where &= ticket.assigned_to == context['analysis_employee']
        return where


class TimeseriesMixin:
    "A report with a row per period"
    __slots__ = ()
    date = fields.Date("Date")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _fact_dimensions(cls, tables):
        dimensions = super()._fact_dimensions(tables)
        dimensions['date'] = period_start(tables['fact'].date, date=True)
        return dimensions


class TicketVolume(TicketMixin, Abstract):
    "Ticket volumes"
    __name__ = 'service.analysis.ticket'

    date = fields.Date("Period")
    channel = fields.Selection(CHANNELS, "Channel")
    type = fields.Selection(TYPES, "Type")
    priority = fields.Selection(PRIORITIES, "Priority")
    party = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    site = fields.Many2One('service.site', "Site")
    area = fields.Many2One('service.area', "Area")
    site_type = fields.Selection([(None, "")] + SITE_TYPES, "Site Type")
    employee = fields.Many2One('company.employee', "Assigned To")
    tickets = fields.Integer("Tickets")
    resolved = fields.Integer(
        "Resolved", help="The tickets received that are resolved or closed.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('tickets', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _dimensions(cls, tables):
        ticket, site = tables['ticket'], tables['site']
        dimensions = super()._dimensions(tables)
        dimensions.update([
                ('date', period_start(ticket.received_at)),
                ('channel', ticket.channel),
                ('type', ticket.type),
                ('priority', ticket.priority),
                ('party', ticket.party),
                ('site', ticket.site),
                ('area', site.area),
                ('site_type', site.site_type),
                ('employee', ticket.assigned_to),
                ])
        return dimensions

    @classmethod
    def _measures(cls, tables):
        ticket = tables['ticket']
        return super()._measures(tables) + [
            Count(Literal(1)).as_('tickets'),
            Count(ticket.resolved_at).as_('resolved'),
            ]


class TicketVolumeTimeseries(TimeseriesMixin, TicketMixin, Abstract):
    "Ticket volumes per period"
    __name__ = 'service.analysis.ticket.timeseries'
    _fact = 'service.analysis.fact.ticket'

    tickets = fields.Integer("Tickets")
    repair = fields.Integer("Repairs")
    complaint = fields.Integer("Complaints")
    inquiry = fields.Integer("Inquiries")
    suggestion = fields.Integer("Suggestions")

    @classmethod
    def _dimensions(cls, tables):
        dimensions = super()._dimensions(tables)
        dimensions['date'] = period_start(tables['ticket'].received_at)
        return dimensions

    @classmethod
    def _measures(cls, tables):
        ticket = tables['ticket']
        return super()._measures(tables) + [
            Count(Literal(1)).as_('tickets')] + [
            Sum(Case((ticket.type == t, 1), else_=0)).as_(t)
            for t, _ in TYPES]

    @classmethod
    def _fact_measures(cls, tables):
        fact = tables['fact']
        return super()._fact_measures(tables) + [
            Sum(fact.tickets).as_('tickets')] + [
            Sum(Case((fact.type == t, fact.tickets), else_=0)).as_(t)
            for t, _ in TYPES]


class PromiseMixin:
    "The response and resolution promises kept"
    __slots__ = ()

    tickets = fields.Integer("Tickets")
    response_count = fields.Integer(
        "Responded", help="Responded tickets with a promised response time.")
    response_on_time = fields.Integer("Responded on Time")
    response_rate = fields.Float(
        "Response on Time %", digits=(16, 4),
        help="The share of responded tickets answered by the deadline.")
    response_hours = fields.Float(
        "Mean Hours to Respond", digits=(16, 2),
        help="Mean clock hours from reception to the first response.")
    resolution_count = fields.Integer(
        "Resolved", help="Resolved tickets with a promised resolution time.")
    resolution_on_time = fields.Integer("Resolved on Time")
    resolution_rate = fields.Float(
        "Resolution on Time %", digits=(16, 4),
        help="The share of resolved tickets solved by the deadline.")
    resolution_hours = fields.Float(
        "Mean Hours to Resolve", digits=(16, 2),
        help="Mean clock hours from reception to resolution.")
    response_working_hours = fields.Function(fields.Float(
            "Mean Working Hours to Respond", digits=(16, 2),
            help="Mean working hours (the company's working calendar) from "
            "reception to the first response."),
        'get_working_hours')
    response_median = fields.Function(fields.Float(
            "Median Working Hours to Respond", digits=(16, 2)),
        'get_working_hours')
    resolution_working_hours = fields.Function(fields.Float(
            "Mean Working Hours to Resolve", digits=(16, 2),
            help="Mean working hours (the company's working calendar) from "
            "reception to resolution."),
        'get_working_hours')
    resolution_median = fields.Function(fields.Float(
            "Median Working Hours to Resolve", digits=(16, 2)),
        'get_working_hours')

    @classmethod
    def get_working_hours(cls, rows, names):
        """The mean and median working hours of the tickets behind each row

        Working hours follow the working calendar (days, holidays and hours
        of the company), which SQL does not know: the reception, response
        and resolution times of the tickets of the rows are read by batches
        of rows and counted in Python."""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Company = pool.get('company.company')
        result = {n: {r.id: None for r in rows} for n in names}
        if not rows:
            return result
        _, tables = cls._joins()
        dimensions = cls._dimensions(tables)

        def columns(tables):
            ticket = tables['ticket']
            return [ticket.company, ticket.received_at, ticket.responded_at,
                ticket.resolved_at, *cls._dimensions(tables).values()]

        def key(values):
            return tuple(
                v.id if isinstance(v, ModelSQL)
                else v.isoformat() if isinstance(v, dt.date)
                else v for v in values)
        keys = {key(getattr(r, n) for n in dimensions): r.id for r in rows}
        configuration = Configuration(1)
        calendars = {}
        response, resolution = {}, {}
        for company, received, responded, resolved, *values in (
                cls._select_rows(rows, columns)):
            row = keys.get(key(values))
            if row is None:
                continue
            if company not in calendars:
                calendars[company] = configuration.working_calendar(
                    Company(company))
            calendar = calendars[company]
            if isinstance(received, str):
                received, responded, resolved = [
                    dt.datetime.fromisoformat(v) if v else None
                    for v in [received, responded, resolved]]
            if responded:
                response.setdefault(row, []).append(
                    calendar.hours_between(received, responded))
            if resolved:
                resolution.setdefault(row, []).append(
                    calendar.hours_between(received, resolved))
        for name, hours, function in [
                ('response_working_hours', response, statistics.fmean),
                ('response_median', response, statistics.median),
                ('resolution_working_hours', resolution, statistics.fmean),
                ('resolution_median', resolution, statistics.median),
                ]:
            if name in result:
                for row, values in hours.items():
                    result[name][row] = function(values)
        return result

    @classmethod
    def _response_kept(cls, ticket):
        return ((ticket.responded_at <= ticket.response_deadline)
            & ((ticket.promised_at == Null)
                | (ticket.responded_at <= ticket.promised_at)))

    @classmethod
    def _resolution_kept(cls, ticket):
        return ticket.resolved_at <= ticket.resolution_deadline

    @classmethod
    def _measures(cls, tables):
        ticket = tables['ticket']
        responded = (
            (ticket.responded_at != Null)
            & (ticket.response_deadline != Null))
        resolved = (
            (ticket.resolved_at != Null)
            & (ticket.resolution_deadline != Null))
        response_count = Sum(Case((responded, 1), else_=0))
        response_on_time = Sum(Case(
                (responded & cls._response_kept(ticket), 1), else_=0))
        resolution_count = Sum(Case((resolved, 1), else_=0))
        resolution_on_time = Sum(Case(
                (resolved & cls._resolution_kept(ticket), 1), else_=0))
        return super()._measures(tables) + [
            Count(Literal(1)).as_('tickets'),
            response_count.as_('response_count'),
            response_on_time.as_('response_on_time'),
            ratio(response_on_time, response_count).as_('response_rate'),
            Avg(hours_between(ticket.received_at, ticket.responded_at)
                ).as_('response_hours'),
            resolution_count.as_('resolution_count'),
            resolution_on_time.as_('resolution_on_time'),
            ratio(resolution_on_time, resolution_count).as_(
                'resolution_rate'),
            Avg(hours_between(ticket.received_at, ticket.resolved_at)
                ).as_('resolution_hours'),
            ]

    @classmethod
    def _fact_measures(cls, tables):
        fact = tables['fact']
        sums = {n: Sum(getattr(fact, n)) for n in [
                'tickets', 'response_count', 'response_on_time',
                'response_hours', 'responded', 'resolution_count',
                'resolution_on_time', 'resolution_hours', 'resolved']}
        return super()._fact_measures(tables) + [
            sums['tickets'].as_('tickets'),
            sums['response_count'].as_('response_count'),
            sums['response_on_time'].as_('response_on_time'),
            ratio(sums['response_on_time'], sums['response_count']).as_(
                'response_rate'),
            (sums['response_hours'] / NullIf(sums['responded'], 0)).as_(
                'response_hours'),
            sums['resolution_count'].as_('resolution_count'),
            sums['resolution_on_time'].as_('resolution_on_time'),
            ratio(sums['resolution_on_time'], sums['resolution_count']).as_(
                'resolution_rate'),
            (sums['resolution_hours'] / NullIf(sums['resolved'], 0)).as_(
                'resolution_hours'),
            ]

    @classmethod
    def _broken_where(cls, tables):
        ticket = tables['ticket']
        return (
            ((ticket.responded_at != Null)
                & (ticket.response_deadline != Null)
                & ~cls._response_kept(ticket))
            | ((ticket.resolved_at != Null)
                & (ticket.resolution_deadline != Null)
                & ~cls._resolution_kept(ticket)))


class Promise(PromiseMixin, TicketMixin, Abstract):
    "Promises kept"
    __name__ = 'service.analysis.promise'

    date = fields.Date("Period")
    priority = fields.Selection(PRIORITIES, "Priority")
    type = fields.Selection(TYPES, "Type")
    area = fields.Many2One('service.area', "Area")
    employee = fields.Many2One('company.employee', "Assigned To")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('tickets', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _dimensions(cls, tables):
        ticket, site = tables['ticket'], tables['site']
        dimensions = super()._dimensions(tables)
        dimensions.update([
                ('date', period_start(ticket.received_at)),
                ('priority', ticket.priority),
                ('type', ticket.type),
                ('area', site.area),
                ('employee', ticket.assigned_to),
                ])
        return dimensions


class PromiseTimeseries(
        TimeseriesMixin, PromiseMixin, TicketMixin, Abstract):
    "Promises kept per period"
    __name__ = 'service.analysis.promise.timeseries'
    _fact = 'service.analysis.fact.ticket'

    @classmethod
    def _dimensions(cls, tables):
        dimensions = super()._dimensions(tables)
        dimensions['date'] = period_start(tables['ticket'].received_at)
        return dimensions


class SatisfactionMixin:
    "The callbacks made in the period and their outcome"
    __slots__ = ()
    _record_model = 'service.callback'
    _record_table = 'callback'

    callbacks = fields.Integer("Callbacks")
    reached = fields.Integer("Reached")
    failed = fields.Integer(
        "Not Reached", help="Callbacks abandoned after the last attempt.")
    solved = fields.Integer("Solved")
    not_solved = fields.Integer("Not Solved")
    satisfied = fields.Integer(
        "Satisfied", help="Reached customers who answered 4 or 5.")
    satisfaction = fields.Float(
        "Mean Satisfaction", digits=(16, 2),
        help="The mean of the answers from 1 (very dissatisfied) "
        "to 5 (very satisfied).")
    satisfied_rate = fields.Float("Satisfied %", digits=(16, 4))

    @classmethod
    def _joins(cls):
        pool = Pool()
        Callback = pool.get('service.callback')
        Ticket = pool.get('service.ticket')
        Site = pool.get('service.site')
        tables = {
            'callback': Callback.__table__(),
            'ticket': Ticket.__table__(),
            'site': Site.__table__(),
            }
        callback = tables['callback']
        from_item = (callback
            .join(tables['ticket'], 'LEFT',
                condition=callback.ticket == tables['ticket'].id)
            .join(tables['site'], 'LEFT',
                condition=callback.site == tables['site'].id))
        return from_item, tables

    @classmethod
    def _where(cls, tables):
        context = Transaction().context
        callback = tables['callback']
        where = super()._where(tables)
        where &= callback.state.in_(['done', 'failed'])
        where = cls._where_dates(callback.called_at, where)
        where = cls._where_site(tables['site'], where)
        if context.get('analysis_employee'):
            where &= (
                tables['ticket'].assigned_to == context['analysis_employee'])
        return where

    @classmethod
    def _measures(cls, tables):
        callback = tables['callback']
        reached = callback.state == 'done'
        score = Case(
            *[((reached & (callback.satisfaction == str(i))), i)
                for i in range(1, 6)], else_=Null)
        satisfied = Sum(Case(
                (reached & callback.satisfaction.in_(['4', '5']), 1),
                else_=0))
        reached_count = Sum(Case((reached, 1), else_=0))
        return super()._measures(tables) + [
            Count(Literal(1)).as_('callbacks'),
            reached_count.as_('reached'),
            Sum(Case((callback.state == 'failed', 1), else_=0)).as_(
                'failed'),
            Sum(Case((reached & (callback.solved == 'yes'), 1), else_=0)
                ).as_('solved'),
            Sum(Case((reached & (callback.solved == 'no'), 1), else_=0)
                ).as_('not_solved'),
            satisfied.as_('satisfied'),
            _float(Avg(score)).as_('satisfaction'),
            ratio(satisfied, reached_count).as_('satisfied_rate'),
            ]

    @classmethod
    def _fact_measures(cls, tables):
        fact = tables['fact']
        sums = {n: Sum(getattr(fact, n)) for n in [
                'callbacks', 'reached', 'failed', 'solved', 'not_solved',
                'satisfied', 'score_sum', 'score_count']}
        return super()._fact_measures(tables) + [
            *(sums[n].as_(n) for n in [
                    'callbacks', 'reached', 'failed', 'solved',
                    'not_solved', 'satisfied']),
            (_float(sums['score_sum']) / NullIf(sums['score_count'], 0)
                ).as_('satisfaction'),
            ratio(sums['satisfied'], sums['reached']).as_('satisfied_rate'),
            ]

    @classmethod
    def _not_solved_where(cls, tables):
        callback = tables['callback']
        return (callback.state == 'done') & (callback.solved == 'no')


class Satisfaction(SatisfactionMixin, Abstract):
    "Customer satisfaction"
    __name__ = 'service.analysis.satisfaction'

    date = fields.Date("Period")
    kind = fields.Selection([
            ('repair', "Repair"),
            ('inspection', "Inspection"),
            ], "Kind")
    party = fields.Many2One(
        'party.party', "Customer",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    site = fields.Many2One('service.site', "Site")
    area = fields.Many2One('service.area', "Area")
    employee = fields.Many2One(
        'company.employee', "Employee",
        help="The employee the repaired ticket was assigned to.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('callbacks', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _dimensions(cls, tables):
        callback, site = tables['callback'], tables['site']
        dimensions = super()._dimensions(tables)
        dimensions.update([
                ('date', period_start(callback.called_at)),
                ('kind', callback.kind),
                ('party', callback.party),
                ('site', callback.site),
                ('area', site.area),
                ('employee', tables['ticket'].assigned_to),
                ])
        return dimensions


class SatisfactionTimeseries(TimeseriesMixin, SatisfactionMixin, Abstract):
    "Customer satisfaction per period"
    __name__ = 'service.analysis.satisfaction.timeseries'
    _fact = 'service.analysis.fact.callback'

    @classmethod
    def _dimensions(cls, tables):
        dimensions = super()._dimensions(tables)
        dimensions['date'] = period_start(tables['callback'].called_at)
        return dimensions


class HotSpotMixin:
    "The repair tickets of equipment received in the period"
    __slots__ = ()
    _fact = 'service.analysis.fact.failure'
    _fact_filters = frozenset({'area', 'site_type', 'product_category'})

    failures = fields.Integer("Failures")

    @classmethod
    def _joins(cls):
        from_item, tables = super()._joins()
        Product = Pool().get('product.product')
        tables['product'] = product = Product.__table__()
        from_item = from_item.join(product, 'LEFT',
            condition=tables['equipment'].product == product.id)
        return from_item, tables

    @classmethod
    def _where(cls, tables):
        ticket = tables['ticket']
        where = super()._where(tables)
        where &= (ticket.type == 'repair') & (ticket.equipment != Null)
        return where

    @classmethod
    def _measures(cls, tables):
        return super()._measures(tables) + [
            Count(Literal(1)).as_('failures'),
            ]

    @classmethod
    def _fact_joins(cls):
        "The site of the ticket and the equipment, as the records have them"
        pool = Pool()
        Site = pool.get('service.site')
        Equipment = pool.get('service.equipment')
        fact, tables = super()._fact_joins()
        tables['site'] = site = Site.__table__()
        tables['equipment'] = equipment = Equipment.__table__()
        from_item = (fact
            .join(site, 'LEFT', condition=fact.site == site.id)
            .join(equipment, 'LEFT', condition=fact.equipment == equipment.id))
        return from_item, tables

    @classmethod
    def _fact_where(cls, tables):
        where = super()._fact_where(tables)
        where = cls._where_site(tables['site'], where)
        return cls._where_product(tables['equipment'], where)

    @classmethod
    def _fact_measures(cls, tables):
        return super()._fact_measures(tables) + [
            Sum(tables['fact'].failures).as_('failures'),
            ]


class HotSpot(HotSpotMixin, TicketMixin, Abstract):
    "Failure hot spots"
    __name__ = 'service.analysis.hot_spot'

    date = fields.Date("Period")
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    equipment = fields.Many2One('service.equipment', "Equipment")
    site = fields.Many2One('service.site', "Site")
    area = fields.Many2One('service.area', "Area")
    fault_code = fields.Many2One(
        'service.fault.category', "Fault Code",
        help="The symptom code of the ticket, from the fault "
        "classification.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('failures', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _dimensions(cls, tables):
        ticket, equipment = tables['ticket'], tables['equipment']
        dimensions = super()._dimensions(tables)
        dimensions.update([
                ('date', period_start(ticket.received_at)),
                ('product', equipment.product),
                ('equipment', ticket.equipment),
                ('site', equipment.site),
                ('area', tables['site'].area),
                ('fault_code', ticket.symptom_code),
                ])
        return dimensions

    @classmethod
    def _fact_dimensions(cls, tables):
        fact, equipment = tables['fact'], tables['equipment']
        dimensions = super()._fact_dimensions(tables)
        dimensions.update([
                ('date', period_start(fact.date, date=True)),
                ('product', equipment.product),
                ('equipment', fact.equipment),
                ('site', equipment.site),
                ('area', tables['site'].area),
                ('fault_code', fact.fault_code),
                ])
        return dimensions


class HotSpotProduct(HotSpotMixin, TicketMixin, Abstract):
    "Failures per product"
    __name__ = 'service.analysis.hot_spot.product'

    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    equipment_count = fields.Integer(
        "Failed Equipment", help="The items of equipment that failed.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('failures', 'DESC'), ('product', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _dimensions(cls, tables):
        dimensions = super()._dimensions(tables)
        dimensions['product'] = tables['equipment'].product
        return dimensions

    @classmethod
    def _measures(cls, tables):
        return super()._measures(tables) + [
            Count(tables['ticket'].equipment, distinct=True).as_(
                'equipment_count'),
            ]

    @classmethod
    def _fact_dimensions(cls, tables):
        dimensions = super()._fact_dimensions(tables)
        dimensions['product'] = tables['equipment'].product
        return dimensions

    @classmethod
    def _fact_measures(cls, tables):
        return super()._fact_measures(tables) + [
            Count(tables['fact'].equipment, distinct=True).as_(
                'equipment_count'),
            ]


class TopEquipment(HotSpotMixin, TicketMixin, Abstract):
    "Equipment failing most"
    __name__ = 'service.analysis.top_equipment'

    equipment = fields.Many2One('service.equipment', "Equipment")
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    site = fields.Many2One('service.site', "Site")
    last_failure = fields.DateTime("Last Failure")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('failures', 'DESC'),
            ('last_failure', 'DESC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def _dimensions(cls, tables):
        equipment = tables['equipment']
        dimensions = super()._dimensions(tables)
        dimensions.update([
                ('equipment', tables['ticket'].equipment),
                ('product', equipment.product),
                ('site', equipment.site),
                ])
        return dimensions

    @classmethod
    def _measures(cls, tables):
        return super()._measures(tables) + [
            Max(tables['ticket'].received_at).as_('last_failure'),
            ]

    @classmethod
    def _fact_dimensions(cls, tables):
        fact, equipment = tables['fact'], tables['equipment']
        dimensions = super()._fact_dimensions(tables)
        dimensions.update([
                ('equipment', fact.equipment),
                ('product', equipment.product),
                ('site', equipment.site),
                ])
        return dimensions

    @classmethod
    def _fact_measures(cls, tables):
        return super()._fact_measures(tables) + [
            Max(tables['fact'].last_failure).as_('last_failure'),
            ]


class OpenRecords(Wizard):
    "Open the records behind the analysis rows"
    __name__ = 'service.analysis.open'
    start_state = 'open_'
    open_ = StateAction('service_desk.act_analysis_ticket_records')

    def _where(self):
        return None

    def do_open_(self, action):
        pool = Pool()
        Report = self.model
        if Report is None or not hasattr(Report, 'record_ids'):
            raise UserError(gettext('service_desk.msg_analysis_open_no_rows'))
        where = self._where()
        if where is not None:
            where = getattr(Report, where)
        ids = Report.record_ids(self.records, where=where)
        Model = pool.get(Report._record_model)
        action['res_model'] = Model.__name__
        action['name'] = Model.__doc__ if not action.get('name') else (
            action['name'])
        action['pyson_domain'] = PYSONEncoder().encode(
            [('id', 'in', ids)])
        return action, {}


class OpenBrokenPromises(OpenRecords):
    "Open the tickets with a broken promise behind the analysis rows"
    __name__ = 'service.analysis.open_broken'
    open_ = StateAction('service_desk.act_analysis_broken_records')

    def _where(self):
        return '_broken_where'


class OpenNotSolved(OpenRecords):
    "Open the callbacks not solved behind the analysis rows"
    __name__ = 'service.analysis.open_not_solved'
    open_ = StateAction('service_desk.act_analysis_not_solved_records')

    def _where(self):
        return '_not_solved_where'


def _float(expression):
    return _FLOAT.sql_cast(expression)


class Scorecard(Abstract):
    """Staff scorecard

    Each source (visits, repairs, repeat failures...) gives rows of
    company, employee, date and figures, the others being 0; the report
    adds them up per employee and period.  An add-on adds a source in
    _sources and its figure in _figures.
    """
    __name__ = 'service.analysis.scorecard'
    _fact = 'service.analysis.fact.scorecard'
    _fact_filters = frozenset({'analysis_employee'})

    date = fields.Date("Period")
    employee = fields.Many2One('company.employee', "Employee")
    visits = fields.Integer(
        "Visits Done", help="The visits done as lead or other technician.")
    site_hours = fields.Float(
        "Hours on Site", digits=(16, 2),
        help="Clock hours from arrival to the end of the visits.")
    repairs = fields.Integer(
        "Repairs Resolved",
        help="The repair tickets assigned to the employee resolved in "
        "the period.")
    visited_repairs = fields.Integer(
        "Repairs with Visits",
        help="The repairs resolved that needed at least one visit.")
    first_visit_fixes = fields.Integer(
        "First-Visit Fixes",
        help="Repairs resolved with one visit and no repeat failure of "
        "the same equipment within the repeat failure days.")
    first_visit_fix_rate = fields.Float(
        "First-Visit Fix %", digits=(16, 4),
        help="First-visit fixes ÷ repairs with visits.")
    repeat_failures = fields.Integer(
        "Repeat Failures",
        help="Failures of equipment within the repeat failure days after "
        "a repair, charged to the employee who resolved that repair.")
    satisfaction_count = fields.Integer(
        "Callbacks", help="Customers reached about the repairs resolved.")
    satisfaction = fields.Float(
        "Mean Satisfaction", digits=(16, 2),
        help="The mean callback satisfaction (1 to 5) of the repairs "
        "resolved in the period.")
    inspections = fields.Integer(
        "Inspections Due",
        help="The inspection visits of the employee as inspector planned "
        "in the period up to today, except those cancelled.")
    inspections_on_time = fields.Integer(
        "Inspections on Time",
        help="The inspections due done by their planned date "
        "(the company's day).")
    inspection_rate = fields.Float(
        "Inspections on Time %", digits=(16, 4),
        help="Inspections on time ÷ inspections due.")

    _figures = [
        'visits', 'site_hours', 'repairs', 'visited_repairs',
        'first_visit_fixes', 'repeat_failures', 'satisfaction_count',
        'satisfaction_sum', 'inspections', 'inspections_on_time']
    _float_figures = {'site_hours', 'satisfaction_sum'}

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('employee', 'ASC'), ('id', 'ASC')]

    @classmethod
    def _joins(cls):
        source = Union(*cls._sources(), all_=True)
        return source, {'source': source}

    @classmethod
    def _column_id(cls, tables):
        return Min(tables['source'].id)

    @classmethod
    def _column_company(cls, tables):
        return tables['source'].company

    @classmethod
    def _where(cls, tables):
        return cls._where_employee(tables['source'], super()._where(tables))

    @classmethod
    def _where_employee(cls, source, where):
        "Add the employee of the context on the source (or facts)"
        context = Transaction().context
        if context.get('analysis_employee'):
            where &= source.employee == context['analysis_employee']
        return where

    @classmethod
    def _dimensions(cls, tables):
        source = tables['source']
        dimensions = super()._dimensions(tables)
        dimensions.update([
                ('employee', source.employee),
                ('date', source.date),
                ])
        return dimensions

    @classmethod
    def _measures(cls, tables):
        source = tables['source']
        sums = {n: Sum(getattr(source, n)) for n in cls._figures}
        measures = super()._measures(tables)
        measures += [
            sums[n].as_(n) for n in cls._figures if n != 'satisfaction_sum']
        measures += [
            ratio(sums['first_visit_fixes'], sums['visited_repairs']).as_(
                'first_visit_fix_rate'),
            (sums['satisfaction_sum'] / NullIf(
                    sums['satisfaction_count'], 0)).as_('satisfaction'),
            ratio(sums['inspections_on_time'], sums['inspections']).as_(
                'inspection_rate'),
            ]
        return measures

    @classmethod
    def _fact_where(cls, tables):
        return cls._where_employee(
            tables['fact'], super()._fact_where(tables))

    @classmethod
    def _fact_dimensions(cls, tables):
        fact = tables['fact']
        dimensions = super()._fact_dimensions(tables)
        dimensions.update([
                ('employee', fact.employee),
                ('date', period_start(fact.date, date=True)),
                ])
        return dimensions

    @classmethod
    def _fact_measures(cls, tables):
        return cls._measures({'source': tables['fact']})

    @classmethod
    def _period(cls, column, company, date=False):
        """The start of the period of the datetime (or date) column in the
        zone of the company: of the context, or of each row for the facts"""
        zone = None
        if Transaction().context.get('_analysis_facts'):
            zone = company_zone(company)
        return period_start(column, timezone=zone, date=date)

    @classmethod
    def _today(cls, company):
        "Today for the company: of the context, or of each row for the facts"
        Date = Pool().get('ir.date')
        if Transaction().context.get('_analysis_facts'):
            return _DATE.sql_cast(
                AtTimeZone(CurrentTimestamp(), company_zone(company)))
        return Date.today()

    @classmethod
    def _source(cls, query_from, id_, company, employee, date, where,
            **figures):
        "Return a select of the source with 0 for the missing figures"
        columns = [
            id_.as_('id'), company.as_('company'),
            employee.as_('employee'), date.as_('date')]
        for name in cls._figures:
            value = figures.get(name, Literal(0))
            if name in cls._float_figures:
                value = _float(value)
            else:
                value = _INTEGER.sql_cast(value)
            columns.append(value.as_(name))
        return query_from.select(*columns, where=where)

    @classmethod
    def _sources(cls):
        pool = Pool()
        WorkOrder = pool.get('service.work_order')
        Technician = pool.get('service.work_order-company.employee')
        Ticket = pool.get('service.ticket')
        Callback = pool.get('service.callback')
        days = repeat_days()
        sources = []

        # visits done, by the lead and by the other technicians
        for technician in [None, Technician.__table__()]:
            order = WorkOrder.__table__()
            where = cls._where_dates(order.done_at, order.state == 'done')
            if technician is None:
                query_from, employee = order, order.lead
                id_ = order.id * 10 + 1
            else:
                query_from = order.join(technician,
                    condition=technician.work_order == order.id)
                employee = technician.employee
                id_ = technician.id * 10 + 2
            sources.append(cls._source(
                    query_from, id_, order.company, employee,
                    cls._period(order.done_at, order.company), where,
                    visits=Literal(1),
                    site_hours=Coalesce(
                        hours_between(order.started_at, order.done_at), 0)))

        # repairs resolved: visits, first-visit fixes and satisfaction
        ticket = Ticket.__table__()
        order = WorkOrder.__table__()
        later = Ticket.__table__()
        callback = Callback.__table__()
        visits = Coalesce(order.select(Count(Literal(1)),
                where=(order.ticket == ticket.id) & (order.state == 'done')),
            0)
        repeat = Exists(later.select(later.id,
                where=(later.equipment == ticket.equipment)
                & (later.type == 'repair')
                & ~later.state.in_(['draft', 'cancelled'])
                & (later.received_at > ticket.resolved_at)
                & (later.received_at <= add_days(ticket.resolved_at, days))))
        reached = (callback.ticket == ticket.id) & (callback.state == 'done')
        score = Case(*[(callback.satisfaction == str(i), i)
                for i in range(1, 6)], else_=Null)
        where = cls._where_dates(ticket.resolved_at,
            (ticket.type == 'repair')
            & ticket.state.in_(['resolved', 'closed'])
            & (ticket.assigned_to != Null))
        sources.append(cls._source(
                ticket, ticket.id * 10 + 3, ticket.company,
                ticket.assigned_to,
                cls._period(ticket.resolved_at, ticket.company), where,
                repairs=Literal(1),
                visited_repairs=Case((Greater(visits, 0), 1), else_=0),
                first_visit_fixes=Case(
                    (Equal(visits, 1) & ~repeat, 1), else_=0),
                satisfaction_count=Coalesce(callback.select(
                        Count(score), where=reached), 0),
                satisfaction_sum=Coalesce(callback.select(
                        Sum(score), where=reached), 0)))

        # repeat failures, charged to the one who resolved the last repair
        # of the equipment before the failure, when within the days
        failure = Ticket.__table__()
        previous = Ticket.__table__()
        last = Ticket.__table__()
        last_repair = last.select(last.id,
            where=(last.equipment == failure.equipment)
            & (last.type == 'repair')
            & (last.id != failure.id)
            & (last.resolved_at < failure.received_at),
            order_by=[last.resolved_at.desc, last.id.desc], limit=1)
        where = cls._where_dates(failure.received_at,
            (failure.type == 'repair')
            & ~failure.state.in_(['draft', 'cancelled'])
            & (failure.equipment != Null)
            & (previous.resolved_at >= add_days(failure.received_at, -days))
            & (previous.assigned_to != Null))
        sources.append(cls._source(
                failure.join(previous,
                    condition=previous.id == last_repair),
                failure.id * 10 + 4, failure.company, previous.assigned_to,
                cls._period(failure.received_at, failure.company), where,
                repeat_failures=Literal(1)))

        # inspections due and done on time, per inspector
        sources.append(cls._inspection_source())
        return sources

    @classmethod
    def _inspection_source(cls):
        pool = Pool()
        Inspection = pool.get('service.inspection')
        Inspector = pool.get('service.inspection-company.employee')
        context = Transaction().context
        inspection = Inspection.__table__()
        inspector = Inspector.__table__()
        where = ((inspection.state != 'cancelled')
            & (inspection.planned_date <= cls._today(inspection.company)))
        if context.get('from_date'):
            where &= inspection.planned_date >= context['from_date']
        if context.get('to_date'):
            where &= inspection.planned_date <= context['to_date']
        on_time = ((inspection.state == 'done')
            & (period_start(inspection.done_at, period='day')
                <= inspection.planned_date))
        return cls._source(
            inspection.join(inspector,
                condition=inspector.inspection == inspection.id),
            inspector.id * 10 + 5, inspection.company, inspector.employee,
            cls._period(inspection.planned_date, inspection.company,
                date=True),
            where,
            inspections=Literal(1),
            inspections_on_time=Case((on_time, 1), else_=0))


class PartsConsumption(Abstract):
    """Parts consumed in service

    The done moves of service requisitions between a storage and a
    production location: issues count positive at the move's cost price,
    returns of unused parts negative at their unit price (the cost they
    were issued at), like the parts cost."""
    __name__ = 'service.analysis.parts'
    _record_model = 'stock.move'
    _record_table = 'move'

    date = fields.Date("Period")
    product = fields.Many2One(
        'product.product', "Part",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    site = fields.Many2One('service.site', "Site")
    area = fields.Many2One('service.area', "Area")
    quantity = fields.Float("Quantity", digits='unit')
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    cost = fields.Numeric("Cost", digits=(16, 2))

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('cost', 'DESC'), ('id', 'ASC')]

    def get_unit(self, name):
        return self.product.default_uom.id if self.product else None

    @classmethod
    def _joins(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        Line = pool.get('service.requisition.line')
        Return = pool.get('service.requisition.return')
        Requisition = pool.get('service.requisition')
        Site = pool.get('service.site')
        tables = {
            'move': Move.__table__(),
            'from_location': Location.__table__(),
            'to_location': Location.__table__(),
            'line': Line.__table__(),
            'return': Return.__table__(),
            'requisition': Requisition.__table__(),
            'site': Site.__table__(),
            }
        move, line, return_ = (
            tables['move'], tables['line'], tables['return'])
        from_item = (move
            .join(tables['from_location'],
                condition=move.from_location == tables['from_location'].id)
            .join(tables['to_location'],
                condition=move.to_location == tables['to_location'].id)
            .join(line, 'LEFT', condition=move.origin == Concat(
                    'service.requisition.line,', line.id))
            .join(return_, 'LEFT', condition=move.origin == Concat(
                    'service.requisition.return,', return_.id))
            .join(tables['requisition'], condition=(
                    tables['requisition'].id == Coalesce(
                        line.requisition, return_.requisition)))
            .join(tables['site'], 'LEFT', condition=(
                    tables['requisition'].site == tables['site'].id)))
        return from_item, tables

    @classmethod
    def _where(cls, tables):
        move = tables['move']
        where = super()._where(tables)
        where &= move.state == 'done'
        where &= (
            ((tables['from_location'].type == 'storage')
                & (tables['to_location'].type == 'production')
                & (tables['line'].id != Null))
            | ((tables['from_location'].type == 'production')
                & (tables['to_location'].type == 'storage')
                & (tables['return'].kind == 'unused')))
        context = Transaction().context
        if context.get('from_date'):
            where &= move.effective_date >= context['from_date']
        if context.get('to_date'):
            where &= move.effective_date <= context['to_date']
        where = cls._where_site(tables['site'], where)
        where = cls._where_product(move, where)
        return where

    @classmethod
    def _dimensions(cls, tables):
        move, site = tables['move'], tables['site']
        dimensions = super()._dimensions(tables)
        dimensions.update([
                ('date', period_start(move.effective_date, date=True)),
                ('product', move.product),
                ('site', tables['requisition'].site),
                ('area', site.area),
                ])
        return dimensions

    @classmethod
    def _measures(cls, tables):
        move = tables['move']
        issue = tables['to_location'].type == 'production'
        quantity = Case((issue, move.internal_quantity),
            else_=-move.internal_quantity)
        cost = Case(
            (issue, move.internal_quantity * move.cost_price),
            else_=-move.quantity * move.unit_price)
        return super()._measures(tables) + [
            Sum(quantity).as_('quantity'),
            _NUMERIC.sql_cast(Sum(cost)).as_('cost'),
            ]


class PartsCapital(Abstract):
    """Capital tied up in parts

    The stock of each part in each storage location (the done moves in
    less the done moves out) valued at the part's cost price, with the date
    of its last move."""
    __name__ = 'service.analysis.parts.capital'
    _record_model = 'stock.move'
    _record_table = 'legs'

    location = fields.Many2One('stock.location', "Location")
    product = fields.Many2One(
        'product.product', "Part",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    quantity = fields.Float("Quantity", digits='unit')
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'get_unit')
    cost_price = fields.Numeric("Cost Price", digits=(16, 4))
    value = fields.Numeric("Value", digits=(16, 2))
    last_move = fields.Date("Last Move")
    idle = fields.Boolean(
        "Idle", help="No move for the idle days of the context "
        "(180 by default).")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('value', 'DESC'), ('id', 'ASC')]

    def get_unit(self, name):
        return self.product.default_uom.id if self.product else None

    @classmethod
    def _joins(cls):
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        CostPrice = pool.get('product.cost_price')
        legs = []
        for index, (column, sign) in enumerate(
                [('to_location', 1), ('from_location', -1)]):
            move = Move.__table__()
            legs.append(move.select(
                    (move.id * 2 + index).as_('id'),
                    move.company.as_('company'),
                    getattr(move, column).as_('location'),
                    move.product.as_('product'),
                    (move.internal_quantity * sign).as_('quantity'),
                    move.effective_date.as_('date'),
                    where=move.state == 'done'))
        legs = Union(*legs, all_=True)
        location = Location.__table__()
        cost_price = CostPrice.__table__()
        tables = {
            'legs': legs,
            'location': location,
            'cost_price': cost_price,
            }
        from_item = (legs
            .join(location, condition=legs.location == location.id)
            .join(cost_price, 'LEFT', condition=(
                    (cost_price.product == legs.product)
                    & (cost_price.company == legs.company))))
        return from_item, tables

    @classmethod
    def _having(cls, tables):
        having = Sum(tables['legs'].quantity) != 0
        if Transaction().context.get('parts_idle_only'):
            # the board's panel cannot filter on a domain: sao's board
            # leaves the action's domain out
            having &= cls._idle(tables)
        return having

    @classmethod
    def _idle(cls, tables):
        "Whether no move is within the idle days of the context"
        Date = Pool().get('ir.date')
        days = int(Transaction().context.get('idle_days') or 180)
        limit = Date.today() - dt.timedelta(days=days)
        return Max(tables['legs'].date) < limit

    @classmethod
    def _where(cls, tables):
        where = super()._where(tables)
        return where & (tables['location'].type == 'storage')

    @classmethod
    def _dimensions(cls, tables):
        legs = tables['legs']
        dimensions = super()._dimensions(tables)
        dimensions.update([
                ('location', legs.location),
                ('product', legs.product),
                ('cost_price', tables['cost_price'].cost_price),
                ])
        return dimensions

    @classmethod
    def _measures(cls, tables):
        legs = tables['legs']
        quantity = Sum(legs.quantity)
        return super()._measures(tables) + [
            quantity.as_('quantity'),
            _NUMERIC.sql_cast(
                quantity * Coalesce(tables['cost_price'].cost_price, 0)
                ).as_('value'),
            Max(legs.date).as_('last_move'),
            Case((cls._idle(tables), True), else_=False).as_('idle'),
            ]


class ReliabilityMixin:
    "The reliability of equipment in the period of the context"
    __slots__ = ()
    _record_table = 'equipment'
    _record_model = 'service.equipment'

    unit_days = fields.Float(
        "Days in Service", digits=(16, 0),
        help="The days of the period from installation (or the period "
        "start) to retirement (or the period end).")
    failures = fields.Integer(
        "Failures", help="The repair tickets received in the period.")
    repaired = fields.Integer("Repaired")
    repair_hours = fields.Float("Repair Hours", digits=(16, 2))
    mttr = fields.Float(
        "MTTR (hours)", digits=(16, 2),
        help="Mean time to repair: the mean clock hours from the reception "
        "to the resolution of the repair tickets received in the period.")
    downtime = fields.Float(
        "Downtime (hours)", digits=(16, 2),
        help="Clock hours from the reception of the repair tickets to "
        "their resolution (or the period end).")
    availability = fields.Float(
        "Availability", digits=(16, 4),
        help="1 − downtime ÷ time in service.")

    @classmethod
    def _bounds(cls):
        "Return the from date, the day after the to date and their UTC"
        pool = Pool()
        Date = pool.get('ir.date')
        context = Transaction().context
        today = Date.today()
        from_date = context.get('from_date') or today.replace(month=1, day=1)
        to_date = context.get('to_date') or today
        if isinstance(from_date, str):
            from_date = dt.date.fromisoformat(from_date)
        if isinstance(to_date, str):
            to_date = dt.date.fromisoformat(to_date)
        end_date = to_date + dt.timedelta(days=1)
        start, end = utc_bounds()
        return from_date, end_date, start, end or dt.datetime.combine(
            end_date, dt.time())


class Reliability(ReliabilityMixin, Abstract):
    "Equipment reliability"
    __name__ = 'service.analysis.reliability'

    equipment = fields.Many2One('service.equipment', "Equipment")
    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    site = fields.Many2One('service.site', "Site")
    area = fields.Many2One('service.area', "Area")
    mtbf_count = fields.Integer(
        "Failures after a Repair",
        help="The failures of the period that followed a repair.")
    mtbf_hours = fields.Float("Hours between Failures", digits=(16, 2))
    mtbf = fields.Float(
        "MTBF (days)", digits=(16, 2),
        help="Mean time between failures: the mean days from the "
        "resolution of a repair to the next failure of the equipment.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('failures', 'DESC'),
            ('equipment', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def _joins(cls):
        pool = Pool()
        Equipment = pool.get('service.equipment')
        Site = pool.get('service.site')
        Ticket = pool.get('service.ticket')
        equipment = Equipment.__table__()
        site = Site.__table__()
        _, _, start, end = cls._bounds()
        ticket = Ticket.__table__()
        failure_where = (
            (ticket.type == 'repair')
            & ~ticket.state.in_(['draft', 'cancelled'])
            & (ticket.equipment != Null))
        failure_where = cls._where_dates(ticket.received_at, failure_where)
        repair_hours = hours_between(ticket.received_at, ticket.resolved_at)
        down_end = Least(Coalesce(ticket.resolved_at, end), end)
        failures = ticket.select(
            ticket.equipment.as_('equipment'),
            Count(Literal(1)).as_('failures'),
            Count(ticket.resolved_at).as_('repaired'),
            Sum(repair_hours).as_('repair_hours'),
            Sum(hours_between(ticket.received_at, down_end)).as_('downtime'),
            where=failure_where,
            group_by=[ticket.equipment])

        failure = Ticket.__table__()
        before = Ticket.__table__()
        last_resolution = before.select(Max(before.resolved_at),
            where=(before.equipment == failure.equipment)
            & (before.type == 'repair')
            & (before.resolved_at < failure.received_at))
        gaps = failure.select(
            failure.equipment.as_('equipment'),
            Coalesce(last_resolution, Null).as_('resolved_at'),
            failure.received_at.as_('received_at'),
            where=cls._where_dates(failure.received_at,
                (failure.type == 'repair')
                & ~failure.state.in_(['draft', 'cancelled'])
                & (failure.equipment != Null)))
        mtbf = gaps.select(
            gaps.equipment.as_('equipment'),
            Count(gaps.resolved_at).as_('mtbf_count'),
            Sum(hours_between(gaps.resolved_at, gaps.received_at)).as_(
                'mtbf_hours'),
            where=gaps.resolved_at != Null,
            group_by=[gaps.equipment])
        tables = {
            'equipment': equipment,
            'site': site,
            'failures': failures,
            'mtbf': mtbf,
            }
        from_item = (equipment
            .join(site, condition=equipment.site == site.id)
            .join(failures, 'LEFT',
                condition=failures.equipment == equipment.id)
            .join(mtbf, 'LEFT', condition=mtbf.equipment == equipment.id))
        return from_item, tables

    @classmethod
    def _column_id(cls, tables):
        return tables['equipment'].id

    @classmethod
    def _group_by(cls, tables):
        # a row per equipment
        return None

    @classmethod
    def _dimensions(cls, tables):
        equipment = tables['equipment']
        dimensions = super()._dimensions(tables)
        dimensions.update([
                ('equipment', equipment.id),
                ('product', equipment.product),
                ('site', equipment.site),
                ('area', tables['site'].area),
                ])
        return dimensions

    @classmethod
    def _unit_days(cls, equipment):
        from_date, end_date, _, _ = cls._bounds()
        start = Greatest(
            Coalesce(equipment.installation_date, from_date), from_date)
        end = Case(
            (equipment.state == 'retired', Least(
                    _DATE.sql_cast(equipment.write_date), end_date)),
            else_=end_date)
        return Greatest(_float(days_between(start, end)), 0)

    @classmethod
    def _measures(cls, tables):
        failures, mtbf = tables['failures'], tables['mtbf']
        unit_days = cls._unit_days(tables['equipment'])
        downtime = _float(Coalesce(failures.downtime, 0))
        return super()._measures(tables) + [
            unit_days.as_('unit_days'),
            Coalesce(failures.failures, 0).as_('failures'),
            Coalesce(failures.repaired, 0).as_('repaired'),
            _float(Coalesce(failures.repair_hours, 0)).as_('repair_hours'),
            (failures.repair_hours / NullIf(failures.repaired, 0)).as_(
                'mttr'),
            downtime.as_('downtime'),
            (Literal(1.0) - downtime / NullIf(unit_days * 24, 0)).as_(
                'availability'),
            Coalesce(mtbf.mtbf_count, 0).as_('mtbf_count'),
            mtbf.mtbf_hours.as_('mtbf_hours'),
            (mtbf.mtbf_hours / NullIf(mtbf.mtbf_count, 0) / 24).as_('mtbf'),
            ]

    @classmethod
    def _where(cls, tables):
        equipment = tables['equipment']
        where = super()._where(tables)
        where = cls._where_site(tables['site'], where)
        where = cls._where_product(equipment, where)
        return where


class ReliabilityProduct(ReliabilityMixin, Abstract):
    "Product reliability"
    __name__ = 'service.analysis.reliability.product'
    _record_table = 'reliability'

    product = fields.Many2One(
        'product.product', "Product",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    equipment_count = fields.Integer("Equipment")
    mtbf = fields.Float(
        "MTBF (days)", digits=(16, 2),
        help="Days in service of all the items (those that never failed "
        "included) ÷ failures in the period.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('mtbf', 'ASC NULLS LAST'),
            ('product', 'ASC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def _joins(cls):
        Reliability = Pool().get('service.analysis.reliability')
        reliability = Reliability.table_query()
        return reliability, {'reliability': reliability}

    @classmethod
    def _where(cls, tables):
        # the equipment report applies the filters of the context
        return Literal(True)

    @classmethod
    def _dimensions(cls, tables):
        dimensions = super()._dimensions(tables)
        dimensions['product'] = tables['reliability'].product
        return dimensions

    @classmethod
    def _measures(cls, tables):
        r = tables['reliability']
        unit_days, failures = Sum(r.unit_days), Sum(r.failures)
        downtime = Sum(r.downtime)
        return super()._measures(tables) + [
            Count(Literal(1)).as_('equipment_count'),
            unit_days.as_('unit_days'),
            failures.as_('failures'),
            Sum(r.repaired).as_('repaired'),
            Sum(r.repair_hours).as_('repair_hours'),
            (Sum(r.repair_hours) / NullIf(Sum(r.repaired), 0)).as_('mttr'),
            downtime.as_('downtime'),
            (Literal(1.0) - downtime / NullIf(unit_days * 24, 0)).as_(
                'availability'),
            (unit_days / NullIf(failures, 0)).as_('mtbf'),
            ]


class PartsForecast(Abstract):
    """Expected consumption of parts

    For each part, the quantity consumed in the period on each product of
    equipment, per unit-month of that product in service (its items' days
    in service ÷ 30.4375), times the items of the product in service today:
    the parts the fleet is expected to need a month, next to the minimum of
    the part's order points."""
    __name__ = 'service.analysis.parts.forecast'
    _record_model = 'product.product'
    _record_table = 'consumption'

    product = fields.Many2One(
        'product.product', "Part",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    consumed = fields.Float(
        "Consumed", digits=(16, 4),
        help="The quantity consumed on equipment in the period.")
    fleet = fields.Integer(
        "Equipment in Service",
        help="The items in service today of the products the part was "
        "used on.")
    expected = fields.Float(
        "Expected per Month", digits=(16, 2),
        help="Consumed per unit-month in service × the items in service "
        "today.")
    min_quantity = fields.Float(
        "Order Point Minimum", digits=(16, 4),
        help="The minimum quantities of the part's order points.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('expected', 'DESC'), ('id', 'ASC')]

    @classmethod
    def _joins(cls):
        consumption = cls._consumption()
        reliability = Pool().get(
            'service.analysis.reliability.product').table_query()
        fleet = cls._fleet()
        tables = {
            'consumption': consumption,
            'reliability': reliability,
            'fleet': fleet,
            }
        from_item = (consumption
            .join(reliability, 'LEFT',
                condition=reliability.product == consumption.equipment_product)
            .join(fleet, 'LEFT',
                condition=fleet.product == consumption.equipment_product))
        return from_item, tables

    @classmethod
    def _consumption(cls):
        "The quantity of each part consumed on each product of equipment"
        pool = Pool()
        Consumption = pool.get('service.analysis.parts')
        Equipment = pool.get('service.equipment')
        from_item, tables = Consumption._joins()
        move = tables['move']
        used_on = Equipment.__table__()
        from_item = from_item.join(used_on, condition=(
                tables['requisition'].equipment == used_on.id))
        issue = tables['to_location'].type == 'production'
        quantity = Case((issue, move.internal_quantity),
            else_=-move.internal_quantity)
        return from_item.select(
            move.company.as_('company'),
            move.product.as_('product'),
            used_on.product.as_('equipment_product'),
            Sum(quantity).as_('quantity'),
            where=Consumption._where(tables),
            group_by=[move.company, move.product, used_on.product])

    @classmethod
    def _fleet(cls):
        "The items in service today of each product"
        Equipment = Pool().get('service.equipment')
        equipment = Equipment.__table__()
        return equipment.select(
            equipment.product.as_('product'),
            Count(Literal(1)).as_('items'),
            where=(equipment.company == cls._company())
            & (equipment.state != 'retired'),
            group_by=[equipment.product])

    @classmethod
    def _company(cls):
        company = Transaction().context.get('company')
        return company if company is not None else -1

    @classmethod
    def _column_id(cls, tables):
        return tables['consumption'].product

    @classmethod
    def _dimensions(cls, tables):
        dimensions = super()._dimensions(tables)
        dimensions['product'] = tables['consumption'].product
        return dimensions

    @classmethod
    def _measures(cls, tables):
        consumption = tables['consumption']
        reliability = tables['reliability']
        items = Coalesce(tables['fleet'].items, 0)
        expected = (consumption.quantity * items * Literal(30.4375)
            / NullIf(reliability.unit_days, 0))
        return super()._measures(tables) + [
            _float(Sum(consumption.quantity)).as_('consumed'),
            _INTEGER.sql_cast(Sum(items)).as_('fleet'),
            _float(Sum(expected)).as_('expected'),
            cls._min_quantity(consumption.product, cls._company()).as_(
                'min_quantity'),
            ]

    @classmethod
    def _min_quantity(cls, product, company):
        "The order points' minimum of the part, when stock_supply is active"
        try:
            OrderPoint = Pool().get('stock.order_point')
        except KeyError:
            return _float(Null)
        order_point = OrderPoint.__table__()
        return order_point.select(_float(Sum(order_point.min_quantity)),
            where=(order_point.product == product)
            & (order_point.company == company))
