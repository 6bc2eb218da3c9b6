# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .common import BoundedMixin
from .exceptions import TicketError
from .ticket import OPEN_STATES
from .work_order import CONTACT_METHODS, KINDS
from .working_calendar import to_local, to_utc

# the length of a visit until the end is typed
VISIT_HOURS = 2


class ScheduleStart(BoundedMixin, ModelView):
    "The visit agreed with the customer on the phone"
    __name__ = 'service.ticket.schedule.start'

    ticket = fields.Many2One('service.ticket', "Ticket", readonly=True)
    company = fields.Many2One('company.company', "Company", readonly=True)
    site = fields.Many2One('service.site', "Site", readonly=True)
    equipment = fields.Many2One(
        'service.equipment', "Equipment", readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True)
    description = fields.Text("Work to Do")
    planned_start = fields.DateTime("Planned Start", required=True)
    planned_end = fields.DateTime(
        "Planned End", required=True,
        domain=[
            If(Bool(Eval('planned_start')) & Bool(Eval('planned_end')),
                ('planned_end', '>', Eval('planned_start')),
                ()),
            ])
    appointment_contact = fields.Char(
        "Agreed with",
        help="The customer's person who agreed the visit time.")
    appointment_method = fields.Selection(
        CONTACT_METHODS, "Agreed by", sort=False)
    lead = fields.Many2One(
        'company.employee', "Lead Technician", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ],
        help="Suggested among the technicians on duty that day: first "
        "those qualified for the equipment, then those already going to "
        "the site or its area, then the least busy.")

    @fields.depends(
        'planned_start', 'planned_end', 'lead', 'company', 'site',
        'equipment')
    def on_change_planned_start(self):
        WorkOrder = Pool().get('service.work_order')
        if self.planned_start and (not self.planned_end
                or self.planned_end <= self.planned_start):
            self.planned_end = self.planned_start + dt.timedelta(
                hours=VISIT_HOURS)
        if self.planned_start and not self.lead:
            self.lead = WorkOrder.suggest_technician(
                self.company, self.site, WorkOrder.planned_date_of(
                    self.company, self.planned_start),
                equipment=self.equipment)


class Schedule(Wizard):
    """Schedule a visit from a ticket in one dialog (R-CS-6): the work
    order is created with the appointment and scheduled"""
    __name__ = 'service.ticket.schedule'

    start = StateView(
        'service.ticket.schedule.start',
        'service_desk.ticket_schedule_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Schedule", 'schedule', 'tryton-ok', default=True),
            ])
    schedule = StateTransition()

    def _check_ticket(self):
        ticket = self.record
        if ticket.state not in OPEN_STATES or not ticket.site:
            raise TicketError(gettext(
                    'service_desk.msg_ticket_schedule',
                    ticket=ticket.rec_name))

    def _draft_order(self):
        "The visit of the ticket still to schedule, if any"
        WorkOrder = Pool().get('service.work_order')
        orders = WorkOrder.search([
                ('ticket', '=', self.record.id),
                ('state', '=', 'draft'),
                ], order=[('id', 'ASC')], limit=1)
        return orders[0] if orders else None

    def default_start(self, fields):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        WorkOrder = pool.get('service.work_order')
        self._check_ticket()
        ticket = self.record
        company = ticket.company
        calendar = Configuration(1).working_calendar(company)
        timezone = company.timezone if company else None
        # the start of the next working day
        today = to_local(dt.datetime.now(), timezone).date()
        day = calendar.working_day(today + dt.timedelta(days=1))
        start = to_utc(dt.datetime.combine(day, calendar.start), timezone)
        lead = WorkOrder.suggest_technician(
            company, ticket.site, day, equipment=ticket.equipment)
        contact = ticket.caller_name or (
            ticket.contact.name if ticket.contact else None)
        method = ticket.channel if ticket.channel in dict(
            CONTACT_METHODS) else None
        values = {
            'ticket': ticket.id,
            'company': company.id,
            'site': ticket.site.id,
            'equipment': ticket.equipment.id if ticket.equipment else None,
            'kind': 'repair',
            'description': ticket.subject,
            'planned_start': start,
            'planned_end': start + dt.timedelta(hours=VISIT_HOURS),
            'appointment_contact': contact,
            'appointment_method': method,
            'lead': lead.id if lead else None,
            }
        # a visit drafted before (by a technical engineer...) is the one
        # scheduled, with what it already says
        order = self._draft_order()
        if order:
            for name in [
                    'site', 'equipment', 'kind', 'description',
                    'planned_start', 'planned_end', 'appointment_contact',
                    'appointment_method', 'lead']:
                value = getattr(order, name)
                if value:
                    values[name] = getattr(value, 'id', value)
        return values

    def transition_schedule(self):
        WorkOrder = Pool().get('service.work_order')
        self._check_ticket()
        ticket = self.record
        start = self.start
        order = self._draft_order()
        if not order:
            order = WorkOrder(
                company=ticket.company,
                ticket=ticket,
                party=ticket.party,
                site=ticket.site,
                equipment=ticket.equipment)
            order.fill_from_previous_visit()
        order.kind = start.kind
        order.description = start.description
        order.planned_start = start.planned_start
        order.planned_end = start.planned_end
        order.appointment_contact = start.appointment_contact
        order.appointment_method = start.appointment_method
        order.lead = start.lead
        order.save()
        WorkOrder.schedule([order])
        return 'end'

    def end(self):
        return 'reload'
