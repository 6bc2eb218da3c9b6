# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The demo shows the whole department: every list a demo role opens from
its menu has records (R-ROLE-1..6, R-TRAIN, R-ENG, R-INSP, R-PART, R-DATA)

The menus are those the server gives each demo user, their lists the
actions' domains as sao sends them: with the action's context and, for a
report, the defaults of its filter.  A board, a form of one record (the
configuration) and a wizard are not lists.

The menus are the department's (Service) and the core lists its roles
work in: the customer invoices of the chargeable repairs and the hours on
site.  The lists of one's own visits of the day are for the technicians.
"""
import json

import pytest
from test_rpc_integrity import Client
from trytond.protocols.jsonrpc import JSONEncoder
from trytond.pyson import PYSONDecoder

pytestmark = pytest.mark.demo_server

ROOT = 'Service / '
CORE = {
    'Financial / Invoices / Customer Invoices',
    'Timesheet / Lines',
    }
TECHNICIANS = {'engineer', 'field', 'field2'}
OWN_VISITS = 'Service / Work Orders / My Work Orders Today'


def _plain(value):
    "The value as sao sends it: dates in Tryton's JSON form"
    return json.loads(json.dumps(value, cls=JSONEncoder))


def _lists(client):
    "Yield (menu path, model, domain, context) of the user's list menus"
    menu_ids = client.search('ir.ui.menu', [])
    menus = {m['id']: m for m in client.read(
            'ir.ui.menu', menu_ids, ['complete_name', 'action'])}
    for menu in sorted(menus.values(), key=lambda m: m['complete_name']):
        path = menu['complete_name']
        if not path.startswith(ROOT) and path not in CORE:
            continue
        if path == OWN_VISITS and client.login not in TECHNICIANS:
            continue
        action = menu['action']
        if not action or not action.startswith('ir.action.act_window,'):
            continue
        action_id = int(action.split(',')[1])
        window, = client.read('ir.action.act_window', [action_id], [
                'res_model', 'pyson_domain', 'pyson_context',
                'context_model'])
        views = client.read('ir.action.act_window.view', [
                v for v in client.search('ir.action.act_window.view', [
                        ('act_window', '=', action_id)])], ['view'])
        types = {v['type'] for v in client.read('ir.ui.view', [
                    v['view'] for v in views], ['type'])}
        if (not window['res_model']
                or not types & {'tree', 'calendar', 'graph'}):
            continue
        decoder = PYSONDecoder(dict(client.context, context=client.context))
        context = dict(client.context)
        context.update(decoder.decode(window['pyson_context'] or '{}'))
        if window['context_model']:
            fields = client.call(
                f"model.{window['context_model']}.fields_get", None,
                client.context)
            context.update(client.call(
                    f"model.{window['context_model']}.default_get",
                    list(fields), False, context))
        decoder = PYSONDecoder(dict(context, context=context))
        domain = decoder.decode(window['pyson_domain'] or '[]')
        yield path, window['res_model'], _plain(domain), _plain(context)


@pytest.mark.parametrize('login', [
        'manager', 'engineer', 'field', 'cs', 'keeper', 'accountant'])
def test_every_menu_of_the_role_lists_records(demo_server, login):
    "None of the role's menu entries opens an empty list"
    client = Client(
        demo_server, demo_server.database, login, demo_server.password)
    empty, seen = [], 0
    for path, model, domain, context in _lists(client):
        seen += 1
        count = client.call(
            f'model.{model}.search_count', domain, 0, None, context)
        if not count:
            empty.append(f'{path} ({model})')
    assert seen > 5, login
    assert not empty, f"{login} opens empty lists: " + ', '.join(empty)
