# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The key figures of the manager's board and the printable monthly service
report (R-DATA-6), both built on the analysis reports."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from sql import Literal

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool
from trytond.report import Report
from trytond.transaction import Transaction
from trytond.wizard import Button, StateReport, StateView, Wizard

from .common import BoundedMixin, CheckedSearchMixin, check_context
from .analysis_fact import facts_configured, figures_as_of
from .ticket import OPEN_STATES

MONTHS = [(str(i), str(i)) for i in range(1, 13)]


def month_bounds(year, month):
    "The first and last day of the month"
    first = dt.date(year, month, 1)
    if month == 12:
        following = dt.date(year + 1, 1, 1)
    else:
        following = dt.date(year, month + 1, 1)
    return first, following - dt.timedelta(days=1)


def _analysis_context(company, from_date, to_date):
    "The context of the analysis reports for the whole company"
    return {
        'company': company.id,
        'from_date': from_date,
        'to_date': to_date,
        'period': 'month',
        'area': None,
        'site_type': None,
        'product_category': None,
        'analysis_employee': None,
        }


def first_visit_fix_rate(Scorecard):
    "First-visit fixes ÷ repairs with visits of the scorecards in context"
    rows = Scorecard.search([])
    visited = sum(r.visited_repairs or 0 for r in rows)
    if not visited:
        return None
    return sum(r.first_visit_fixes or 0 for r in rows) / visited


class KeyFigures(CheckedSearchMixin, ModelSQL, ModelView):
    """Service key figures

    One row for the company of the context, its figures taken at the
    current time of the service (the clock of the tickets) in the company's
    time zone."""
    __name__ = 'service.analysis.key_figures'

    company = fields.Many2One('company.company', "Company")
    open_tickets = fields.Function(fields.Integer(
            "Open Tickets",
            help="Tickets open, in progress or waiting."),
        'get_figures')
    overdue = fields.Function(fields.Integer(
            "Overdue",
            help="Tickets late for their answer or their resolution."),
        'get_figures')
    due_today = fields.Function(fields.Integer(
            "Due Today",
            help="Open tickets whose resolution is due later today."),
        'get_figures')
    callbacks_due = fields.Function(fields.Integer(
            "Callbacks Due",
            help="Callbacks pending and due today or earlier."),
        'get_figures')
    first_visit_fix_rate = fields.Function(fields.Float(
            "First-Visit Fix % This Month", digits=(16, 4),
            help="First-visit fixes ÷ repairs with visits resolved this "
            "month."),
        'get_figures')
    satisfaction = fields.Function(fields.Float(
            "Satisfaction This Month", digits=(16, 2),
            help="The mean answer (1 to 5) of the customers reached "
            "this month."),
        'get_figures')
    parts_capital = fields.Function(fields.Numeric(
            "Parts Capital", digits=(16, 2),
            help="The stock of parts in the storage locations valued at "
            "cost price."),
        'get_figures')
    figures_as_of = fields.Function(fields.Char(
            "Figures as of",
            help="The charts of the board, the first-visit fix and the "
            "satisfaction of the month are the figures stored at this "
            "time, stored again every 10 minutes."),
        'get_figures')

    @classmethod
    def view_attributes(cls):
        # the time of the stored figures, on a server that stores them
        return super().view_attributes() + [
            ('/tree/field[@name="figures_as_of"]', 'tree_invisible',
                not facts_configured()),
            ]

    @classmethod
    def table_query(cls):
        Company = Pool().get('company.company')
        company = Company.__table__()
        check_context('service.analysis.context')
        company_id = Transaction().context.get('company')
        where = Literal(True)
        if company_id is not None:
            where = company.id == company_id
        return company.select(
            company.id.as_('id'), company.id.as_('company'), where=where)

    @classmethod
    def get_figures(cls, records, names):
        pool = Pool()
        Ticket = pool.get('service.ticket')
        Callback = pool.get('service.callback')
        Scorecard = pool.get('service.analysis.scorecard')
        Satisfaction = pool.get('service.analysis.satisfaction.timeseries')
        Capital = pool.get('service.analysis.parts.capital')
        result = {n: {} for n in names}
        now = Ticket._now()
        for record in records:
            company = record.company
            zone = ZoneInfo(company.timezone or 'UTC')
            local_now = now.replace(tzinfo=dt.UTC).astimezone(zone)
            today = local_now.date()
            tomorrow = dt.datetime.combine(
                today + dt.timedelta(days=1), dt.time(), tzinfo=zone)
            tomorrow = tomorrow.astimezone(dt.UTC).replace(tzinfo=None)
            in_company = ('company', '=', company.id)
            figures = {}
            if 'open_tickets' in names:
                figures['open_tickets'] = Ticket.search_count([
                        in_company, ('state', 'in', OPEN_STATES)])
            if 'overdue' in names:
                figures['overdue'] = Ticket.search_count([
                        in_company, ('overdue', '=', True)])
            if 'due_today' in names:
                figures['due_today'] = Ticket.search_count([
                        in_company, ('state', 'in', OPEN_STATES),
                        ('resolution_deadline', '>=', now),
                        ('resolution_deadline', '<', tomorrow)])
            if 'callbacks_due' in names:
                figures['callbacks_due'] = Callback.search_count([
                        in_company, ('state', '=', 'pending'),
                        ('due_date', '<=', today)])
            context = _analysis_context(
                company, today.replace(day=1), today)
            if 'first_visit_fix_rate' in names:
                with Transaction().set_context(context):
                    figures['first_visit_fix_rate'] = first_visit_fix_rate(
                        Scorecard)
            if 'satisfaction' in names:
                with Transaction().set_context(context):
                    rows = Satisfaction.search([])
                figures['satisfaction'] = rows[0].satisfaction if rows else (
                    None)
            if 'parts_capital' in names:
                with Transaction().set_context(context):
                    figures['parts_capital'] = sum(
                        (r.value or Decimal(0) for r in Capital.search([])),
                        Decimal(0)).quantize(Decimal('0.01'))
            if 'figures_as_of' in names and (as_of := figures_as_of()):
                # in the company's time zone: a list has no datetime column
                as_of = as_of.replace(tzinfo=dt.UTC).astimezone(zone)
                figures['figures_as_of'] = as_of.strftime('%Y-%m-%d %H:%M')
            for name in names:
                result[name][record.id] = figures.get(name)
        return result


