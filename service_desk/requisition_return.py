# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from sql import Literal, Null
from sql.aggregate import Avg, Max, Min, Sum
from sql.conditionals import Case

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval

from .common import (
    BoundedMixin, CheckedSearchMixin, GuardedMixin, KeptMixin,
    SearchAccessMixin, check_quantities)
from .exceptions import RequisitionError

KINDS = [
    ('unused', "Unused Part"),
    ('faulty', "Faulty Part Removed"),
    ]


class Return(
        BoundedMixin, KeptMixin, GuardedMixin, SearchAccessMixin, Workflow,
        ModelSQL,
        ModelView):
    """A part coming back from a requisition: unused to the warehouse, or a
    faulty part removed from the equipment (R-PART-4)"""
    __name__ = 'service.requisition.return'
    _delete_message = 'service_desk.msg_requisition_return_delete_draft'

    _states = {
        'readonly': Eval('state') != 'draft',
        }

    requisition = fields.Many2One(
        'service.requisition', "Requisition", required=True,
        ondelete='RESTRICT', states=_states)
    kind = fields.Selection(KINDS, "Kind", required=True, states=_states)
    product = fields.Many2One(
        'product.product', "Part", required=True, states=_states,
        domain=[
            ('id', 'in', Eval('requisition_products', [])),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    requisition_products = fields.Function(fields.Many2Many(
            'product.product', None, None, "Requisition Products",
            context={
                'company': Eval('company', -1),
                },
            depends={'company'}),
        'on_change_with_requisition_products')
    quantity = fields.Float(
        "Quantity", digits='unit', required=True, states=_states,
        domain=[
            ('quantity', '>', 0),
            ])
    unit = fields.Function(
        fields.Many2One('product.uom', "Unit"), 'on_change_with_unit')
    equipment = fields.Many2One(
        'service.equipment', "Equipment", ondelete='RESTRICT',
        states=_states)
    fault_note = fields.Text(
        "Fault Note", states={
            'readonly': _states['readonly'],
            'required': Eval('kind') == 'faulty',
            'invisible': Eval('kind') != 'faulty',
            })
    vendor = fields.Many2One(
        'party.party', "Vendor", ondelete='RESTRICT',
        states={
            'readonly': Eval('state') == 'sent',
            'invisible': Eval('kind') != 'faulty',
            },
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    installed_date = fields.Date(
        "Installed on", states={
            'readonly': _states['readonly'],
            'invisible': Eval('kind') != 'faulty',
            },
        help="When the failed part was installed; filled from the last "
        "requisition of the part for the equipment when left empty.")
    returned_date = fields.Date("Returned on", readonly=True)
    days_in_service = fields.Integer(
        "Days in Service", readonly=True, states={
            'invisible': Eval('kind') != 'faulty',
            })
    move = fields.Many2One('stock.move', "Stock Move", readonly=True)
    vendor_move = fields.Many2One(
        'stock.move', "Move to Vendor", readonly=True,
        states={
            'invisible': ~Eval('vendor_move'),
            })
    company = fields.Function(
        fields.Many2One('company.company', "Company"),
        'on_change_with_company')
    state = fields.Selection([
            ('draft', "Draft"),
            ('done', "Done"),
            ('sent', "Sent to Vendor"),
            ], "State", readonly=True, required=True, sort=False)

    del _states

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('requisition')
        cls._order.insert(0, ('returned_date', 'DESC NULLS FIRST'))
        t = cls.__table__()
        cls._sql_indexes.update({
                Index(t, (t.returned_date, Index.Range()),
                    (t.id, Index.Range())),
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    where=t.state == 'draft'),
                # faulty parts tab and Parts Failures
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.product, Index.Range()),
                    where=t.kind == 'faulty'),
                })
        cls._transitions |= {
            ('draft', 'done'),
            ('done', 'sent'),
            }
        cls._buttons.update({
                'do': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'send': {
                    'invisible': ((Eval('state') != 'done')
                        | (Eval('kind') != 'faulty')),
                    'depends': ['state', 'kind'],
                    },
                })


    @classmethod
    def validate_fields(cls, returns, field_names):
        super().validate_fields(returns, field_names)
        if field_names is None or 'quantity' in field_names:
            check_quantities(returns)
    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_kind(cls):
        return 'unused'

    @fields.depends('requisition', '_parent_requisition.equipment')
    def on_change_requisition(self):
        if self.requisition and self.requisition.equipment:
            self.equipment = self.requisition.equipment

    @fields.depends('requisition', '_parent_requisition.lines')
    def on_change_with_requisition_products(self, name=None):
        if self.requisition:
            return list({line.product.id for line in self.requisition.lines
                        if line.product})
        return []

    @fields.depends('product')
    def on_change_with_unit(self, name=None):
        return self.product.default_uom if self.product else None

    @fields.depends('requisition', '_parent_requisition.company')
    def on_change_with_company(self, name=None):
        return self.requisition.company if self.requisition else None

    @fields.depends('product', 'vendor')
    def on_change_product(self):
        if self.product and not self.vendor:
            suppliers = getattr(self.product, 'product_suppliers_used', None)
            for supplier in (suppliers() if suppliers else []):
                self.vendor = supplier.party
                break

    def get_rec_name(self, name):
        return (f'{self.requisition.rec_name}: '
            f'{self.product.rec_name} × {self.quantity}')

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR',
            ('requisition.rec_name',) + tuple(clause[1:]),
            ('product.rec_name',) + tuple(clause[1:]),
            ]

    @classmethod
    def copy(cls, returns, default=None):
        default = default.copy() if default is not None else {}
        for name in [
                'move', 'vendor_move', 'returned_date', 'days_in_service']:
            default.setdefault(name)
        return super().copy(returns, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def do(cls, returns):
        "Move the part back: unused to the warehouse, faulty aside"
        pool = Pool()
        Move = pool.get('stock.move')
        Date = pool.get('ir.date')
        today = Date.today()
        cls.check_quantity(returns)
        moves = []
        for return_ in returns:
            return_.returned_date = today
            if return_.kind == 'faulty':
                if not return_.installed_date:
                    return_.installed_date = return_.find_installed_date()
                if return_.installed_date:
                    return_.days_in_service = (
                        today - return_.installed_date).days
            return_.move = return_.get_move()
            moves.append(return_.move)
        Move.save(moves)
        Move.do(moves)
        cls.save(returns)

    @classmethod
    def check_quantity(cls, returns):
        "No more can come back than was issued"
        pool = Pool()
        Uom = pool.get('product.uom')
        for return_ in returns:
            requisition = return_.requisition
            issued = sum(Uom.compute_qty(m.unit, m.quantity,
                        m.product.default_uom, round=False)
                for line in requisition.lines
                if line.product == return_.product
                for m in line.moves if m.state == 'done')
            returned = sum(r.quantity for r in requisition.returns
                if r.product == return_.product
                and (r.state != 'draft' or r in returns))
            if returned - issued >= return_.product.default_uom.rounding:
                raise RequisitionError(gettext(
                        'service_desk.msg_requisition_return_quantity',
                        requisition=requisition.rec_name,
                        product=return_.product.rec_name,
                        issued=issued, returned=returned))

    def find_installed_date(self):
        "Return when the part in the equipment was installed"
        Move = Pool().get('stock.move')
        if not self.equipment:
            return None
        moves = Move.search([
                ('origin.requisition.equipment', '=', self.equipment.id,
                    'service.requisition.line'),
                ('origin.requisition', '!=', self.requisition.id,
                    'service.requisition.line'),
                ('product', '=', self.product.id),
                ('state', '=', 'done'),
                ], order=[('effective_date', 'DESC')], limit=1)
        if moves:
            move, = moves
            return move.effective_date
        return self.equipment.installation_date

    def get_move(self):
        pool = Pool()
        Move = pool.get('stock.move')
        Configuration = pool.get('service.configuration')
        requisition = self.requisition
        from_location = requisition.destination
        if self.kind == 'unused':
            to_location = requisition.warehouse.storage_location
        else:
            to_location = Configuration(1).faulty_location
        move = Move(
            product=self.product,
            quantity=self.quantity,
            unit=self.product.default_uom,
            from_location=from_location,
            to_location=to_location,
            company=requisition.company,
            origin=self,
            )
        if move.on_change_with_unit_price_required():
            move.unit_price = self.issue_cost_price()
            move.currency = requisition.company.currency
        return move

    def issue_cost_price(self):
        "Return the cost price per unit of the part when it was issued"
        quantity, amount = 0, Decimal(0)
        for line in self.requisition.lines:
            for move in line.moves:
                if move.product == self.product and move.state == 'done':
                    quantity += move.internal_quantity
                    amount += Decimal(str(move.internal_quantity)) * (
                        move.cost_price or 0)
        if not quantity:
            return self.product.cost_price or Decimal(0)
        return (amount / Decimal(str(quantity))).quantize(
            Decimal(1) / 10 ** 4)

    @classmethod
    @ModelView.button
    @Workflow.transition('sent')
    def send(cls, returns):
        "Send faulty parts back to their vendor"
        pool = Pool()
        Move = pool.get('stock.move')
        Location = pool.get('stock.location')
        ModelData = pool.get('ir.model.data')
        supplier = Location(ModelData.get_id('stock', 'location_supplier'))
        for return_ in returns:
            if not return_.vendor:
                raise RequisitionError(gettext(
                        'service_desk.msg_requisition_return_vendor',
                        part=return_.rec_name))
            return_.vendor_move = Move(
                product=return_.product,
                quantity=return_.quantity,
                unit=return_.product.default_uom,
                from_location=return_.move.to_location,
                to_location=supplier,
                company=return_.requisition.company,
                origin=return_,
                )
        Move.save([r.vendor_move for r in returns])
        Move.do([r.vendor_move for r in returns])
        cls.save(returns)


class PartFailure(CheckedSearchMixin, ModelSQL, ModelView):
    "Failures of parts per vendor, for purchasing (R-PART-4)"
    __name__ = 'service.part.failure'

    company = fields.Many2One('company.company', "Company")
    product = fields.Many2One(
        'product.product', "Part",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    vendor = fields.Many2One(
        'party.party', "Vendor",
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    failures = fields.Float("Failures", digits=(16, 0))
    early_failures = fields.Float(
        "Early Failures", digits=(16, 0),
        help="Failed within the early failure days of the configuration.")
    average_days = fields.Float(
        "Average Days in Service", digits=(16, 0))
    last_failure = fields.Date("Last Failure")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('early_failures', 'DESC'),
            ('failures', 'DESC'),
            ('id', 'ASC'),
            ]

    @classmethod
    def table_query(cls):
        pool = Pool()
        Return = pool.get('service.requisition.return')
        Requisition = pool.get('service.requisition')
        Configuration = pool.get('service.configuration')
        return_ = Return.__table__()
        requisition = Requisition.__table__()
        days = Configuration(1).early_failure_days
        early = Case(
            ((return_.days_in_service != Null)
                & (return_.days_in_service <= days), return_.quantity),
            else_=Literal(0))
        return return_.join(requisition,
            condition=return_.requisition == requisition.id
            ).select(
            Min(return_.id).as_('id'),
            requisition.company.as_('company'),
            return_.product.as_('product'),
            return_.vendor.as_('vendor'),
            Sum(return_.quantity).as_('failures'),
            Sum(early).as_('early_failures'),
            cls.average_days.sql_cast(
                Avg(return_.days_in_service)).as_('average_days'),
            Max(return_.returned_date).as_('last_failure'),
            where=(return_.kind == 'faulty')
            & return_.state.in_(['done', 'sent']),
            group_by=[requisition.company, return_.product, return_.vendor])
