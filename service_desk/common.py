# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Pieces shared by the models of service_desk."
from trytond.model import fields
from trytond.pyson import Eval
from trytond.transaction import Transaction


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


def search_on(names, clause):
    "Return the domain searching clause on each field of names"
    if clause[1].startswith('!') or clause[1].startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op, *((name,) + tuple(clause[1:]) for name in names)]
