# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import contextlib
import datetime as dt
import os
import re
import unittest
from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch

import polib
from lxml import etree

from trytond import backend, config
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import (
    AccessError, SQLConstraintError, ValidationError)
from trytond.modules.party.exceptions import InvalidPhoneNumber
from trytond.modules.company.tests import (
    CompanyTestMixin, create_company, set_company)
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import PYSONDecoder
from trytond.tests.test_tryton import ModuleTestCase, with_transaction
from trytond.transaction import Transaction
from trytond.wizard import StateView

from ..analysis import Abstract
from ..common import (
    CHAR_SIZE, SEARCH_VALUES, TEXT_SIZE, BoundedMixin, GuardedMixin,
    KeptMixin, NumberAtCommit, check_wizard_values, user_employee)
from ..exceptions import (
    BoundsError, ContextError, SearchError, TicketError)
from ..ir import CORE_LOCALE
from ..working_calendar import is_working_day
from .tools import insert_history


def create_beijing_company():
    "Return a company in the time zone of Beijing"
    company = create_company()
    company.timezone = 'Asia/Shanghai'
    company.save()
    return company


def create_site_and_product():
    "Return a customer site and a product to install there"
    pool = Pool()
    Party = pool.get('party.party')
    Site = pool.get('service.site')
    Template = pool.get('product.template')
    Uom = pool.get('product.uom')

    customer = Party(name="Customer")
    customer.save()
    site = Site(name="School", party=customer)
    site.save()
    unit, = Uom.search([('name', '=', "Unit")])
    template = Template(
        name="Projector", type='goods', default_uom=unit, products=[{}])
    template.save()
    product, = template.products
    return site, product


def create_employees(company, *names, **values):
    "Return new employees of company with the names"
    pool = Pool()
    Employee = pool.get('company.employee')
    Party = pool.get('party.party')
    parties = Party.create([{'name': n} for n in names])
    return Employee.create([
            {'party': p.id, 'company': company.id, **values}
            for p in parties])


def create_role_user(company, login, role):
    "Return a user of the role, working as a new employee of company"
    pool = Pool()
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    employee, = create_employees(company, login.title())
    user = User(
        login=login, name=login, companies=[company], company=company,
        employees=[employee], employee=employee,
        groups=[ModelData.get_id('service_desk', f'group_service_{role}')])
    user.save()
    return user, employee


@contextmanager
def as_user(user, **context):
    "A call from outside (RPC) by user with the context he sends"
    transaction = Transaction()
    with transaction.set_user(user.id), \
            transaction.set_context(_check_access=True, **context):
        yield


ROLES = (
    'manager', 'technical_engineer', 'field_engineer', 'customer_service',
    'parts_keeper', 'accountant', 'product_feedback')
# a role's initial in the masks of ROLE_RIGHTS, in the order of ROLES
ROLE_INITIALS = 'MTFCKAP'


def role_rights_table():
    """Return what a user in each role group only may do where it differs
    from a user in no group: model access ('rwcd'), field access ('rw')
    and, as masks of the role initials, buttons, menus and record rules"""
    pool = Pool()
    Button = pool.get('ir.model.button')
    FieldAccess = pool.get('ir.model.field.access')
    Menu = pool.get('ir.ui.menu')
    Model = pool.get('ir.model')
    ModelAccess = pool.get('ir.model.access')
    ModelData = pool.get('ir.model.data')
    RuleGroup = pool.get('ir.rule.group')
    User = pool.get('res.user')

    xml_ids = {
        (d.model, d.db_id): f'{d.module}.{d.fs_id}'
        for d in ModelData.search([
                ('model', 'in', ['ir.ui.menu', 'ir.rule.group']),
                ])}
    models = [m.name for m in Model.search([])]
    field_models = sorted({a.model for a in FieldAccess.search([])})
    buttons = Button.search([])
    rule_groups = RuleGroup.search([
            ('global_p', '=', False), ('default_p', '=', False)])
    users = [User(login='no_group', name="No Group")]
    for role in ROLES:
        users.append(User(login=role, name=role, groups=[
                    ModelData.get_id('service_desk', f'group_service_{role}')
                    ]))
    User.save(users)

    def perms(access, names):
        return ''.join(p[0] if access.get(p, True) else '-' for p in names)

    rights = []
    for user in users:
        with Transaction().set_user(user.id), \
                Transaction().set_context(_check_access=True):
            groups = set(User.get_groups())
            model_access = ModelAccess.get_access(models)
            # one model a call: get_access shares one dictionary between
            # the models asked together
            FieldAccess._get_access_cache.clear()
            field_access = {
                m: FieldAccess.get_access([m])[m] for m in field_models}
            menus = Menu.search([])
        rights.append({
                'model': {
                    m: perms(a, ['read', 'write', 'create', 'delete'])
                    for m, a in model_access.items()},
                'field': {
                    f'{m}.{f}': perms(a, ['read', 'write'])
                    for m, fields_ in field_access.items()
                    for f, a in fields_.items()},
                'button': {
                    f'{b.model}|{b.name}': (not b.groups
                        or bool(groups & {g.id for g in b.groups}))
                    for b in buttons},
                'menu': {
                    xml_ids.get(('ir.ui.menu', m.id), m.rec_name): True
                    for m in menus},
                'rule': {
                    xml_ids.get(('ir.rule.group', r.id), r.name): True
                    for r in rule_groups
                    if groups & {g.id for g in r.groups}},
                })

    table = {}
    for kind, default in [
            ('model', 'rwcd'), ('field', 'rw'), ('button', False),
            ('menu', False), ('rule', False)]:
        keys = sorted(set().union(*(r[kind] for r in rights)))
        table[kind] = {}
        for key in keys:
            nobody, *roles = [r[kind].get(key, default) for r in rights]
            if all(v == nobody for v in roles):
                continue
            if isinstance(nobody, bool):
                table[kind][key] = ''.join(
                    i if v else '.' for i, v in zip(
                        ROLE_INITIALS, roles, strict=True))
            else:
                table[kind][key] = ' '.join(roles)
    return table


# What stays in Latin letters in the Chinese screens: codes and names
LATIN_LABELS = {
    'ID', 'IRC', 'Jabber', 'Mailchimp', 'MailPace', 'PDF', 'Postmark',
    'SendGrid', 'SIP', 'Skype',
    }
CHINESE_IDENTIFIER_TYPES = ['cn_vat', 'cn_ric']
LATIN = re.compile(r'[A-Za-z]{2,}')
CHINESE = re.compile(r'[\u3400-\u9fff]')


def is_english(text):
    "Whether text is a label left in English"
    text = (text or '').strip()
    return bool(text and text not in LATIN_LABELS
        and LATIN.search(text) and not CHINESE.search(text))


def english_labels():
    """Yield (where, text) for each label in English that the user sees
    in the menus, the actions behind them and their views (with the
    views of the records listed in their one2many fields)"""
    pool = Pool()
    Menu = pool.get('ir.ui.menu')
    ModelData = pool.get('ir.model.data')
    Action = pool.get('ir.action')
    IrModel = pool.get('ir.model')
    Translation = pool.get('ir.translation')
    View = pool.get('ir.ui.view')
    language = Transaction().context['language']
    seen_views = set()

    def view(model, view_id, view_type, where):
        key = (model, view_id, view_type)
        if key in seen_views:
            return
        seen_views.add(key)
        Model = pool.get(model)
        if not issubclass(Model, ModelView):
            return
        yield where, IrModel.get_name(model)
        result = Model.fields_view_get(view_id, view_type)
        where = f'{where} > {model} {result["type"]}'
        arch = etree.fromstring(result['arch'])
        shown = set()
        for element in arch.iter():
            if element.get('invisible') == '1' or (
                    element.get('tree_invisible') == '1'):
                continue
            if element.tag in {'field', 'label'} and element.get('name'):
                shown.add(element.get('name'))
            for attribute in ['string', 'sum', 'help', 'confirm']:
                if element.get(attribute):
                    yield (f'{where} {element.tag} {attribute}',
                        element.get(attribute))
        for name, field in result['fields'].items():
            if result['type'] == 'tree' and field.get('searchable'):
                # sao's search offers the fields of the list, shown or not
                yield f'{where} search {name}', field.get('string')
            if name not in shown:
                continue
            here = f'{where} {name}'
            yield here, field.get('string')
            yield f'{here} help', field.get('help')
            selection = field.get('selection')
            if (isinstance(selection, str)
                    and not field.get('selection_change_with')):
                selection = getattr(Model, selection)()
            # labels its model does not translate (names of services)
            translated = getattr(
                Model._fields.get(name), 'translate_selection', True)
            if isinstance(selection, (list, tuple)) and translated:
                for value, label in selection:
                    yield f'{here} selection', label
                    # sao's calendar shows the value of a selection
                    if result['type'] == 'calendar':
                        yield f'{here} selection value', value
            if field['type'] in {'one2many', 'many2many'}:
                for type_ in ['tree', 'form']:
                    yield from view(
                        field['relation'], None, type_, here)

    def action_labels(action, where):
        yield f'{where} action', action.get('name')
        if action['type'] == 'ir.action.act_window':
            for domain in action.get('domains', []):
                yield f'{where} tab', domain[0]
            views = action.get('views') or [(None, 'tree'), (None, 'form')]
            for view_id, view_type in views:
                if action['res_model']:
                    yield from view(
                        action['res_model'], view_id, view_type, where)
                else:
                    # a board: the actions it shows
                    arch = etree.fromstring(View(view_id).view_get()['arch'])
                    for element in arch.iter('action'):
                        yield from action_labels(
                            Action(ModelData.get_id(
                                    *element.get('name').split('.'))
                                ).get_action_value(),
                            f'{where} > board')
        elif action['type'] == 'ir.action.wizard':
            Wizard = pool.get(action['wiz_name'], type='wizard')
            for state_name, state in Wizard.states.items():
                if not isinstance(state, StateView):
                    continue
                view_id = state.view and ModelData.get_id(
                    *state.view.split('.'))
                yield from view(state.model_name, view_id, 'form',
                    f'{where} {state_name}')
                for button in state.buttons:
                    yield f'{where} {state_name} button', (
                        Translation.get_source(
                            f'{action["wiz_name"]},{state_name},'
                            f'{button.state}',
                            'wizard_button', language, button.string)
                        or button.string)

    for menu in Menu.search([]):
        where = f'menu {menu.complete_name}'
        yield where, menu.name
        if menu.action:
            yield from action_labels(
                menu.action.action.get_action_value(), where)


class RoleRightsTestMixin:
    "What each role may do, whatever the shape of the groups"

    @with_transaction()
    def test_role_rights(self):
        "R-ROLE-1..6: each role's rights are those of ROLE_RIGHTS"
        table = role_rights_table()
        self.maxDiff = None
        for kind, expected in ROLE_RIGHTS.items():
            with self.subTest(kind=kind):
                self.assertEqual(table[kind], expected)


