# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Pieces shared by the models of service_desk."
import inspect

from sql import Null

from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from .exceptions import CancelReasonError


class CompanyMixin:
    "A record owned by a company, which cannot move to another one"
    __slots__ = ()

    company = fields.Many2One(
        'company.company', "Company", required=True,
        states={
            'readonly': Eval('id', -1) >= 0,
            })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')


class NumberedMixin:
    """A record numbered at creation by the company's sequence of the
    service configuration named _number_sequence"""
    __slots__ = ()
    _number_sequence = None

    @classmethod
    def preprocess_values(cls, mode, values):
        Configuration = Pool().get('service.configuration')
        values = super().preprocess_values(mode, values)
        if mode == 'create' and not values.get('number'):
            company_id = values.get('company', cls.default_company())
            if company_id is not None:
                sequence = Configuration(1).get_multivalue(
                    cls._number_sequence, company=company_id)
                if sequence:
                    values['number'] = sequence.get()
        return values


class KeptMixin:
    """A record never lost once confirmed (R-CS-7): it is deleted only in
    its first states and cancelled with a reason

    The messages take the record's name as the last part of the model
    name: %(ticket)s, %(work_order)s...
    """
    __slots__ = ()
    _deletable_states = frozenset({'draft'})
    _delete_message = None
    _cancel_reason_message = None

    @classmethod
    def _kept_message(cls, message, record):
        name = cls.__name__.rsplit('.', 1)[-1]
        return gettext(message, **{name: record.rec_name})

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if mode == 'delete':
            for record in records:
                if record.state not in cls._deletable_states:
                    raise AccessError(
                        cls._kept_message(cls._delete_message, record))

    @classmethod
    def check_cancel_reason(cls, records):
        for record in records:
            if not record.cancel_reason:
                raise CancelReasonError(
                    cls._kept_message(cls._cancel_reason_message, record))


def search_on(names, clause):
    "Return the domain searching clause on each field of names"
    if clause[1].startswith('!') or clause[1].startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op, *((name,) + tuple(clause[1:]) for name in names)]


def boolean_values(clause):
    """Return the truth values a clause on a boolean field selects

    The client and RPC send =, !=, in and not in (None stands for False,
    as for a boolean column).  Any other operator raises ValueError.
    """
    _, operator, value = clause[:3]
    if operator in {'=', '!='}:
        values = {bool(value)}
    elif operator in {'in', 'not in'}:
        values = {bool(v) for v in (value or [])}
    else:
        raise ValueError(f"Unsupported operator {operator!r} on a boolean")
    if operator in {'!=', 'not in'}:
        values = {True, False} - values
    return values


def boolean_domain(clause, true_domain, false_domain):
    """Return the domain of the records for which a boolean function field
    matches clause

    true_domain and false_domain select the records where the field is
    True and False; they are called only when needed and must exclude each
    other.  Written as column conditions, or with EXISTS subqueries, they
    let the database use its indexes.
    """
    values = boolean_values(clause)
    if values == {True}:
        return true_domain()
    elif values == {False}:
        return false_domain()
    elif values:
        return []
    return [('id', '=', None)]


def many2one_subquery(Model, domain, tables):
    """Return the SQL condition of a clause on a many2one of Model that
    searches the target (a name, a phone...) as
    ``column IN (SELECT id FROM target WHERE ...)``

    From 1,000 targets, Tryton joins the target instead, and the condition
    is then evaluated on every row of Model.  With the subquery, the
    database finds the few matching targets first, then their rows through
    the index on the column.  Used as ``Model.domain_<field>``; a
    comparison with ids stays a comparison of the column.
    """
    name, operator, value = domain[:3]
    fname, _, target_name = name.partition('.')
    field = Model._fields[fname]
    Target = field.get_target()
    column = field.sql_column(tables, Model)
    if operator.endswith(('where', 'child_of', 'parent_of')):
        if operator.endswith('where'):
            target_domain = value
        else:
            target_domain = [(domain[3], operator.split()[-1], value)]
        with Transaction().set_context(active_test=False):
            expression = column.in_(
                Target.search(target_domain, order=[], query=True))
        return ~expression if operator.startswith('not') else expression
    if not target_name and not isinstance(value, str):
        convert = inspect.unwrap(fields.Field.convert_domain)
        return convert(field, domain, tables, Model)
    with Transaction().set_context(active_test=False):
        query = Target.search(
            [(target_name or 'rec_name',) + tuple(domain[1:])],
            order=[], query=True)
    expression = column.in_(query)
    if ((operator.startswith('not')
                and not (operator == 'not in' and None in value))
            or (operator == '!=' and value is not None)):
        expression |= column == Null
    return expression
