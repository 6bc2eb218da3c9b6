# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import re

from trytond.i18n import gettext
from trytond.model import (
    ModelSingleton, ModelSQL, ModelView, fields)
from trytond.modules.company.model import (
    CompanyMultiValueMixin, CompanyValueMixin)
from trytond.model.exceptions import ValidationError
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Eval, Id
from trytond.transaction import Transaction

from .common import BoundedMixin
from .working_calendar import WorkingCalendar

# a Chinese area code, with or without its trunk 0: 10, 0839
AREA_CODE = re.compile(r'^0?[1-9]\d{1,3}$')


def default_sequence(xml_id):
    "Return a classmethod giving the id of the record of xml_id"
    @classmethod
    def default(cls, **pattern):
        ModelData = Pool().get('ir.model.data')
        try:
            return ModelData.get_id('service_desk', xml_id)
        except KeyError:
            return None
    return default


class Configuration(
        BoundedMixin, ModelSingleton, ModelSQL, ModelView,
        CompanyMultiValueMixin):
    __name__ = 'service.configuration'
    _field_bounds = {
        'early_failure_days': (0, 3660), 'callback_attempts': (1, 100)}

    equipment_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Equipment Label Sequence", required=True,
            domain=[
                ('company', 'in', [Eval('context', {}).get('company', -1),
                        None]),
                ('sequence_type', '=',
                    Id('service_desk', 'sequence_type_equipment')),
                ],
            help="Used to number the QR labels of new equipment."))
    ticket_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Ticket Sequence", required=True,
            domain=[
                ('company', 'in', [Eval('context', {}).get('company', -1),
                        None]),
                ('sequence_type', '=',
                    Id('service_desk', 'sequence_type_ticket')),
                ]))
    work_order_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Work Order Sequence", required=True,
            domain=[
                ('company', 'in', [Eval('context', {}).get('company', -1),
                        None]),
                ('sequence_type', '=',
                    Id('service_desk', 'sequence_type_work_order')),
                ]))
    requisition_sequence = fields.MultiValue(fields.Many2One(
            'ir.sequence', "Requisition Sequence", required=True,
            domain=[
                ('company', 'in', [Eval('context', {}).get('company', -1),
                        None]),
                ('sequence_type', '=',
                    Id('service_desk', 'sequence_type_requisition')),
                ]))
    requisition_manager_value = Monetary(
        "Manager Approval Above", currency='currency', digits='currency',
        domain=['OR',
            ('requisition_manager_value', '=', None),
            ('requisition_manager_value', '>=', 0),
            ],
        help="Requisitions worth more than this (at cost) must be approved "
        "by the service manager; leave empty for the keeper to approve "
        "any value.")
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency",
            help="The currency of the company the amounts are in."),
        'get_currency')
    maximum_quantity = fields.Float(
        "Maximum Quantity per Line",
        domain=['OR',
            ('maximum_quantity', '=', None),
            ('maximum_quantity', '>', 0),
            ],
        help="The largest quantity of a part that a requisition or return "
        "line accepts; a larger one is refused as a typing error.")
    consumption_location = fields.Many2One(
        'stock.location', "Consumption Location", required=True,
        domain=[
            ('type', '=', 'production'),
            ],
        help="Where the spare parts used in repairs go, valued at cost.")
    faulty_location = fields.Many2One(
        'stock.location', "Faulty Parts Location", required=True,
        domain=[
            ('type', '=', 'lost_found'),
            ],
        help="Where faulty parts removed on site are kept until they are "
        "sent back to the vendor.")
    early_failure_days = fields.Integer(
        "Early Failure Days", required=True,
        domain=[
            ('early_failure_days', '>=', 0),
            ],
        help="A part failing within this many days of its installation "
        "counts as an early failure in the parts quality feedback.")
    work_start = fields.Time(
        "Working Day Start", required=True,
        help="Promised times count working hours from this time "
        "(company time zone).")
    work_end = fields.Time(
        "Working Day End", required=True,
        domain=[
            ('work_end', '>', Eval('work_start')),
            ])
    due_soon = fields.TimeDelta(
        "Due Soon", required=True,
        help="Tickets whose deadline is closer than this are highlighted.")
    callback_delay = fields.TimeDelta(
        "Callback Delay", required=True,
        help="How long after a repair is resolved the customer is called "
        "back.")
    callback_attempts = fields.Integer(
        "Callback Attempts", required=True,
        domain=[
            ('callback_attempts', '>=', 1),
            ],
        help="How many times an unreached customer is called before the "
        "callback fails.")
    phone_area_code = fields.Char(
        "Phone Area Code", strip=True,
        help="The area code of local phone numbers (0839): a number of 7 or "
        "8 digits typed without it is read with it.")

    @classmethod
    def validate_fields(cls, configurations, field_names):
        super().validate_fields(configurations, field_names)
        if field_names is None or 'phone_area_code' in field_names:
            for configuration in configurations:
                code = configuration.phone_area_code
                if code and not AREA_CODE.match(code):
                    raise ValidationError(gettext(
                            'service_desk.msg_configuration_phone_area_code',
                            code=code))

    @classmethod
    def default_maximum_quantity(cls):
        return 1000
    default_consumption_location = default_sequence(
        'location_service_consumption')
    default_faulty_location = default_sequence('location_faulty_parts')

    @classmethod
    def multivalue_model(cls, field):
        pool = Pool()
        if field in {
                'equipment_sequence', 'ticket_sequence',
                'work_order_sequence', 'requisition_sequence'}:
            return pool.get('service.configuration.sequence')
        return super().multivalue_model(field)

    @classmethod
    def default_equipment_sequence(cls, **pattern):
        return cls.multivalue_model(
            'equipment_sequence').default_equipment_sequence()

    @classmethod
    def default_ticket_sequence(cls, **pattern):
        return cls.multivalue_model(
            'ticket_sequence').default_ticket_sequence()

    @classmethod
    def default_work_order_sequence(cls, **pattern):
        return cls.multivalue_model(
            'work_order_sequence').default_work_order_sequence()

    @classmethod
    def default_requisition_sequence(cls, **pattern):
        return cls.multivalue_model(
            'requisition_sequence').default_requisition_sequence()

    @classmethod
    def default_early_failure_days(cls):
        return 90

    @classmethod
    def default_work_start(cls):
        return dt.time(8, 30)

    @classmethod
    def default_work_end(cls):
        return dt.time(17, 30)

    @classmethod
    def default_due_soon(cls):
        return dt.timedelta(hours=2)

    @classmethod
    def default_callback_delay(cls):
        return dt.timedelta(days=1)

    @classmethod
    def default_callback_attempts(cls):
        return 3

    @classmethod
    def default_currency(cls):
        "The currency of the company of the context"
        Company = Pool().get('company.company')
        company = Transaction().context.get('company')
        if company is not None and company >= 0:
            return Company(company).currency.id

    def get_currency(self, name):
        # the singleton is read from its defaults until it is saved
        return self.default_currency()

    def working_calendar(self, company):
        "Return the WorkingCalendar of the company"
        return WorkingCalendar(
            self.work_start, self.work_end,
            company.timezone if company else None,
            exceptions=self.working_day_exceptions(company))

    def working_day_exceptions(self, company):
        """Return {date: working} of the days on which the company works or
        not, whatever the national calendar says"""
        return {}


class ConfigurationSequence(BoundedMixin, ModelSQL, CompanyValueMixin):
    __name__ = 'service.configuration.sequence'

    equipment_sequence = fields.Many2One(
        'ir.sequence', "Equipment Label Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('service_desk', 'sequence_type_equipment')),
            ])

    ticket_sequence = fields.Many2One(
        'ir.sequence', "Ticket Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('service_desk', 'sequence_type_ticket')),
            ])

    work_order_sequence = fields.Many2One(
        'ir.sequence', "Work Order Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('service_desk', 'sequence_type_work_order')),
            ])

    requisition_sequence = fields.Many2One(
        'ir.sequence', "Requisition Sequence", required=True,
        domain=[
            ('company', 'in', [Eval('company', -1), None]),
            ('sequence_type', '=',
                Id('service_desk', 'sequence_type_requisition')),
            ])

    default_equipment_sequence = default_sequence('sequence_equipment')
    default_ticket_sequence = default_sequence('sequence_ticket')
    default_requisition_sequence = default_sequence('sequence_requisition')
    default_work_order_sequence = default_sequence('sequence_work_order')
