# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields, tree
from trytond.model.exceptions import ValidationError
from trytond.pool import PoolMeta
from trytond.pyson import Bool, Eval, If

from .common import BoundedMixin

FAULT_KINDS = [
    ('category', "Category"),
    ('symptom', "Symptom"),
    ('cause', "Cause"),
    ('remedy', "Remedy"),
    ]
# the kind of node allowed under each kind of parent
FAULT_PARENT_KINDS = {
    'category': {None, 'category'},
    'symptom': {None, 'category'},
    'cause': {'symptom'},
    'remedy': {'cause'},
    }


class FaultCategory(
        BoundedMixin, DeactivableMixin, tree(), ModelSQL, ModelView):
    "A kind of fault, for the fault analysis (R-ENG-2, R-DATA-3)"
    __name__ = 'service.fault.category'

    name = fields.Char("Name", required=True, translate=True)
    code = fields.Char("Code", strip=True)
    parent = fields.Many2One(
        'service.fault.category', "Parent", ondelete='RESTRICT')
    children = fields.One2Many(
        'service.fault.category', 'parent', "Children")
    # the fault classification: symptom -> cause -> remedy (R-ENG-2/8)
    kind = fields.Selection(
        FAULT_KINDS, "Kind", required=True, sort=False,
        help="Categories group the symptoms, a symptom has causes and a "
        "cause has remedies.")
    product_categories = fields.Many2Many(
        'service.fault.category-product.category', 'fault_category',
        'product_category', "Product Categories",
        states={
            'invisible': ~Eval('kind').in_(['category', 'symptom']),
            },
        help="The products whose faults this covers; empty for all.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_kind(cls):
        return 'category'

    @classmethod
    def validate_fields(cls, categories, field_names):
        super().validate_fields(categories, field_names)
        if field_names & {'kind', 'parent'}:
            for category in categories:
                parent_kind = category.parent.kind if category.parent else None
                if parent_kind not in FAULT_PARENT_KINDS[category.kind]:
                    raise ValidationError(gettext(
                            'service_desk.msg_fault_category_parent_kind',
                            category=category.rec_name))

    def applies_to(self, product):
        "Whether the symptom or category covers the product"
        node = self
        while node:
            if node.product_categories:
                if not product:
                    return False
                categories = set(product.template.categories_all)
                return bool(categories & set(node.product_categories))
            node = node.parent
        return True


class FaultCategoryProductCategory(BoundedMixin, ModelSQL):
    "The product categories of a fault category"
    __name__ = 'service.fault.category-product.category'

    fault_category = fields.Many2One(
        'service.fault.category', "Fault Category", required=True,
        ondelete='CASCADE')
    product_category = fields.Many2One(
        'product.category', "Product Category", required=True,
        ondelete='CASCADE')


class FaultCodedMixin:
    """A record classified by symptom, cause and remedy codes

    The free-text fields stay as the narrative; the codes are what is
    counted.
    """
    __slots__ = ()
    _fault_code_states = {}

    symptom_code = fields.Many2One(
        'service.fault.category', "Symptom Code", ondelete='RESTRICT',
        domain=[
            ('kind', '=', 'symptom'),
            ],
        help="What was seen, from the fault classification.")
    cause_code = fields.Many2One(
        'service.fault.category', "Cause Code", ondelete='RESTRICT',
        domain=[
            ('kind', '=', 'cause'),
            If(Bool(Eval('symptom_code')),
                ('parent', '=', Eval('symptom_code', -1)), ()),
            ],
        help="Why it happened, from the fault classification.")
    remedy_code = fields.Many2One(
        'service.fault.category', "Remedy Code", ondelete='RESTRICT',
        domain=[
            ('kind', '=', 'remedy'),
            If(Bool(Eval('cause_code')),
                ('parent', '=', Eval('cause_code', -1)), ()),
            ],
        help="What fixes it, from the fault classification.")

    @fields.depends('symptom_code', 'cause_code')
    def on_change_symptom_code(self):
        if self.cause_code and self.cause_code.parent != self.symptom_code:
            self.cause_code = None

    @fields.depends('cause_code', 'remedy_code', 'symptom_code')
    def on_change_cause_code(self):
        if self.cause_code:
            self.symptom_code = self.cause_code.parent
        if self.remedy_code and self.remedy_code.parent != self.cause_code:
            self.remedy_code = None

    @fields.depends('remedy_code', 'cause_code', 'symptom_code')
    def on_change_remedy_code(self):
        if self.remedy_code:
            self.cause_code = self.remedy_code.parent
            self.symptom_code = self.cause_code.parent

    @classmethod
    def __setup__(cls):
        super().__setup__()
        for name in ['symptom_code', 'cause_code', 'remedy_code']:
            field = getattr(cls, name)
            field.states = cls._fault_code_states

    def _fault_product(self):
        equipment = getattr(self, 'equipment', None)
        return equipment.product if equipment else None

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names & {'symptom_code', 'cause_code', 'remedy_code'}:
            for record in records:
                record.check_fault_codes()

    def check_fault_codes(self):
        chain = [
            (self.cause_code, self.symptom_code),
            (self.remedy_code, self.cause_code),
            ]
        for child, parent in chain:
            if child and child.parent != parent:
                raise ValidationError(gettext(
                        'service_desk.msg_fault_codes_chain',
                        record=self.rec_name,
                        code=child.rec_name))
        if self.symptom_code and not self.symptom_code.applies_to(
                self._fault_product()):
            raise ValidationError(gettext(
                    'service_desk.msg_fault_codes_product',
                    record=self.rec_name,
                    code=self.symptom_code.rec_name))


class Ticket(FaultCodedMixin, metaclass=PoolMeta):
    __name__ = 'service.ticket'
    _fault_code_states = {
        'readonly': Eval('state').in_(['closed', 'cancelled']),
        }


class WorkOrder(FaultCodedMixin, metaclass=PoolMeta):
    __name__ = 'service.work_order'
    _fault_code_states = {
        'readonly': Eval('state').in_(['done', 'cancelled']),
        }


class InspectionLine(FaultCodedMixin, metaclass=PoolMeta):
    __name__ = 'service.inspection.line'
    _fault_code_states = {
        'readonly': Eval('inspection_state').in_(['done', 'cancelled']),
        }
