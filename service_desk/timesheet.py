# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Time on site and on the road, through timesheet when it is activated."
from sql import Null
from sql.functions import Extract

from trytond import backend
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import Transaction, without_check_access

from .common import BoundedMixin


KINDS = [
    ('on_site', "On Site"),
    ('travel', "Travel"),
    ]


class WorkOrder(metaclass=PoolMeta):
    __name__ = 'service.work_order'

    timesheet_work = fields.Many2One(
        'timesheet.work', "Timesheet Work", readonly=True,
        ondelete='RESTRICT')
    timesheet_lines = fields.One2Many(
        'timesheet.line', 'service_work_order', "Time Spent",
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        states={
            'readonly': ~Eval('state').in_(['in_progress', 'done']),
            },
        help="The hours of each technician, on site and on the road.")
    on_site_hours = fields.Function(
        fields.Float("On-Site Hours", digits=(16, 2)), 'get_hours')
    travel_hours = fields.Function(
        fields.Float("Travel Hours", digits=(16, 2)), 'get_hours')

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('timesheet_work', None)
        default.setdefault('timesheet_lines', None)
        return super().copy(orders, default=default)

    def get_hours(self, names):
        "The hours of each kind (on site, travel), one pass on the lines"
        seconds = dict.fromkeys(names, 0)
        for line in self.timesheet_lines:
            name = f'{line.service_kind}_hours'
            if name in seconds and line.duration:
                seconds[name] += line.duration.total_seconds()
        return {n: s / 3600 for n, s in seconds.items()}

    @classmethod
    def _create_timesheet_works(cls, orders):
        Work = Pool().get('timesheet.work')
        orders = [o for o in orders if not o.timesheet_work
            and o.state in {'scheduled', 'in_progress', 'done'}]
        with without_check_access():
            works = Work.create([{
                        'origin': str(o),
                        'company': o.company.id,
                        } for o in orders])
        for order, work in zip(orders, works, strict=True):
            order.timesheet_work = work
        cls.save(orders)

    @classmethod
    def schedule(cls, orders):
        super().schedule(orders)
        cls._create_timesheet_works(orders)

    @classmethod
    def start(cls, orders):
        super().start(orders)
        cls._create_timesheet_works(orders)


class TimesheetWork(BoundedMixin, metaclass=PoolMeta):
    __name__ = 'timesheet.work'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['service.work_order']


class TimesheetLine(BoundedMixin, metaclass=PoolMeta):
    __name__ = 'timesheet.line'

    service_work_order = fields.Many2One(
        'service.work_order', "Work Order", ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    service_kind = fields.Selection(
        [(None, "")] + KINDS, "Time Kind", sort=False,
        states={
            'required': Bool(Eval('service_work_order')),
            })

    @classmethod
    def default_service_kind(cls):
        return 'on_site'

    @fields.depends(
        'service_work_order', '_parent_service_work_order.timesheet_work')
    def on_change_service_work_order(self):
        if self.service_work_order and self.service_work_order.timesheet_work:
            self.work = self.service_work_order.timesheet_work

    @classmethod
    def preprocess_values(cls, mode, values):
        pool = Pool()
        WorkOrder = pool.get('service.work_order')
        values = super().preprocess_values(mode, values)
        if values.get('service_work_order') and not values.get('work'):
            order = WorkOrder(values['service_work_order'])
            if not order.timesheet_work:
                WorkOrder._create_timesheet_works([order])
            values['work'] = order.timesheet_work.id
        return values


class Scorecard(metaclass=PoolMeta):
    "The hours on the road in the staff scorecard"
    __name__ = 'service.analysis.scorecard'

    travel_hours = fields.Float(
        "Hours Travelling", digits=(16, 2),
        help="The hours on the road entered in the visits' timesheets.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._figures = cls._figures + ['travel_hours']
        cls._float_figures = cls._float_figures | {'travel_hours'}

    @classmethod
    def _sources(cls):
        Line = Pool().get('timesheet.line')
        context = Transaction().context
        line = Line.__table__()
        where = ((line.service_kind == 'travel')
            & (line.service_work_order != Null))
        if context.get('from_date'):
            where &= line.date >= context['from_date']
        if context.get('to_date'):
            where &= line.date <= context['to_date']
        if backend.name == 'sqlite':
            # durations are stored as seconds, maybe whole
            hours = line.duration / 3600.0
        else:
            hours = Extract('EPOCH', line.duration) / 3600
        return super()._sources() + [cls._source(
                line, line.id * 10 + 6, line.company, line.employee,
                cls._period(line.date, line.company, date=True), where,
                travel_hours=hours)]
