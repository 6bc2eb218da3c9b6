# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from sql.aggregate import Sum

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.modules.company import CompanyReport
from trytond.modules.company.model import (
    employee_field, reset_employee, set_employee)
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If, Len
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction, without_check_access

from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, NumberedMixin,
    SearchAccessMixin, SiteMixin, check_quantities, search_on, set_timestamp,
    timestamp, user_employee)
from .exceptions import RequisitionError
from .requisition_stock import (
    OPEN_STATES, RequisitionLineStockMixin, RequisitionStockMixin)

PURPOSES = [
    ('repair', "Repair or Maintenance"),
    ('refill', "Vehicle Refill"),
    ]
URGENCIES = [
    ('normal', "Normal"),
    ('urgent', "Urgent"),
    ]
# the approver and the issuer are set by the buttons, readonly in every state
STATES = ['draft', 'requested', 'approved', 'issued', 'rejected', 'cancelled']


class Requisition(
        BoundedMixin, RequisitionStockMixin, CompanyMixin, NumberedMixin,
        KeptMixin,
        GuardedMixin, SiteMixin, Workflow, ModelSQL, ModelView):
    "A spare-parts requisition slip, 备件领用单 (R-PART-3/5/6)"
    __name__ = 'service.requisition'
    _rec_name = 'number'
    _number_sequence = 'requisition_sequence'
    _number_at_commit = True
    _delete_message = 'service_desk.msg_requisition_delete_draft'
    _cancel_reason_message = 'service_desk.msg_requisition_cancel_reason'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    number = fields.Char("Number", readonly=True)
    purpose = fields.Selection(
        PURPOSES, "Purpose", required=True, states=_states)
    requester = fields.Many2One(
        'company.employee', "Requester", required=True, states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    work_order = fields.Many2One(
        'service.work_order', "Work Order", ondelete='RESTRICT',
        states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    ticket = fields.Many2One(
        'service.ticket', "Ticket", ondelete='RESTRICT', states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    party = fields.Many2One(
        'party.party', "Customer", ondelete='RESTRICT', states=_states,
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    site = fields.Many2One(
        'service.site', "Site", ondelete='RESTRICT', states=_states,
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Eval('party'), ('party', '=', Eval('party', -1)), ()),
            ])
    equipment = fields.Many2One(
        'service.equipment', "Equipment", ondelete='RESTRICT',
        states=_states,
        domain=[
            If(Eval('site'), ('site', '=', Eval('site', -1)), ()),
            ])
    vehicle = fields.Many2One(
        'service.vehicle', "Vehicle", ondelete='RESTRICT',
        states={
            'readonly': _states['readonly'],
            'required': Eval('purpose') == 'refill',
            },
        domain=[
            ('company', '=', Eval('company', -1)),
            If(Eval('purpose') == 'refill',
                ('location', '!=', None), ()),
            ],
        help="The vehicle refilled, or the one the parts are taken from.")
    warehouse = fields.Many2One(
        'stock.location', "Warehouse", required=True, states=_states,
        domain=[
            ('type', '=', 'warehouse'),
            ])
    urgency = fields.Selection(
        URGENCIES, "Urgency", required=True, states=_states)
    critical = fields.Boolean(
        "Critical", readonly=True,
        help="For critical equipment or sites: served first and allowed to "
        "use the stock reserved for them.")
    reason = fields.Text("Reason", states=_states)
    # once approved, the keeper may still change where a part is taken
    # from, but no line is added (nor deleted: see the rule on the lines)
    lines = fields.One2Many(
        'service.requisition.line', 'requisition', "Lines",
        size=If(Eval('state') == 'draft', -1, Len(Eval('lines', []))),
        states={
            'readonly': ~Eval('state').in_(['draft', 'approved']),
            })
    returns = fields.One2Many(
        'service.requisition.return', 'requisition', "Returns",
        states={
            'readonly': Eval('state').in_(
                ['draft', 'requested', 'rejected', 'cancelled']),
            })
    value = fields.Function(Monetary(
            "Value", currency='currency', digits='currency',
            help="The cost of the parts requested."), 'get_value')
    cost = fields.Function(Monetary(
            "Cost", currency='currency', digits='currency',
            help="The cost of the parts issued less the unused returned."),
        'get_cost')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    requested_at = fields.DateTime("Requested at", readonly=True)
    approved_at = fields.DateTime("Approved at", readonly=True)
    approved_by = employee_field("Approved by", states=STATES)
    issued_at = fields.DateTime("Issued at", readonly=True)
    issued_by = employee_field("Issued by", states=STATES)
    cancel_reason = fields.Text(
        "Rejection or Cancellation Reason", states={
            'readonly': Eval('state').in_(['issued', 'rejected', 'cancelled']),
            })
    state = fields.Selection([
            ('draft', "Draft"),
            ('requested', "Requested"),
            ('approved', "Approved"),
            ('issued', "Issued"),
            ('rejected', "Rejected"),
            ('cancelled', "Cancelled"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_indexes.add(
            Index(t, (t.state, Index.Equality(cardinality='low')),
                where=t.state.in_(OPEN_STATES)))
        cls._sql_indexes.update({
                Index(t, (t.requested_at, Index.Range()),
                    (t.id, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low'))),
                Index(t, (t.requester, Index.Range())),
                })
        cls._order = [
            ('requested_at', 'DESC NULLS FIRST'),
            ('id', 'DESC'),
            ]
        cls._transitions |= {
            ('draft', 'requested'),
            ('draft', 'cancelled'),
            ('requested', 'approved'),
            ('requested', 'rejected'),
            ('requested', 'cancelled'),
            ('approved', 'issued'),
            ('approved', 'rejected'),
            ('approved', 'cancelled'),
            ('rejected', 'draft'),
            ('cancelled', 'draft'),
            }
        cls._buttons.update({
                'cancel': {
                    'invisible': ~Eval('state').in_(['draft', *OPEN_STATES]),
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': ~Eval('state').in_(
                        ['rejected', 'cancelled']),
                    'icon': 'tryton-undo',
                    'depends': ['state'],
                    },
                'request': {
                    'invisible': Eval('state') != 'draft',
                    'readonly': ~Eval('lines', []),
                    'depends': ['state', 'lines'],
                    },
                'reject': {
                    'invisible': ~Eval('state').in_(OPEN_STATES),
                    'depends': ['state'],
                    },
                'approve': {
                    'invisible': Eval('state') != 'requested',
                    'depends': ['state'],
                    },
                'issue_available': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                'issue': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                'issue_vehicle': {
                    'invisible': (~Eval('state').in_(
                            ['draft', *OPEN_STATES])
                        | (Eval('purpose') != 'repair')
                        | ~Eval('vehicle')),
                    'readonly': ~Eval('lines', []),
                    'depends': ['state', 'purpose', 'vehicle', 'lines'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_purpose(cls):
        return 'repair'

    @classmethod
    def default_urgency(cls):
        return 'normal'

    @classmethod
    def default_critical(cls):
        return False

    @classmethod
    def default_requester(cls):
        return user_employee()

    @classmethod
    def default_warehouse(cls):
        Location = Pool().get('stock.location')
        return Location.get_default_warehouse()

    @fields.depends(
        'work_order', 'ticket', 'party', 'site', 'equipment', 'vehicle',
        '_parent_work_order.ticket', '_parent_work_order.party',
        '_parent_work_order.site', '_parent_work_order.equipment',
        '_parent_work_order.vehicle', methods=['on_change_equipment'])
    def on_change_work_order(self):
        if self.work_order:
            self.ticket = self.work_order.ticket
            self.party = self.work_order.party
            self.site = self.work_order.site
            self.equipment = self.work_order.equipment
            self.vehicle = self.work_order.vehicle or self.vehicle
            self.on_change_equipment()

    @fields.depends(
        'ticket', 'party', 'site', 'equipment',
        '_parent_ticket.party', '_parent_ticket.site',
        '_parent_ticket.equipment', methods=['on_change_equipment'])
    def on_change_ticket(self):
        if self.ticket:
            self.party = self.ticket.party
            self.site = self.ticket.site or self.site
            self.equipment = self.ticket.equipment or self.equipment
            self.on_change_equipment()

    @fields.depends(
        'purpose', 'vehicle', 'warehouse', 'lines')
    def on_change_purpose(self):
        "A vehicle is refilled from the warehouse, not from itself"
        if (self.purpose == 'refill' and self.vehicle
                and self.vehicle.location and self.warehouse):
            lines = list(self.lines or [])
            for line in lines:
                if line.from_location == self.vehicle.location:
                    line.from_location = self.warehouse.storage_location
            self.lines = lines

    @fields.depends('critical', methods=['is_critical'])
    def on_change_equipment(self):
        super().on_change_equipment()
        self.critical = self.is_critical()

    @fields.depends('equipment', 'site')
    def is_critical(self):
        "Critical equipment, or any equipment of a critical site (R-PART-3)"
        return bool(
            (self.equipment and self.equipment.criticality == 'critical')
            or (self.site and self.site.criticality == 'critical'))

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual',
                If(Eval('state').in_(OPEN_STATES),
                    If(Eval('critical', False)
                        | (Eval('urgency') == 'urgent'), 'danger', ''),
                    If(Eval('state').in_(['rejected', 'cancelled']),
                        'muted', '')),
                ['state', 'critical', 'urgency']),
            ]

    def get_rec_name(self, name):
        return self.number or str(self.id)

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_on(
            ['number', 'work_order.rec_name', 'ticket.rec_name',
                'site.rec_name'], clause)

    @property
    def destination(self):
        "The location the parts are issued to"
        Configuration = Pool().get('service.configuration')
        if self.purpose == 'refill':
            return self.vehicle.location
        return Configuration(1).consumption_location

    @fields.depends('company')
    def on_change_with_currency(self, name=None):
        return self.company.currency if self.company else None

    def is_from_vehicle(self):
        "All the parts are taken from the vehicle for a repair"
        return bool(self.purpose == 'repair' and self.lines
            and self.vehicle and self.vehicle.location
            and all(line.from_location == self.vehicle.location
                for line in self.lines))

    def check_sources(self):
        "Each part comes from a stock other than where it goes (R-PART-5)"
        destination = self.destination
        for line in self.lines:
            location = line.from_location
            if location == destination:
                raise RequisitionError(gettext(
                        'service_desk.msg_requisition_line_same_location',
                        requisition=self.rec_name,
                        product=line.product.rec_name,
                        location=location.rec_name))
            if location.type != 'storage' or not location.active:
                raise RequisitionError(gettext(
                        'service_desk.msg_requisition_line_source',
                        requisition=self.rec_name,
                        product=line.product.rec_name,
                        location=location.rec_name))

    def get_value(self, name):
        return sum((line.value for line in self.lines), Decimal(0))

    @classmethod
    def get_cost(cls, requisitions, name):
        "The requisitions' rows of the parts cost, whatever the period"
        PartsCost = Pool().get('service.parts.cost')
        cursor = Transaction().connection.cursor()
        costs = dict.fromkeys(map(int, requisitions), Decimal(0))
        currencies = {r.id: r.currency for r in requisitions}
        with Transaction().set_context(from_date=None, to_date=None):
            table = PartsCost.__table__()
        for sub_ids in grouped_slice(costs):
            cursor.execute(*table.select(
                    table.requisition, Sum(table.cost),
                    where=reduce_ids(table.requisition, sub_ids),
                    group_by=[table.requisition]))
            for requisition, cost in cursor:
                costs[requisition] = currencies[requisition].round(
                    Decimal(str(cost)))
        return costs

    @classmethod
    def copy(cls, requisitions, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('returns')
        for name in [
                'number', 'requested_at', 'approved_at', 'approved_by',
                'issued_at', 'issued_by', 'cancel_reason']:
            default.setdefault(name)
        return super().copy(requisitions, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, requisitions):
        cls.check_cancel_reason(requisitions)
        cls._cancel_moves(requisitions)

    @classmethod
    @ModelView.button
    @Workflow.transition('rejected')
    def reject(cls, requisitions):
        cls.check_cancel_reason(requisitions)
        cls._cancel_moves(requisitions)

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    @reset_employee('requested_at', 'approved_at', 'approved_by')
    def draft(cls, requisitions):
        Move = Pool().get('stock.move')
        Move.delete([m for r in requisitions for line in r.lines
                for m in line.moves if m.state == 'cancelled'])
        cls.write(requisitions, {'cancel_reason': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('requested')
    @set_timestamp('requested_at')
    def request(cls, requisitions):
        """Ask for the parts: the draft moves are the demand the quotas
        (order points) see"""
        pool = Pool()
        Move = pool.get('stock.move')
        moves = []
        to_write = []
        for requisition in requisitions:
            if not requisition.lines:
                raise RequisitionError(gettext(
                        'service_desk.msg_requisition_no_lines',
                        requisition=requisition.rec_name))
            if requisition.purpose == 'refill' and not (
                    requisition.vehicle and requisition.vehicle.location):
                raise RequisitionError(gettext(
                        'service_desk.msg_requisition_refill_vehicle',
                        requisition=requisition.rec_name))
            requisition.check_sources()
            for line in requisition.lines:
                move = line.get_move()
                if move:
                    moves.append(move)
            to_write.extend([[requisition], {
                        'critical': requisition.is_critical(),
                        }])
        Move.save(moves)
        if to_write:
            cls.write(*to_write)

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    @set_employee('approved_by', when='before')
    @set_timestamp('approved_at', when='before')
    def approve(cls, requisitions):
        "The keeper approves and reserves the parts, the manager above value"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        limit = Configuration(1).requisition_manager_value
        if limit is not None and not cls._is_manager():
            for requisition in requisitions:
                if requisition.value > limit:
                    raise RequisitionError(gettext(
                            'service_desk.msg_requisition_manager_approval',
                            requisition=requisition.rec_name,
                            value=requisition.value, limit=limit))
        cls.reserve(requisitions)
        cls._fall_back_to_warehouse(requisitions)
        cls._warn_back_order(requisitions)

    @staticmethod
    def _is_manager():
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        if Transaction().user == 0:
            return True
        return (ModelData.get_id('service_desk', 'group_service_manager')
            in User.get_groups())

    @classmethod
    @ModelView.button
    def issue_available(cls, requisitions):
        """Issue what is reserved; the rest stays back-ordered until it is
        in stock"""
        cls._issue(requisitions, partial=True)
        cls.issue([r for r in requisitions if all(
                        m.state in {'done', 'cancelled'}
                        for line in r.lines for m in line.moves)])

    @classmethod
    @ModelView.button
    @Workflow.transition('issued')
    @set_employee('issued_by')
    @set_timestamp('issued_at')
    def issue(cls, requisitions):
        "Hand over all the parts: nothing moves unless all are in stock"
        cls._issue(requisitions, partial=False)

    @classmethod
    @ModelView.button
    def issue_vehicle(cls, requisitions):
        """Issue the parts the engineer takes from the vehicle of the repair
        (R-PART-6): they are already in his hands, so the keeper does not
        hand them over; the stock moves from the vehicle at cost"""
        for requisition in requisitions:
            if requisition.state not in {'draft', *OPEN_STATES}:
                continue
            if not requisition.is_from_vehicle():
                line = next((line for line in requisition.lines
                        if requisition.vehicle and line.from_location
                        != requisition.vehicle.location), None)
                if line is None:
                    raise RequisitionError(gettext(
                            'service_desk.msg_requisition_vehicle_missing',
                            requisition=requisition.rec_name))
                raise RequisitionError(gettext(
                        'service_desk.msg_requisition_vehicle_line',
                        requisition=requisition.rec_name,
                        product=line.product.rec_name,
                        location=line.from_location.rec_name,
                        vehicle=requisition.vehicle.rec_name))
        cls._issue_vehicle([r for r in requisitions
                if r.state in {'draft', *OPEN_STATES}])

    @classmethod
    def _issue_vehicle(cls, requisitions):
        """Issue the requisitions from their vehicle, without the keeper's
        rights on the stock moves"""
        pool = Pool()
        User = pool.get('res.user')
        if not requisitions:
            return
        employee = User(Transaction().user).employee
        with without_check_access():
            requisitions = cls.browse(requisitions)
            cls.request([r for r in requisitions if r.state == 'draft'])
            cls._issue(requisitions, partial=False)
            cls.write(requisitions, {
                    'state': 'issued',
                    'issued_by': employee.id if employee else None,
                    'issued_at': timestamp(cls, 'issued_at'),
                    })


class RequisitionLine(
        BoundedMixin, RequisitionLineStockMixin, GuardedMixin,
        SearchAccessMixin, ModelSQL,
        ModelView):
    "A part asked for on a requisition"
    __name__ = 'service.requisition.line'
    _guard_parent = ('requisition', ['draft'])

    _states = {
        'readonly': Eval('requisition_state') != 'draft',
        }

    requisition = fields.Many2One(
        'service.requisition', "Requisition", required=True,
        ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Part", required=True, states=_states,
        domain=[
            ('type', '=', 'goods'),
            ],
        # the spare parts first, then the other goods
        search_order=[
            ('service_spare_part', 'DESC'),
            ('rec_name', 'ASC'),
            ('id', 'ASC'),
            ],
        context={
            'company': Eval('company', -1),
            'locations': If(Bool(Eval('from_location')),
                [Eval('from_location', -1)], []),
            'stock_date_end': None,
            },
        depends={'company'})
    product_unit_category = fields.Function(
        fields.Many2One('product.uom.category', "Unit Category"),
        'on_change_with_product_unit_category')
    quantity = fields.Float(
        "Quantity", digits='unit', required=True, states=_states,
        domain=[
            ('quantity', '>', 0),
            ])
    unit = fields.Many2One(
        'product.uom', "Unit", required=True, states=_states,
        domain=[
            ('category', '=', Eval('product_unit_category', -1)),
            ])
    from_location = fields.Many2One(
        'stock.location', "From", required=True,
        states={
            'readonly': ~Eval('_parent_requisition', {}).get(
                'state', Eval('requisition_state')).in_(
                ['draft', 'approved']),
            },
        domain=[
            ('type', '=', 'storage'),
            ],
        help="The warehouse or the vehicle the part is taken from; "
        "the keeper may change it until the parts are issued.")
    moves = fields.One2Many(
        'stock.move', 'origin', "Stock Moves", readonly=True)
    reserved_quantity = fields.Function(
        fields.Float("Reserved", digits='unit'), 'get_quantities')
    waiting_quantity = fields.Function(
        fields.Float("Back-ordered", digits='unit'), 'get_quantities')
    issued_quantity = fields.Function(
        fields.Float("Issued", digits='unit'), 'get_quantities')
    value = fields.Function(Monetary(
            "Value", currency='currency', digits='currency'), 'get_value')
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    requisition_state = fields.Function(
        fields.Selection('get_requisition_states', "Requisition State"),
        'on_change_with_requisition_state')

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('requisition')
        cls._order.insert(0, ('id', 'ASC'))

    @classmethod
    def validate_fields(cls, lines, field_names):
        super().validate_fields(lines, field_names)
        if field_names is None or 'quantity' in field_names:
            check_quantities(lines)

    @fields.depends('requisition', '_parent_requisition.company')
    def on_change_with_company(self, name=None):
        return self.requisition.company if self.requisition else None

    @fields.depends('requisition', '_parent_requisition.company')
    def on_change_with_currency(self, name=None):
        if self.requisition and self.requisition.company:
            return self.requisition.company.currency

    @classmethod
    def get_requisition_states(cls):
        Requisition = Pool().get('service.requisition')
        return Requisition.fields_get(['state'])['state']['selection']

    @fields.depends('requisition', '_parent_requisition.state')
    def on_change_with_requisition_state(self, name=None):
        return self.requisition.state if self.requisition else None

    @fields.depends('product')
    def on_change_with_product_unit_category(self, name=None):
        return self.product.default_uom.category if self.product else None

    @fields.depends(
        'requisition', 'from_location', '_parent_requisition.warehouse',
        '_parent_requisition.vehicle', '_parent_requisition.purpose')
    def on_change_requisition(self):
        if not self.from_location and self.requisition:
            requisition = self.requisition
            if (requisition.purpose == 'repair' and requisition.vehicle
                    and requisition.vehicle.location):
                self.from_location = requisition.vehicle.location
            elif requisition.warehouse:
                self.from_location = requisition.warehouse.storage_location

    @fields.depends('product', 'unit')
    def on_change_product(self):
        if self.product and (not self.unit
                or self.unit.category != self.product.default_uom.category):
            self.unit = self.product.default_uom

    def get_rec_name(self, name):
        return f'{self.product.rec_name} × {self.quantity}'

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('product.rec_name',) + tuple(clause[1:])]

    @classmethod
    def get_quantities(cls, lines, name):
        states = {
            'reserved_quantity': {'assigned'},
            'waiting_quantity': {'draft'},
            'issued_quantity': {'done'},
            }[name]
        return {line.id: line.unit.round(sum(m.quantity for m in line.moves
                    if m.state in states)) for line in lines}

    def get_value(self, name):
        pool = Pool()
        Uom = pool.get('product.uom')
        quantity = Uom.compute_qty(
            self.unit, self.quantity, self.product.default_uom, round=False)
        cost_price = self.product.cost_price or Decimal(0)
        return self.currency.round(Decimal(str(quantity)) * cost_price)

class RequisitionReport(CompanyReport):
    "The requisition slip with approval and receipt signatures (R-FORM)"
    __name__ = 'service.requisition'