# What each role may do where it differs from a user in no group, in the
# order of ROLES (role_rights_table)
ROLE_RIGHTS = {
    'model': {
        'account.invoice': '---- ---- ---- ---- ---- r--- ----',
        'account.invoice.line': '---- ---- ---- ---- ---- r--- ----',
        'account.invoice.payment.mean': '---- ---- ---- ---- ---- r--- ----',
        'account.invoice.tax': '---- ---- ---- ---- ---- r--- ----',
        'account.move': '---- ---- ---- ---- ---- r--- ----',
        'account.move.line': '---- ---- ---- ---- ---- r--- ----',
        'account.tax.line': '---- ---- ---- ---- ---- r--- ----',
        'inbound.email': 'r--- ---- ---- r--- ---- ---- ----',
        'purchase.line': '---- ---- ---- ---- r--- ---- ----',
        'purchase.purchase': '---- ---- ---- ---- r--- ---- ----',
        'purchase.request': 'r--- ---- ---- ---- r--- ---- ----',
        'sale.opportunity': 'rw-- rw-- ---- ---- ---- ---- ----',
        'sale.opportunity.line': 'rw-- rw-- ---- ---- ---- ---- ----',
        'service.access.link': 'r--- ---- ---- r--- ---- ---- ----',
        'service.analysis.fact.callback':
            'r--- ---- ---- ---- ---- ---- ----',
        'service.analysis.fact.failure': 'r--- ---- ---- ---- ---- ---- ----',
        'service.analysis.fact.scorecard':
            'r--- ---- ---- ---- ---- ---- ----',
        'service.analysis.fact.ticket': 'r--- ---- ---- ---- ---- ---- ----',
        'service.analysis.hot_spot': 'r--- r--- ---- ---- ---- ---- ----',
        'service.analysis.hot_spot.product':
            'r--- r--- ---- ---- ---- ---- ----',
        'service.analysis.key_figures': 'r--- ---- ---- ---- ---- ---- ----',
        'service.analysis.parts': 'r--- ---- ---- ---- r--- r--- ----',
        'service.analysis.parts.capital': 'r--- ---- ---- ---- r--- r--- ----',
        'service.analysis.parts.forecast':
            'r--- ---- ---- ---- r--- ---- ----',
        'service.analysis.promise': 'r--- ---- ---- r--- ---- ---- ----',
        'service.analysis.promise.timeseries':
            'r--- ---- ---- r--- ---- ---- ----',
        'service.analysis.reliability': 'r--- r--- ---- ---- ---- ---- ----',
        'service.analysis.reliability.product':
            'r--- r--- ---- ---- ---- ---- ----',
        'service.analysis.satisfaction': 'r--- ---- ---- r--- ---- ---- ----',
        'service.analysis.satisfaction.timeseries':
            'r--- ---- ---- r--- ---- ---- ----',
        'service.analysis.scorecard': 'r--- r--- r--- ---- ---- ---- ----',
        'service.analysis.ticket': 'r--- ---- ---- r--- ---- ---- ----',
        'service.analysis.ticket.timeseries':
            'r--- ---- ---- r--- ---- ---- ----',
        'service.analysis.top_equipment': 'r--- r--- ---- ---- ---- ---- ----',
        'service.area': 'rwcd r--- r--- rwc- r--- r--- r---',
        'service.callback': 'rwc- r--- r--- rwc- ---- r--- ----',
        'service.configuration': 'rwcd r--- r--- r--- r--- r--- r---',
        'service.configuration.sequence': 'rwcd r--- r--- r--- r--- r--- r---',
        'service.equipment': 'rwcd rwc- rwc- rwc- r--- r--- r---',
        'service.equipment.need': 'rw-- rwc- rwc- r--- ---- ---- ----',
        'service.fault.analysis': 'r--- rwcd r--- r--- ---- ---- ----',
        'service.fault.analysis-service.equipment':
            'r--- rwcd r--- r--- ---- ---- ----',
        'service.fault.analysis-service.ticket':
            'r--- rwcd r--- r--- ---- ---- ----',
        'service.fault.analysis-service.work_order':
            'r--- rwcd r--- r--- ---- ---- ----',
        'service.fault.analysis.action': 'rw-- rwcd rw-- r--- ---- ---- ----',
        'service.fault.category': 'rwcd rwcd r--- r--- r--- r--- ----',
        'service.fault.repeat': 'r--- r--- ---- r--- ---- ---- ----',
        'service.inspection': 'rwcd rwc- rw-- rw-- r--- r--- ----',
        'service.inspection-company.employee':
            'rwcd rwc- rw-- rw-- r--- r--- ----',
        'service.inspection.checklist': 'rwcd rwcd r--- r--- r--- r--- ----',
        'service.inspection.checklist-product.product':
            'rwcd rwcd r--- r--- r--- r--- ----',
        'service.inspection.checklist.item':
            'rwcd rwcd r--- r--- r--- r--- ----',
        'service.inspection.line': 'rwcd rwc- rw-- rw-- r--- r--- ----',
        'service.inspection.plan': 'rwcd rwc- r--- r--- r--- r--- ----',
        'service.inspection.plan-company.employee':
            'rwcd rwc- r--- r--- r--- r--- ----',
        'service.inspection.plan-service.area':
            'rwcd rwc- r--- r--- r--- r--- ----',
        'service.inspection.plan-service.site':
            'rwcd rwc- r--- r--- r--- r--- ----',
        'service.inspection.plan.phase': 'rwcd rwc- r--- r--- r--- r--- ----',
        'service.inspection.plan.progress':
            'rwcd rwc- r--- r--- r--- r--- ----',
        'service.knowledge.acknowledgement':
            'rwcd rwcd r--- r--- r--- r--- ----',
        'service.knowledge.acknowledgement.missing':
            'r--- r--- r--- r--- r--- r--- ----',
        'service.knowledge.article': 'rwcd rwcd r--- r--- r--- r--- ----',
        'service.knowledge.article-product.category':
            'rwcd rwcd r--- r--- r--- r--- ----',
        'service.knowledge.article-product.product':
            'rwcd rwcd r--- r--- r--- r--- ----',
        'service.knowledge.article-res.group':
            'rwcd rwcd r--- r--- r--- r--- ----',
        'service.knowledge.article-service.fault.category':
            'rwcd rwcd r--- r--- r--- r--- ----',
        'service.knowledge.article.use': 'rwcd rw-- rw-- rwc- r--- r--- ----',
        'service.knowledge.article.usefulness':
            'r--- r--- ---- r--- ---- ---- ----',
        'service.knowledge.article.version':
            'rwcd rwcd r--- r--- r--- r--- ----',
        'service.contract': 'rwcd r--- r--- rwc- r--- r--- ----',
        'service.contract.line': 'rwcd r--- r--- rwc- r--- r--- ----',
        'service.contract.invoice': 'r--- ---- ---- r--- ---- r--- ----',
        'service.contract.profitability':
            'r--- ---- ---- ---- ---- r--- ----',
        'service.meeting': 'rw-- rwcd r--- r--- ---- ---- ----',
        'service.meeting-company.employee':
            'rw-- rwcd r--- r--- ---- ---- ----',
        'service.meeting.action': 'rw-- rwcd rw-- r--- ---- ---- ----',
        'service.meeting.item': 'rw-- rwcd r--- r--- ---- ---- ----',
        'service.part.failure': 'r--- r--- ---- ---- r--- ---- ----',
        'service.parts.cost': 'r--- ---- ---- ---- r--- r--- ----',
        'service.parts.cost.reconciliation':
            'r--- ---- ---- ---- ---- r--- ----',
        'service.parts.cost.reconciliation.move':
            'r--- ---- ---- ---- ---- r--- ----',
        'service.presales.demo': 'rwcd rwcd ---- ---- ---- ---- ----',
        'service.presales.initiation': 'rwcd rwcd ---- ---- ---- ---- ----',
        'service.presales.initiation-service.site':
            'rwcd rwcd ---- ---- ---- ---- ----',
        'service.presales.interview': 'rwcd rwcd ---- ---- ---- ---- ----',
        'service.presales.process_survey':
            'rwcd rwcd ---- ---- ---- ---- ----',
        'service.presales.proposal': 'rwcd rwcd ---- ---- ---- ---- ----',
        'service.presales.site_survey': 'rwcd rwcd ---- ---- ---- ---- ----',
        'service.presales.site_survey.line':
            'rwcd rwcd ---- ---- ---- ---- ----',
        'service.product.feedback': 'rwc- rwc- r-c- ---- ---- ---- rw--',
        'service.reply.template': 'rwcd r--- r--- rwcd r--- r--- r---',
        'service.requisition': 'rwcd rwc- rwc- r--- rwcd r--- ----',
        'service.requisition.line': 'rwcd rwc- rwc- r--- rwcd r--- ----',
        'service.requisition.return': 'rwcd rwc- rwc- r--- rwcd r--- ----',
        'service.site': 'rwcd rw-- r--- rwc- r--- r--- r---',
        'service.site-party.contact_mechanism':
            'rwcd rwcd r--- rwcd r--- r--- r---',
        'service.ticket': 'rwcd rw-- rw-- rwc- r--- r--- ----',
        'service.ticket.target': 'rwcd r--- r--- r--- r--- r--- r---',
        'service.training.attendee': 'rwcd rwcd r--- r--- ---- ---- ----',
        'service.training.course': 'rwcd rwc- r--- r--- ---- ---- ----',
        'service.training.coverage': 'r--- r--- ---- r--- ---- ---- ----',
        'service.training.plan': 'rwcd rwcd ---- ---- ---- ---- ----',
        'service.training.qualification': 'rwcd rwcd r--- r--- ---- ---- ----',
        'service.training.session': 'rwcd rwcd r--- r--- ---- ---- ----',
        'service.training.session-company.employee':
            'rwcd rwcd r--- r--- ---- ---- ----',
        'service.vehicle': 'rwcd r--- r--- r--- rw-- r--- ----',
        'service.work_order': 'rwcd rwc- rwc- rwc- r--- r--- ----',
        'service.work_order-company.employee':
            'rwcd rwc- rwc- rwc- r--- r--- ----',
        'service.work_order.appointment': 'rwcd rwc- rwc- rwc- r--- r--- ----',
        'service.work_order.review': 'r--- rwcd r--- r--- ---- ---- ----',
        'stock.inventory': '---- ---- ---- ---- rwcd ---- ----',
        'stock.inventory.line': '---- ---- ---- ---- rwcd ---- ----',
        'stock.move': '---- ---- ---- ---- rwcd r--- ----',
        'stock.order_point': 'rwcd r--- r--- r--- rwcd r--- r---',
        'stock.period': '---- ---- ---- ---- r--- ---- ----',
        'stock.period.cache': '---- ---- ---- ---- r--- ---- ----',
        'stock.product_quantities_warehouse':
            '---- ---- ---- ---- r--- ---- ----',
        'stock.product_quantities_warehouse.move':
            '---- ---- ---- ---- r--- ---- ----',
        'stock.reporting.inventory': '---- ---- ---- ---- r--- ---- ----',
        'stock.reporting.inventory.daily':
            '---- ---- ---- ---- r--- ---- ----',
        'stock.reporting.inventory.move': '---- ---- ---- ---- r--- ---- ----',
        'stock.reporting.inventory.turnover':
            '---- ---- ---- ---- r--- ---- ----',
        'stock.shipment.in': '---- ---- ---- ---- rwc- ---- ----',
        'stock.shipment.in.return': '---- ---- ---- ---- rwc- ---- ----',
        'stock.shipment.internal': '---- ---- ---- ---- rwc- ---- ----',
        'stock.shipment.out': '---- ---- ---- ---- rwc- ---- ----',
        'stock.shipment.out.return': '---- ---- ---- ---- rwc- ---- ----',
        },
    'field': {
        'service.configuration.labour_hour_cost': 'rw -- -- -- -- r- --',
        'product.cost_price.revision.cost_price': 'rw rw -- -- rw rw rw',
        'product.product.cost_price': 'rw rw -- -- rw rw rw',
        'product.product.cost_value': 'rw rw -- -- rw rw rw',
        'product.template.cost_price': 'rw rw -- -- rw rw rw',
        'product.template.cost_value': 'rw rw -- -- rw rw rw',
        'service.fault.analysis.action.analysis': 'rw rw r- rw rw rw rw',
        'service.fault.analysis.action.decision_comment':
            'rw rw r- rw rw rw rw',
        'service.fault.analysis.action.description': 'rw rw r- rw rw rw rw',
        'service.fault.analysis.action.drop_reason': 'rw rw r- rw rw rw rw',
        'service.fault.analysis.action.due_date': 'rw rw r- rw rw rw rw',
        'service.fault.analysis.action.kind': 'rw rw r- rw rw rw rw',
        'service.fault.analysis.action.responsible': 'rw rw r- rw rw rw rw',
        'service.requisition.cost': 'r- r- -- -- r- r- --',
        'service.requisition.line.value': 'r- r- -- -- r- r- --',
        'service.requisition.value': 'r- r- -- -- r- r- --',
        'service.ticket.technical_answer': 'rw rw r- r- r- r- r-',
        'service.work_order.parts_cost': 'r- r- -- -- r- r- --',
        'stock.move.cost_price': 'rw rw -- -- rw rw rw',
        },
    'button': {
        'sale.opportunity|cancel': 'M......',
        'sale.opportunity|decide_go': 'M......',
        'sale.opportunity|decide_no_go': 'M......',
        'sale.opportunity|hand_over': 'M......',
        'sale.opportunity|lead': 'M......',
        'sale.opportunity|lost': 'M......',
        'sale.opportunity|opportunity': 'M......',
        'sale.sale|manual_shipment': '....K..',
        'service.access.link|revoke': 'M..C...',
        'service.callback|cancel': 'M..C...',
        'service.callback|record': 'M..C...',
        'service.callback|send_link': 'M..C...',
        'service.contract|cancel': 'M......',
        'service.contract|expire': 'M......',
        'service.contract|renew': 'M..C...',
        'service.contract|run': 'M......',
        'service.equipment.need|accept': 'M......',
        'service.equipment.need|do': 'MTF....',
        'service.equipment.need|plan': 'MT.....',
        'service.equipment.need|propose': 'MT.....',
        'service.equipment.need|reject': 'M......',
        'service.equipment|put_in_service': 'MTF....',
        'service.equipment|report_faulty': 'MTFC...',
        'service.equipment|retire': 'MT.....',
        'service.equipment|start_repair': 'MTF....',
        'service.fault.analysis.action|accept': 'M......',
        'service.fault.analysis.action|create_work_orders': 'MT.....',
        'service.fault.analysis.action|do': '.TF....',
        'service.fault.analysis.action|drop': '.T.....',
        'service.fault.analysis.action|reject': 'M......',
        'service.fault.analysis.action|reopen': '.T.....',
        'service.fault.analysis.action|request_parts': 'MT.....',
        'service.fault.analysis|analyse': '.T.....',
        'service.fault.analysis|cancel': '.T.....',
        'service.fault.analysis|close': 'M......',
        'service.fault.analysis|confirm_effect': '.T.....',
        'service.fault.analysis|plan_actions': '.T.....',
        'service.fault.analysis|propose_article': 'MT.....',
        'service.fault.analysis|raise_feedback': '.T.....',
        'service.fault.analysis|verify': '.T.....',
        'service.fault.repeat|analyse': '.T.....',
        'service.inspection.line|raise_feedback': 'MTF....',
        'service.inspection.plan|generate': 'MT.....',
        'service.inspection|cancel': 'MT.....',
        'service.inspection|do': 'MTF....',
        'service.inspection|schedule': 'MT.C...',
        'service.inspection|start': 'MTF....',
        'service.knowledge.article|acknowledge': 'MTFCKA.',
        'service.knowledge.article|archive': 'MT.....',
        'service.knowledge.article|publish': 'MT.....',
        'service.knowledge.article|revise': 'MT.....',
        'service.meeting.action|do': 'MTF....',
        'service.meeting.action|reopen': 'MT.....',
        'service.meeting|draft': 'MT.....',
        'service.meeting|hold': 'MT.....',
        'service.meeting|load_agenda': 'MT.....',
        'service.presales.demo|hold': 'MT.....',
        'service.presales.initiation|approve': 'M......',
        'service.presales.initiation|draft': 'MT.....',
        'service.presales.initiation|submit': 'MT.....',
        'service.presales.interview|confirm': 'MT.....',
        'service.presales.interview|correct': 'MT.....',
        'service.presales.interview|draft': 'MT.....',
        'service.presales.interview|send': 'MT.....',
        'service.presales.process_survey|do': 'MT.....',
        'service.presales.process_survey|draft': 'MT.....',
        'service.presales.proposal|present': 'MT.....',
        'service.presales.site_survey|do': 'MT.....',
        'service.presales.site_survey|draft': 'MT.....',
        'service.product.feedback|ask_again': 'MT.....',
        'service.product.feedback|close': 'MT.....',
        'service.product.feedback|reply': '......P',
        'service.product.feedback|send': 'MT.....',
        'service.requisition.return|do': 'M...K..',
        'service.requisition.return|send': 'M...K..',
        'service.requisition|approve': 'M...K..',
        'service.requisition|cancel': 'MTF.K..',
        'service.requisition|draft': 'MTF.K..',
        'service.requisition|issue': 'M...K..',
        'service.requisition|issue_available': 'M...K..',
        'service.requisition|issue_vehicle': 'MTF.K..',
        'service.requisition|reject': 'M...K..',
        'service.requisition|request': 'MTF.K..',
        'service.ticket|answer_from_article': 'MT.C...',
        'service.ticket|publish_answer': 'MT.....',
        'service.ticket|cancel': 'M..C...',
        'service.ticket|close': 'M..C...',
        'service.ticket|escalate': 'MT.C...',
        'service.ticket|open': 'M..C...',
        'service.ticket|raise_feedback': 'MTF....',
        'service.ticket|reopen': 'M..C...',
        'service.ticket|resolve': 'MTFC...',
        'service.ticket|review': 'M......',
        'service.ticket|schedule_visit': 'MT.C...',
        'service.ticket|send_link': 'M..C...',
        'service.ticket|start': 'MTFC...',
        'service.ticket|wait': 'MTFC...',
        'service.training.plan|cancel': 'MT.....',
        'service.training.plan|confirm': 'MT.....',
        'service.training.plan|do': 'MT.....',
        'service.training.plan|draft': 'MT.....',
        'service.training.session|cancel': 'MT.....',
        'service.training.session|do': 'MT.....',
        'service.training.session|draft': 'MT.....',
        'service.training.session|schedule': 'MT.....',
        'service.work_order.review|confirm': '.T.....',
        'service.work_order|accept_unqualified_lead': 'M......',
        'service.work_order|cancel': 'MT.C...',
        'service.work_order|create_invoice': 'M....A.',
        'service.work_order|do': 'MTF....',
        'service.work_order|draft': 'MT.C...',
        'service.work_order|escalate': 'MTF....',
        'service.work_order|schedule': 'MT.C...',
        'service.work_order|start': 'MTF....',
        'stock.shipment.internal|assign_wizard': '....K..',
        },
    'menu': {
        'account.menu_account': '.....A.',
        'account.menu_account_tree_chart': '.....A.',
        'account.menu_balance_non_deferral': '.....A.',
        'account.menu_close_fiscalyear': '.....A.',
        'account.menu_close_journal_period': '.....A.',
        'account.menu_close_period': '.....A.',
        'account.menu_entries': '.....A.',
        'account.menu_journal_open_cash': '.....A.',
        'account.menu_journal_period_tree': '.....A.',
        'account.menu_journal_period_tree2': '.....A.',
        'account.menu_move_form': '.....A.',
        'account.menu_move_template_create': '.....A.',
        'account.menu_open_balance_sheet': '.....A.',
        'account.menu_open_income_statement': '.....A.',
        'account.menu_open_journal': '.....A.',
        'account.menu_processing': '.....A.',
        'account.menu_reconcile': '.....A.',
        'account.menu_reporting': '.....A.',
        'account.menu_tax_code_tree_chart': '.....A.',
        'account_invoice.menu_invoice_in_form': '.....A.',
        'account_invoice.menu_invoice_out_form': '.....A.',
        'account_invoice.menu_invoices': '.....A.',
        'service_desk.menu_access_link_form': 'M..C...',
        'service_desk.menu_analysis': 'MTFCKA.',
        'service_desk.menu_analysis_board_engineer': 'MT.....',
        'service_desk.menu_analysis_board_keeper': 'M...K..',
        'service_desk.menu_analysis_board_manager': 'M......',
        'service_desk.menu_analysis_hot_spot': 'MT.....',
        'service_desk.menu_analysis_hot_spot_product': 'MT.....',
        'service_desk.menu_analysis_monthly_report': 'M......',
        'service_desk.menu_analysis_parts': 'M...KA.',
        'service_desk.menu_analysis_parts_capital': 'M...KA.',
        'service_desk.menu_analysis_parts_forecast': 'M...K..',
        'service_desk.menu_analysis_parts_idle': 'M...KA.',
        'service_desk.menu_analysis_promise': 'M..C...',
        'service_desk.menu_analysis_promise_timeseries': 'M..C...',
        'service_desk.menu_analysis_reliability': 'MT.....',
        'service_desk.menu_analysis_reliability_product': 'MT.....',
        'service_desk.menu_analysis_satisfaction': 'M..C...',
        'service_desk.menu_analysis_satisfaction_timeseries': 'M..C...',
        'service_desk.menu_analysis_scorecard': 'MTF....',
        'service_desk.menu_analysis_ticket': 'M..C...',
        'service_desk.menu_analysis_ticket_timeseries': 'M..C...',
        'service_desk.menu_analysis_top_equipment': 'MT.....',
        'service_desk.menu_area_form': 'MTFCKA.',
        'service_desk.menu_board_today': 'M..C...',
        'service_desk.menu_callback': 'MTFC.A.',
        'service_desk.menu_configuration': 'M..C...',
        'service_desk.menu_configuration_form': 'M......',
        'service_desk.menu_contract_form': 'MT.C.A.',
        'service_desk.menu_contract_renewal': 'M..C...',
        'service_desk.menu_contract_profitability': 'M....A.',
        'service_desk.menu_duty_board': 'MT.C...',
        'service_desk.menu_engineering': 'MTFC..P',
        'service_desk.menu_equipment_form': 'MTFCKA.',
        'service_desk.menu_equipment_need_form': 'MTFC...',
        'service_desk.menu_fault_analysis_action_form': 'MTFC...',
        'service_desk.menu_fault_analysis_form': 'MTFC...',
        'service_desk.menu_fault_category_form': 'M......',
        'service_desk.menu_fault_repeat': 'MT.C...',
        'service_desk.menu_inbound_email_check': 'M..C...',
        'service_desk.menu_inspection': 'MTFCKAP',
        'service_desk.menu_inspection_calendar': 'MTFCKA.',
        'service_desk.menu_inspection_checklist_form': 'MT.....',
        'service_desk.menu_inspection_form': 'MTFCKA.',
        'service_desk.menu_inspection_needs': 'MT.....',
        'service_desk.menu_inspection_plan_form': 'MT.....',
        'service_desk.menu_installed_base': 'MTFCKA.',
        'service_desk.menu_knowledge': 'MTFCKA.',
        'service_desk.menu_knowledge_acknowledgement': 'MTFCKA.',
        'service_desk.menu_knowledge_acknowledgement_missing': 'MTFCKA.',
        'service_desk.menu_knowledge_article_form': 'MTFCKA.',
        'service_desk.menu_knowledge_article_usefulness': 'MT.C...',
        'service_desk.menu_meeting_action_form': 'MTFC...',
        'service_desk.menu_meeting_form': 'MTFC...',
        'service_desk.menu_order_point': 'M...K..',
        'service_desk.menu_order_point_below_minimum': 'M...K..',
        'service_desk.menu_part_failure': 'MT..K..',
        'service_desk.menu_parts': 'MTFCKA.',
        'service_desk.menu_parts_cost': 'M...KA.',
        'service_desk.menu_parts_cost_reconciliation': 'M....A.',
        'service_desk.menu_presales': 'MT.....',
        'service_desk.menu_presales_demo_form': 'MT.....',
        'service_desk.menu_presales_initiation_form': 'MT.....',
        'service_desk.menu_presales_interview_form': 'MT.....',
        'service_desk.menu_presales_opportunity_form': 'MT.....',
        'service_desk.menu_presales_process_survey_form': 'MT.....',
        'service_desk.menu_presales_proposal_form': 'MT.....',
        'service_desk.menu_presales_site_survey_form': 'MT.....',
        'service_desk.menu_product_feedback_form': 'MTF...P',
        'service_desk.menu_qualification_form': 'MTF....',
        'service_desk.menu_reply_template': 'M..C...',
        'service_desk.menu_requisition_form': 'MTFCKA.',
        'service_desk.menu_requisition_return_form': 'MTFCKA.',
        'service_desk.menu_service': 'MTFCKAP',
        'service_desk.menu_site_form': 'MTFCKA.',
        'service_desk.menu_stock_supply': 'M...K..',
        'service_desk.menu_ticket_calendar': 'MTFCKA.',
        'service_desk.menu_ticket_complaint': 'M......',
        'service_desk.menu_ticket_form': 'MTFCKA.',
        'service_desk.menu_ticket_suggestion': 'M......',
        'service_desk.menu_ticket_target': 'M......',
        'service_desk.menu_training': 'MTFCKAP',
        'service_desk.menu_training_course_form': 'MTFC...',
        'service_desk.menu_training_coverage': 'MT.C...',
        'service_desk.menu_training_plan_form': 'MT.....',
        'service_desk.menu_training_session_calendar': 'MTFC...',
        'service_desk.menu_training_session_form': 'MTFC...',
        'service_desk.menu_vehicle_form': 'M......',
        'service_desk.menu_work_order_calendar': 'MTFCKA.',
        'service_desk.menu_work_order_form': 'MTFCKA.',
        'service_desk.menu_work_order_review_form': 'MTFC...',
        'service_desk.menu_work_order_to_review': 'MT.....',
        'service_desk.menu_work_order_today': 'MTFCKA.',
        'stock.menu_inventory_form': '....K..',
        'stock.menu_location_list': '....K..',
        'stock.menu_location_tree': '....K..',
        'stock.menu_reporting': '....K..',
        'stock.menu_reporting_inventory': '....K..',
        'stock.menu_reporting_inventory_turnover': '....K..',
        'stock.menu_shipment': '....K..',
        'stock.menu_shipment_in_form': '....K..',
        'stock.menu_shipment_in_return_form': '....K..',
        'stock.menu_shipment_internal_form': '....K..',
        'stock.menu_shipment_out_form': '....K..',
        'stock.menu_shipment_out_return_form': '....K..',
        'stock.menu_stock': '....K..',
        'stock.menu_warehouse_list': '....K..',
        'stock_supply.menu_order_point_form': '....K..',
        },
    'rule': {
        'service_desk.rule_group_analysis_scorecard_all': 'MT.....',
        'service_desk.rule_group_analysis_scorecard_field_engineer': '..F....',
        'service_desk.rule_group_fault_analysis_action_all': 'MT.C...',
        'service_desk.rule_group_fault_analysis_action_own': '..F....',
        'service_desk.rule_group_fault_analysis_all': 'MT.C...',
        'service_desk.rule_group_fault_analysis_own': '..F....',
        'service_desk.rule_group_knowledge_article_all': 'MT.....',
        'service_desk.rule_group_knowledge_article_published': '..FCKA.',
        'service_desk.rule_group_meeting_action_all': 'MT.C...',
        'service_desk.rule_group_meeting_action_own': '..F....',
        'service_desk.rule_group_meeting_all': 'MT.C...',
        'service_desk.rule_group_meeting_own': '..F....',
        'service_desk.rule_group_product_feedback_sent': '......P',
        'service_desk.rule_group_requisition_all': 'MT.CKA.',
        'service_desk.rule_group_requisition_field_engineer': '..F....',
        'service_desk.rule_group_timesheet_work_field_engineer': '..F....',
        'service_desk.rule_group_training_attendee_all': 'MT.C...',
        'service_desk.rule_group_training_attendee_own': '..F....',
        'service_desk.rule_group_training_qualification_all': 'MT.C...',
        'service_desk.rule_group_training_qualification_own': '..F....',
        'service_desk.rule_group_training_session_all': 'MT.C...',
        'service_desk.rule_group_training_session_own': '..F....',
        'service_desk.rule_group_work_order_all': 'MT.CKA.',
        'service_desk.rule_group_work_order_field_engineer': '..F....',
        'service_desk.rule_group_work_order_field_engineer_requisitions':
            '..F....',
        'service_desk.rule_group_work_order_review_all': 'MT.C...',
        'service_desk.rule_group_work_order_review_own': '..F....',
        },
    }


