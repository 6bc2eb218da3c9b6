# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The searches of the pool test, in one process on the demo database.

    python rpc_pool_search_worker.py DATABASE LOGIN...

TRYTOND_DATABASE__URI and TRYTOND_DATABASE__PATH point to the SQLite file
of the demo server.  Each call goes the way trytond's dispatcher runs a
JSON-RPC call (rpc.convert of the caller's context, a transaction of the
user with the access checks of RPC), without HTTP: the module's own
searches are tried by the tens of thousands in a minute.

For every model of the module in the pool and every role whose rights on
it differ (access to the model and its fields, shape of its record rules):
each field the role reads is searched with each operator of its type and a
valid value (many clauses a call, the calls that fail split until the
clause that fails is found), with a value of the wrong type (a dict, a
list where one value goes, a text for a number, NaN, a huge integer) one
clause a call, and each path to the users' password data is ordered by.
Prints as JSON the number of calls and the calls that failed otherwise
than with a refusal (UserError, AccessError...).
"""
import datetime as dt
import json
import re
import sys
import time
import traceback
from decimal import Decimal

MODULE = 'service_desk'
# the clauses of one call
BATCH = 40
EQUAL = ['=', '!=', 'in', 'not in']
ORDER = ['<', '>', '<=', '>=']
LIKE = ['like', 'ilike', 'not like', 'not ilike']
TREE = ['child_of', 'not child_of', 'parent_of', 'not parent_of',
    'where', 'not where']
OPERATORS = {
    'boolean': EQUAL,
    'integer': EQUAL + ORDER,
    'bigint': EQUAL + ORDER,
    'float': EQUAL + ORDER,
    'numeric': EQUAL + ORDER,
    'date': EQUAL + ORDER,
    'datetime': EQUAL + ORDER,
    'timestamp': EQUAL + ORDER,
    'time': EQUAL + ORDER,
    'timedelta': EQUAL + ORDER,
    'char': EQUAL + ORDER + LIKE,
    'text': EQUAL + LIKE,
    'selection': EQUAL + LIKE,
    'multiselection': ['=', 'in', 'not in'],
    'many2one': EQUAL + ORDER + LIKE + TREE,
    'one2many': EQUAL + LIKE + TREE,
    'many2many': EQUAL + LIKE + TREE,
    'one2one': EQUAL + LIKE,
    'reference': EQUAL + LIKE,
    }
RELATIONS = {'many2one', 'one2many', 'many2many', 'one2one'}
SECRETS = ['password_hash', 'password_reset']
NAN = float('nan')
HUGE = 10 ** 30


def _value(field):
    "A valid value for a field described by fields_get"
    kind = field['type']
    if kind == 'boolean':
        return True
    if kind in {'integer', 'bigint'} or kind in RELATIONS:
        return 1
    if kind == 'float':
        return 1.5
    if kind == 'numeric':
        return Decimal('1.5')
    if kind == 'date':
        return dt.date(2026, 1, 1)
    if kind in {'datetime', 'timestamp'}:
        return dt.datetime(2026, 1, 1, 8, 0)
    if kind == 'time':
        return dt.time(8, 0)
    if kind == 'timedelta':
        return dt.timedelta(hours=1)
    if kind in {'selection', 'multiselection'}:
        selection = field.get('selection')
        if isinstance(selection, list):
            for key, _ in selection:
                if key not in {None, ''}:
                    return key
        return 'a'
    if kind == 'reference':
        return None
    return 'a'


def valid_clauses(name, field):
    "Each operator of the type of the field with a value it takes"
    kind = field['type']
    value = _value(field)
    for operator in OPERATORS.get(kind, []):
        if operator in {'in', 'not in'}:
            yield (name, operator, [value])
        elif operator in LIKE:
            yield (name, operator, '%a%')
        elif operator.endswith('where'):
            yield (name, operator, [('id', '>', 0)])
        elif operator in TREE:
            # refused where the target is no tree: tried one at a time
            continue
        elif kind == 'multiselection':
            yield (name, operator, [value])
        else:
            yield (name, operator, value)
    if kind in RELATIONS:
        yield (f'{name}.rec_name', 'ilike', '%a%')
        yield (name, '=', None)


def wrong_clauses(name, field):
    "Values of the wrong type for the field"
    kind = field['type']
    value = _value(field)
    yield (name, '=', {'a': 1})
    yield (name, '=', [value, value])
    yield (name, 'in', {'a': 1})
    yield (name, '=', NAN)
    yield (name, '=', HUGE)
    yield (name, '>', HUGE if kind in {'char', 'text', 'selection'} else 'x')
    yield (name, 'not in', [{'a': 1}])
    if kind not in {'char', 'text', 'selection'}:
        yield (name, '=', 'x')
        yield (name, 'like', 5)
    if kind in RELATIONS:
        yield (name, 'child_of', [1])
        yield (name, 'not parent_of', [1])
        yield (f'{name}.id', '=', {'a': 1})
        yield (name, 'child_of', 'x')
        yield (name, 'where', 'x')


class Caller:
    """Calls as trytond's dispatcher does, counted, in the transaction of
    a user (begun by begin), which a server error ends"""

    def __init__(self, database):
        from trytond.pool import Pool
        self.database = database
        self.pool = Pool(database)
        self.calls = 0
        self.failures = []
        self.transaction = None

    def begin(self, login, user, context):
        from trytond.transaction import Transaction
        self.end()
        self.login, self.user, self.context = login, user, context
        self.transaction = Transaction().start(
            self.database, user, readonly=True)

    def end(self):
        if self.transaction is not None:
            self.transaction.rollback()
            self.transaction.stop()
            self.transaction = None

    def search(self, model, domain, order=None):
        """Return 'refused', 'accepted' or the traceback of the server
        error"""
        from trytond.exceptions import (
            ConcurrencyException, UserError, UserWarning)

        if self.transaction is None:
            self.begin(self.login, self.user, self.context)
        transaction = self.transaction
        Model = self.pool.get(model)
        rpc = Model.__rpc__['search']
        self.calls += 1
        try:
            args, kwargs, context, _ = rpc.convert(
                Model, domain, 0, 1, order, self.context)
            with transaction.set_context(context):
                rpc.result(rpc.decorate(Model.search)(*args, **kwargs))
        except (UserError, UserWarning, ConcurrencyException):
            return 'refused'
        except Exception:
            # a new transaction for the next call
            self.end()
            return traceback.format_exc(limit=-6)
        return 'accepted'

    def check(self, model, domain, order=None):
        outcome = self.search(model, domain, order)
        if outcome not in {'refused', 'accepted'}:
            self.failures.append({
                    'call': f'{self.login}: {model}.search'
                    f'({domain!r}, 0, 1, {order!r})',
                    'error': outcome})
        return outcome

    def check_batch(self, model, clauses):
        """Search the clauses at once; split them until the clause that
        fails is found when the call is not accepted"""
        if not clauses:
            return
        if len(clauses) == 1:
            self.check(model, list(clauses))
            return
        outcome = self.search(model, ['OR', *clauses])
        if outcome != 'accepted':
            middle = len(clauses) // 2
            self.check_batch(model, clauses[:middle])
            self.check_batch(model, clauses[middle:])


def _signature(pool, model):
    "What decides what the role may search on model"
    ModelAccess = pool.get('ir.model.access')
    Rule = pool.get('ir.rule')
    Model = pool.get(model)
    readable = ModelAccess.check(model, 'read', raise_exception=False)
    fields = Model.fields_get() if readable else {}
    rule = re.sub(r'\d+', 'N', repr(Rule.domain_get(model, mode='read')))
    return readable, tuple(sorted(fields)), rule, fields


def main(database, logins):
    from trytond.model import fields as fields_
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    started = time.monotonic()
    Pool.start()
    Pool(database).init()
    caller = Caller(database)
    pool = caller.pool
    User = pool.get('res.user')
    with Transaction().start(database, 0, readonly=True):
        IrModel = pool.get('ir.model')
        # the models one searches (not the forms of wizards and filters)
        models = sorted(m.name for m in IrModel.search([
                    ('module', '=', MODULE)])
            if 'search' in pool.get(m.name).__rpc__)
        users = {u.login: u.id for u in User.search([
                    ('login', 'in', logins)])}
    roles = []
    for login in logins:
        with Transaction().start(database, users[login], readonly=True):
            context = User.get_preferences(context_only=True)
        roles.append((login, users[login], context))
    loaded = time.monotonic()

    tried = 0
    for model in models:
        Model = pool.get(model)
        seen = set()
        for login, user, context in roles:
            caller.begin(login, user, context)
            with caller.transaction.set_context(context, _check_access=True):
                readable, names, rule, fields = _signature(pool, model)
            if (readable, names, rule) in seen:
                continue
            seen.add((readable, names, rule))
            tried += 1
            if not readable:
                caller.check(model, [('id', '=', 1)])
                continue
            clauses = []
            kinds = set()
            for name, field in sorted(fields.items()):
                if not field.get('searchable', True):
                    # refused, not a server error
                    caller.check(model, [(name, '=', None)])
                    continue
                clauses.extend(valid_clauses(name, field))
                # the columns of a type go through the same code: one of
                # each type tried with wrong values, every searcher
                plain = not isinstance(
                    Model._fields.get(name), fields_.Function)
                if plain and field['type'] in kinds:
                    continue
                kinds.add(field['type'])
                for clause in wrong_clauses(name, field):
                    caller.check(model, [clause])
            for i in range(0, len(clauses), BATCH):
                caller.check_batch(model, clauses[i:i + BATCH])
            paths = ['create_uid', 'write_uid'] + [n
                for n, f in sorted(fields.items())
                if f['type'] == 'many2one' and f.get('relation') == 'res.user'
                and n not in {'create_uid', 'write_uid'}]
            # and through another document
            paths += [f'{n}.create_uid'
                for n, f in sorted(fields.items())
                if f['type'] == 'many2one'
                and f.get('relation') != 'res.user'][:1]
            for path in paths:
                for secret in SECRETS:
                    order = [(f'{path}.{secret}', 'ASC')]
                    if caller.check(model, [], order) == 'accepted':
                        caller.failures.append({
                                'call': f'{login}: {model}.search([], 0, 1,'
                                f' {order!r})',
                                'error': 'accepted'})
        caller.end()
    print(json.dumps({
                'models': len(models),
                'model_roles': tried,
                'calls': caller.calls,
                'load_seconds': round(loaded - started, 1),
                'seconds': round(time.monotonic() - loaded, 1),
                'failures': caller.failures,
                }))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2:])
