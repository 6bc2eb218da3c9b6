# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
from collections import Counter

from trytond.i18n import gettext
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .work_order import OPEN_STATES
from .common import EARLIEST, LATEST_AHEAD, BoundedMixin, boolean_domain
from .exceptions import ContextError
from sql import Literal
from trytond.model import Index


class Employee(BoundedMixin, metaclass=PoolMeta):
    __name__ = 'company.employee'

    service_technician = fields.Boolean(
        "Service Technician",
        help="Sent to customer sites for repairs, maintenance and "
        "inspections.")
    service_on_duty = fields.Function(
        fields.Boolean(
            "On Duty",
            help="On duty on the day of the context (today by default)."),
        'get_service_duty', searcher='search_service_on_duty')
    service_work_orders = fields.Function(
        fields.Integer(
            "Work Orders",
            help="Open work orders planned on the day of the context "
            "(today by default)."),
        'get_service_duty')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # the duty board lists the service technicians
        cls._sql_indexes.add(
            Index(t, (t.service_technician, Index.Equality()),
                where=t.service_technician == Literal(True)))

    @classmethod
    def default_service_technician(cls):
        return False

    @classmethod
    def _service_date(cls):
        Date = Pool().get('ir.date')
        date = Transaction().context.get('date')
        if date and (not isinstance(date, dt.date)
                or isinstance(date, dt.datetime)
                or not EARLIEST.date() <= date
                <= (dt.datetime.now() + LATEST_AHEAD).date()):
            # the context is the caller's
            raise ContextError(gettext(
                    'service_desk.msg_context_value', value=str(date)[:100],
                    field='date'))
        return date or Date.today()

    @classmethod
    def service_duty(cls, employees, date):
        """Return the ids of the employees on duty on date

        Without attendance records, everyone employed that day is on duty
        on the company's working days.
        """
        Configuration = Pool().get('service.configuration')
        config = Configuration(1)
        calendars = {
            e.company: config.working_calendar(e.company) for e in employees}
        return {e.id for e in employees
            if calendars[e.company].is_working_day(date)
            and (not e.start_date or e.start_date <= date)
            and (not e.end_date or e.end_date >= date)}

    @classmethod
    def service_load(cls, employees, date):
        "Return {employee id: number of open work orders on date}"
        WorkOrder = Pool().get('service.work_order')
        ids = {e.id for e in employees}
        load = Counter()
        for order in WorkOrder.search([
                    ('planned_date', '=', date),
                    ('state', 'in', OPEN_STATES),
                    ['OR',
                        ('lead', 'in', list(ids)),
                        ('technicians', 'in', list(ids)),
                        ],
                    ]):
            for employee in {order.lead, *order.technicians}:
                if employee and employee.id in ids:
                    load[employee.id] += 1
        return load

    @classmethod
    def get_service_duty(cls, employees, names):
        date = cls._service_date()
        result = {}
        if 'service_on_duty' in names:
            on_duty = cls.service_duty(employees, date)
            result['service_on_duty'] = {
                e.id: e.id in on_duty for e in employees}
        if 'service_work_orders' in names:
            load = cls.service_load(employees, date)
            result['service_work_orders'] = {
                e.id: load.get(e.id, 0) for e in employees}
        return result

    @classmethod
    def search_service_on_duty(cls, name, clause):
        "The duty is computed per employee: the staff is a short list"
        def on_duty():
            employees = cls.search([])
            return list(cls.service_duty(employees, cls._service_date()))
        return boolean_domain(clause,
            lambda: [('id', 'in', on_duty())],
            lambda: [('id', 'not in', on_duty())])


class EmployeeAttendance(BoundedMixin, metaclass=PoolMeta):
    __name__ = 'company.employee'

    @classmethod
    def service_duty(cls, employees, date):
        "With attendance, today's duty is who has clocked in today"
        pool = Pool()
        Date = pool.get('ir.date')
        Line = pool.get('attendance.line')
        if date != Date.today():
            return super().service_duty(employees, date)
        with Transaction().set_context(_check_access=False):
            lines = Line.search([
                    ('employee', 'in', [e.id for e in employees]),
                    ('date', '=', date),
                    ('type', '=', 'in'),
                    ])
        return {line.employee.id for line in lines}
