# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Forgeries over JSON-RPC, as each demo role, against a running trytond

What the web client shows read-only, what only a button may change and
what a role may not see is refused by the server too, and the record is
unchanged afterwards (R-ROLE-1..6, R-CS-2, R-CS-7, R-PART-5).
"""
import base64
import datetime as dt
import itertools
import json
import urllib.request

import pytest

pytestmark = pytest.mark.demo_server

_ids = itertools.count(1)


class RPCError(Exception):
    "The error answered by the server: [kind, (message, description...)]"

    @property
    def message(self):
        kind, args = self.args[0][0], self.args[0][1]
        return args[0] if kind == 'UserError' else str(self.args[0])


class Client:
    "A JSON-RPC session of a demo user, the way sao talks to the server"

    def __init__(self, url, database, login, password):
        self.url = f'{url}{database}/rpc/'
        self.login = login
        self.session = None
        user_id, key, _ = self.call(
            'common.db.login', login, {'password': password}, 'en')
        self.session = base64.b64encode(
            f'{login}:{user_id}:{key}'.encode()).decode()
        self.context = self.call(
            'model.res.user.get_preferences', True, {})
        # the messages the assertions read
        self.context['language'] = 'en'

    def call(self, method, *params):
        data = json.dumps({
                'id': next(_ids), 'method': method, 'params': params,
                }, default=_default).encode()
        request = urllib.request.Request(self.url, data=data, headers={
                'Content-Type': 'application/json'})
        if self.session:
            request.add_header('Authorization', f'Session {self.session}')
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        if 'error' in answer:
            raise RPCError(answer['error'])
        return answer['result']

    def __call__(self, model, method, *params):
        return self.call(f'model.{model}.{method}', *params, self.context)

    def search(self, model, domain, **kwargs):
        return self(model, 'search', domain, kwargs.get('offset', 0),
            kwargs.get('limit'), kwargs.get('order'))

    def read(self, model, ids, fields):
        return self(model, 'read', ids, fields)

    def refused(self, model, method, *params):
        "Call the method and return the error message, fail if accepted"
        try:
            self(model, method, *params)
        except RPCError as error:
            return error.message
        pytest.fail(f"{self.login} could call {model}.{method}{params}")


def _default(value):
    if isinstance(value, dt.datetime):
        return {'__class__': 'datetime', 'year': value.year,
            'month': value.month, 'day': value.day, 'hour': value.hour,
            'minute': value.minute, 'second': value.second,
            'microsecond': value.microsecond}
    raise TypeError(value)


@pytest.fixture(scope='module')
def users(demo_server):
    return {login: Client(
            demo_server, demo_server.database, login, demo_server.password)
        for login in demo_server.logins}


def requisition_of(client, reason):
    ids = client.search('service.requisition', [('reason', 'ilike', reason)])
    assert len(ids) == 1, reason
    return ids[0]


def test_requisition_approval_cannot_be_forged(users):
    "R-PART-5: only the buttons approve and issue, as the right role"
    field, keeper, manager = users['field'], users['keeper'], users['manager']
    touch = requisition_of(field, '%触摸框损坏%')
    fields = ['state', 'approved_by', 'approved_at', 'issued_by']
    before = field.read('service.requisition', [touch], fields)

    message = field.refused(
        'service.requisition', 'write', [touch], {'state': 'approved'})
    assert '"State"' in message and 'set by the buttons' in message
    field.refused('service.requisition', 'write', [touch], {
            'approved_by': manager.context['employee']})
    field.refused('service.requisition', 'write', [touch], {
            'approved_at': dt.datetime(2026, 1, 1)})
    keeper.refused(
        'service.requisition', 'write', [touch], {'state': 'approved'})
    # the keeper's button refuses it: above the keeper's limit
    assert 'only the service manager' in keeper.refused(
        'service.requisition', 'approve', [touch])
    assert field.read('service.requisition', [touch], fields) == before

    # the manager's button approves it, and stamps who did
    manager('service.requisition', 'approve', [touch])
    touch_read, = manager.read('service.requisition', [touch], fields)
    assert touch_read['state'] == 'approved'
    assert touch_read['approved_by'] == manager.context['employee']

    # nothing changes on the approved slip but by the buttons
    line, = field.search(
        'service.requisition.line', [('requisition', '=', touch)])
    line_before = field.read(
        'service.requisition.line', [line], ['quantity', 'product'])
    field.refused(
        'service.requisition.line', 'write', [line], {'quantity': 5})
    field.refused('service.requisition', 'write', [touch], {
            'lines': [('write', [line], {'quantity': 5})]})
    assert 'cannot add, change or remove' in field.refused(
        'service.requisition.line', 'create', [{
                'requisition': touch,
                'product': line_before[0]['product'],
                'quantity': 1, 'unit': 1,
                'from_location': 1}])
    field.refused('service.requisition.line', 'delete', [line])
    field.refused(
        'service.requisition', 'write', [touch], {'state': 'issued'})
    assert field.read(
        'service.requisition.line', [line],
        ['quantity', 'product']) == line_before
    assert field.read(
        'service.requisition', [touch], ['state'])[0]['state'] == 'approved'


def test_issued_requisition_is_frozen(users):
    keeper = users['keeper']
    issued = requisition_of(keeper, '%投影仪灯泡烧坏%')
    lines = keeper.search(
        'service.requisition.line', [('requisition', '=', issued)])
    before = keeper.read('service.requisition.line', lines, ['quantity'])
    keeper.refused(
        'service.requisition.line', 'write', lines, {'quantity': 9})
    keeper.refused('service.requisition', 'write', [issued], {
            'reason': "changed", 'state': 'draft'})
    keeper.refused('service.requisition', 'delete', [issued])
    assert keeper.read(
        'service.requisition.line', lines, ['quantity']) == before


def test_requisition_copy_cannot_forge_state(users):
    field = users['field']
    rejected = requisition_of(field, '%投影仪不亮%')
    field.refused('service.requisition', 'copy', [rejected], {
            'state': 'approved'})
    field.refused('service.requisition', 'copy', [rejected], {
            'number': 'LY-FORGED'})


def test_bad_quantities_are_refused(users):
    field = users['field']
    touch = requisition_of(field, '%触摸框损坏%')
    line, = field.search(
        'service.requisition.line', [('requisition', '=', touch)])
    values, = field.read(
        'service.requisition.line', [line],
        ['product', 'unit', 'from_location'])
    draft = field('service.requisition', 'copy', [touch], {})[0]
    for quantity in [1e300, float('inf'), 0, -1, 1001]:
        message = field.refused('service.requisition', 'write', [draft], {
                'lines': [('create', [{
                                'product': values['product'],
                                'unit': values['unit'],
                                'from_location': values['from_location'],
                                'quantity': quantity}])]})
        assert message, quantity
    assert len(field.search(
            'service.requisition.line', [('requisition', '=', draft)])) == 1
    field('service.requisition', 'write', [draft], {
            'cancel_reason': "数量录错 Wrong quantities"})
    field('service.requisition', 'cancel', [draft])


def test_complaint_review_and_closed_ticket_cannot_be_forged(users):
    "R-CS-2, R-CS-7: the manager reviews complaints, closed stays closed"
    cs = users['cs']
    complaint, = cs.search('service.ticket', [
            ('type', '=', 'complaint'), ('state', '=', 'open')], limit=1)
    cs.refused('service.ticket', 'write', [complaint], {
            'reviewed_by': users['manager'].context['employee']})
    cs.refused('service.ticket', 'write', [complaint], {
            'reviewed_at': dt.datetime(2026, 1, 1)})
    assert cs.read('service.ticket', [complaint], ['reviewed_by'])[0][
        'reviewed_by'] is None

    resolved, = cs.search('service.ticket', [
            ('state', '=', 'resolved')], limit=1)
    cs('service.ticket', 'close', [resolved])
    fields = ['state', 'subject', 'description', 'received_at']
    before = cs.read('service.ticket', [resolved], fields)
    assert before[0]['state'] == 'closed'
    cs.refused('service.ticket', 'write', [resolved], {'state': 'draft'})
    cs.refused('service.ticket', 'write', [resolved], {'subject': "forged"})
    cs.refused('service.ticket', 'write', [resolved], {
            'description': "forged"})
    cs.refused('service.ticket', 'write', [resolved], {
            'received_at': dt.datetime(2020, 1, 1)})
    cs.refused('service.ticket', 'delete', [resolved])
    assert cs.read('service.ticket', [resolved], fields) == before


def test_implausible_ticket_is_refused(users):
    cs = users['cs']
    for received_at in [dt.datetime(1, 1, 1), dt.datetime(2999, 1, 1)]:
        cs.refused('service.ticket', 'create', [{
                    'subject': "bad date", 'received_at': received_at}])
    assert not cs.search('service.ticket', [('subject', '=', "bad date")])


def test_phone_numbers_are_validated(users):
    "China is the default region, letters are no phone number"
    cs = users['cs']
    party = cs('party.party', 'create', [{'name': "电话测试学校"}])[0]
    for value in ['CALL-ME-NOW', '138abc00138']:
        assert value in cs.refused('party.contact_mechanism', 'create', [{
                    'party': party, 'type': 'mobile', 'value': value}])
    mechanism, = cs('party.contact_mechanism', 'create', [{
                'party': party, 'type': 'mobile', 'value': '13800138000'}])
    assert cs.read('party.contact_mechanism', [mechanism], ['value'])[0][
        'value'] == '+86 138 0013 8000'


def test_done_work_order_report_is_frozen(users):
    field = users['field']
    order, = field.search('service.work_order', [
            ('state', '=', 'scheduled'), ('kind', '=', 'repair'),
            ('equipment', '!=', None),
            ('lead', '=', field.context['employee'])], limit=1)
    field('service.work_order', 'start', [order])
    field('service.work_order', 'write', [order], {
            'action_taken': "更换电源 Power supply replaced",
            'equipment_state_after': 'in_service'})
    field('service.work_order', 'do', [order])
    field.refused('service.work_order', 'write', [order], {
            'action_taken': "forged"})
    field.refused('service.work_order', 'write', [order], {
            'state': 'in_progress'})
    assert field.read('service.work_order', [order], ['action_taken'])[0][
        'action_taken'] == "更换电源 Power supply replaced"


@pytest.mark.parametrize('login', ['cs', 'field'])
def test_cost_price_is_private(users, login):
    client = users[login]
    product, = client.search('product.product', [], limit=1)
    template, = client.search('product.template', [], limit=1)
    for model, record in [
            ('product.product', product), ('product.template', template)]:
        assert 'not allowed' in client.refused(
            model, 'read', [record], ['cost_price'])
    # neither by a domain nor by an order, one guess at a time
    assert 'not allowed' in client.refused(
        'product.cost_price.revision', 'search', [
            ('cost_price', 'like', '1%')], 0, None, None)
    assert 'not allowed' in client.refused(
        'product.cost_price.revision', 'search', [], 0, None, [
            ('cost_price', 'ASC')])
    assert 'not allowed' in client.refused(
        'product.cost_price.revision', 'search', [
            ('product.cost_value', '>', 0)], 0, None, None)
    # what they need of a product stays readable
    assert client.read('product.product', [product], ['rec_name'])


@pytest.mark.parametrize('login', ['keeper', 'manager', 'accountant'])
def test_cost_price_is_read_by_those_who_value_stock(users, login):
    client = users[login]
    product, = client.search('product.product', [('type', '=', 'goods')],
        limit=1)
    values, = client.read('product.product', [product], ['cost_price'])
    assert values['cost_price'] is not None
    client.search('product.cost_price.revision', [
            ('cost_price', 'like', '1%')])


@pytest.mark.parametrize('login', ['cs', 'field', 'manager', 'accountant'])
def test_password_data_is_private(users, login):
    client = users[login]
    for field in ['password_hash', 'password_reset']:
        assert 'not allowed' in client.refused('res.user', 'search', [
                ('id', '=', 1), (field, 'like', '$argon2%')], 0, None, None)
        assert 'not allowed' in client.refused(
            'res.user', 'search', [], 0, None, [(field, 'ASC')])
        # not through another model's link to the users either
        assert 'not allowed' in client.refused('service.ticket', 'search', [
                (f'create_uid.{field}', 'like', '$argon2%')], 0, None, None)
        values, = client.read('res.user', [1], [field])
        assert values[field] is None
