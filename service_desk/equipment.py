# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, Workflow, fields, tree)
from trytond.pool import Pool
from trytond.pyson import Bool, Eval, If
from .common import (
    BoundedMixin, CompanyMixin, GuardedMixin, KeptMixin, NumberedMixin,
    SearchAccessMixin, boolean_domain, search_on)
from .site import CRITICALITIES
from trytond.model import Index

STATES = [
    ('in_service', "In Service"),
    ('faulty', "Faulty"),
    ('under_repair', "Under Repair"),
    ('retired', "Retired"),
    ]


class Equipment(
        BoundedMixin, CompanyMixin, NumberedMixin, KeptMixin, GuardedMixin,
        SearchAccessMixin,
        DeactivableMixin, Workflow,
        tree(name='label'),
        ModelSQL, ModelView):
    "An item of equipment installed at a customer site"
    __name__ = 'service.equipment'
    _number_field = 'label'
    _number_sequence = 'equipment_sequence'
    # once reported faulty, repaired or retired, its history is kept: it
    # is deactivated, not deleted
    _deletable_states = frozenset({'in_service'})
    _delete_message = 'service_desk.msg_equipment_delete'

    label = fields.Char(
        "Label", strip=True,
        help="The unique code printed on the QR label stuck on the item.\n"
        "Leave empty to number it from the configured sequence.")
    site = fields.Many2One(
        'service.site', "Site", required=True, ondelete='RESTRICT',
        domain=[
            ('company', '=', Eval('company', -1)),
            ])
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='RESTRICT',
        domain=[
            ('type', 'in', ['goods', 'assets']),
            ],
        context={
            'company': Eval('company', -1),
            },
        depends={'company'})
    serial_number = fields.Char("Serial Number", strip=True)
    location = fields.Char(
        "Location", help="Where the item is inside the site (room, floor).")
    installation_date = fields.Date("Installation Date")
    warranty_end = fields.Date(
        "Warranty End",
        domain=[
            If(Bool(Eval('installation_date')) & Bool(Eval('warranty_end')),
                ('warranty_end', '>=', Eval('installation_date')),
                ()),
            ])
    under_warranty = fields.Function(
        fields.Boolean("Under Warranty"),
        'get_under_warranty', searcher='search_under_warranty')
    criticality = fields.Selection(
        CRITICALITIES, "Criticality", required=True,
        help="Critical equipment is repaired first and gets reserved "
        "spare parts.")
    parent = fields.Many2One(
        'service.equipment', "Parent", ondelete='RESTRICT',
        domain=[
            ('site', '=', Eval('site', -1)),
            ],
        help="The system this item is part of.")
    children = fields.One2Many(
        'service.equipment', 'parent', "Parts",
        domain=[
            ('site', '=', Eval('site', -1)),
            ])
    notes = fields.Text("Notes")
    inspection_lines = fields.One2Many(
        'service.inspection.line', 'equipment', "Inspection Results",
        readonly=True)
    requisitions = fields.One2Many(
        'service.requisition', 'equipment', "Parts Requisitions",
        readonly=True)
    state = fields.Selection(
        STATES, "State", readonly=True, required=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints = [
            ('company_label_unique', Unique(t, t.company, t.label),
                'service_desk.msg_equipment_label_unique'),
            ]
        cls._order.insert(0, ('label', 'ASC'))
        cls._sql_indexes.update({
                Index(t, (t.state, Index.Equality(cardinality='low')),
                    (t.criticality, Index.Equality(cardinality='low'))),
                Index(t, (t.warranty_end, Index.Range())),
                })
        cls._transitions |= {
            ('in_service', 'faulty'),
            ('in_service', 'under_repair'),
            ('faulty', 'under_repair'),
            ('faulty', 'in_service'),
            ('under_repair', 'in_service'),
            ('under_repair', 'faulty'),
            ('in_service', 'retired'),
            ('faulty', 'retired'),
            ('under_repair', 'retired'),
            }
        cls._buttons.update({
                'report_faulty': {
                    'invisible': ~Eval('state').in_(
                        ['in_service', 'under_repair']),
                    'depends': ['state'],
                    },
                'start_repair': {
                    'invisible': ~Eval('state').in_(['in_service', 'faulty']),
                    'depends': ['state'],
                    },
                'put_in_service': {
                    'invisible': ~Eval('state').in_(
                        ['faulty', 'under_repair']),
                    'depends': ['state'],
                    },
                'retire': {
                    'invisible': Eval('state') == 'retired',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        table_h = cls.__table_handler__(module)
        # the label was unique over all the companies
        table_h.drop_constraint('label_unique')

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [
            ('/tree', 'visual', If(Eval('state') == 'faulty', 'danger',
                    If(Eval('state') == 'under_repair', 'warning',
                        If(Eval('state') == 'retired', 'muted', ''))),
                ['state']),
            ]

    @classmethod
    def default_state(cls):
        return 'in_service'

    @classmethod
    def default_criticality(cls):
        return 'normal'

    @fields.depends('site', '_parent_site.criticality')
    def on_change_site(self):
        if self.site:
            self.criticality = self.site.criticality

    def get_rec_name(self, name):
        product = self.product.rec_name if self.product else ''
        if self.label:
            return f'[{self.label}] {product}'
        return product

    @classmethod
    def search_rec_name(cls, name, clause):
        return search_on(
            ['label', 'serial_number', 'product.rec_name'], clause)

    @classmethod
    def _today(cls):
        return Pool().get('ir.date').today()

    def get_under_warranty(self, name):
        return bool(self.warranty_end and self.warranty_end >= self._today())

    @classmethod
    def search_under_warranty(cls, name, clause):
        today = cls._today()
        return boolean_domain(clause,
            lambda: [('warranty_end', '>=', today)],
            lambda: ['OR',
                ('warranty_end', '<', today),
                ('warranty_end', '=', None),
                ])

    @classmethod
    def copy(cls, equipment, default=None):
        default = default.copy() if default is not None else {}
        default.setdefault('label', None)
        default.setdefault('serial_number', None)
        default.setdefault('children', None)
        default.setdefault('inspection_lines', None)
        default.setdefault('state', cls.default_state())
        return super().copy(equipment, default=default)

    @classmethod
    @ModelView.button
    @Workflow.transition('faulty')
    def report_faulty(cls, equipment):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('under_repair')
    def start_repair(cls, equipment):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('in_service')
    def put_in_service(cls, equipment):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('retired')
    def retire(cls, equipment):
        pass
