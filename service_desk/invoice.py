# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Chargeable repairs invoiced: the parts the field engineer used and his
hours on site become a draft customer invoice of the work order, which the
accountant checks and posts (R-PART-6)."""
from collections import defaultdict
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .common import BoundedMixin
from .exceptions import WorkOrderError


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    labour_product = fields.Many2One(
        'product.product', "Labour Service",
        domain=[
            ('type', '=', 'service'),
            ],
        help="The service invoiced for the hours of a chargeable repair, "
        "at its sale price per hour.")


class WorkOrder(metaclass=PoolMeta):
    __name__ = 'service.work_order'

    invoice_lines = fields.One2Many(
        'account.invoice.line', 'origin', "Invoice Lines", readonly=True)
    invoiced = fields.Function(
        fields.Boolean("Invoiced"), 'get_invoiced')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'create_invoice': {
                    'invisible': ((Eval('state') != 'done')
                        | (Eval('billing') != 'chargeable')
                        | Eval('invoiced', False)),
                    'depends': ['state', 'billing', 'invoiced'],
                    },
                })

    @classmethod
    def copy(cls, orders, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('invoice_lines', None)
        return super().copy(orders, default=default)

    @classmethod
    def get_invoiced(cls, orders, name):
        "Whether an invoice line comes from the work order"
        InvoiceLine = Pool().get('account.invoice.line')
        with without_check_access():
            lines = InvoiceLine.search([
                    ('origin', 'in', [str(o) for o in orders]),
                    ])
        invoiced = {line.origin.id for line in lines}
        return {o.id: o.id in invoiced for o in orders}

    @classmethod
    @ModelView.button
    def create_invoice(cls, orders):
        """Make the draft invoice of each chargeable repair done and open
        it for whom may read invoices"""
        pool = Pool()
        Invoice = pool.get('account.invoice')
        ModelAccess = pool.get('ir.model.access')
        Action = pool.get('ir.action')
        ModelData = pool.get('ir.model.data')
        invoices = []
        for order in orders:
            if order.invoiced:
                continue
            if order.state != 'done' or order.billing != 'chargeable':
                raise WorkOrderError(gettext(
                        'service_desk.msg_work_order_invoice_chargeable',
                        work_order=order.rec_name))
            invoice = order._get_invoice()
            if invoice.lines:
                invoices.append(invoice)
        Invoice.save(invoices)
        Invoice.update_taxes(invoices)
        access = ModelAccess.get_access(['account.invoice'])
        if not invoices or not access['account.invoice']['read']:
            return
        action = Action(Action.get_action_id(ModelData.get_id(
                    'account_invoice', 'act_invoice_out_form')))
        value = action.get_action_value()
        if len(invoices) == 1:
            value['views'].reverse()
        value['res_id'] = [i.id for i in invoices]
        return value

    def _get_invoice(self):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        invoice = Invoice(
            company=self.company, type='out', party=self.party,
            currency=self.company.currency,
            description=self.number or '',
            reference=self.number)
        invoice.on_change_type()
        invoice.on_change_party()
        invoice.lines = self._get_invoice_lines(invoice)
        return invoice

    def _get_invoice_lines(self, invoice):
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Product = pool.get('product.product')
        lines = []
        for product, quantity in self._invoice_parts():
            lines.append(self._get_invoice_line(invoice, product, quantity))
        hours = self._invoice_hours()
        labour = Configuration(1).labour_product
        if hours and labour:
            # the prices and accounts of the product are the company's
            with Transaction().set_context(company=self.company.id):
                labour = Product(labour.id)
            line = self._get_invoice_line(invoice, labour, hours)
            line.unit = labour.default_uom
            lines.append(line)
        return lines

    def _get_invoice_line(self, invoice, product, quantity):
        pool = Pool()
        Line = pool.get('account.invoice.line')
        Product = pool.get('product.product')
        with Transaction().set_context(company=self.company.id):
            product = Product(product.id)
            line = Line(
                invoice=invoice, type='line', company=self.company,
                currency=invoice.currency, product=product,
                quantity=quantity, origin=self)
            line.on_change_product()
            line.unit_price = product.list_price_used or Decimal(0)
        return line

    def _invoice_parts(self):
        "The parts issued less the unused parts come back"
        pool = Pool()
        Uom = pool.get('product.uom')
        quantities = defaultdict(float)
        for requisition in self.requisitions:
            for line in requisition.lines:
                for move in line.moves:
                    if move.state == 'done':
                        quantities[move.product] += Uom.compute_qty(
                            move.unit, move.quantity,
                            move.product.default_uom, round=False)
            for return_ in requisition.returns:
                if return_.state != 'draft' and return_.kind == 'unused':
                    quantities[return_.product] -= return_.quantity
        return [(p, p.default_uom.round(q))
            for p, q in sorted(quantities.items(), key=lambda i: i[0].id)
            if q > 0]

    def _invoice_hours(self):
        "The hours on site: the timesheet's, or from start to end"
        hours = getattr(self, 'on_site_hours', None)
        if not hours and self.started_at and self.done_at:
            hours = (self.done_at - self.started_at).total_seconds() / 3600
        return round(hours or 0, 2)


class InvoiceLine(BoundedMixin, metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['service.work_order']