class MonthlyReportStart(BoundedMixin, ModelView):
    "Monthly service report"
    __name__ = 'service.analysis.monthly_report.start'

    company = fields.Many2One('company.company', "Company", required=True)
    year = fields.Integer(
        "Year", required=True,
        domain=[('year', '>=', 2000), ('year', '<=', 2100)])
    month = fields.Selection(MONTHS, "Month", required=True, sort=False)
    format = fields.Selection([
            ('pdf', "PDF"),
            ('odt', "ODT (to edit)"),
            ], "Format", required=True, sort=False,
        help="PDF to send or print as it is, ODT to edit before printing.")

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def _last_month(cls):
        Date = Pool().get('ir.date')
        return Date.today().replace(day=1) - dt.timedelta(days=1)

    @classmethod
    def default_year(cls):
        return cls._last_month().year

    @classmethod
    def default_month(cls):
        return str(cls._last_month().month)

    @classmethod
    def default_format(cls):
        return 'pdf'


class MonthlyReportPrint(Wizard):
    "Print the monthly service report"
    __name__ = 'service.analysis.monthly_report.print'
    start = StateView(
        'service.analysis.monthly_report.start',
        'service_desk.analysis_monthly_report_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Print", 'print_', 'tryton-print', default=True),
            ])
    print_ = StateReport('service.analysis.monthly_report')

    def do_print_(self, action):
        ActionReport = Pool().get('ir.action.report')
        # the clients execute the action returned, PDF or ODT as asked
        action = ActionReport(MonthlyReport.get_action_id(
                self.start.format)).action.get_action_value()
        return action, {
            'company': self.start.company.id,
            'year': self.start.year,
            'month': int(self.start.month),
            }


