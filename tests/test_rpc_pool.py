# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Every model of the module, as every demo role, over JSON-RPC

The models are those the pool of the demo server registers for
service_desk (ir.model), their fields and buttons as the server describes
them (fields_get, ir.model.button): a model added to the module is tried
without a line of this file.  Each call expects a refusal or no effect,
never a server error (R-ROLE-1..6, R-CS-7).

Tried for each model and role, on a record the role sees in each state:
writing each read-only, state and stamp field (an employee of another
role, an id that does not exist); moving a child of a final document to
another document; copying a final record (refused, or a copy in the first
state without stamps); creating in a final state; deleting a final record;
pressing the buttons of the other roles; ordering by a path to the
password data of the users.
"""
import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
import urllib.error

import pytest
from test_rpc_integrity import Client, RPCError

from demo import ADMIN_PASSWORD

pytestmark = pytest.mark.demo_server

MODULE = 'service_desk'
# an id no record has
NOWHERE = 10 ** 9
SECRET_PATHS = ['create_uid.password_hash', 'write_uid.password_reset']
STAMP_TYPES = {'date', 'datetime', 'timestamp'}
STAMP_RELATIONS = {'company.employee', 'res.user'}
# the errors of the server that are answers to the user
REFUSALS = {'UserError', 'UserWarning', 'ConcurrencyException'}
# the calls that failed with a server error
CRASHES = []


class Outcome:
    "What a call gave: a refusal, a result, or a server error"

    def __init__(self, client, model, method, *params):
        self.call = f'{client.login}: {model}.{method}{params!r}'
        self.refused = self.result = None
        try:
            self.result = client(model, method, *params)
        except RPCError as error:
            # a server error is answered as its text and traceback
            if error.args[0][0] not in REFUSALS:
                CRASHES.append(f'{self.call} failed: {error.args[0][0]}\n'
                    f'{str(error.args[0][1])[-1500:]}')
            self.refused = error
        except urllib.error.HTTPError as error:
            assert error.code < 500, f'{self.call} answered {error.code}'
            self.refused = error

    @property
    def accepted(self):
        return self.refused is None


@pytest.fixture(scope='module')
def admin(demo_server):
    return Client(
        demo_server, demo_server.database, 'admin', ADMIN_PASSWORD)


@pytest.fixture(scope='module')
def roles(demo_server, admin):
    "The demo users, each with his groups and the groups above them"
    parents = {g['id']: g['parent'] for g in admin.read(
            'res.group', admin.search('res.group', []), ['parent'])}
    clients = {}
    for login in demo_server.logins:
        client = Client(
            demo_server, demo_server.database, login, demo_server.password)
        groups = set(client.call(
                'model.res.user.get_preferences', False,
                client.context).get('groups', []))
        for group in list(groups):
            while parents.get(group):
                group = parents[group]
                groups.add(group)
        client.groups = groups
        clients[login] = client
    return clients


@pytest.fixture(scope='module')
def models(admin):
    "The models of the module in the pool, with their buttons' groups"
    model_ids = admin.search('ir.model', [('module', '=', MODULE)])
    names = sorted(m['name'] for m in admin.read(
            'ir.model', model_ids, ['name']))
    button_ids = admin.search('ir.model.button', [])
    buttons = {}
    for button in admin.read(
            'ir.model.button', button_ids, ['model', 'name', 'groups']):
        model = button['model']
        if isinstance(model, int):
            model, = admin.read('ir.model', [model], ['name'])
            model = model['name']
        buttons.setdefault(model, []).append(
            (button['name'], set(button['groups'])))
    assert len(names) > 50, names
    return {name: buttons.get(name, []) for name in names}


_described = {}
_defaults = {}


def _describe(client, model):
    "Return the fields the role reads of model, or None"
    key = (client.login, model)
    if key not in _described:
        outcome = Outcome(client, model, 'fields_get', None)
        _described[key] = outcome.result if outcome.accepted else None
    return _described[key]


def _default_state(client, model):
    "Return the state a new record of model takes"
    key = (client.login, model)
    if key not in _defaults:
        outcome = Outcome(client, model, 'default_get', ['state'])
        _defaults[key] = (outcome.result or {}).get('state')
    return _defaults[key]


def _date(value):
    "A date as JSON-RPC sends it"
    return {'__class__': 'date', 'year': value.year, 'month': value.month,
        'day': value.day}


def _records(client, model, fields):
    """Return a record the role reads in the first state and one in the
    last state that has one (one record when the model has no state)"""
    order = [('id', 'DESC')]
    selection = fields.get('state', {}).get('selection')
    if not isinstance(selection, list):
        outcome = Outcome(
            client, model, 'search_read', [], 0, 1, order, list(fields))
        return outcome.result if outcome.accepted else []
    records = []
    for values in [selection, selection[::-1]]:
        for value, _ in values:
            outcome = Outcome(client, model, 'search_read', [
                    ('state', '=', value)], 0, 1, order, list(fields))
            if outcome.accepted and outcome.result:
                records.extend(outcome.result)
                break
    return list({r['id']: r for r in records}.values())


def _value_id(value):
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value


def _forged_values(name, field, current, others):
    "Yield values other than current for the field"
    kind = field['type']
    if kind == 'many2one':
        relation = field['relation']
        for other in others.get(relation, []):
            if other != _value_id(current):
                yield other
                break
        yield NOWHERE
    elif kind in {'char', 'text'}:
        yield 'FORGED'
    elif kind == 'date':
        yield _date(dt.date(2099, 1, 1))
    elif kind in {'datetime', 'timestamp'}:
        yield dt.datetime(2099, 1, 1, 1, 1, 1)
    elif kind in {'integer', 'float'}:
        yield 7 if current != 7 else 8
    elif kind == 'boolean':
        yield not current
    elif kind == 'selection' and isinstance(field.get('selection'), list):
        for value, _ in field['selection']:
            if value != current and value is not None:
                yield value
                break


def _guarded_fields(fields):
    "The fields only the buttons or the server change: read-only, state"
    return {n: f for n, f in fields.items()
        if (f.get('readonly') or n == 'state')
        and n not in {'id', 'rec_name', 'create_uid', 'create_date',
            'write_uid', 'write_date'}
        and '.' not in n}


def _unchanged(client, model, record, names):
    outcome = Outcome(client, model, 'read', [record['id']], names)
    if not outcome.accepted:
        return True
    after, = outcome.result
    return all(_value_id(after[n]) == _value_id(record[n]) for n in names)


def _parent_fields(client, model, fields):
    """Return {field: parent model} of the required many2one fields of
    model whose target edits its records in a one2many (lines, items,
    actions...)"""
    parents = {}
    for name, field in fields.items():
        # a parent field with read-only states of its own decides for
        # itself (a return of parts is a document of its own)
        if (field['type'] != 'many2one' or name == 'company'
                or not field.get('required')
                or 'readonly' in (field.get('states') or '')):
            continue
        parent_fields = _describe(client, field['relation']) or {}
        if 'state' in parent_fields and any(
                f['type'] == 'one2many' and f.get('relation') == model
                and f.get('relation_field') == name
                and not f.get('readonly')
                for f in parent_fields.values()):
            parents[name] = field['relation']
    return parents


def test_pool_refuses_forgery(admin, roles, models):
    "R-ROLE-1..6, R-CS-7: no model takes what only buttons or roles give"
    # an employee of another role for the stamps
    others = {
        'company.employee': [roles['cs'].context['employee']],
        'res.user': [1],
        }
    accepted = []

    def check(outcome, *read_back):
        """An accepted call must have had no effect: read_back (client,
        model, record, fields) reads the same values again"""
        if outcome.accepted and not (read_back and _unchanged(*read_back)):
            accepted.append(outcome.call)

    for model, buttons in models.items():
        for client in roles.values():
            fields = _describe(client, model)
            if not fields:
                continue
            guarded = _guarded_fields(fields)
            selection = fields.get('state', {}).get('selection')
            if not isinstance(selection, list):
                selection = []
            default_state = (
                _default_state(client, model) if selection else None)

            # ordering by the password data, whatever the path
            for path in SECRET_PATHS:
                check(Outcome(
                        client, model, 'search', [], 0, 1, [(path, 'ASC')]))

            # creating in another state than the first
            for value, _ in selection:
                if value not in {default_state, None}:
                    check(Outcome(client, model, 'create', [{
                                    'state': value}]))
                    break

            records = _records(client, model, fields)
            writable = records and Outcome(
                client, model, 'write', [records[0]['id']], {}).accepted
            parents = (_parent_fields(client, model, fields)
                if writable else {})
            for record in records:
                final = (default_state is not None
                    and record.get('state') != default_state)

                # each read-only, state and stamp field
                for name, field in guarded.items() if writable else []:
                    if field['type'] in {
                            'one2many', 'many2many', 'reference', 'binary',
                            'dict', 'multiselection'}:
                        continue
                    for value in _forged_values(
                            name, field, record.get(name), others):
                        outcome = Outcome(client, model, 'write',
                            [record['id']], {name: value})
                        check(outcome, client, model, record, [name])

                # moving a child of a final document to another one
                for name, Parent in parents.items():
                    if not record.get(name) or not _is_final(
                            client, Parent, record[name]):
                        continue
                    siblings = Outcome(client, Parent, 'search', [
                            ('id', '!=', _value_id(record[name])),
                            ], 0, 1, None)
                    if siblings.accepted and siblings.result:
                        check(Outcome(client, model, 'write',
                                [record['id']], {name: siblings.result[0]}),
                            client, model, record, [name])

                if not final:
                    continue

                # copying a final record: refused or a fresh first state
                outcome = Outcome(client, model, 'copy', [record['id']], {})
                if outcome.accepted:
                    copy_id, = outcome.result
                    stamps = _stamps(guarded)
                    copy, = client.read(model, [copy_id], ['state', *stamps])
                    if (copy['state'] != default_state
                            or any(copy[n] for n in stamps)):
                        accepted.append(outcome.call)
                    # not left for the other tests of the demo
                    Outcome(admin, model, 'delete', [copy_id])

                # deleting a final record
                check(Outcome(client, model, 'delete', [record['id']]))

                # the buttons of the other roles
                for button, groups in buttons:
                    if groups and not groups & client.groups:
                        check(Outcome(
                                client, model, button, [record['id']]))
    assert accepted == [], "\n".join(accepted)
    assert CRASHES == [], "\n".join(CRASHES)


def _stamps(guarded):
    """The who-stamps (an employee or a user set by the server) and the
    date or time stamped with each (decided_by and decided_date...)"""
    stamps = []
    for name, field in guarded.items():
        # a computed field (not sortable: not stored) is not a stamp, such
        # as a review's lead, the lead of its visit
        if (field['type'] == 'many2one'
                and field.get('relation') in STAMP_RELATIONS
                and not field.get('required')
                and field.get('sortable', True)):
            stamps.append(name)
            prefix = name.rsplit('_', 1)[0]
            for suffix in ['_date', '_at']:
                when = guarded.get(prefix + suffix)
                if when and when['type'] in STAMP_TYPES:
                    stamps.append(prefix + suffix)
    return stamps


def _is_final(client, model, value):
    "Whether the record of model is in a state other than its first"
    default = _default_state(client, model)
    record = Outcome(client, model, 'read', [_value_id(value)], ['state'])
    return (record.accepted and default is not None
        and record.result[0]['state'] != default)


SEARCH_WORKER = pathlib.Path(__file__).with_name(
    'rpc_pool_search_worker.py')


def test_pool_searches(demo_server):
    """R-ROLE: every field of every model, as every role whose rights on
    it differ, searched with each operator of its type, with values of the
    wrong type (a dict, a list, a text for a number, NaN, a huge integer)
    and ordered by the users' password data through each path: a refusal
    or a result, never a server error

    The searches run in one process on the demo's database, each the way
    trytond's dispatcher runs a JSON-RPC call (the caller's context, the
    access checks of RPC), thousands a minute; the server's own handling
    of a JSON-RPC search is the one test_pool_refuses_forgery tries."""
    env = {**os.environ,
        'TRYTOND_DATABASE__URI': 'sqlite://',
        'TRYTOND_DATABASE__PATH': os.path.dirname(
            demo_server.database_file)}
    env.pop('TRYTOND_DATABASE_URI', None)
    process = subprocess.run([
            sys.executable, str(SEARCH_WORKER), demo_server.database,
            *demo_server.logins],
        capture_output=True, text=True, env=env, timeout=1200)
    assert process.returncode == 0, process.stderr[-3000:]
    result = json.loads(process.stdout)
    print(f"{result['calls']} searches on {result['models']} models"
        f" ({result['model_roles']} models and roles) in"
        f" {result['seconds']}s")
    assert result['models'] > 40
    assert result['calls'] > 1000
    failures = [f"{f['call']}\n{f['error']}" for f in result['failures']]
    assert failures == [], '\n'.join(failures[:20])


def _wrong_form_values(field):
    "Values a form of a wizard does not offer for the field"
    kind = field['type']
    yield {'a': 1}
    if kind in {'char', 'text'}:
        yield 'x' * (field.get('size') or 10 ** 6) + 'x'
    elif kind in {'integer', 'float', 'numeric'}:
        yield float('nan') if kind != 'integer' else 10 ** 30
        yield 'x'
    elif kind == 'date':
        yield _date(dt.date(9999, 12, 31))
        yield '2026-13-01'
    elif kind in {'datetime', 'timestamp'}:
        yield dt.datetime(9999, 12, 31, 1, 1, 1)
    elif kind in {'many2one', 'one2one'}:
        yield NOWHERE
        yield [1]
    elif kind == 'selection':
        yield 'FORGED'
    elif kind == 'boolean':
        yield 'x'


def test_pool_wizards_check_forms(admin):
    """R-ROLE, R-CS-7: every wizard of the module refuses on the server a
    value its form does not offer (wrong type, out of bounds, an id that
    does not exist), sent straight to wizard.execute

    The wizards are the actions of the module's wizards (named service.*
    as its models), each opened on a record of its model; a wizard added
    to the module is tried without a line of this file."""
    action_ids = admin.search('ir.action.wizard', [
            ('wiz_name', 'like', 'service.%')])
    wizards = admin.read(
        'ir.action.wizard', action_ids, ['wiz_name', 'model'])
    assert wizards
    accepted, tried, forms = [], set(), set()
    for wizard in wizards:
        name, model = wizard['wiz_name'], wizard['model']
        context = dict(admin.context)
        if model:
            record_ids = admin.search(model, [], limit=1, order=[
                    ('id', 'DESC')])
            if not record_ids:
                continue
            context.update(active_model=model, active_id=record_ids[0],
                active_ids=record_ids)
        session, start, end = admin.call(
            f'wizard.{name}.create', context)
        try:
            opened = admin.call(
                f'wizard.{name}.execute', session, {}, start, context)
        except RPCError as error:
            assert error.args[0][0] in REFUSALS, error.args
            continue
        view = opened.get('view')
        if not view:
            continue
        state = view['state']
        buttons = [b['state'] for b in view['buttons']
            if b['state'] != end] or [end]
        fields = view['fields_view']['fields']
        forms.add(name)
        for field_name, field in sorted(fields.items()):
            if field.get('readonly'):
                continue
            for value in _wrong_form_values(field):
                call = (f'{name}.execute({{{state!r}: {{{field_name!r}:'
                    f' {str(value)[:40]!r}}}}}, {buttons[0]!r})')
                tried.add(call)
                try:
                    admin.call(f'wizard.{name}.execute', session,
                        {state: {field_name: value}}, buttons[0], context)
                except RPCError as error:
                    assert error.args[0][0] in REFUSALS, (
                        f'{call} failed: {error.args}')
                except urllib.error.HTTPError as error:
                    # too large a request
                    assert error.code < 500, f'{call}: {error.code}'
                else:
                    accepted.append(call)
                    break
        try:
            admin.call(f'wizard.{name}.delete', session)
        except (RPCError, urllib.error.HTTPError):
            # ended by its last transition
            pass
    print(f"{len(tried)} wrong values sent to {len(forms)} wizard forms")
    assert forms
    assert accepted == [], "\n".join(accepted)
