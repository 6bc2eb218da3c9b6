# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, fields, sequence_ordered)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .common import BoundedMixin

PHASES = [
    ('early', "Early"),
    ('middle', "Middle"),
    ('late', "Late"),
    ]
ITEM_TYPES = [
    ('pass_fail', "Pass/Fail"),
    ('number', "Number"),
    ('choice', "Choice"),
    ('text', "Text"),
    ]


class Checklist(BoundedMixin, DeactivableMixin, ModelSQL, ModelView):
    "The points checked on a kind of equipment during inspections (R-INSP)"
    __name__ = 'service.inspection.checklist'

    name = fields.Char("Name", required=True, translate=True)
    products = fields.Many2Many(
        'service.inspection.checklist-product.product', 'checklist',
        'product', "Products",
        help="The equipment kinds it applies to; empty for every item.")
    items = fields.One2Many(
        'service.inspection.checklist.item', 'checklist', "Items")


class ChecklistProduct(BoundedMixin, ModelSQL):
    "The equipment kinds of a checklist"
    __name__ = 'service.inspection.checklist-product.product'

    checklist = fields.Many2One(
        'service.inspection.checklist', "Checklist", required=True,
        ondelete='CASCADE')
    product = fields.Many2One(
        'product.product', "Product", required=True, ondelete='CASCADE')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('checklist')


class ChecklistItem(BoundedMixin, sequence_ordered(), ModelSQL, ModelView):
    "A point of a checklist"
    __name__ = 'service.inspection.checklist.item'
    _field_bounds = {
        'min_value': (-1e9, 1e9), 'max_value': (-1e9, 1e9)}

    checklist = fields.Many2One(
        'service.inspection.checklist', "Checklist", required=True,
        ondelete='CASCADE')
    name = fields.Char("Name", required=True, translate=True)
    phase = fields.Selection(
        [(None, "")] + PHASES, "Phase", sort=False,
        help="The phase of the cycle it is checked in; empty for every "
        "phase.")
    type = fields.Selection(ITEM_TYPES, "Type", required=True, sort=False)
    required = fields.Boolean("Required")
    min_value = fields.Float(
        "Minimum", states={
            'invisible': Eval('type') != 'number',
            })
    max_value = fields.Float(
        "Maximum", states={
            'invisible': Eval('type') != 'number',
            })
    unit = fields.Char("Unit", states={
            'invisible': Eval('type') != 'number',
            })
    choices = fields.Text(
        "Choices", translate=True,
        states={
            'invisible': Eval('type') != 'choice',
            'required': Eval('type') == 'choice',
            },
        help="One choice a line; translated, the same lines in the same "
        "order.")
    failing_choices = fields.Text(
        "Failing Choices", translate=True,
        states={
            'invisible': Eval('type') != 'choice',
            },
        help="The choices, one a line, that are a failure.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__access__.add('checklist')

    @classmethod
    def default_type(cls):
        return 'pass_fail'

    @classmethod
    def default_required(cls):
        return True

    @staticmethod
    def _lines(text):
        return [c.strip() for c in (text or '').splitlines() if c.strip()]

    def choice_list(self):
        "The choices in the language of the context"
        return self._lines(self.choices)

    def _source(self):
        "The item in the language the choices are written in first"
        if self.id is None or self.id < 0:
            return self
        Configuration = Pool().get('ir.configuration')
        with Transaction().set_context(
                language=Configuration.get_language()):
            return self.__class__(self.id)

    def choice_selection(self):
        """The (key, label) of each choice: an answer keeps the choice
        in the language it was written in first, the same whoever records
        it, and shows it in the reader's language, line by line"""
        keys = self._source().choice_list()
        labels = self.choice_list()
        if len(labels) != len(keys):
            labels = keys
        return list(zip(keys, labels, strict=True))

    def is_failure(self, line):
        "Tell whether the answer of line fails the item"
        if self.type == 'pass_fail':
            return line.result == 'fail'
        elif self.type == 'number' and line.value is not None:
            low, high = self.min_value, self.max_value
            return ((low is not None and line.value < low)
                or (high is not None and line.value > high))
        elif self.type == 'choice' and line.choice:
            return line.choice in self._lines(self._source().failing_choices)
        return False

    def is_answered(self, line):
        return {
            'pass_fail': line.result is not None,
            'number': line.value is not None,
            'choice': bool(line.choice),
            'text': bool(line.text),
            }[self.type]