class MonthlyReport(Report):
    """The monthly service report (月度服务报告) for the education bureau and
    the company's management"""
    __name__ = 'service.analysis.monthly_report'

    @classmethod
    def get_action_id(cls, format='pdf'):
        "The report action printing the month in format"
        ModelData = Pool().get('ir.model.data')
        name = {
            'pdf': 'report_analysis_monthly',
            'odt': 'report_analysis_monthly_odt',
            }[format]
        return ModelData.get_id('service_desk', name)

    @classmethod
    def execute(cls, ids, data):
        "Print as PDF unless told otherwise, named after the month"
        data = dict(data)
        if data.get('action_id') is None:
            data['action_id'] = cls.get_action_id()
        oext, content, direct_print, name = super().execute(ids, data)
        if data.get('year') and data.get('month'):
            name = f"{name}-{int(data['year'])}-{int(data['month']):02d}"
        return oext, content, direct_print, name

    @classmethod
    def get_context(cls, records, header, data):
        pool = Pool()
        Company = pool.get('company.company')
        Lang = pool.get('ir.lang')
        cls.check_data(data)
        context = super().get_context(records, header, data)
        company = Company(data['company'])
        from_date, to_date = month_bounds(data['year'], data['month'])
        context['company'] = company
        context['from_date'] = from_date
        context['to_date'] = to_date
        context['month'] = gettext('service_desk.msg_monthly_report_month',
            year=data['year'], month=data['month'],
            month_name=Lang.get().strftime(from_date, '%B'))
        context['percent'] = cls.percent
        context['decimal'] = cls.decimal
        with Transaction().set_context(
                _analysis_context(company, from_date, to_date)):
            context.update(cls.get_figures(from_date, to_date))
        return context

    @classmethod
    def check_data(cls, data):
        """Refuse the company, year and month of data (from the client)
        that the form of the report does not take"""
        names = ['company', 'year', 'month']
        values = {n: data.get(n) for n in names}
        if (isinstance(values['month'], int)
                and not isinstance(values['month'], bool)):
            values['month'] = str(values['month'])
        with Transaction().set_context(**values):
            check_context(
                'service.analysis.monthly_report.start', required=names)
        data['month'] = int(values['month'])

    @staticmethod
    def percent(value):
        return '' if value is None else f'{value * 100:.1f}%'

    @staticmethod
    def decimal(value, digits=2):
        return '' if value is None else f'{value:.{digits}f}'

    @classmethod
    def get_figures(cls, from_date, to_date):
        "The figures of the month, in the context of the analysis reports"
        pool = Pool()
        Volume = pool.get('service.analysis.ticket')
        Promise = pool.get('service.analysis.promise.timeseries')
        Satisfaction = pool.get('service.analysis.satisfaction.timeseries')
        TopEquipment = pool.get('service.analysis.top_equipment')
        HotSpotProduct = pool.get('service.analysis.hot_spot.product')
        Scorecard = pool.get('service.analysis.scorecard')
        figures = {}

        volumes = Volume.search([])
        for name in ['channel', 'type']:
            selection = dict(Volume.fields_get([name])[name]['selection'])
            counts = {}
            for row in volumes:
                key = getattr(row, name)
                counts[key] = counts.get(key, 0) + row.tickets
            figures[f'by_{name}'] = [
                (selection.get(k, k or ''), n)
                for k, n in sorted(counts.items(), key=lambda i: -i[1])]
        figures['tickets'] = sum(r.tickets for r in volumes)
        figures['resolved'] = sum(r.resolved for r in volumes)

        promises = Promise.search([])
        figures['promise'] = promises[0] if promises else None
        satisfactions = Satisfaction.search([])
        figures['satisfaction'] = satisfactions[0] if satisfactions else None
        figures['top_equipment'] = TopEquipment.search([], limit=10)
        figures['products'] = HotSpotProduct.search([], limit=10)
        figures['first_visit_fix_rate'] = first_visit_fix_rate(Scorecard)
        figures.update(cls.get_inspections(from_date, to_date))
        figures.update(cls.get_rule_acknowledgements(from_date, to_date))
        return figures

    @classmethod
    def get_inspections(cls, from_date, to_date):
        "The inspection visits planned in the month and those done"
        pool = Pool()
        Inspection = pool.get('service.inspection')
        company = Transaction().context['company']
        company = pool.get('company.company')(company)
        zone = ZoneInfo(company.timezone or 'UTC')
        inspections = Inspection.search([
                ('company', '=', company.id),
                ('planned_date', '>=', from_date),
                ('planned_date', '<=', to_date),
                ('state', '!=', 'cancelled'),
                ])
        done = [i for i in inspections if i.state == 'done']
        on_time = [
            i for i in done if i.done_at and i.done_at.replace(
                tzinfo=dt.UTC).astimezone(zone).date() <= i.planned_date]
        return {
            'inspections_planned': len(inspections),
            'inspections_done': len(done),
            'inspections_on_time': len(on_time),
            'inspection_rate': (
                len(on_time) / len(inspections) if inspections else None),
            }

    @classmethod
    def get_rule_acknowledgements(cls, from_date, to_date):
        """The service rules published, the acknowledgements of their
        versions made in the month and those still missing (R-ROLE-1)"""
        pool = Pool()
        Article = pool.get('service.knowledge.article')
        Acknowledgement = pool.get('service.knowledge.acknowledgement')
        Missing = pool.get('service.knowledge.acknowledgement.missing')
        company = pool.get('company.company')(
            Transaction().context['company'])
        zone = ZoneInfo(company.timezone or 'UTC')

        def utc(date):
            return dt.datetime.combine(date, dt.time(), tzinfo=zone
                ).astimezone(dt.UTC).replace(tzinfo=None)
        start, end = utc(from_date), utc(to_date + dt.timedelta(days=1))
        return {
            'rules_published': Article.search_count([
                    ('company', '=', company.id),
                    ('kind', '=', 'rule'),
                    ('state', '=', 'published'),
                    ]),
            'rule_acknowledgements': Acknowledgement.search_count([
                    ('article.company', '=', company.id),
                    ('acknowledged_at', '>=', start),
                    ('acknowledged_at', '<', end),
                    ]),
            'rule_acknowledgements_missing': Missing.search_count([
                    ('company', '=', company.id),
                    ]),
            }
