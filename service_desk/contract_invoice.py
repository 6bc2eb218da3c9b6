# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Service contracts invoiced on schedule: a daily job drafts the customer
invoice of each invoicing period begun, once per period (R-PART-6)"""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import Index, ModelSQL, ModelView, Unique, fields
from trytond.modules.currency.fields import Monetary
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .common import BoundedMixin


class Configuration(metaclass=PoolMeta):
    __name__ = 'service.configuration'

    contract_product = fields.Many2One(
        'product.product', "Contract Service",
        domain=[
            ('type', '=', 'service'),
            ],
        help="The service invoiced for the periods of the contracts, its "
        "accounts and taxes.")


class ContractInvoice(BoundedMixin, ModelSQL, ModelView):
    "The customer invoice of an invoicing period of a contract"
    __name__ = 'service.contract.invoice'

    contract = fields.Many2One(
        'service.contract', "Contract", required=True, readonly=True,
        ondelete='CASCADE')
    period_start = fields.Date("Period Start", required=True, readonly=True)
    period_end = fields.Date("Period End", required=True, readonly=True)
    amount = Monetary(
        "Amount", currency='currency', digits='currency', readonly=True)
    currency = fields.Function(fields.Many2One(
            'currency.currency', "Currency"), 'on_change_with_currency')
    invoice = fields.Many2One(
        'account.invoice', "Invoice", readonly=True, ondelete='RESTRICT')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('contract_period_unique',
                Unique(t, t.contract, t.period_start),
                'service_desk.msg_contract_invoice_period_unique'),
            ]
        cls._sql_indexes.update({
                Index(t, (t.contract, Index.Range()),
                    (t.period_start, Index.Range())),
                Index(t, (t.invoice, Index.Range())),
                })
        cls._order = [('period_start', 'DESC'), ('id', 'DESC')]

    @fields.depends('contract', '_parent_contract.company')
    def on_change_with_currency(self, name=None):
        if self.contract and self.contract.company:
            return self.contract.company.currency


class Contract(metaclass=PoolMeta):
    __name__ = 'service.contract'

    invoices = fields.One2Many(
        'service.contract.invoice', 'contract', "Invoices", readonly=True,
        help="The invoice of each invoicing period begun.")

    @classmethod
    def copy(cls, contracts, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('invoices', None)
        return super().copy(contracts, default=default)

    def period_amounts(self):
        """Return [(start, end, amount)] of the invoicing periods: the price
        shared equally, the last period taking what rounding leaves"""
        periods = list(self.periods())
        currency = self.company.currency
        share = currency.round(self.price / len(periods))
        amounts = []
        for index, (start, end) in enumerate(periods):
            amount = share
            if index == len(periods) - 1:
                amount = self.price - share * (len(periods) - 1)
            amounts.append((start, end, amount))
        return amounts

    @classmethod
    def invoice_periods(cls):
        """Draft the customer invoice of each invoicing period begun of the
        running contracts, never twice for a period (daily job)"""
        pool = Pool()
        Company = pool.get('company.company')
        Configuration = pool.get('service.configuration')
        ContractInvoice = pool.get('service.contract.invoice')
        Invoice = pool.get('account.invoice')
        records = []
        for company in Company.search([]):
            with Transaction().set_context(company=company.id):
                if not Configuration(1).contract_product:
                    # without its service, the invoice has no account
                    continue
            today = cls._today(company)
            contracts = cls.search([
                    ('company', '=', company.id),
                    ('state', '=', 'running'),
                    ('start_date', '<=', today),
                    ])
            with Transaction().set_context(company=company.id):
                for contract in contracts:
                    done = {i.period_start for i in contract.invoices}
                    for start, end, amount in contract.period_amounts():
                        if start > today or start in done:
                            continue
                        records.append(ContractInvoice(
                                contract=contract, period_start=start,
                                period_end=end, amount=amount,
                                invoice=contract._get_invoice(
                                    start, end, amount)))
        invoices = [r.invoice for r in records]
        Invoice.save(invoices)
        Invoice.update_taxes(invoices)
        ContractInvoice.save(records)
        return records

    def _get_invoice(self, start, end, amount):
        pool = Pool()
        Invoice = pool.get('account.invoice')
        Configuration = pool.get('service.configuration')
        Lang = pool.get('ir.lang')
        lang = Lang.get()
        period = gettext('service_desk.msg_contract_invoice_period',
            contract=self.number or '',
            start=lang.strftime(start), end=lang.strftime(end))
        invoice = Invoice(
            company=self.company, type='out', party=self.party,
            currency=self.company.currency, description=period,
            reference=self.number, invoice_date=None)
        invoice.on_change_type()
        invoice.on_change_party()
        product = Configuration(1).contract_product
        invoice.lines = [self._get_invoice_line(
                invoice, product, amount, period)]
        return invoice

    def _get_invoice_line(self, invoice, product, amount, description):
        pool = Pool()
        Line = pool.get('account.invoice.line')
        Product = pool.get('product.product')
        line = Line(
            invoice=invoice, type='line', company=self.company,
            currency=invoice.currency, quantity=1, origin=self,
            description=description)
        line.product = Product(product.id)
        line.on_change_product()
        line.unit_price = amount or Decimal(0)
        line.description = description
        return line


class InvoiceLine(metaclass=PoolMeta):
    __name__ = 'account.invoice.line'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() + ['service.contract']
