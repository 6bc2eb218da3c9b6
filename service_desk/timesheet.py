# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Time on site and on the road, through timesheet when it is activated."
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.transaction import without_check_access

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


class TimesheetWork(metaclass=PoolMeta):
    __name__ = 'timesheet.work'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['service.work_order']


class TimesheetLine(metaclass=PoolMeta):
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