def commit_numbers():
    """Number what the transaction created as its commit does, without
    committing"""
    transaction = Transaction()
    for datamanager in transaction._datamanagers:
        if isinstance(datamanager, NumberAtCommit):
            datamanager.commit(transaction)



@contextlib.contextmanager
def refused_by_database(test, exception):
    """Expect exception from the block, which the database refused: its
    statements are rolled back to a savepoint so that the transaction goes
    on (PostgreSQL refuses any further statement of a failed one)"""
    if backend.name != 'postgresql':
        with test.assertRaises(exception):
            yield
        return
    cursor = Transaction().connection.cursor()
    cursor.execute('SAVEPOINT service_desk_refused')
    with test.assertRaises(exception):
        yield
    cursor.execute('ROLLBACK TO SAVEPOINT service_desk_refused')

class ServiceDeskTestCase(
        RoleRightsTestMixin, CompanyTestMixin, ModuleTestCase):
    "Test service_desk module"
    module = 'service_desk'
    extras = [
        'account_invoice', 'account_stock_continental', 'attendance',
        'sale_opportunity', 'stock_supply', 'timesheet']

    @unittest.skipUnless(backend.name == 'postgresql', "materialized views")
    @with_transaction()
    def test_analysis_from_materialized_facts(self):
        """The reports grouped from their materialized facts show the
        figures of the records, for any dates, period and filter the facts
        keep; the others are answered from the records (R-DATA-1..4)"""
        pool = Pool()
        Area = pool.get('service.area')
        Context = pool.get('service.analysis.context')
        Employee = pool.get('company.employee')
        KeyFigures = pool.get('service.analysis.key_figures')
        names = ['service.analysis.fact.ticket',
            'service.analysis.fact.callback',
            'service.analysis.fact.failure',
            'service.analysis.fact.scorecard']
        company = create_beijing_company()
        with set_company(company):
            insert_history(company, 6000, 36, start='2025-01-01', days=365)
            area = Area.search([], limit=1)[0]
            employee = Employee.search(
                [('company', '=', company.id)], order=[('id', 'DESC')],
                limit=1)[0]

            def rows(Report, context, materialized):
                value = '300' if materialized else '0'
                for name in names:
                    config.set('table_query_materialized', name, value)
                with Transaction().set_context(context):
                    self.assertEqual(Report._from_facts(), materialized)
                    records = Report.search([])
                    fields = [n for n, f in Report._fields.items()
                        if not hasattr(f, 'get')]
                    return sorted(
                        Report.read([r.id for r in records], fields),
                        key=lambda r: r['id'])

            if not config.has_section('table_query_materialized'):
                config.add_section('table_query_materialized')
            try:
                self.assertIsNone(KeyFigures(company.id).figures_as_of)
                for name in names:
                    config.set('table_query_materialized', name, '300')
                    Fact = pool.get(name)
                    Fact._table_query_refresh(concurrently=False, force=True)
                # the board and the reports tell the time of the figures
                cursor = Transaction().connection.cursor()
                cursor.execute("SELECT (NOW() AT TIME ZONE 'UTC')")
                refreshed, = cursor.fetchone()
                self.assertEqual(Context.default_figures_as_of(), refreshed)
                self.assertEqual(KeyFigures(company.id).figures_as_of,
                    (refreshed + dt.timedelta(hours=8)).strftime(
                        '%Y-%m-%d %H:%M'))

                base = {'company': company.id, 'repeat_days': 30}
                contexts = [
                    {'period': 'week', 'from_date': dt.date(2025, 2, 5),
                        'to_date': dt.date(2025, 6, 17)},
                    {'period': 'month', 'from_date': None, 'to_date': None},
                    {'period': 'day', 'from_date': dt.date(2025, 3, 1),
                        'to_date': dt.date(2025, 3, 31)},
                    {'period': 'quarter', 'from_date': dt.date(2025, 1, 1),
                        'to_date': dt.date(2025, 12, 31)},
                    {'period': 'year', 'from_date': dt.date(2025, 7, 1),
                        'to_date': None},
                    ]
                filtered = {
                    'service.analysis.top_equipment': {'area': area.id},
                    'service.analysis.scorecard': {
                        'analysis_employee': employee.id},
                    }
                live = {
                    'service.analysis.ticket.timeseries': {'area': area.id},
                    'service.analysis.scorecard': {'repeat_days': 10},
                    'service.analysis.top_equipment': {
                        'analysis_employee': employee.id},
                    }
                for name in [
                        'service.analysis.ticket.timeseries',
                        'service.analysis.promise.timeseries',
                        'service.analysis.satisfaction.timeseries',
                        'service.analysis.hot_spot',
                        'service.analysis.hot_spot.product',
                        'service.analysis.top_equipment',
                        'service.analysis.scorecard']:
                    Report = pool.get(name)
                    for context in contexts + [
                            {'period': 'month', **filtered.get(name, {})}]:
                        context = {**base, **context}
                        with self.subTest(report=name, context=context):
                            expected = rows(Report, context, False)
                            self.assertTrue(expected)
                            result = rows(Report, context, True)
                            self.assertEqual(len(result), len(expected))
                            for row, expected_row in zip(
                                    result, expected, strict=True):
                                for key, value in expected_row.items():
                                    if isinstance(value, float):
                                        self.assertAlmostEqual(
                                            row[key], value, places=6)
                                    else:
                                        self.assertEqual(row[key], value)
                    if name in live:
                        context = {**base, 'period': 'month', **live[name]}
                        for fact in names:
                            config.set(
                                'table_query_materialized', fact, '300')
                        with Transaction().set_context(context):
                            self.assertFalse(Report._from_facts())
            finally:
                for name in names:
                    config.set('table_query_materialized', name, '0')

    @unittest.skipUnless(
        backend.name == 'postgresql', "the history is inserted in SQL")
    @with_transaction()
    def test_analysis_screen_read_back(self):
        """In a read-only transaction, as every RPC search and read is, a
        report's list reads back and counts the rows its search computed
        without grouping the records again, with the values of the records
        (R-DATA-1..5; the analysis scenario reads every report this way on
        both databases)"""
        pool = Pool()
        company = create_beijing_company()
        transaction = Transaction()
        with set_company(company):
            insert_history(company, 600, 12, start='2025-01-01', days=365)
            context = {'company': company.id, 'period': 'month',
                'from_date': None, 'to_date': None}
            reports = [(n, M) for n, M in pool.iterobject()
                if issubclass(M, Abstract)]
            self.assertGreaterEqual(len(reports), 14)
            for name, Report in reports:
                fields = [n for n, f in Report._fields.items()
                    if not hasattr(f, 'get')] + ['rec_name']
                with self.subTest(report=name), \
                        transaction.set_context(context):
                    try:
                        transaction.readonly = True
                        records = Report.search([], limit=3)
                        ids = [r.id for r in records]
                        with patch.object(Report, 'table_query',
                                side_effect=AssertionError(name)):
                            rows = Report.read(ids, fields)
                            count = Report.search_count([])
                    finally:
                        transaction.readonly = False
                    self.assertEqual(
                        sorted(rows, key=lambda r: r['id']),
                        sorted(Report.read(ids, fields),
                            key=lambda r: r['id']))
                    self.assertEqual(count, Report.search_count([]))
                    self.assertEqual(
                        [r['rec_name'] for r in rows],
                        [f"({r['id']})" for r in rows])
                    if name == 'service.analysis.scorecard':
                        self.assertEqual(len(rows), 3)

    @with_transaction()
    def test_equipment_label_from_sequence(self):
        "Equipment without a label is numbered from the sequence"
        Equipment = Pool().get('service.equipment')

        with set_company(create_company()):
            site, product = create_site_and_product()
            first, second = Equipment.create([
                    {'site': site.id, 'product': product.id},
                    {'site': site.id, 'product': product.id},
                    ])

            self.assertTrue(first.label.startswith('EQ'))
            self.assertNotEqual(first.label, second.label)
            self.assertEqual(site.equipment_count, 2)

    @with_transaction()
    def test_equipment_label_per_company(self):
        "Each company numbers its equipment and keeps its labels unique"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Equipment = pool.get('service.equipment')
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')

        county = create_company()
        town = create_company(name="Town Office")
        with set_company(town):
            sequence = Sequence(
                name="Town labels", company=town, prefix='TN',
                sequence_type=ModelData.get_id(
                    'service_desk', 'sequence_type_equipment'))
            sequence.save()
            configuration = Configuration(1)
            configuration.equipment_sequence = sequence
            configuration.save()
            town_site, town_product = create_site_and_product()
            town_item, = Equipment.create([{
                        'site': town_site.id, 'product': town_product.id,
                        }])
            twin, = Equipment.create([{
                        'site': town_site.id, 'product': town_product.id,
                        'label': 'QR-1',
                        }])
        with set_company(county):
            site, product = create_site_and_product()
            item, = Equipment.create([{
                        'site': site.id, 'product': product.id,
                        }])
            same, = Equipment.create([{
                        'site': site.id, 'product': product.id,
                        'label': 'QR-1',
                        }])

            self.assertTrue(town_item.label.startswith('TN'))
            self.assertTrue(item.label.startswith('EQ'))
            self.assertEqual(same.label, twin.label)
            with self.assertRaises(SQLConstraintError):
                Equipment.create([{
                            'site': site.id, 'product': product.id,
                            'label': 'QR-1',
                            }])

    @with_transaction()
    def test_ticket_chat_language(self):
        "The customer is answered in his language, the staff in theirs"
        pool = Pool()
        Lang = pool.get('ir.lang')
        Party = pool.get('party.party')
        Ticket = pool.get('service.ticket')

        with set_company(create_company()):
            chinese, = Lang.search([('code', '=', 'zh_CN')])
            school = Party(name="School", lang=chinese)
            school.save()
            office = Party(name="Office")
            office.save()
            tickets = Ticket.create([{
                        'party': p.id, 'subject': "Broken",
                        } for p in [school, office]])

            self.assertEqual(
                [t.chat_language('public') for t in tickets],
                ['zh_CN', 'en'])
            self.assertEqual(
                [t.chat_language() for t in tickets], [None, None])

    @with_transaction()
    def test_ticket_deadlines_company_calendar(self):
        "The deadlines follow the priority and the company's own days off"
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Ticket = pool.get('service.ticket')

        company = create_beijing_company()
        with set_company(company):
            site, _ = create_site_and_product()
            # Monday 23 November 2026, 09:00 in Beijing
            monday = dt.date(2026, 11, 23)
            self.assertTrue(is_working_day(monday))
            ticket, = Ticket.create([{
                        'party': site.party.id, 'subject': "Broken",
                        'priority': 'urgent',
                        'received_at': dt.datetime(2026, 11, 23, 1),
                        }])
            # urgent: an answer within the hour
            self.assertEqual(
                ticket.response_deadline, dt.datetime(2026, 11, 23, 2))
            self.assertEqual(ticket.promised_at, ticket.response_deadline)
            self.assertFalse(ticket.after_hours)

            Ticket.write([ticket], {'priority': 'high'})
            self.assertEqual(
                ticket.response_deadline, dt.datetime(2026, 11, 23, 3))
            self.assertEqual(
                ticket.promised_at, dt.datetime(2026, 11, 23, 2))

            with patch.object(
                    Configuration, 'working_day_exceptions',
                    lambda self, company: {monday: False}):
                Ticket.write([ticket], {'priority': 'urgent'})
            # the office is closed on Monday: Tuesday, 09:30 in Beijing
            self.assertTrue(ticket.after_hours)
            self.assertEqual(
                ticket.response_deadline, dt.datetime(2026, 11, 24, 1, 30))

    @with_transaction()
    def test_no_requirement_ids_shown(self):
        "The users read no requirement ID (R-XXX-n)"
        pool = Pool()
        Menu = pool.get('ir.ui.menu')
        Message = pool.get('ir.message')
        View = pool.get('ir.ui.view')
        requirement = re.compile(r'\bR-[A-Z]+\b')
        texts = []
        for _, Model in pool.iterobject():
            texts.append(Model.__string__ or '')
            for field in Model._fields.values():
                texts.extend([field.string or '', field.help or ''])
                selection = getattr(field, 'selection', None)
                if isinstance(selection, (list, tuple)):
                    texts.extend(label or '' for _, label in selection)
        texts.extend(m.text for m in Message.search([]))
        texts.extend(m.name for m in Menu.search([]))
        texts.extend(v.arch or '' for v in View.search([
                    ('module', '=', 'service_desk')]))
        self.assertEqual(
            [t for t in texts if requirement.search(t)], [])

    @with_transaction()
    def test_core_translations_applied(self):
        """Each translation of a core module's string in locale/core is
        the one the users read once the language is loaded, and again
        after the core module's own translations are loaded (R-ROLE-3)"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        ModelData = pool.get('ir.model.data')
        Module = pool.get('ir.module')
        Translation = pool.get('ir.translation')

        chinese, = Lang.search([('code', '=', 'zh_CN')])
        Lang.load_translations([chinese])
        Lang.load_translations([chinese])
        activated = {m.name for m in Module.search([
                    ('state', '=', 'activated')])}
        directory = os.path.join(CORE_LOCALE, 'zh_CN')
        wrong, files = [], sorted(os.listdir(directory))
        self.assertTrue(files)
        for filename in files:
            module = filename[:-len('.po')]
            self.assertIn(module, activated)
            for entry in polib.pofile(os.path.join(directory, filename)):
                type_, name, fs_id = entry.msgctxt.split(':')
                res_id = -1
                if fs_id:
                    res_id = ModelData.get_id(module, fs_id)
                domain = [
                    ('lang', '=', 'zh_CN'), ('module', '=', module),
                    ('type', '=', type_), ('name', '=', name),
                    ('res_id', '=', res_id),
                    ]
                if type_ != 'model':
                    domain.append(('src', '=', entry.msgid))
                values = {(t.value, t.fuzzy) for t in Translation.search(
                        domain)}
                if values != {(entry.msgstr, False)}:
                    wrong.append((filename, entry.msgctxt, entry.msgid))
        self.assertEqual(wrong, [])

    @with_transaction()
    def test_chinese_screens_have_no_english(self):
        """A zh_CN user of each role reads no English in the menus he sees
        nor in the views, tabs, fields, help, selections and buttons of
        their actions and of the records listed inside them (R-ROLE-3)"""
        pool = Pool()
        Lang = pool.get('ir.lang')
        ModelData = pool.get('ir.model.data')
        PartyConfiguration = pool.get('party.configuration')
        User = pool.get('res.user')

        chinese, = Lang.search([('code', '=', 'zh_CN')])
        Lang.load_translations([chinese])
        # the Chinese identifiers only, as the demo and a Chinese office
        configuration = PartyConfiguration(1)
        configuration.identifier_types = CHINESE_IDENTIFIER_TYPES
        configuration.save()
        company = create_company()
        users = []
        for role in ROLES:
            users.append(User(login=role, name=role, language=chinese,
                    companies=[company], company=company, groups=[
                        ModelData.get_id(
                            'service_desk', f'group_service_{role}')]))
        User.save(users)
        english = {}
        for user in users:
            with Transaction().set_user(user.id), \
                    Transaction().set_context(
                        language='zh_CN', company=company.id,
                        _check_access=True):
                for where, text in english_labels():
                    if is_english(text):
                        english.setdefault(text, (user.login, where))
        # each label once, with the first role and place it shows in
        self.maxDiff = None
        self.assertEqual(
            [f'{t!r} ({u}: {w})' for t, (u, w) in sorted(english.items())],
            [])

    @with_transaction()
    def test_under_warranty_search(self):
        "Search on the under warranty flag matches the computed value"
        pool = Pool()
        Equipment = pool.get('service.equipment')
        Date = pool.get('ir.date')

        with set_company(create_company()):
            today = Date.today()
            site, product = create_site_and_product()
            covered, expired, unknown = Equipment.create([{
                        'site': site.id, 'product': product.id,
                        'warranty_end': today + dt.timedelta(days=1),
                        }, {
                        'site': site.id, 'product': product.id,
                        'warranty_end': today - dt.timedelta(days=1),
                        }, {
                        'site': site.id, 'product': product.id,
                        }])

            self.assertEqual(
                [e.under_warranty for e in [covered, expired, unknown]],
                [True, False, False])
            # the items of this site: other tests may leave theirs
            self.assertEqual(
                Equipment.search([
                        ('site', '=', site.id),
                        ('under_warranty', '=', True),
                        ]), [covered])
            self.assertEqual(
                set(Equipment.search([
                            ('site', '=', site.id),
                            ('under_warranty', '=', False),
                            ])),
                {expired, unknown})

    @with_transaction()
    def test_ticket_number_at_commit(self):
        """Tickets are numbered as their transaction commits, in the order
        of their creation, and a save refused takes no number (R-CS-7)"""
        pool = Pool()
        Ticket = pool.get('service.ticket')
        transaction = Transaction()
        cursor = transaction.connection.cursor()

        with set_company(create_company()):
            site, _ = create_site_and_product()
            first, second = Ticket.create([
                    {'party': site.party.id, 'subject': "Broken"},
                    {'party': site.party.id, 'subject': "Dark"},
                    ])
            self.assertEqual((first.number, second.number), (None, None))
            with self.assertRaises(BoundsError):
                Ticket.create([{
                            'party': site.party.id, 'subject': "Refused",
                            'received_at': dt.datetime(2100, 1, 1)}])
            third = Ticket(party=site.party, subject="Noisy")
            third.save()
            commit_numbers()

            numbers = [
                Ticket(t.id).number for t in [first, second, third]]
            self.assertEqual(
                [int(n[-5:]) for n in numbers],
                [int(numbers[0][-5:]) + i for i in range(3)])
            history = Ticket.__table_history__()
            cursor.execute(*history.select(
                    history.number, where=history.id == first.id))
            self.assertEqual({n for n, in cursor}, {numbers[0]})

    @with_transaction()
    def test_ticket_copy(self):
        "A copied ticket is a new draft with its own number and times"
        pool = Pool()
        Ticket = pool.get('service.ticket')

        with set_company(create_company()):
            site, _ = create_site_and_product()
            ticket = Ticket(party=site.party, subject="Broken")
            ticket.save()
            Ticket.open([ticket])
            Ticket.resolve([ticket])

            copy, = Ticket.copy([ticket])
            commit_numbers()

            self.assertEqual(copy.state, 'draft')
            self.assertTrue(copy.number)
            self.assertNotEqual(copy.number, ticket.number)
            self.assertIsNotNone(copy.received_at)
            self.assertIsNone(copy.resolved_at)
            self.assertIsNotNone(copy.resolution_deadline)

    @with_transaction()
    def test_requisition_copy(self):
        "A copied requisition is a new draft asking again for its parts"
        pool = Pool()
        Requisition = pool.get('service.requisition')
        Location = pool.get('stock.location')
        Move = pool.get('stock.move')

        company = create_company()
        with set_company(company):
            _, part = create_site_and_product()
            employee, = create_employees(company, "Keeper")
            warehouse, = Location.search([('type', '=', 'warehouse')])
            lost_found = Location(pool.get('ir.model.data').get_id(
                    'stock', 'location_lost_found'))
            moves = Move.create([{
                        'product': part.id, 'quantity': 2,
                        'unit': part.default_uom.id,
                        'from_location': lost_found.id,
                        'to_location': warehouse.storage_location.id,
                        'company': company.id,
                        }])
            Move.do(moves)
            requisition, = Requisition.create([{
                        'requester': employee.id,
                        'lines': [('create', [{
                                        'product': part.id, 'quantity': 2,
                                        'unit': part.default_uom.id,
                                        'from_location': (
                                            warehouse.storage_location.id),
                                        }])],
                        }])
            Requisition.request([requisition])
            Requisition.approve([requisition])
            Requisition.issue([requisition])
            Requisition.write([requisition], {
                    'returns': [('create', [{
                                    'product': part.id, 'quantity': 1}])],
                    })

            copy, = Requisition.copy([requisition])
            commit_numbers()

            self.assertEqual(copy.state, 'draft')
            self.assertTrue(copy.number)
            self.assertNotEqual(copy.number, requisition.number)
            self.assertIsNone(copy.issued_at)
            self.assertEqual(copy.returns, ())
            Requisition.request([copy])
            self.assertEqual(
                [(m.quantity, m.state) for m in copy.lines[0].moves],
                [(2, 'draft')])

    @with_transaction()
    def test_technician_suggestion(self):
        """R-CS-6: on duty, already at the site, going to its area, then
        the least busy"""
        pool = Pool()
        Area = pool.get('service.area')
        Employee = pool.get('company.employee')
        Site = pool.get('service.site')
        WorkOrder = pool.get('service.work_order')

        company = create_company()
        with set_company(company):
            site, _ = create_site_and_product()
            other, _ = create_site_and_product()
            # a Monday that is not today (attendance decides today)
            day, sunday = dt.date(2030, 3, 4), dt.date(2030, 3, 10)
            self.assertTrue(is_working_day(day))
            self.assertFalse(is_working_day(sunday))
            nine = dt.datetime.combine(day, dt.time(9))
            ann, bob, cid, left = create_employees(
                company, "Ann", "Bob", "Cid", "Left", service_technician=True)
            Employee.write([left], {'end_date': day - dt.timedelta(1)})

            def visit(lead, where, hours=0):
                return {
                    'site': where.id, 'party': where.party.id,
                    'lead': lead.id,
                    'planned_start': nine + dt.timedelta(hours=hours),
                    'planned_end': nine + dt.timedelta(hours=hours + 1),
                    }
            WorkOrder.create([
                    visit(ann, other), visit(ann, other, 2),
                    visit(bob, other)])

            self.assertEqual(
                WorkOrder.suggest_technician(company, site, day), cid)
            WorkOrder.create([visit(cid, other), visit(cid, other, 3)])
            self.assertEqual(
                WorkOrder.suggest_technician(company, site, day), bob)
            # going to the site's area that day comes before the load
            township = Area(name="Township")
            township.save()
            site.area = township
            site.save()
            near = Site(name="Near", party=site.party, area=township)
            near.save()
            WorkOrder.create([visit(cid, near, 5)])
            self.assertEqual(
                WorkOrder.suggest_technician(company, site, day), cid)
            WorkOrder.create([visit(ann, site, 4)])
            self.assertEqual(
                WorkOrder.suggest_technician(company, site, day), ann)
            with Transaction().set_context(date=day):
                self.assertNotIn(
                    left, Employee.search([('service_on_duty', '=', True)]))
            self.assertIsNone(
                WorkOrder.suggest_technician(company, site, sunday))

    @with_transaction()
    def test_duty_from_attendance(self):
        "With attendance, today's duty is who clocked in today"
        pool = Pool()
        Employee = pool.get('company.employee')
        Line = pool.get('attendance.line')
        Date = pool.get('ir.date')

        company = create_company()
        with set_company(company):
            present, absent = create_employees(
                company, "Present", "Absent", service_technician=True)
            Line.create([{
                        'employee': present.id, 'company': company.id,
                        'at': dt.datetime.now(), 'date': Date.today(),
                        'type': 'in',
                        }])
            with Transaction().set_context(date=Date.today()):
                self.assertEqual(
                    Employee.search([
                            ('service_technician', '=', True),
                            ('service_on_duty', '=', True),
                            ]), [present])
                self.assertEqual(
                    [e.service_on_duty for e in [present, absent]],
                    [True, False])

    @with_transaction()
    def test_work_order_planned_date_in_company_time_zone(self):
        "The planned day is the company's, and searches of today use it"
        pool = Pool()
        WorkOrder = pool.get('service.work_order')
        Date = pool.get('ir.date')

        company = create_beijing_company()
        with set_company(company):
            site, _ = create_site_and_product()
            late, = WorkOrder.create([{
                        'site': site.id, 'party': site.party.id,
                        'planned_start': dt.datetime(2026, 11, 27, 17),
                        }])
            self.assertEqual(late.planned_date, dt.date(2026, 11, 28))
            # as English writes the day, with a non-breaking space
            self.assertEqual(
                late.planned_period, '11/28/2026\xa001:00')
            WorkOrder.write([late], {
                    'planned_start': dt.datetime(2026, 11, 27, 1),
                    'planned_end': dt.datetime(2026, 11, 27, 3),
                    })
            self.assertEqual(late.planned_date, dt.date(2026, 11, 27))
            self.assertEqual(
                late.planned_period, '11/27/2026\xa009:00-11:00')
            today = Date.today()
            WorkOrder.write([late], {
                    'planned_start': dt.datetime.combine(
                        today, dt.time(2)),
                    })
            self.assertEqual(
                WorkOrder.search([('planned_today', '=', True)]), [late])
            self.assertEqual(
                WorkOrder.search([('planned_today', '=', False)]), [])

    @with_transaction()
    def test_work_order_name_colour_and_copy(self):
        "Names and colours are read in SQL; a copy is a new draft"
        pool = Pool()
        WorkOrder = pool.get('service.work_order')

        company = create_company()
        with set_company(company):
            site, _ = create_site_and_product()
            lead, = create_employees(company, "Lead")
            order, unassigned = WorkOrder.create([{
                        'site': site.id, 'party': site.party.id,
                        'lead': lead.id,
                        'planned_start': dt.datetime(2030, 1, 7, 1),
                        'planned_end': dt.datetime(2030, 1, 7, 3),
                        'appointment_contact': "Ms Wang",
                        }, {
                        'site': site.id, 'party': site.party.id,
                        }])
            WorkOrder.schedule([order])

            self.assertEqual(order.rec_name, f'{order.number} School')
            self.assertEqual(
                WorkOrder.search([('rec_name', 'ilike', order.number)]),
                [order])
            self.assertNotEqual(
                order.calendar_color, unassigned.calendar_color)
            copy, = WorkOrder.copy([order])
            self.assertEqual(copy.state, 'draft')
            self.assertNotEqual(copy.number, order.number)
            self.assertEqual(len(order.appointments), 1)
            self.assertEqual(copy.appointments, ())

    @with_transaction()
    def test_work_order_origin(self):
        """A visit has as origin the ticket it is for, or the inspection it
        schedules; nobody sends an origin from outside"""
        pool = Pool()
        Ticket = pool.get('service.ticket')
        WorkOrder = pool.get('service.work_order')
        Plan = pool.get('service.inspection.plan')
        Inspection = pool.get('service.inspection')
        Date = pool.get('ir.date')

        self.assertLessEqual(
            {'service.ticket', 'service.inspection'},
            {m for m, _ in WorkOrder.get_origin()})
        company = create_company()
        with set_company(company):
            site, _ = create_site_and_product()
            broken, noisy = Ticket.create([
                    {'party': site.party.id, 'subject': "Broken"},
                    {'party': site.party.id, 'subject': "Noisy"},
                    ])
            order, = WorkOrder.create([{
                        'site': site.id, 'party': site.party.id,
                        'ticket': broken.id,
                        }])
            self.assertEqual(order.origin, broken)
            WorkOrder.write([order], {'ticket': noisy.id})
            self.assertEqual(order.origin, noisy)
            WorkOrder.write([order], {'ticket': None})
            self.assertIsNone(order.origin)

            today = Date.today()
            plan = Plan(name="Semester")
            plan.save()
            inspection, = Inspection.create([{
                        'plan': plan.id, 'site': site.id,
                        'cycle_start': today, 'phase': 'early',
                        'planned_date': today,
                        }])
            Inspection.schedule([inspection])
            self.assertEqual(inspection.work_order.origin, inspection)
            # a ticket added later does not replace another origin
            WorkOrder.write([inspection.work_order], {'ticket': broken.id})
            self.assertEqual(inspection.work_order.origin, inspection)

            manager = pool.get('ir.model.data').get_id(
                'service_desk', 'group_service_manager')
            with Transaction().set_context(
                    _check_access=True, _groups=(manager,)):
                with self.assertRaisesRegex(AccessError, 'Origin'):
                    WorkOrder.create([{
                                'site': site.id, 'party': site.party.id,
                                'origin': str(noisy),
                                }])

    @with_transaction()
    def test_inspection_choices_in_every_language(self):
        """An answer keeps the same choice whoever records it, in whatever
        language, shows it in the reader's and fails the item in every
        language; the answers kept in the recorder's language are
        migrated (R-INSP-3)"""
        pool = Pool()
        Checklist = pool.get('service.inspection.checklist')
        Item = pool.get('service.inspection.checklist.item')
        Inspection = pool.get('service.inspection')
        Line = pool.get('service.inspection.line')
        Plan = pool.get('service.inspection.plan')
        Equipment = pool.get('service.equipment')
        Lang = pool.get('ir.lang')
        Date = pool.get('ir.date')

        chinese, = Lang.search([('code', '=', 'zh_CN')])
        Lang.write([chinese], {'translatable': True})
        checklist = Checklist(name="Every item")
        checklist.save()
        item = Item(checklist=checklist, name="Running state",
            type='choice', choices="Normal\nOccasional faults\nFaulty",
            failing_choices="Faulty")
        item.save()
        with Transaction().set_context(language='zh_CN'):
            Item.write([Item(item.id)], {
                    'choices': "正常\n偶有故障\n故障",
                    'failing_choices': "故障",
                    })
        for language, labels in [
                ('en', ["Normal", "Occasional faults", "Faulty"]),
                ('zh_CN', ["正常", "偶有故障", "故障"])]:
            with self.subTest(language=language), \
                    Transaction().set_context(language=language):
                line = Line(item=Item(item.id))
                self.assertEqual(line.get_choices(), [(None, ""),
                        *zip(["Normal", "Occasional faults", "Faulty"],
                            labels, strict=True)])
                for choice, label, failure in [
                        ("Faulty", labels[2], True),
                        ("Normal", labels[0], False)]:
                    line.choice = choice
                    self.assertEqual(line.choice_string, label)
                    self.assertEqual(
                        Item(item.id).is_failure(line), failure)

        with set_company(create_company()):
            site, product = create_site_and_product()
            equipment, = Equipment.create([
                        {'site': site.id, 'product': product.id}])
            plan = Plan(name="Semester")
            plan.save()
            inspection, = Inspection.create([{
                        'plan': plan.id, 'site': site.id,
                        'cycle_start': Date.today(), 'phase': 'early',
                        'planned_date': Date.today(),
                        }])
            line, = Line.create([{
                        'inspection': inspection.id,
                        'equipment': equipment.id, 'item': item.id,
                        }])
            table = Line.__table__()
            cursor = Transaction().connection.cursor()
            self.assertFalse(Line._choices_to_migrate())
            cursor.execute(*table.update(
                    [table.choice], ["故障"], where=table.id == line.id))
            self.assertTrue(Line._choices_to_migrate())
            Line._migrate_choices()
            cursor.execute(*table.select(
                    table.choice, where=table.id == line.id))
            self.assertEqual(cursor.fetchone(), ("Faulty",))
            self.assertFalse(Line._choices_to_migrate())

    @with_transaction()
    def test_money_in_company_currency(self):
        "The amounts show the company's currency and are rounded to it"
        pool = Pool()
        Requisition = pool.get('service.requisition')
        RequisitionLine = pool.get('service.requisition.line')
        WorkOrder = pool.get('service.work_order')
        PartsCost = pool.get('service.parts.cost')
        Configuration = pool.get('service.configuration')
        Location = pool.get('stock.location')
        Product = pool.get('product.product')

        for Model, names in [
                (Requisition, ['value', 'cost']),
                (RequisitionLine, ['value']),
                (WorkOrder, ['parts_cost']),
                (PartsCost, ['cost']),
                (Configuration, ['requisition_manager_value']),
                ]:
            definitions = Model.fields_get(names + ['currency'])
            self.assertEqual(
                definitions['currency']['relation'], 'currency.currency')
            for name in names:
                self.assertTrue(definitions[name]['monetary'], name)
                self.assertEqual(definitions[name]['symbol'], 'currency')

        company = create_company()
        with set_company(company):
            site, part = create_site_and_product()
            Product.write([part], {'cost_price': Decimal('0.3333')})
            employee, = create_employees(company, "Engineer")
            warehouse, = Location.search([('type', '=', 'warehouse')])
            order, = WorkOrder.create([{
                        'site': site.id, 'party': site.party.id,
                        }])
            requisition, = Requisition.create([{
                        'requester': employee.id,
                        'work_order': order.id,
                        'lines': [('create', [{
                                        'product': part.id, 'quantity': 3,
                                        'unit': part.default_uom.id,
                                        'from_location': (
                                            warehouse.storage_location.id),
                                        }])],
                        }])

            self.assertEqual(requisition.currency, company.currency)
            self.assertEqual(requisition.lines[0].value, Decimal('1.00'))
            self.assertEqual(requisition.value, Decimal('1.00'))
            self.assertEqual(requisition.cost, Decimal(0))
            self.assertEqual(order.currency, company.currency)
            self.assertEqual(order.parts_cost, Decimal(0))
            self.assertEqual(Configuration(1).currency, company.currency)

    @with_transaction()
    def test_callback_due_and_late(self):
        "The worklist filters agree with the flags shown"
        pool = Pool()
        Callback = pool.get('service.callback')
        Date = pool.get('ir.date')

        with set_company(create_company()):
            site, _ = create_site_and_product()
            today = Date.today()
            late, due, later, done = Callback.create([{
                        'party': site.party.id,
                        'due_date': today + dt.timedelta(days=d),
                        } for d in [-1, 0, 1, -1]])
            Callback.write([done], {'state': 'done'})

            for name, expected in [
                    ('due', {late, due}), ('late', {late})]:
                self.assertEqual(
                    set(Callback.search([(name, '=', True)])), expected)
                self.assertEqual(
                    set(Callback.search([(name, '=', False)])),
                    {late, due, later, done} - expected)
                self.assertEqual(
                    {c for c in [late, due, later, done]
                        if getattr(c, name)}, expected)

    @with_transaction()
    def test_callback_due_on_company_working_day(self):
        "R-CS-4: a callback falls due on the company's next working day"
        pool = Pool()
        Callback = pool.get('service.callback')
        Ticket = pool.get('service.ticket')
        Configuration = pool.get('service.configuration')

        company = create_beijing_company()
        with set_company(company):
            site, _ = create_site_and_product()
            configuration = Configuration(1)
            configuration.callback_delay = dt.timedelta(days=1)
            configuration.save()
            # Thursday 26 November 2026, 01:30 in Beijing
            night, = Ticket.create([{
                        'subject': "Night repair", 'party': site.party.id,
                        'site': site.id,
                        'received_at': dt.datetime(2026, 11, 25, 9),
                        }])
            Ticket.write([night], {
                    'resolved_at': dt.datetime(2026, 11, 25, 17, 30)})
            # Friday 27 November 2026, 10:00 in Beijing: Saturday is off
            friday, = Ticket.copy([night])
            Ticket.write([friday], {
                    'resolved_at': dt.datetime(2026, 11, 27, 2)})
            first, second = Callback.create_for_tickets([night, friday])
            self.assertEqual(first.due_date, dt.date(2026, 11, 27))
            self.assertEqual(second.due_date, dt.date(2026, 11, 30))

    @with_transaction()
    def test_list_datetimes_have_a_widget(self):
        "sao's lists have no datetime column: a datetime says date or time"
        pool = Pool()
        View = pool.get('ir.ui.view')
        for view in View.search([('module', '=', 'service_desk')]):
            model = view.model or (view.inherit and view.inherit.model)
            if not model or not view.arch:
                continue
            arch = etree.fromstring(view.arch)
            if (view.inherit or view).type != 'tree':
                continue
            Model = pool.get(model)
            for element in arch.iter('field'):
                field = Model._fields.get(element.get('name'))
                if field is not None and field._type == 'datetime':
                    self.assertIn(
                        element.get('widget'), {'date', 'time'},
                        msg=f'{view.name}: {element.get("name")}')

    @with_transaction()
    def test_inspection_visits_due(self):
        "R-INSP-2: the phases of the current cycle up to the horizon"
        pool = Pool()
        Plan = pool.get('service.inspection.plan')
        Phase = pool.get('service.inspection.plan.phase')

        plan = Plan(
            start_date=dt.date(2026, 1, 1), cycle_months=6, horizon_days=60,
            phases=[
                Phase(phase='early', offset_days=0),
                Phase(phase='middle', offset_days=60),
                Phase(phase='late', offset_days=200),
                ])

        self.assertEqual(list(plan.visits_due(dt.date(2026, 8, 15))), [
                (dt.date(2026, 7, 1), 'early', dt.date(2026, 7, 1)),
                (dt.date(2026, 7, 1), 'middle', dt.date(2026, 8, 30)),
                ])
        # the late phase falls outside its cycle: never planned
        self.assertEqual(list(plan.visits_due(dt.date(2026, 12, 1))), [
                (dt.date(2026, 7, 1), 'early', dt.date(2026, 7, 1)),
                (dt.date(2026, 7, 1), 'middle', dt.date(2026, 8, 30)),
                (dt.date(2027, 1, 1), 'early', dt.date(2027, 1, 1)),
                ])
        self.assertEqual(list(plan.visits_due(dt.date(2025, 10, 1))), [])

    @with_transaction()
    def test_kept_messages(self):
        """The delete and cancellation guards' messages name the record and
        the model by its translated name, whatever the model is called"""
        pool = Pool()
        Message = pool.get('ir.message')
        Ticket = pool.get('service.ticket')
        kept = [M for _, M in pool.iterobject() if issubclass(M, KeptMixin)]
        self.assertTrue(kept)
        for Model in kept:
            for message in [
                    Model._delete_message, Model._cancel_reason_message]:
                if not message:
                    continue
                module, id_ = message.split('.', 1)
                text = Message(pool.get('ir.model.data').get_id(
                        module, id_)).text
                self.assertLessEqual(
                    set(re.findall(r'%\((\w+)\)s', text)),
                    {'model', 'record'}, msg=message)
        with set_company(create_company()):
            site, _ = create_site_and_product()
            ticket = Ticket(subject="Projector", party=site.party)
            ticket.save()
            for lang in ['en', 'zh_CN']:
                with Transaction().set_context(language=lang):
                    model = Ticket.__names__()['model']
                    self.assertIn(f'{model}', Ticket._kept_message(
                            'service_desk.msg_kept_delete', ticket))
                    self.assertIn(ticket.rec_name, Ticket._kept_message(
                            'service_desk.msg_kept_cancel_reason', ticket))

    @with_transaction()
    def test_guard_refuses_what_only_buttons_change(self):
        "R-ROLE-1..6: the server refuses what the form shows read-only"
        pool = Pool()
        Equipment = pool.get('service.equipment')
        Ticket = pool.get('service.ticket')

        company = create_company()
        with set_company(company):
            site, product = create_site_and_product()
            equipment = Equipment(site=site, product=product)
            equipment.save()
            ticket = Ticket(subject="Projector", party=site.party)
            ticket.save()

            manager = Pool().get('ir.model.data').get_id(
                'service_desk', 'group_service_manager')

            def as_manager():
                "A call from outside by a service manager"
                return Transaction().set_context(
                    _check_access=True, _groups=(manager,))

            with as_manager():
                with self.assertRaisesRegex(AccessError, 'State'):
                    Equipment.write([equipment], {'state': 'retired'})
                with self.assertRaisesRegex(AccessError, 'State'):
                    Equipment.create([{
                                'site': site.id, 'product': product.id,
                                'state': 'retired'}])
                with self.assertRaisesRegex(AccessError, 'Number'):
                    Ticket.copy([ticket], {'number': 'T-FORGED'})
                # unchanged values and editable fields are accepted
                Equipment.write([equipment], {
                        'state': equipment.state, 'notes': "ok"})

            # the buttons change the state
            Equipment.retire([equipment])
            self.assertEqual(equipment.state, 'retired')
            Ticket.open([ticket])
            Ticket.resolve([ticket])
            with as_manager():
                with self.assertRaisesRegex(AccessError, 'Subject'):
                    Ticket.write([ticket], {'subject': "Forged"})
                with self.assertRaisesRegex(AccessError, 'Responded at'):
                    Ticket.write([ticket], {'responded_at': None})
            # the model's own methods are not concerned
            Ticket.write([ticket], {'subject': "Projector lamp"})

    @with_transaction()
    def test_bounds(self):
        "Bad input gets a clear error: dates and quantities"
        pool = Pool()
        Ticket = pool.get('service.ticket')

        company = create_company()
        with set_company(company):
            for received_at in [
                    dt.datetime(1, 1, 1), dt.datetime(1999, 12, 31),
                    dt.datetime.now() + dt.timedelta(days=2)]:
                with self.assertRaises(BoundsError):
                    Ticket.create([{
                                'subject': "Bad", 'received_at': received_at}])
            Ticket.create([{'subject': "Good"}])

    @with_transaction()
    def test_bounds_declared_on_fields(self):
        """Every model with fields of the module bounds what a user enters
        there, by default or as the field declares; out of bounds, NaN,
        infinities and wrong types get a BoundsError before anything is
        written (R-CS-7: a stored value is never erased by bad input)"""
        pool = Pool()
        Attendee = pool.get('service.training.attendee')
        Course = pool.get('service.training.course')
        Meeting = pool.get('service.meeting')
        MeetingEmployee = pool.get('service.meeting-company.employee')
        Session = pool.get('service.training.session')
        Ticket = pool.get('service.ticket')
        Target = pool.get('service.ticket.target')

        package = BoundedMixin.__module__.rpartition('.')[0]
        missing = []
        for name, Model in pool.iterobject():
            declared = any(
                (k.__module__ or '').split('.')[0] == package
                and any(isinstance(v, fields.Field)
                    for v in vars(k).values())
                for k in Model.__mro__)
            table_query = getattr(Model, '_is_table_query', lambda: False)()
            if (declared and not table_query
                    and not issubclass(Model, BoundedMixin)):
                missing.append(name)
        self.assertEqual(missing, [])

        # the client gets the bounds as size and domain
        definitions = Course.fields_get(['name', 'validity_months'])
        self.assertEqual(definitions['name']['size'], CHAR_SIZE)
        domain = PYSONDecoder().decode(
            definitions['validity_months']['domain'])
        self.assertIn(['validity_months', '<=', 600], domain[1][2])
        self.assertEqual(
            Ticket.fields_get(['description'])['description']['size'],
            TEXT_SIZE)

        company = create_company()
        with set_company(company):
            site, _ = create_site_and_product()
            employee, = create_employees(company, "Ann")
            course, = Course.create([{
                        'name': "Projectors", 'validity_months': 12}])
            now = dt.datetime.now().replace(microsecond=0)
            session, = Session.create([{
                        'course': course.id, 'start': now,
                        'end': now + dt.timedelta(hours=2)}])
            attendee, = Attendee.create([{
                        'session': session.id, 'employee': employee.id,
                        'score': 80}])
            ticket, = Ticket.create([{
                        'party': site.party.id, 'subject': "Projector"}])
            refused = [
                (Ticket, ticket, {'description': 'x' * (TEXT_SIZE + 1)}),
                (Ticket, None, {'subject': 'x' * (CHAR_SIZE + 1)}),
                (Ticket, ticket, {'subject': 42}),
                (Ticket, None, {'received_at': dt.datetime(1, 1, 1)}),
                (Ticket, None, {'received_at': dt.date(2026, 1, 1)}),
                (Course, course, {'validity_months': 10 ** 6}),
                (Course, course, {'validity_months': -1}),
                (Course, course, {'validity_months': "12"}),
                (Course, course, {'duration': dt.timedelta(hours=-1)}),
                (Attendee, attendee, {'score': float('nan')}),
                (Attendee, attendee, {'score': float('inf')}),
                (Attendee, attendee, {'score': -1}),
                (Attendee, attendee, {'score': Decimal('NaN')}),
                (Session, session, {
                        'start': dt.datetime(9999, 12, 31, 23, 0)}),
                (Meeting, None, {
                        'date': dt.date(9999, 12, 31), 'items': [
                            ('create', [{'topic': str(i)}
                                    for i in range(10_000)])]}),
                (Target, None, {'response_hours': 1e30}),
                ]
            with Transaction().set_context(_check_access=True):
                for Model, record, values in refused:
                    with self.subTest(model=Model.__name__, values=list(
                                values)), \
                            self.assertRaises(BoundsError):
                        if record:
                            Model.write([record], values)
                        else:
                            Model.create([values])
            self.assertEqual(attendee.score, 80)
            self.assertEqual(course.validity_months, 12)
            # the module's own methods get a text cut to its size
            Ticket.write([ticket], {'description': 'x' * (TEXT_SIZE + 10)})
            self.assertEqual(len(ticket.description), TEXT_SIZE)

            # one person once per session or meeting (R-TRAIN, R-ENG-7)
            with refused_by_database(self, SQLConstraintError):
                Attendee.create([{
                            'session': session.id,
                            'employee': employee.id}])
            meeting, = Meeting.create([{'date': dt.date(2026, 11, 2)}])
            MeetingEmployee.create([{
                        'meeting': meeting.id, 'employee': employee.id}])
            with refused_by_database(self, SQLConstraintError):
                MeetingEmployee.create([{
                            'meeting': meeting.id,
                            'employee': employee.id}])

    @with_transaction()
    def test_report_context_checked(self):
        """The reports refuse a context (from the client) of the wrong type
        or out of bounds with a clear error, never a crash (R-DATA-1..5)"""
        pool = Pool()
        MonthlyReport = pool.get(
            'service.analysis.monthly_report', type='report')
        KeyFigures = pool.get('service.analysis.key_figures')
        PartsCost = pool.get('service.parts.cost')
        Reconciliation = pool.get('service.parts.cost.reconciliation')
        reports = [n for n, M in pool.iterobject()
            if issubclass(M, Abstract)]

        company = create_company()
        with set_company(company):
            good = {'company': company.id, 'period': 'month',
                'from_date': dt.date(2026, 1, 1), 'to_date': None}
            bad = [
                {'company': 'abc'}, {'company': {'id': 1}},
                {'company': [company.id]}, {'company': 10 ** 9},
                {'company': -1}, {'company': 1.5},
                {'from_date': dt.date(1, 1, 1)},
                {'to_date': dt.date(9999, 12, 31)},
                {'from_date': '2026-13-01'}, {'from_date': 20260101},
                {'period': 'decade'}, {'period': ['month']},
                {'repeat_days': 10 ** 12}, {'repeat_days': 'abc'},
                {'idle_days': -5}, {'area': {'a': 1}},
                {'analysis_employee': 'me'}, {'site_type': 42},
                ]
            for name in reports + [KeyFigures.__name__]:
                Report = pool.get(name)
                with Transaction().set_context(good):
                    Report.search([], limit=1)
                for context in bad:
                    with self.subTest(report=name, context=context), \
                            Transaction().set_context(
                                {**good, **context}), \
                            self.assertRaises(ContextError):
                        Report.search([], limit=1)
            for Report, extra in [
                    (PartsCost, {'group_by': 'planet'}),
                    (Reconciliation, {'period': 'x'})]:
                for context in [
                        {'company': 'abc'}, {'from_date': '9999-99-99'},
                        {'to_date': dt.date(9999, 12, 31)}, extra]:
                    with self.subTest(report=Report.__name__,
                                context=context), \
                            Transaction().set_context(context), \
                            self.assertRaises(ContextError):
                        Report.search([], limit=1)
            for data in [
                    {'company': company.id, 'year': 2026, 'month': 13},
                    {'company': company.id, 'year': 99999, 'month': 1},
                    {'company': company.id, 'year': 1, 'month': 1},
                    {'company': 'x', 'year': 2026, 'month': 1},
                    {'company': company.id, 'year': '2026', 'month': 1},
                    {'company': company.id, 'year': 2026},
                    {'company': company.id, 'year': 2026, 'month': 'May'},
                    ]:
                with self.subTest(data=data), \
                        self.assertRaises(ContextError):
                    MonthlyReport.check_data(dict(data))
            MonthlyReport.check_data(
                {'company': company.id, 'year': 2026, 'month': '11'})

    @with_transaction()
    def test_reports_forged_company(self):
        """A user of one company who names another company in the context
        of a report (every table_query model of the module, the monthly
        report) is refused and sees nothing of it (R-ROLE)"""
        pool = Pool()
        IrModel = pool.get('ir.model')
        Ticket = pool.get('service.ticket')
        MonthlyReport = pool.get(
            'service.analysis.monthly_report', type='report')

        county = create_company()
        town = create_company(name="Town Office")
        with set_company(town):
            site, _ = create_site_and_product()
            Ticket.create([{'party': site.party.id, 'subject': "Broken"}])
        with set_company(county):
            user, _ = create_role_user(county, 'boss', 'manager')
        names = {m.name for m in IrModel.search([
                    ('module', '=', 'service_desk')])}
        reports = sorted(n for n, M in pool.iterobject()
            if n in names and getattr(M, '_is_table_query', bool)())
        self.assertGreater(len(reports), 15)
        for name in reports:
            Report = pool.get(name)
            with self.subTest(report=name):
                # the facts are views of PostgreSQL only
                if backend.name != 'sqlite' or '.fact.' not in name:
                    with as_user(user, company=county.id):
                        Report.search([], limit=1)
                with as_user(user, company=town.id), \
                        self.assertRaises(ContextError):
                    Report.search([], limit=1)
                with as_user(user, company=town.id), \
                        self.assertRaises(ContextError):
                    Report.read([1], ['id'])
        with as_user(user, company=county.id), \
                self.assertRaises(ContextError):
            MonthlyReport.check_data(
                {'company': town.id, 'year': 2026, 'month': 1})

    @with_transaction()
    def test_wizard_forms_checked(self):
        """Every wizard of the module refuses on the server a value of its
        forms of the wrong type, not offered or out of bounds, which
        JSON-RPC may send (R-DATA-5); the values of the form pass"""
        pool = Pool()
        Wizard = pool.get('service.ticket.schedule', type='wizard')

        company = create_company()
        with set_company(company):
            wizards = [W for _, W in pool.iterobject(type='wizard')
                if W._checked_values()]
            self.assertGreaterEqual(len(wizards), 5)
            forms = 0
            for Wizard_ in wizards:
                for state_name, state in Wizard_.states.items():
                    if not isinstance(state, StateView):
                        continue
                    forms += 1
                    Form = pool.get(state.model_name)
                    for name, field in Form._fields.items():
                        if name == 'id':
                            continue
                        values = [{'a': 1}]
                        if field._type in {'char', 'text'}:
                            values.append('x' * (TEXT_SIZE + 1))
                        elif field._type in {'integer', 'float', 'numeric'}:
                            values += [float('nan'), 10 ** 30]
                        elif field._type == 'date':
                            values.append(dt.date(9999, 12, 31))
                        elif field._type == 'many2one':
                            values += [10 ** 9, True]
                        elif field._type == 'selection':
                            values.append('forged')
                        for value in values:
                            with self.subTest(wizard=Wizard_.__name__,
                                        field=name, value=str(value)[:20]), \
                                    self.assertRaises(UserError):
                                check_wizard_values(Wizard_, {
                                        state_name: {name: value}}, 'x')
            self.assertGreaterEqual(forms, 3)
            check_wizard_values(Wizard, {'start': {
                        'kind': 'repair', 'description': "Swap the lamp",
                        'planned_start': dt.datetime(2026, 1, 1, 9),
                        'planned_end': dt.datetime(2026, 1, 1, 10),
                        }}, 'schedule')
            with self.assertRaises(UserError):
                check_wizard_values(Wizard, {'start': {
                            'planned_start': dt.datetime(2026, 1, 1, 9),
                            'planned_end': dt.datetime(2026, 1, 1, 8),
                            }}, 'schedule')

    @with_transaction()
    def test_searches_refused(self):
        """A search with an operator or a value its field does not take is
        refused with a SearchError, on the documents, their searchers and
        the reports; the others answer (R-DATA-5)"""
        pool = Pool()
        Ticket = pool.get('service.ticket')
        Employee = pool.get('company.employee')
        Promise = pool.get('service.analysis.promise')
        Qualification = pool.get('service.training.qualification')

        company = create_company()
        with set_company(company):
            for Model, domain in [
                    (Ticket, {'a': 1}),
                    (Ticket, [['OR', {'a': 1}]]),
                    (Ticket, [('overdue', 'like', '%a%')]),
                    (Ticket, [('overdue', '<', True)]),
                    (Ticket, [('overdue', '=', {'a': 1})]),
                    (Ticket, [('received_at', '=', "abc")]),
                    (Ticket, [('subject', '=', ["a"])]),
                    (Ticket, [('paused_hours', 'like', '1%')]),
                    (Ticket, [('id', 'in', list(range(SEARCH_VALUES + 1)))]),
                    (Ticket, [('party', '>', "a")]),
                    (Employee, [('service_on_duty', '>', True)]),
                    (Qualification, [('state', '<', 'valid')]),
                    (Promise, [('tickets', 'like', '%a%')]),
                    (Promise, {'a': 1}),
                    (Ticket, [('id', '=', 10 ** 30)]),
                    (Ticket, [('party', 'in', [1, -10 ** 30])]),
                    (Ticket, [('paused_hours', '>', float('nan'))]),
                    (Ticket, [('party', 'child_of', [1])]),
                    (Ticket, [('party.id', '=', {'a': 1})]),
                    (Promise, [('create_date', '=', None)]),
                    ]:
                with self.subTest(
                            model=Model.__name__, domain=str(domain)[:60]), \
                        self.assertRaises(SearchError):
                    Model.search(domain, limit=1)
            for Model, domain in [
                    (Ticket, [('overdue', 'in', [True, None])]),
                    (Ticket, [('rec_name', 'not ilike', '%a%')]),
                    (Ticket, [('party', 'where', [('name', '=', "a")])]),
                    (Qualification, [('state', 'ilike', 'val%')]),
                    (Qualification, [('state', 'not like', '%ir%')]),
                    ]:
                with self.subTest(model=Model.__name__, domain=domain):
                    Model.search(domain, limit=1)

    @with_transaction()
    def test_promises_working_hours_many_rows(self):
        """The promises report computes the working hours of hundreds of
        rows on every database (R-DATA-2; SQLite refused the condition of
        80 rows at once), and opens the tickets behind them"""
        pool = Pool()
        Promise = pool.get('service.analysis.promise')
        Ticket = pool.get('service.ticket')
        OpenRecords = pool.get('service.analysis.open', type='wizard')

        company = create_company()
        with set_company(company):
            site, _ = create_site_and_product()
            now = dt.datetime.now().replace(microsecond=0)
            tickets = Ticket.create([{
                        'party': site.party.id, 'subject': f"Ticket {i}",
                        } for i in range(220)])
            for i, ticket in enumerate(tickets):
                received = now - dt.timedelta(days=i + 2)
                ticket.received_at = received
                ticket.responded_at = received + dt.timedelta(hours=1)
                ticket.resolved_at = received + dt.timedelta(hours=30)
                ticket.response_deadline = received + dt.timedelta(hours=4)
                ticket.resolution_deadline = received + dt.timedelta(days=3)
                ticket.state = 'closed'
            Ticket.save(tickets)
            context = {'company': company.id, 'period': 'day',
                'from_date': None, 'to_date': None}
            with Transaction().set_context(context):
                rows = Promise.search([])
                self.assertGreaterEqual(len(rows), 200)
                values = Promise.read([r.id for r in rows], [
                        'tickets', 'response_working_hours',
                        'resolution_median'])
                self.assertEqual(sum(v['tickets'] for v in values), 220)
                for value in values:
                    self.assertIsNotNone(value['response_working_hours'])
                    self.assertGreaterEqual(
                        value['response_working_hours'], 0)
                    self.assertLessEqual(value['response_working_hours'], 1)
                self.assertEqual(
                    sorted(Promise.record_ids(rows)),
                    sorted(t.id for t in tickets))
                session_id, _, _ = OpenRecords.create()
                with Transaction().set_context(
                        active_model=Promise.__name__,
                        active_ids=[r.id for r in rows],
                        active_id=rows[0].id):
                    result = OpenRecords.execute(session_id, {}, 'open_')
                domain = PYSONDecoder().decode(
                    result['actions'][0][0]['pyson_domain'])
                self.assertEqual(len(domain[0][2]), 220)

    @with_transaction()
    def test_cost_field_access(self):
        "R-ROLE-1..6: who reads cost prices"
        pool = Pool()
        FieldAccess = pool.get('ir.model.field.access')
        ModelData = pool.get('ir.model.data')

        readers = {
            'manager': True, 'parts_keeper': True, 'accountant': True,
            'customer_service': False, 'field_engineer': False,
            }
        cost_fields = [
            ('product.product', 'cost_price'),
            ('product.template', 'cost_price'),
            ('product.product', 'cost_value'),
            ('product.cost_price.revision', 'cost_price'),
            ('stock.move', 'cost_price'),
            ]
        for role, reads_cost in readers.items():
            group = ModelData.get_id('service_desk', f'group_service_{role}')
            FieldAccess._get_access_cache.clear()
            with Transaction().set_context(_groups=(group,)):
                for model, field in cost_fields:
                    access = FieldAccess.get_access([model])[model]
                    self.assertEqual(
                        bool(access.get(field, {'read': 1})['read']),
                        reads_cost, (role, model, field))

    @with_transaction()
    def test_password_data_private(self):
        "Only administrators read or search password data"
        pool = Pool()
        User = pool.get('res.user')
        Ticket = pool.get('service.ticket')
        ModelData = pool.get('ir.model.data')

        admin, = User.search([('login', '=', 'admin')])
        User.write([admin], {
                'password_reset': 'secret-reset',
                'password_reset_expire': (
                    dt.datetime.now() + dt.timedelta(days=1)),
                })
        manager = ModelData.get_id('service_desk', 'group_service_manager')
        with Transaction().set_context(
                _check_access=True, _groups=(manager,)):
            for field in ['password_hash', 'password_reset']:
                with self.assertRaises(AccessError):
                    User.search([(field, 'like', 's%')])
                with self.assertRaises(AccessError):
                    User.search([], order=[(field, 'ASC')])
                with self.assertRaises(AccessError):
                    Ticket.search([(f'create_uid.{field}', 'like', 's%')])
            values, = User.read([admin.id], ['password_reset', 'login'])
            self.assertEqual(values['password_reset'], None)
            self.assertEqual(values['login'], 'admin')
        with Transaction().set_context(_check_access=True):
            values, = User.read([admin.id], ['password_reset'])
            self.assertEqual(values['password_reset'], 'secret-reset')

    # Models of settings and master data: a few hundred rows at most, read
    # whole by the client; their default order needs no index.
    _small_models = {
        'service.area', 'service.configuration',
        'service.configuration.sequence', 'service.fault.category',
        'service.inspection.checklist', 'service.inspection.checklist.item',
        'service.inspection.plan', 'service.inspection.plan.phase',
        'service.reply.template', 'service.ticket.target', 'service.vehicle',
        }

    @classmethod
    def _domain_fields(cls, domain):
        "Yield the first name of the path of every leaf of domain"
        if not isinstance(domain, (list, tuple)) or not domain:
            return
        if isinstance(domain[0], str) and domain[0] not in {'AND', 'OR'}:
            yield domain[0].split('.', 1)[0]
            return
        for sub in domain:
            yield from cls._domain_fields(sub)

    @classmethod
    def _needed_indexes(cls, Model, name, seen=None):
        """Yield (model, column) the search of Model on name goes through:
        the column itself, the column of the relation, or the columns the
        searcher of a function field filters on"""
        pool = Pool()
        seen = set() if seen is None else seen
        if name == 'id' or (Model.__name__, name) in seen:
            return
        seen.add((Model.__name__, name))
        field = Model._fields[name]
        if isinstance(field, fields.Function):
            if field.searcher:
                searcher = getattr(Model, field.searcher)
                for value in [True, False]:
                    for sub in cls._domain_fields(
                            searcher(name, (name, '=', value))):
                        yield from cls._needed_indexes(Model, sub, seen)
        elif isinstance(field, fields.Many2Many):
            yield pool.get(field.relation_name).__name__, field.target
        elif isinstance(field, fields.One2Many):
            yield field.model_name, field.field
        else:
            yield Model.__name__, name

    @staticmethod
    def _indexed_columns(Model):
        "Return the column names an index of Model covers (where included)"
        Model.__setup_indexes__()  # the many2one indexes Tryton adds
        names = set()
        for _, constraint, _ in Model._sql_constraints:
            if isinstance(constraint, Unique):
                names.update(re.findall(r'"([^"]+)"', str(constraint)))
        for index in Model._sql_indexes:
            expressions = [str(e) for e, _ in index.expressions]
            if index.options.get('where') is not None:
                expressions.append(str(index.options['where']))
            for expression in expressions:
                names.update(re.findall(r'"([^"]+)"', expression))
        return names

    @with_transaction()
    def test_searched_and_ordered_fields_indexed(self):
        "R-DATA-5: tab domains, default orders and searchers use indexes"
        pool = Pool()
        Action = pool.get('ir.action.act_window')
        ActionDomain = pool.get('ir.action.act_window.domain')
        ModelData = pool.get('ir.model.data')
        IrModel = pool.get('ir.model')
        IrField = pool.get('ir.model.field')

        needed = {}  # (model, column): why

        def need(Model, name, why):
            if (Model._is_table_query()
                    and not Model._table_query_materialized()):
                # computed at each read: nothing to index
                return
            for key in self._needed_indexes(Model, name):
                needed.setdefault(key, why)

        decoder = PYSONDecoder({})
        for data in ModelData.search([
                    ('module', '=', 'service_desk'),
                    ('model', 'in', [
                            'ir.action.act_window',
                            'ir.action.act_window.domain']),
                    ]):
            if data.model == 'ir.action.act_window':
                action = Action(data.db_id)
                domain = action.domain
                order = action.order
            else:
                action = ActionDomain(data.db_id).act_window
                domain = ActionDomain(data.db_id).domain
                order = None
            if not action.res_model:
                continue
            Model = pool.get(action.res_model)
            if domain:
                for name in self._domain_fields(decoder.decode(domain)):
                    need(Model, name, data.fs_id)
            for name, _ in (decoder.decode(order) if order else []):
                need(Model, name.split('.', 1)[0], data.fs_id)

        for model in IrModel.search([('module', '=', 'service_desk')]):
            Model = pool.get(model.name)
            if (not issubclass(Model, ModelSQL)
                    or (Model._is_table_query()
                        and not Model._table_query_materialized())
                    or model.name in self._small_models):
                continue
            for name, _ in Model._order:
                need(Model, name.split('.', 1)[0], f'{model.name} order')

        searchable = 0
        for field in IrField.search([('module', '=', 'service_desk')]):
            Model = pool.get(field.model)
            mfield = Model._fields.get(field.name)
            if (isinstance(mfield, fields.Function) and mfield.searcher
                    and isinstance(mfield._field, fields.Boolean)):
                searchable += 1
                need(Model, field.name, f'{field.model}.{field.name}')
        self.assertGreaterEqual(searchable, 9)
        self.assertIn(('service.ticket', 'received_at'), needed)
        self.assertIn(('service.work_order', 'planned_end'), needed)

        missing = sorted(
            f'{model}.{column} ({why})'
            for (model, column), why in needed.items()
            if column not in self._indexed_columns(pool.get(model)))
        self.assertEqual(missing, [], msg='\n'.join(missing))

    @with_transaction()
    def test_boolean_searchers_operators(self):
        "R-DATA-5: every boolean searcher agrees with its flag, any operator"
        pool = Pool()
        Callback = pool.get('service.callback')
        Date = pool.get('ir.date')
        Employee = pool.get('company.employee')
        Equipment = pool.get('service.equipment')
        Inspection = pool.get('service.inspection')
        Plan = pool.get('service.inspection.plan')
        Ticket = pool.get('service.ticket')
        WorkOrder = pool.get('service.work_order')
        Review = pool.get('service.work_order.review')
        IrField = pool.get('ir.model.field')

        company = create_company()
        with set_company(company):
            today = Date.today()
            now = dt.datetime.now()
            day = dt.timedelta(days=1)
            site, product = create_site_and_product()

            late, answered, closed = Ticket.create([{
                        'party': site.party.id, 'subject': s,
                        } for s in ["Late", "Answered", "Closed"]])
            Ticket.write([late], {
                    'state': 'open', 'promised_at': now - day,
                    'response_deadline': now - day,
                    'resolution_deadline': now + 30 * day,
                    }, [answered], {
                    'state': 'in_progress', 'responded_at': now,
                    'response_deadline': now - day,
                    'resolution_deadline': now + 30 * day,
                    }, [closed], {
                    'state': 'closed', 'promised_at': now - day,
                    'response_deadline': now - day,
                    'resolution_deadline': now - day,
                    })
            orders = WorkOrder.create([{
                        'site': site.id, 'party': site.party.id,
                        'planned_start': start, 'planned_end': end,
                        } for start, end in [
                        (now - 2 * day, now - day),
                        (now + day, now + 2 * day),
                        (dt.datetime.combine(today, dt.time(2)), None),
                        (None, None),
                        (None, None),
                        ]])
            WorkOrder.write([orders[-1]], {'state': 'done'})
            Review.create([{
                        'work_order': orders[-1].id, 'result': 'good',
                        'state': 'done'}])
            due, pending, done = Callback.create([{
                        'party': site.party.id,
                        'due_date': today + d * day,
                        } for d in [-1, 1, -1]])
            Callback.write([done], {'state': 'done'})
            Equipment.create([{
                        'site': site.id, 'product': product.id,
                        'warranty_end': end,
                        } for end in [today + day, today - day, None]])
            plan, = Plan.create([{
                        'name': "Plan", 'start_date': today,
                        'cycle_months': 6, 'horizon_days': 30,
                        }])
            *_, cancelled = Inspection.create([{
                        'plan': plan.id, 'site': site.id,
                        'cycle_start': today, 'phase': phase,
                        'planned_date': today + d * day,
                        } for phase, d in [
                        ('early', -1), ('middle', 60), ('late', -1)]])
            Inspection.write([cancelled], {'state': 'cancelled'})
            # a spare part besides the equipment's product
            lamp_template, = pool.get('product.template').create([{
                        'name': "Lamp", 'type': 'goods',
                        'default_uom': product.default_uom.id,
                        'products': [('create', [{}])],
                        'categories': [('add', [
                                    pool.get('ir.model.data').get_id(
                                        'service_desk',
                                        'product_category_spare_parts')])],
                        }])
            if 'stock_supply' in self.extras:
                # one quota below its minimum, one not
                warehouse, = pool.get('stock.location').search(
                    [('type', '=', 'warehouse')])
                pool.get('stock.order_point').create([{
                            'type': 'internal', 'product': p.id,
                            'location': warehouse.storage_location.id,
                            'provisioning_location': (
                                warehouse.input_location.id),
                            'min_quantity': minimum,
                            'target_quantity': 5,
                            } for p, minimum in [
                            (product, 1), (lamp_template.products[0], 0)]])
            monday = dt.date(2030, 3, 4)
            _, gone = create_employees(
                company, "Staying", "Gone", service_technician=True)
            Employee.write([gone], {'end_date': monday - day})
            # two running contracts, one in its notice period, one not
            Contract = pool.get('service.contract')
            contracts = Contract.create([{
                        'party': site.party.id,
                        'start_date': today - 300 * day,
                        'end_date': end_date,
                        'notice_days': 30,
                        'price': Decimal(100),
                        'lines': [('create', [{'site': site.id}])],
                        } for end_date in [
                        today + 10 * day, today + 400 * day]])
            Contract.run(contracts)

            clauses = [
                ('=', True), ('=', False), ('!=', True), ('!=', False),
                ('in', [True]), ('in', [False]), ('in', [True, False]),
                ('in', []), ('not in', [True]), ('not in', [False]),
                ('not in', [True, False]), ('not in', []),
                ]

            def matches(flag, operator, value):
                if operator in {'=', '!='}:
                    return (flag == value) == (operator == '=')
                return (flag in value) == (operator == 'in')

            walked = set()
            with Transaction().set_context(date=monday, active_test=False):
                for field in IrField.search([('module', '=', 'service_desk')]):
                    Model = pool.get(field.model)
                    mfield = Model._fields.get(field.name)
                    if not (isinstance(mfield, fields.Function)
                            and mfield.searcher
                            and isinstance(mfield._field, fields.Boolean)):
                        continue
                    walked.add(f'{field.model}.{field.name}')
                    records = Model.search([])
                    flags = {r: getattr(r, field.name) for r in records}
                    self.assertEqual(
                        set(flags.values()), {True, False},
                        msg=f'{field.model}.{field.name}')
                    for operator, value in clauses:
                        with self.subTest(
                                field=f'{field.model}.{field.name}',
                                operator=operator, value=value):
                            self.assertEqual(
                                set(Model.search([
                                            (field.name, operator, value)])),
                                {r for r, flag in flags.items()
                                    if matches(flag, operator, value)})
            self.assertGreaterEqual(walked, {
                    'service.ticket.overdue', 'service.ticket.due_soon',
                    'service.work_order.overdue',
                    'service.work_order.planned_today',
                    'service.callback.due', 'service.callback.late',
                    'service.equipment.under_warranty',
                    'service.inspection.due_this_week',
                    'company.employee.service_on_duty',
                    })


    @with_transaction()
    def test_many2one_searches(self):
        "Searches on customer, site and contact find the right tickets"
        pool = Pool()
        Ticket = pool.get('service.ticket')
        Site = pool.get('service.site')
        Mechanism = pool.get('party.contact_mechanism')

        with set_company(create_company()):
            site, _ = create_site_and_product()
            other = Site(name="Hospital", party=site.party)
            other.save()
            phone, = Mechanism.create([{
                        'party': site.party.id, 'type': 'phone',
                        'value': '+86 10 6123 4567'}])
            school, hospital, unknown = Ticket.create([{
                        'party': site.party.id, 'site': site.id,
                        'contact': phone.id, 'subject': "Projector",
                        }, {
                        'party': site.party.id, 'site': other.id,
                        'subject': "Screen",
                        }, {
                        'subject': "Unknown caller",
                        }])

            for domain, expected in [
                    ([('site.rec_name', 'ilike', '%schoo%')], {school}),
                    ([('site', 'ilike', '%hosp%')], {hospital}),
                    ([('site.rec_name', 'not ilike', '%schoo%')],
                        {hospital, unknown}),
                    ([('site', '=', site.id)], {school}),
                    ([('site', '!=', site.id)], {hospital}),
                    ([('site', 'in', [site.id, other.id])],
                        {school, hospital}),
                    ([('site', '=', None)], {unknown}),
                    ([('site.name', '=', "Hospital")], {hospital}),
                    ([('contact.rec_name', 'ilike', '%6123%')], {school}),
                    ([('party.rec_name', 'ilike', '%6123 4567%')],
                        {school, hospital}),
                    ([('party', '=', None)], {unknown}),
                    ([('site', 'where', [('name', '=', "School")])],
                        {school}),
                    ]:
                with self.subTest(domain=domain):
                    self.assertEqual(set(Ticket.search(domain)), expected)

    @with_transaction()
    def test_phone_numbers_found_in_any_form(self):
        """R-CS-1: a phone number written in any form finds the contact,
        the customer and the site; a local number takes the area code"""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Mechanism = pool.get('party.contact_mechanism')
        Party = pool.get('party.party')
        Site = pool.get('service.site')

        with set_company(create_company()):
            configuration = Configuration(1)
            configuration.phone_area_code = '0839'
            configuration.save()
            site, _ = create_site_and_product()
            other, _ = create_site_and_product()
            phone, mobile, local, beijing = Mechanism.create([{
                        'party': site.party.id, 'type': 'phone',
                        'value': '0839-5335003',
                        }, {
                        'party': site.party.id, 'type': 'mobile',
                        'value': '139 0839 1234',
                        }, {
                        'party': site.party.id, 'type': 'phone',
                        'value': '5997554',
                        }, {
                        'party': other.party.id, 'type': 'phone',
                        'value': '010-61234567',
                        }])
            site.contacts = [phone]
            site.save()

            # the records of this test, whatever others left
            parties = [site.party.id, other.party.id]
            mine = ('party', 'in', parties)

            # kept as the company's area code makes it, in one form
            self.assertEqual(phone.value_compact, '+868395335003')
            self.assertEqual(local.value, '+86 839 599 7554')
            self.assertEqual(local.value_compact, '+868395997554')

            for text, mechanisms in [
                    ('0839-5335003', {phone}),
                    ('08395335003', {phone}),
                    ('5335003', {phone}),
                    ('533 5003', {phone}),
                    ('+86 839 5335003', {phone}),
                    ('+86 839 533 5003', {phone}),
                    ('(0839) 533-5003', {phone}),
                    ('5997554', {local}),
                    ('0839 5997554', {local}),
                    ('139-0839-1234', {mobile}),
                    ('+8613908391234', {mobile}),
                    ('0839', {phone, local, mobile}),
                    ('010 6123 4567', {beijing}),
                    ('61234567', {beijing}),
                    ]:
                with self.subTest(text=text):
                    clause = [('rec_name', 'ilike', f'%{text}%'), mine]
                    self.assertEqual(
                        set(Mechanism.search(clause)), mechanisms)
                    self.assertEqual(
                        set(Party.search(clause[:1] + [
                                ('id', 'in', parties)])),
                        {m.party for m in mechanisms})
                    self.assertEqual(
                        set(Site.search(clause[:1] + [
                                ('id', 'in', [site.id, other.id])])),
                        {s for s in [site, other]
                            if s.party in {m.party for m in mechanisms}})
            # an exact search by a complete number, whatever its form
            self.assertEqual(Mechanism.search([
                        ('rec_name', '=', '0839-5335003'), mine]), [phone])
            # a name is not read as a number
            self.assertEqual(Site.search([
                        ('rec_name', 'ilike', '%School%'),
                        ('id', 'in', [site.id, other.id]),
                        ]), [site, other])
            self.assertEqual(Mechanism.search([
                        ('rec_name', 'not ilike', '%5335003%'),
                        ('party', '=', other.party.id),
                        ]), [beijing])

            # a local number needs the area code, which must be digits
            configuration.phone_area_code = None
            configuration.save()
            with self.assertRaises(InvalidPhoneNumber):
                Mechanism.create([{
                            'party': other.party.id, 'type': 'phone',
                            'value': '5997555',
                            }])
            configuration.phone_area_code = '08a9'
            with self.assertRaisesRegex(ValidationError, '08a9'):
                configuration.save()

    def test_sao_custom_js(self):
        """R-CS-4: sao's custom.js keeps a selection's value shown while
        the form is displayed again, so a button does not take the first
        choice as typed"""
        from werkzeug.test import Client

        from trytond.wsgi import app

        response = Client(app).get('/custom.js')
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.mimetype, 'text/javascript')
        self.assertIn('Sao.View.Form.Selection', response.get_data(True))

    @with_transaction()
    def test_ticket_caller_phone_fills_customer(self):
        """R-CS-1: the caller's number fills the customer, the contact and
        the site when known; an unknown one is offered as a new contact"""
        pool = Pool()
        Configuration = pool.get('service.configuration')
        Mechanism = pool.get('party.contact_mechanism')
        Ticket = pool.get('service.ticket')

        company = create_company()
        with set_company(company):
            configuration = Configuration(1)
            configuration.phone_area_code = '0839'
            configuration.save()
            site, _ = create_site_and_product()
            other, _ = create_site_and_product()
            phone, = Mechanism.create([{
                        'party': site.party.id, 'type': 'phone',
                        'value': '+86 839 533 6008', 'name': "Ms Li",
                        }])

            for number in ['0839-5336008', '5336008', '+86 839 5336008']:
                with self.subTest(number=number):
                    ticket = Ticket(company=company, caller_phone=number)
                    ticket.on_change_caller_phone()
                    self.assertEqual(ticket.party, site.party)
                    self.assertEqual(ticket.contact, phone)
                    self.assertEqual(ticket.site, site)
                    self.assertEqual(ticket.caller_name, "Ms Li")
                    self.assertTrue(ticket.on_change_with_caller_known())

            # a new number: nobody is filled, it is offered as a contact
            ticket = Ticket(company=company, caller_phone='5990001')
            ticket.on_change_caller_phone()
            self.assertIsNone(ticket.party)
            ticket.party = other.party
            ticket.on_change_party()
            self.assertFalse(ticket.on_change_with_caller_known())

            # the customer picked, his contact with the number follows
            ticket = Ticket(company=company, party=site.party)
            ticket.caller_phone = '08395336008'
            ticket.on_change_party()
            self.assertEqual(ticket.contact, phone)

            # opened, the offered contact is kept unless declined
            kept, declined = Ticket.create([{
                        'party': other.party.id, 'subject': "Screen",
                        'caller_phone': '5990001', 'caller_name': "Mr Wu",
                        }, {
                        'party': other.party.id, 'subject': "Screen",
                        'caller_phone': '5990002',
                        'caller_add_contact': False,
                        }])
            Ticket.open([kept, declined])
            self.assertEqual(kept.contact.value, '+86 839 599 0001')
            self.assertEqual(kept.contact.name, "Mr Wu")
            self.assertIsNone(declined.contact)
            self.assertEqual(
                [m.value for m in Mechanism.search([
                            ('party', '=', other.party.id)])],
                ['+86 839 599 0001'])

            # a number that is none is refused when saved, before Open
            with self.assertRaisesRegex(TicketError, '12345'):
                Ticket.create([{
                            'party': other.party.id, 'subject': "Screen",
                            'caller_phone': '12345',
                            }])

    @with_transaction()
    def test_qualification_state_and_coverage(self):
        "R-TRAIN-4: states searched as computed, categories cover children"
        pool = Pool()
        Qualification = pool.get('service.training.qualification')
        Category = pool.get('product.category')
        Date = pool.get('ir.date')

        company = create_company()
        with set_company(company):
            site, product = create_site_and_product()
            displays = Category(name="Displays")
            displays.save()
            panels = Category(name="Panels", parent=displays)
            panels.save()
            product.template.categories = [panels]
            product.template.save()
            ann, bob, cid, dan = create_employees(
                company, "Ann", "Bob", "Cid", "Dan")
            today = Date.today()
            day = dt.timedelta(days=1)
            qualifications = Qualification.create([{
                        'employee': e.id, 'category': displays.id,
                        'valid_from': start, 'valid_to': end,
                        'certificate': b'scan'}
                    for e, start, end in [
                        (ann, today - 10 * day, None),
                        (bob, today - 10 * day, today + 30 * day),
                        (cid, today - 100 * day, today - day),
                        (dan, today + day, today + 400 * day),
                        ]])
            expected = dict(zip(
                    qualifications,
                    ['valid', 'expiring', 'expired', 'future'],
                    strict=True))
            self.assertEqual(
                {q: q.state for q in qualifications}, expected)
            for state in ['valid', 'expiring', 'expired', 'future']:
                matching = {q for q, s in expected.items() if s == state}
                self.assertEqual(
                    set(Qualification.search([('state', '=', state)])),
                    matching)
                self.assertEqual(
                    set(Qualification.search([('state', '!=', state)])),
                    set(qualifications) - matching)
            self.assertEqual(
                set(Qualification.search(
                        [('state', 'in', ['valid', 'expiring'])])),
                set(qualifications[:2]))
            self.assertEqual(
                set(Qualification.search(
                        [('state', 'not in', ['valid', 'expiring'])])),
                set(qualifications[2:]))

            # a category qualification covers the products of its
            # sub-categories, on the day asked
            self.assertEqual(
                Qualification.qualified_employees(product, today),
                {ann.id, bob.id})
            self.assertEqual(
                Qualification.qualified_employees(product, today + 2 * day),
                {ann.id, bob.id, dan.id})


    @with_transaction()
    def test_stamps_are_the_users_own(self):
        """R-ROLE-1..6, R-CS-7: who-stamps are the user's own employee,
        whatever employee the call's context names"""
        pool = Pool()
        Analysis = pool.get('service.fault.analysis')
        Action = pool.get('service.fault.analysis.action')

        company = create_company()
        with set_company(company):
            manager, own = create_role_user(company, 'boss', 'manager')
            other, = create_employees(company, "Other")
            # core trusts only the user's own employees: a forged one
            # stamps nobody
            with as_user(manager, employee=own.id):
                self.assertEqual(user_employee(), own.id)
            for forged in [other.id, 10**9]:
                with as_user(manager, employee=forged):
                    self.assertIsNone(user_employee())
            analysis = Analysis(subject="Lamps", date=dt.date(2030, 1, 7))
            analysis.save()
            proposal, forged_proposal = Action.create([{
                        'analysis': analysis.id, 'kind': 'proposal',
                        'description': "Swap"}] * 2)
            for forged in [other.id, 10**9]:
                with as_user(manager, employee=forged):
                    with self.assertRaises(AccessError):
                        Action.write([proposal], {'decided_by': forged})
            with as_user(manager, employee=10**9):
                Action.accept([forged_proposal])
            with as_user(manager, employee=own.id):
                Action.accept([proposal])
            self.assertEqual(forged_proposal.decision, 'accepted')
            self.assertIsNone(forged_proposal.decided_by)
            self.assertEqual(proposal.decided_by, own)
            self.assertIsNotNone(proposal.decided_date)

    def test_no_context_employee_read(self):
        """R-ROLE: no module code takes the employee from the context
        itself but its defaults (the stamps go through set_employee)"""
        import ast
        import pathlib
        folder = pathlib.Path(__file__).resolve().parent.parent
        offenders = []
        for path in folder.glob('*.py'):
            tree = ast.parse(path.read_text())
            for function in ast.walk(tree):
                if not isinstance(
                        function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                if function.name.startswith('default_'):
                    continue
                source = ast.unparse(function)
                for pattern in ["context.get('employee')",
                        "context['employee']"]:
                    if pattern in source:
                        offenders.append(f'{path.name}:{function.name}')
        self.assertEqual(sorted(set(offenders)), [])

    @with_transaction()
    def test_copy_clears_stamps(self):
        """R-CS-7: a copy keeps no stamp, state-derived date or number,
        for every guarded model"""
        pool = Pool()
        Need = pool.get('service.equipment.need')

        for name, Model in pool.iterobject():
            if not (issubclass(Model, GuardedMixin)
                    and issubclass(Model, ModelSQL)):
                continue
            cleared = Model._copy_cleared()
            for fname, field in Model._fields.items():
                if (isinstance(field, fields.Function) or field.required
                        or fname in Model._copy_kept
                        or fname in Model._copy_never):
                    continue
                stamp = field.readonly and (
                    field._type in {'date', 'datetime', 'timestamp'}
                    or getattr(field, 'model_name', None) in {
                        'company.employee', 'res.user'})
                if stamp or fname == 'state':
                    with self.subTest(model=name, field=fname):
                        self.assertIn(fname, cleared)

        company = create_company()
        with set_company(company):
            site, _ = create_site_and_product()
            need = Need(site=site, kind='replacement', reason="Old")
            need.save()
            Need.accept([need])
            self.assertTrue(need.decided_date)
            copy, = Need.copy([need])
            self.assertEqual(copy.state, Need.default_state())
            self.assertIsNone(copy.decided_by)
            self.assertIsNone(copy.decided_date)

    @with_transaction()
    def test_unqualified_lead_is_the_managers_right(self):
        """R-TRAIN-4, R-ROLE-1: only the manager's right accepts an
        unqualified lead, not a skipped warning; he is stamped"""
        pool = Pool()
        Course = pool.get('service.training.course')
        Equipment = pool.get('service.equipment')
        WorkOrder = pool.get('service.work_order')
        Warning = pool.get('res.user.warning')

        company = create_company()
        with set_company(company):
            site, product = create_site_and_product()
            Course.create([{
                        'name': "Panels", 'kind': 'vendor',
                        'validity_months': 24, 'level': 'basic',
                        'products': [('add', [product.id])]}])
            equipment = Equipment(site=site, product=product)
            equipment.save()
            cs, _ = create_role_user(company, 'desk', 'customer_service')
            manager, boss = create_role_user(company, 'boss', 'manager')
            anna, = create_employees(
                company, "Anna", service_technician=True)
            order = WorkOrder(
                site=site, party=site.party, equipment=equipment,
                planned_start=dt.datetime(2030, 1, 7, 1),
                planned_end=dt.datetime(2030, 1, 7, 3))
            order.save()

            key = Warning.format(
                f'service_desk.unqualified_lead.{anna.id}', [order])
            with as_user(cs, employee=boss.id):
                # over RPC, skip is open to everybody
                with Transaction().set_context(_check_access=False):
                    Warning.skip(key, True)
                with self.assertRaises(UserError):
                    WorkOrder.write([order], {'lead': anna.id})
                with self.assertRaisesRegex(UserError, 'not allowed'):
                    WorkOrder.accept_unqualified_lead([order])

            with as_user(manager, employee=boss.id):
                with self.assertRaises(UserWarning):
                    WorkOrder.write([order], {'lead': anna.id})
                with Transaction().set_context(_check_access=False):
                    Warning.skip(key, False)
                WorkOrder.write([order], {'lead': anna.id})
            self.assertEqual(order.unqualified_lead, anna)
            self.assertEqual(order.unqualified_lead_accepted_by, boss)
            self.assertIsNotNone(order.unqualified_lead_accepted_at)

    @with_transaction()
    def test_contract_states_and_stamps(self):
        """R-ROLE-1: a contract runs on the manager's approval only, stamped
        with the manager's employee; its state, number and stamps are
        never written from outside"""
        pool = Pool()
        Contract = pool.get('service.contract')
        Date = pool.get('ir.date')

        company = create_company()
        with set_company(company):
            site, _ = create_site_and_product()
            cs, desk = create_role_user(company, 'desk', 'customer_service')
            manager, boss = create_role_user(company, 'boss', 'manager')
            with as_user(cs):
                contract, = Contract.create([{
                            'party': site.party.id,
                            'start_date': dt.date(2030, 1, 1),
                            'end_date': dt.date(2030, 12, 31),
                            'price': Decimal(100),
                            'lines': [('create', [{'site': site.id}])],
                            }])
                self.assertTrue(contract.number)
                self.assertEqual(contract.state, 'draft')
                self.assertEqual(
                    contract.notice_date, dt.date(2030, 12, 1))
                with self.assertRaisesRegex(UserError, 'not allowed'):
                    Contract.run([contract])
                for values in [
                        {'state': 'running'}, {'approved_by': desk.id},
                        {'number': 'X'}, {'notice_date': None}]:
                    with self.subTest(values=values), \
                            self.assertRaises(AccessError):
                        Contract.write([contract], values)
                with self.assertRaises(AccessError):
                    Contract.create([{
                                'party': site.party.id,
                                'start_date': dt.date(2030, 1, 1),
                                'end_date': dt.date(2030, 12, 31),
                                'price': Decimal(100),
                                'state': 'running'}])
            with as_user(manager):
                Contract.run([contract])
            self.assertEqual(contract.state, 'running')
            self.assertEqual(contract.approved_by, boss)
            self.assertEqual(contract.approved_date, Date.today())
            with as_user(manager):
                with self.assertRaises(AccessError):
                    Contract.write([contract], {'price': Decimal(1)})
                with self.assertRaises(AccessError):
                    Contract.delete([contract])
                copy, = Contract.copy([contract])
            self.assertEqual(copy.state, 'draft')
            self.assertIsNone(copy.approved_by)
            self.assertIsNone(copy.approved_date)
            self.assertNotEqual(copy.number, contract.number)

    @with_transaction()
    def test_children_of_final_documents_frozen(self):
        """R-CS-7: the child of a final document is frozen through its own
        model (write, create, delete, move); a qualification from a session
        is the session's"""
        pool = Pool()
        Meeting = pool.get('service.meeting')
        Item = pool.get('service.meeting.item')
        Analysis = pool.get('service.fault.analysis')
        Action = pool.get('service.fault.analysis.action')
        Qualification = pool.get('service.training.qualification')

        company = create_company()
        with set_company(company):
            _, product = create_site_and_product()
            manager, boss = create_role_user(company, 'boss', 'manager')
            held, draft = Meeting.create([
                    {'date': dt.date(2030, 1, 7)},
                    {'date': dt.date(2030, 1, 14)}])
            item, = Item.create([{'meeting': held.id, 'topic': "Lamps"}])
            Meeting.hold([held])
            analysis = Analysis(subject="Lamps", date=dt.date(2030, 1, 7))
            analysis.save()
            other = Analysis(subject="Fans", date=dt.date(2030, 1, 7))
            other.save()
            action, = Action.create([{
                        'analysis': other.id, 'description': "Clean"}])
            Analysis.write([analysis], {'state': 'closed'})
            qualification, = Qualification.create([{
                        'employee': boss.id, 'product': product.id,
                        'valid_from': dt.date(2030, 1, 7),
                        'valid_to': dt.date(2031, 1, 7),
                        'source': 'session'}])

            with as_user(manager):
                for call in [
                        lambda: Item.write([item], {'topic': "Forged"}),
                        lambda: Item.write([item], {'meeting': draft.id}),
                        lambda: Item.create([{
                                    'meeting': held.id, 'topic': "New"}]),
                        lambda: Item.delete([item]),
                        lambda: Meeting.write([draft], {
                                'items': [('add', [item.id])]}),
                        lambda: Action.create([{
                                    'analysis': analysis.id,
                                    'description': "Late"}]),
                        lambda: Action.write([action], {
                                'analysis': analysis.id}),
                        lambda: Qualification.write([qualification], {
                                'valid_to': dt.date(2099, 1, 1)}),
                        lambda: Qualification.write([qualification], {
                                'level': 'expert'}),
                        lambda: Qualification.copy([qualification], {
                                'valid_to': dt.date(2099, 1, 1)}),
                        lambda: Qualification.create([{
                                    'employee': boss.id,
                                    'product': product.id,
                                    'valid_from': dt.date(2030, 1, 7),
                                    'source': 'session'}]),
                        ]:
                    with self.assertRaises(AccessError):
                        call()
                # a certificate is the manager's to record
                Qualification.create([{
                            'employee': boss.id, 'product': product.id,
                            'valid_from': dt.date(2030, 1, 7),
                            'certificate': b'scan'}])
            self.assertEqual(item.meeting, held)
            self.assertEqual(item.topic, "Lamps")
            self.assertEqual(action.analysis, other)
            self.assertEqual(qualification.valid_to, dt.date(2031, 1, 7))

    @with_transaction()
    def test_presales_proposals_created_together_numbered(self):
        """The proposals of an opportunity created in one call are its
        next versions one after the other (R-PRE-3)"""
        pool = Pool()
        Opportunity = pool.get('sale.opportunity')
        Party = pool.get('party.party')
        Proposal = pool.get('service.presales.proposal')

        with set_company(create_company()):
            customer = Party(name="Customer")
            customer.save()
            first, second = Opportunity.create([
                    {'party': customer.id, 'description': "One"},
                    {'party': customer.id, 'description': "Two"},
                    ])
            proposals = Proposal.create([
                    {'opportunity': first.id, 'title': "A"},
                    {'opportunity': second.id, 'title': "B"},
                    {'opportunity': first.id, 'title': "A"},
                    ])
            self.assertEqual([p.version for p in proposals], [1, 1, 2])
            later, = Proposal.create([
                    {'opportunity': first.id, 'title': "A"}])
            self.assertEqual(later.version, 3)

    @with_transaction()
    def test_presales_installation_links_planned_lines(self):
        """The installation of a surveyed site puts one item a unit
        planned in the register, each planned line linked to its first
        item (R-PRE-4)"""
        pool = Pool()
        Equipment = pool.get('service.equipment')
        Opportunity = pool.get('sale.opportunity')
        Survey = pool.get('service.presales.site_survey')

        with set_company(create_company()):
            site, product = create_site_and_product()
            opportunity, = Opportunity.create([
                    {'party': site.party.id, 'description': "Project"}])
            survey, = Survey.create([{
                        'opportunity': opportunity.id,
                        'site': site.id,
                        'survey_date': dt.date(2026, 3, 2),
                        'lines': [('create', [
                                    {'product': product.id, 'quantity': 2,
                                        'location': "Room 1"},
                                    {'product': product.id, 'quantity': 1,
                                        'location': "Room 2"},
                                    ])],
                        }])
            Survey.do([survey])
            Survey.hand_over([survey])
            Survey.install([survey], {survey.id: dt.date(2026, 3, 9)})

            survey = Survey(survey.id)
            self.assertEqual(survey.state, 'installed')
            items = Equipment.search(
                [('site', '=', site.id)], order=[('id', 'ASC')])
            self.assertEqual(
                [(e.location, e.installation_date) for e in items],
                [("Room 1", dt.date(2026, 3, 9))] * 2
                + [("Room 2", dt.date(2026, 3, 9))])
            self.assertEqual(
                [line.equipment for line in survey.lines],
                [items[0], items[2]])

    @with_transaction()
    def test_guard_children_declared(self):
        """R-CS-7: every model of the module reached through its parent
        (__access__) from a guarded document declares it as its guard
        parent, so that it is frozen with it"""
        pool = Pool()
        missing = []
        for name, Model in pool.iterobject():
            if not issubclass(Model, ModelSQL):
                continue
            for fname in getattr(Model, '__access__', set()):
                field = Model._fields.get(fname)
                if (not field or not hasattr(field, 'get_target')
                        or getattr(field, 'ondelete', None) != 'CASCADE'):
                    continue
                Parent = field.get_target()
                if not (issubclass(Parent, GuardedMixin)
                        and 'state' in Parent._fields
                        and not isinstance(
                            Parent._fields['state'], fields.Function)):
                    continue
                guard = getattr(Model, '_guard_parent', None)
                if not (issubclass(Model, GuardedMixin) and guard
                        and guard[0] == fname):
                    missing.append(f'{name}.{fname}')
        self.assertEqual(missing, [])

    @with_transaction()
    def test_search_access_through_relations(self):
        """R-ROLE-3: a field engineer does not learn another engineer's
        score by searching on it from another model; nobody orders on
        password data through a path"""
        pool = Pool()
        Course = pool.get('service.training.course')
        Session = pool.get('service.training.session')
        Attendee = pool.get('service.training.attendee')
        Employee = pool.get('company.employee')
        Meeting = pool.get('service.meeting')

        company = create_company()
        with set_company(company):
            field, own = create_role_user(company, 'fe', 'field_engineer')
            bob, = create_employees(company, "Bob")
            course, = Course.create([{
                        'name': "Panels", 'kind': 'internal',
                        'validity_months': 0, 'level': 'basic'}])
            session, = Session.create([{'course': course.id}])
            Attendee.create([
                    {'session': session.id, 'employee': bob.id,
                        'attendance': 'present', 'score': 91},
                    {'session': session.id, 'employee': own.id,
                        'attendance': 'present', 'score': 42},
                    ])
            with as_user(field):
                self.assertEqual(Employee.search([
                            ('training_attendances.score', '>', 90)]), [])
                self.assertEqual(Employee.search([
                            ('training_attendances', 'where',
                                [('score', '>', 90)])]), [])
                self.assertEqual(Employee.search([
                            ('training_attendances.score', '<', 50)]), [own])
                for Model in [Session, Employee, Meeting, Attendee]:
                    for path in ['create_uid.password_hash',
                            'write_uid.password_reset']:
                        with self.subTest(model=Model.__name__, path=path):
                            with self.assertRaises(AccessError):
                                Model.search([], order=[(path, 'ASC')])

    @with_transaction()
    def test_knowledge_search_chinese_word(self):
        """R-ENG-1: a two-character Chinese word inside a sentence finds
        the article, in whichever language it was written"""
        pool = Pool()
        Article = pool.get('service.knowledge.article')
        Lang = pool.get('ir.lang')

        chinese, = Lang.search([('code', '=', 'zh_CN')])
        Lang.write([chinese], {'translatable': True})
        company = create_company()
        with set_company(company):
            switch, printer = Article.create([{
                        'kind': 'how_to',
                        'title': "Switch lights",
                        'body': "A steady light: the port is connected.",
                        }, {
                        'kind': 'how_to',
                        'title': "打印机卡纸处理",
                        'body': "打开后盖，轻轻取出卡住的纸张，不要硬拉。",
                        }])
            with Transaction().set_context(language='zh_CN'):
                Article.write([switch], {
                        'title': "交换机指示灯说明",
                        'body': "前面板指示灯常亮表示端口已连接，"
                        "闪烁表示正在传输数据。",
                        })
            Article.publish([switch, printer])

            def found(*clause):
                return Article.search([clause], order=[('id', 'ASC')])

            self.assertEqual(found('words', 'ilike', '%端口%'), [switch])
            self.assertEqual(found('words', '=', '端口'), [switch])
            self.assertEqual(found('words', 'ilike', '%PORT%'), [switch])
            self.assertEqual(found('words', 'ilike', '%纸张%'), [printer])
            self.assertEqual(found('rec_name', 'ilike', '%卡住%'), [printer])
            self.assertEqual(found('words', 'ilike', '%投影%'), [])
            # a word with a wildcard of SQL is a word
            self.assertEqual(found('words', '=', '%'), [])
            # the text of a new version replaces the old one
            Article.revise([printer])
            Article.write([printer], {'body': "更换硒鼓后打印一张测试页。"})
            self.assertEqual(found('words', 'ilike', '%纸张%'), [])
            self.assertEqual(found('words', 'ilike', '%硒鼓%'), [printer])

    @with_transaction()
    def test_knowledge_versions_and_suggestions(self):
        """R-ENG-1, R-ROLE-1: each publication is a version stamped by the
        server; the published articles of the product and of the fault
        code are suggested, the fault code first"""
        pool = Pool()
        Article = pool.get('service.knowledge.article')
        Equipment = pool.get('service.equipment')
        FaultCategory = pool.get('service.fault.category')
        Ticket = pool.get('service.ticket')

        company = create_company()
        with set_company(company):
            user, employee = create_role_user(
                company, 'engineer', 'technical_engineer')
            site, product = create_site_and_product()
            item = Equipment(site=site, product=product)
            item.save()
            display, = FaultCategory.create([{'name': "显示"}])
            symptom, = FaultCategory.create([{
                        'name': "无画面", 'kind': 'symptom',
                        'parent': display.id}])
            about_product, about_code, draft = Article.create([{
                        'kind': 'product', 'title': "投影仪资料",
                        'body': "亮度3000流明。",
                        'products': [('add', [product.id])],
                        }, {
                        'kind': 'known_fault', 'title': "无画面的处理",
                        'body': "清洗滤网。",
                        'fault_codes': [('add', [symptom.id])],
                        }, {
                        'kind': 'known_fault', 'title': "草稿",
                        'body': "未发布。",
                        'products': [('add', [product.id])],
                        }])
            with as_user(user, company=company.id):
                Article.publish([about_product, about_code])
                with self.assertRaises(AccessError):
                    Article.write([about_code], {'version': 7})
            version, = about_code.versions
            self.assertEqual(
                (version.number, version.published_by), (1, employee))
            self.assertEqual(about_code.published_by, employee)

            ticket, = Ticket.create([{
                        'subject': "无画面", 'equipment': item.id,
                        'site': site.id, 'party': site.party.id,
                        'symptom_code': symptom.id}])
            self.assertEqual(
                ticket.suggested_articles, (about_code, about_product))
            other, = Ticket.create([{'subject': "咨询"}])
            self.assertEqual(other.suggested_articles, ())
    @with_transaction()
    def test_knowledge_subject_words_and_published_answer(self):
        """R-ENG-1, R-CS-9: the words of the subject suggest the published
        articles that hold two of them, inside Chinese sentences too, the
        most words first; the engineer who answered an inquiry publishes
        his answer as an article that lists the ticket, another engineer
        may not"""
        pool = Pool()
        Article = pool.get('service.knowledge.article')
        Ticket = pool.get('service.ticket')
        from ..knowledge import subject_terms

        self.assertEqual(
            subject_terms("投影仪灯泡 Lamp of EB-X05"), {
                '投影': 0, '影仪': 1, '仪灯': 2, '灯泡': 3, 'lamp': 6,
                'x05': 17})
        company = create_company()
        with set_company(company):
            engineer, employee = create_role_user(
                company, 'engineer', 'technical_engineer')
            other, _ = create_role_user(
                company, 'other', 'technical_engineer')
            lamp, lamp_time, paper, draft = Article.create([{
                        'kind': 'how_to', 'title': "投影仪更换灯泡的方法",
                        'body': "关机冷却后拧下螺丝，取出旧灯泡。",
                        }, {
                        'kind': 'how_to', 'title': "灯泡使用时间清零",
                        'body': "在菜单里清零。",
                        }, {
                        'kind': 'how_to', 'title': "Printer paper jam",
                        'body': "Open the tray and remove the jammed paper.",
                        }, {
                        'kind': 'how_to', 'title': "草稿：投影仪灯泡",
                        'body': "未发布。",
                        }])
            Article.publish([lamp, lamp_time, paper])
            tickets = Ticket.create([
                    {'subject': "老师问投影仪怎么换灯泡"},
                    {'subject': "投影仪灯泡清零"},
                    {'subject': "The printer has a paper JAM"},
                    {'subject': "打印机卡纸"},
                    ])
            # one batch of tickets read together
            self.assertEqual(
                [t.suggested_articles for t in Ticket.browse(tickets)],
                [(lamp,), (lamp, lamp_time), (paper,), ()])

            site, _ = create_site_and_product()
            inquiry, = Ticket.create([{
                        'subject': "投影仪的灯泡能用多久", 'type': 'inquiry',
                        'site': site.id, 'party': site.party.id}])
            Ticket.open([inquiry])
            with self.assertRaises(UserError):
                Ticket.publish_answer([inquiry])
            with as_user(engineer, company=company.id):
                Ticket.write([inquiry], {
                        'technical_answer': "灯泡约可使用三千小时。"})
            with as_user(other, company=company.id):
                with self.assertRaises(UserError):
                    Ticket.publish_answer([inquiry])
            with as_user(engineer, company=company.id):
                action = Ticket.publish_answer([inquiry])
                article, = inquiry.answer_articles
                self.assertEqual(action['res_id'], [article.id])
                # pressed again, the draft opens again
                self.assertEqual(
                    Ticket.publish_answer([inquiry])['res_id'], [article.id])
                with self.assertRaises(AccessError):
                    Article.write([article], {'ticket': None})
                Article.publish([article])
            self.assertEqual(
                (article.title, article.body, article.ticket),
                ("投影仪的灯泡能用多久", "灯泡约可使用三千小时。", inquiry))
            self.assertEqual(article.resolved_tickets, (inquiry,))
            self.assertIsNone(Article.copy([article])[0].ticket)


del ModuleTestCase
