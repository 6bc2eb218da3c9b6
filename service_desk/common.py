# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Pieces shared by the models of service_desk."
import datetime as dt
import functools
import hashlib
import inspect
import math
import re
from decimal import Decimal

from collections import defaultdict

from sql import CombiningQuery, Column, Expression, Null, Query, Select
from sql.conditionals import Case

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Model, Unique, fields
from trytond.exceptions import UserError, UserWarning
from trytond.model.exceptions import AccessError
from trytond.model.modelstorage import _record_eval_pyson
from trytond.pool import Pool
from trytond.pyson import Eval, PYSON, PYSONEncoder
from trytond.tools import grouped_slice
from trytond.tools.domain_inversion import eval_domain
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import StateView

from .exceptions import (
    BoundsError, CancelReasonError, ContextError, SearchError,
    WizardValueError)

# the dates a person can mean when he records a service event
EARLIEST = dt.datetime(2000, 1, 1)
LATEST_AHEAD = dt.timedelta(days=5 * 366)


def timestamp(Model, field):
    """Return the value stamping field of Model now: the company's today
    for a date, the model's _now() (naive UTC) to the second for a
    date and time"""
    if Model._fields[field]._type == 'date':
        return Pool().get('ir.date').today()
    now = getattr(Model, '_now', dt.datetime.now)()
    return now.replace(microsecond=0)


def advisory_lock_key(name, id):
    "The key of PostgreSQL's advisory lock on the record id of name"
    return int.from_bytes(hashlib.sha256(f'{name},{id}'.encode()).digest()[:8],
        'big', signed=True)


def user_employee():
    """Return the id of the employee the user works as, or None

    The employee of the context only when it is one of the user's
    (res.user checks it as core's set_employee relies on): the context of
    an RPC call is the caller's and may name anybody, or nobody that
    exists.  The only way module code learns who is at work.
    """
    User = Pool().get('res.user')
    user_id = Transaction().user
    if not user_id:
        return None
    employee = User(user_id).employee
    return employee.id if employee else None


def button_allowed(Model, name):
    """Whether the user may press the button name of Model: its groups
    (ir.model.button) give the right to approve, never a skipped warning

    A method that only a role may approve through another path (a write
    that needs the approval) asks this before any UserWarning, which
    remains an "are you sure" (res.user.warning.skip is open to all).
    """
    pool = Pool()
    Button = pool.get('ir.model.button')
    User = pool.get('res.user')
    transaction = Transaction()
    if not transaction.user or not transaction.check_access:
        return True
    groups = Button.get_groups(Model.__name__, name)
    return not groups or bool(groups & set(User.get_groups()))


def set_timestamp(field, when='after', first=False):
    """Decorate a method of records to record in field when they went
    through it, as core's set_employee records who (the value is given by
    timestamp); with first, only the records whose field is empty

    The one way the module stamps a date or time: with set_employee and
    employee_field of company/model.py for who, a stamp is never taken
    from the caller (R-ROLE, R-CS-7)."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(cls, records, *args, **kwargs):
            if when == 'after':
                result = func(cls, records, *args, **kwargs)
            to_stamp = [r for r in records
                if not (first and getattr(r, field))]
            if to_stamp:
                cls.write(to_stamp, {field: timestamp(cls, field)})
            if when == 'before':
                result = func(cls, records, *args, **kwargs)
            return result
        return wrapper
    assert when in {'before', 'after'}
    return decorator


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
    """A record numbered in its field _number_field by the company's
    sequence of the service configuration named _number_sequence

    The number is taken when the record is created, or, with
    _number_at_commit, when the transaction that created it commits: then
    no number is lost to a save refused or retried, and concurrent creators
    never wait for each other (doc/engineering.rst, Document numbers)."""
    __slots__ = ()
    _number_field = 'number'
    _number_sequence = None
    _number_at_commit = False

    @classmethod
    def _number_sequence_of(cls, company_id):
        Configuration = Pool().get('service.configuration')
        return Configuration(1).get_multivalue(
            cls._number_sequence, company=company_id)

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and not cls._number_at_commit
                and not values.get(cls._number_field)):
            company_id = values.get('company', cls.default_company())
            if company_id is not None:
                sequence = cls._number_sequence_of(company_id)
                if sequence:
                    values[cls._number_field] = sequence.get()
        return values

    @classmethod
    def _after_create(cls, ids):
        ids = super()._after_create(ids)
        if cls._number_at_commit:
            transaction = Transaction()
            transaction.join(NumberAtCommit()).add(cls.__name__, ids)
        return ids

    @classmethod
    def _number_pending(cls, ids):
        """Number the records of ids created without a number, in the order
        of their creation, as the transaction commits"""
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        number = Column(table, cls._number_field)
        pending = defaultdict(list)
        for sub_ids in grouped_slice(
                sorted(set(ids)), backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(
                    table.id, table.company,
                    where=fields.SQL_OPERATORS['in'](table.id, list(sub_ids))
                    & (number == Null),
                    order_by=table.id))
            for id_, company_id in cursor:
                pending[company_id].append(id_)
        tables = [table]
        if cls._history:
            tables.append(cls.__table_history__())
        for company_id, record_ids in pending.items():
            sequence = cls._number_sequence_of(company_id)
            if not sequence:
                continue
            with transaction.set_context(company=company_id):
                numbers = dict(zip(
                        record_ids, sequence.get_many(len(record_ids)),
                        strict=True))
            for sub_ids in grouped_slice(
                    record_ids, backend.MAX_QUERY_PARAMS // 3):
                sub_ids = list(sub_ids)
                for sql_table in tables:
                    column = Column(sql_table, cls._number_field)
                    cursor.execute(*sql_table.update(
                            [column],
                            [Case(*((sql_table.id == i, numbers[i])
                                        for i in sub_ids))],
                            where=fields.SQL_OPERATORS['in'](
                                sql_table.id, sub_ids)
                            & (column == Null)))
        transaction.counter += 1
        for cache in transaction.cache.values():
            if cls.__name__ in cache:
                for id_ in ids:
                    cache[cls.__name__].pop(id_, None)


class NumberAtCommit:
    """The data manager numbering, as the transaction commits, the records
    it created whose model numbers them at commit"""

    def __init__(self):
        self.pending = defaultdict(list)

    def __eq__(self, other):
        if not isinstance(other, NumberAtCommit):
            return NotImplemented
        return True

    def add(self, model, ids):
        self.pending[model].extend(ids)

    def tpc_begin(self, transaction):
        pass

    def commit(self, transaction):
        pool = Pool()
        with without_check_access():
            for model, ids in sorted(self.pending.items()):
                pool.get(model)._number_pending(ids)
        self.pending.clear()

    def tpc_vote(self, transaction):
        pass

    def tpc_finish(self, transaction):
        pass

    def tpc_abort(self, transaction):
        self.pending.clear()


class SiteMixin:
    """A document about a customer's site and an item of equipment there:
    the equipment gives the site, the site gives the customer"""
    __slots__ = ()

    @fields.depends('site', 'party', 'equipment')
    def on_change_site(self):
        if self.site:
            self.party = self.site.party
        if self.equipment and self.equipment.site != self.site:
            self.equipment = None

    @fields.depends('equipment', methods=['on_change_site'])
    def on_change_equipment(self):
        if self.equipment:
            self.site = self.equipment.site
            self.on_change_site()


class KeptMixin:
    """A record never lost once confirmed (R-CS-7): it is deleted only in
    its first states and cancelled with a reason

    The messages take the model's translated name as %(model)s and the
    record's as %(record)s; without a message of its own, a model says the
    generic one built from its translated name.
    """
    __slots__ = ()
    _deletable_states = frozenset({'draft'})
    _delete_message = 'service_desk.msg_kept_delete'
    _cancel_reason_message = 'service_desk.msg_kept_cancel_reason'

    @classmethod
    def _kept_message(cls, message, record):
        return gettext(message, **cls.__names__(record=record))

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


class GuardedMixin:
    """Changes from outside (RPC, proteus) limited to what the form allows

    The buttons change the state, the who/when stamps and every field
    declared read-only; the fields that the record's state makes read-only
    are frozen.  A write, create or copy from outside that tries is refused
    with an AccessError naming the record and the field, and nothing is
    written.  The methods of the model (buttons, workflow, cron) are not
    concerned: they run without access checks.

    A child of a document (line, item, action, attendee, trainer...)
    declares _guard_parent = (field, states): it can be added, changed or
    removed from outside, through its own model or its parent's, only
    while the parent is in one of the states, except its fields with
    read-only states of their own, which decide for themselves; a child
    never moves to another parent.  Nothing else is needed for a new child
    model (a Many2Many's relation model too) than to declare its parent.

    _guard_server_values = {field: values} names the values that only the
    server gives (a qualification whose source is a training session): a
    create, write or copy from outside that gives one is refused.

    copy clears the stamps, the state and the number (declared once here,
    R-CS-7): every read-only field (not computed, not required) that holds
    a date, a time or who (an employee, a user) and the record's number go
    empty, the state goes back to its default; _copy_kept names the fields
    a model copies anyway.
    """
    __slots__ = ()
    _guard_parent = None
    _guard_server_values = {}
    _copy_kept = frozenset()
    _copy_never = frozenset({
            'id', 'create_uid', 'create_date', 'write_uid', 'write_date'})

    @classmethod
    def _guard_frozen_field(cls, name):
        "Whether the field is never written from outside"
        field = cls._fields.get(name)
        if field is None:
            return False
        if isinstance(field, fields.Function) and not field.setter:
            return False
        return bool(field.readonly) or name == 'state'

    @classmethod
    def _guard_refuse(cls, record, name):
        names = cls.__names__(field=name, record=record)
        if record is None:
            raise AccessError(gettext(
                    'service_desk.msg_guard_field_create', **names))
        raise AccessError(gettext('service_desk.msg_guard_field', **names))

    @classmethod
    def _guard_parent_open(cls, parent):
        field, states = cls._guard_parent
        return parent is None or parent.state in states

    @classmethod
    def _guard_refuse_parent(cls, parent):
        names = parent.__class__.__names__(record=parent)
        raise AccessError(gettext(
                'service_desk.msg_guard_lines',
                model=cls.__names__()['model'],
                record=names.get('record', '')))

    @staticmethod
    def _guard_unchanged(record, name, value):
        current = getattr(record, name, None)
        if isinstance(current, Model):
            current = current.id
        elif isinstance(current, (list, tuple)):
            return False
        return current == value

    @classmethod
    def _guard_readonly(cls, record, name):
        "Whether the state of the record makes the field read-only"
        readonly = cls._fields[name].states.get('readonly')
        if readonly is None:
            return None
        User = Pool().get('res.user')
        with Transaction().set_context(groups=User.get_groups()):
            return bool(_record_eval_pyson(record, readonly))

    @classmethod
    def _guard_check_server_values(cls, record, values):
        for name, forbidden in cls._guard_server_values.items():
            if name in values and values[name] in forbidden:
                cls._guard_refuse(record, name)

    @classmethod
    def _guard_check_write(cls, records, values):
        for record in records:
            cls._guard_check_server_values(record, values)
        for name, value in values.items():
            if name not in cls._fields:
                continue
            for record in records:
                if cls._guard_unchanged(record, name, value):
                    continue
                if cls._guard_frozen_field(name):
                    cls._guard_refuse(record, name)
                if cls._guard_parent and name == cls._guard_parent[0]:
                    cls._guard_refuse(record, name)
                readonly = cls._guard_readonly(record, name)
                if readonly:
                    cls._guard_refuse(record, name)
                if readonly is None and cls._guard_parent:
                    parent = getattr(record, cls._guard_parent[0])
                    if not cls._guard_parent_open(parent):
                        cls._guard_refuse_parent(parent)

    @classmethod
    def _guard_check_create(cls, values):
        cls._guard_check_server_values(None, values)
        for name, value in values.items():
            if not cls._guard_frozen_field(name):
                continue
            default = getattr(cls, 'default_' + name, None)
            if not value:
                continue
            if default is not None and value == default():
                continue
            cls._guard_refuse(None, name)
        if cls._guard_parent:
            field = cls._guard_parent[0]
            Parent = cls._fields[field].get_target()
            if values.get(field) is not None:
                parent = Parent(values[field])
                if not cls._guard_parent_open(parent):
                    cls._guard_refuse_parent(parent)

    @classmethod
    def create(cls, vlist):
        transaction = Transaction()
        if (transaction.check_access
                and not transaction.context.get('_guarded_copy')):
            for values in vlist:
                cls._guard_check_create(values)
        return super().create(vlist)

    @classmethod
    def _copy_cleared(cls):
        "Return {field: value} of the stamps a copy does not keep"
        cleared = {}
        for name, field in cls._fields.items():
            if (name in cls._copy_never or name in cls._copy_kept
                    or isinstance(field, fields.Function)
                    or getattr(field, 'required', False)):
                continue
            if name == 'state':
                default = getattr(cls, 'default_state', None)
                cleared[name] = default() if default else None
                continue
            if not field.readonly:
                continue
            if (name == getattr(cls, '_number_field', None)
                    or field._type in {'date', 'datetime', 'timestamp'}
                    or (field._type == 'many2one'
                        and field.model_name in {
                            'company.employee', 'res.user'})):
                cleared[name] = None
        return cleared

    @classmethod
    def copy(cls, records, default=None):
        transaction = Transaction()
        if transaction.check_access and default:
            # the values of the caller, not those computed by the overrides
            cls._guard_check_create({n: v for n, v in default.items()
                    if '.' not in n and not callable(v)})
        if transaction.check_access:
            for record in records:
                cls._guard_check_server_values(record, {
                        n: getattr(record, n)
                        for n in cls._guard_server_values
                        if n not in (default or {})})
        default = default.copy() if default is not None else {}
        for name, value in cls._copy_cleared().items():
            default.setdefault(name, value)
        with transaction.set_context(_guarded_copy=True):
            return super().copy(records, default=default)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if not external:
            return
        if mode == 'write':
            cls._guard_check_write(records, values)
        elif mode == 'delete' and cls._guard_parent:
            for record in records:
                parent = getattr(record, cls._guard_parent[0])
                if not cls._guard_parent_open(parent):
                    cls._guard_refuse_parent(parent)


# The default bounds of what a user enters in a field of the module
# (BoundedMixin): the characters of a char and of a text, the lines added
# to a one2many or many2many in one call, the smallest and largest number
# by field type, and the dates a service record can mean
CHAR_SIZE = 1000
TEXT_SIZE = 100_000
LINES_PER_CALL = 1000
NUMBER_BOUNDS = {
    'integer': (0, 1_000_000),
    'bigint': (0, 1_000_000),
    'float': (0, 1e9),
    'numeric': (Decimal(0), Decimal(10) ** 9),
    }
DATE_BOUNDS = {
    'date': (dt.date(1990, 1, 1), dt.date(2099, 12, 31)),
    'datetime': (
        dt.datetime(1990, 1, 1), dt.datetime(2099, 12, 31, 23, 59, 59)),
    'timestamp': (
        dt.datetime(1990, 1, 1), dt.datetime(2099, 12, 31, 23, 59, 59)),
    'timedelta': (dt.timedelta(0), dt.timedelta(days=3660)),
    }
_PYTHON_TYPES = {
    'integer': (int,),
    'bigint': (int,),
    'float': (int, float, Decimal),
    'numeric': (int, float, Decimal),
    'date': (dt.date,),
    'datetime': (dt.datetime,),
    'timestamp': (dt.datetime,),
    'timedelta': (dt.timedelta,),
    'char': (str,),
    'text': (str,),
    }
_LOWER = {'>=', '>'}
_UPPER = {'<=', '<'}


def _declared_bounds(name, domain):
    """Return the constant lower and upper bounds that the top-level
    clauses of domain put on the field name (None where not declared)"""
    lower = upper = None
    if isinstance(domain, (list, tuple)) and not (
            domain and isinstance(domain[0], str) and domain[0] == 'OR'):
        for clause in domain:
            if (isinstance(clause, (list, tuple)) and len(clause) == 3
                    and clause[0] == name
                    and not isinstance(clause[2], PYSON)):
                if clause[1] in _LOWER:
                    lower = clause[1:]
                elif clause[1] in _UPPER:
                    upper = clause[1:]
    return lower, upper


_EQUAL = {'=', '!=', 'in', 'not in'}
_ORDER = {'<', '>', '<=', '>='}
_LIKE = {'like', 'ilike', 'not like', 'not ilike'}
_TREE = {
    'where', 'not where', 'child_of', 'not child_of', 'parent_of',
    'not parent_of'}
_NUMBER = (int, float, Decimal)
_RELATIONS = {'many2one', 'one2many', 'many2many', 'one2one', 'reference'}
# by field type: the operators and the types of a value searched
SEARCH_TYPES = {
    'boolean': (_EQUAL, (bool, int)),
    'integer': (_EQUAL | _ORDER, _NUMBER),
    'bigint': (_EQUAL | _ORDER, _NUMBER),
    'float': (_EQUAL | _ORDER, _NUMBER),
    'numeric': (_EQUAL | _ORDER, _NUMBER),
    'date': (_EQUAL | _ORDER, (dt.date,)),
    'datetime': (_EQUAL | _ORDER, (dt.date,)),
    'timestamp': (_EQUAL | _ORDER, (dt.date,)),
    'time': (_EQUAL | _ORDER, (dt.time,)),
    'timedelta': (_EQUAL | _ORDER, (dt.timedelta,)),
    'char': (_EQUAL | _ORDER | _LIKE, (str,)),
    'text': (_EQUAL | _ORDER | _LIKE, (str,)),
    'selection': (_EQUAL | _ORDER | _LIKE, (str, int)),
    'many2one': (_EQUAL | _ORDER | _LIKE | _TREE, (int, str)),
    'one2many': (_EQUAL | _LIKE | _TREE, (int, str)),
    'many2many': (_EQUAL | _LIKE | _TREE, (int, str)),
    'one2one': (_EQUAL | _LIKE | _TREE, (int, str)),
    'reference': (_EQUAL | _LIKE | _TREE, (int, str)),
    }
# the most values a search compares a field with at once (SQLite takes
# 32,766 parameters in a query)
SEARCH_VALUES = 20_000


class SearchRefused(ValueError):
    "A searcher does not take the operator or the value of a clause"

    def __init__(self, clause):
        super().__init__(clause)
        self.clause = clause


# the integers a column holds (SQLite and PostgreSQL's bigint)
_INTEGER_RANGE = (-2 ** 63, 2 ** 63 - 1)


def _search_scalar_valid(value):
    "Whether a number is finite and an integer fits in a column"
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return _INTEGER_RANGE[0] <= value <= _INTEGER_RANGE[1]
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return True


def _search_value_valid(field_type, operator, value):
    "Whether a clause on a field of the type takes operator and value"
    operators, types = SEARCH_TYPES[field_type]
    if operator not in operators:
        return False
    if isinstance(value, (Model, Query, Expression)) or value is None:
        return True
    if operator in _TREE:
        if operator.endswith('where'):
            return isinstance(value, (list, tuple))
        values = value if isinstance(value, (list, tuple)) else [value]
        return len(values) <= SEARCH_VALUES and all(
            isinstance(v, (int, Model)) and _search_scalar_valid(v)
            for v in values)
    if operator in _LIKE:
        return isinstance(value, str)
    if operator in _ORDER and field_type in _RELATIONS:
        # ids compared, not names
        return (isinstance(value, int) and not isinstance(value, bool)
            and _search_scalar_valid(value))
    if operator in {'in', 'not in'}:
        if isinstance(value, (str, bytes, dict)) or not hasattr(
                value, '__iter__'):
            return False
        if not isinstance(value, (list, tuple, set, frozenset)):
            # another iterable of the server's code
            return True
        values = value
    else:
        values = [value]
    if len(values) > SEARCH_VALUES:
        return False
    for value in values:
        if value is None or isinstance(value, Model):
            continue
        if not isinstance(value, types) or (
                field_type != 'boolean' and isinstance(value, bool)):
            return False
        if not _search_scalar_valid(value):
            return False
    return True


def _tree_valid(Model_, field, domain):
    """Whether child_of or parent_of names a parent field that core
    follows: the field itself on a tree, or the 4th item of the clause,
    a many2one of the target on itself"""
    Target = field.get_target() if hasattr(field, 'get_target') else None
    if Target is None:
        return False
    if len(domain) > 3:
        parent = Target._fields.get(domain[3]) if isinstance(
            domain[3], str) else None
        return (parent is not None and parent._type == 'many2one'
            and parent.get_target() is Target)
    return field._type == 'many2one' and Target is Model_


_query_columns_cache = {}


def query_columns(Model_):
    """Return the names of the columns of the table_query of Model_, None
    when they cannot be told"""
    key = (Transaction().database.name, Model_.__name__)
    if key not in _query_columns_cache:
        columns = None
        try:
            query = Model_.table_query()
        except (UserError, UserWarning):
            return None
        while isinstance(query, CombiningQuery):
            query = query.queries[0]
        if isinstance(query, Select):
            columns = set()
            for column in query.columns:
                name = (getattr(column, 'output_name', None)
                    or getattr(column, 'name', None))
                if not isinstance(name, str):
                    columns = None
                    break
                columns.add(name)
        _query_columns_cache[key] = columns
    return _query_columns_cache[key]


def _column_missing(Model_, field):
    "Whether a field of a table_query model has no column in its query"
    if (isinstance(field, fields.Function)
            or not getattr(Model_, '_is_table_query', lambda: False)()):
        return False
    columns = query_columns(Model_)
    return columns is not None and field.name not in columns


def check_order(Model_, order):
    """Refuse with a SearchError the order on a field of a table_query
    model that its query has no column for"""
    for item in order or []:
        if not (item and isinstance(item[0], str)):
            continue
        name = item[0].split('.', 1)[0]
        field = Model_._fields.get(name)
        if field is not None and _column_missing(Model_, field):
            raise SearchError(gettext(
                    'service_desk.msg_search_function',
                    **Model_.__names__(field=name)))


def check_search(Model_, domain):
    """Refuse with a SearchError the clauses of domain on the fields of
    Model_ whose operator or value the type of the field does not take:
    ``like`` on a number, a text for a date, a dictionary, a list where
    one value goes or more than SEARCH_VALUES values"""
    if not isinstance(domain, (list, tuple)):
        raise SearchError(gettext(
                'service_desk.msg_search_value', field='', operator='',
                value=str(domain)[:100], **Model_.__names__()))
    if (domain and isinstance(domain[0], str)
            and domain[0] not in {'AND', 'OR'}):
        if not (3 <= len(domain) <= 4 and isinstance(domain[1], str)):
            raise SearchError(gettext(
                    'service_desk.msg_search_value', field=domain[0],
                    operator='', value=str(domain[1:])[:100],
                    **Model_.__names__()))
        name, operator, value = domain[:3]
        fname, _, rest = name.partition('.')
        field = Model_._fields.get(fname)
        if (isinstance(field, fields.Function) and field.getter
                and not field.searcher):
            # core raises NotImplementedError, a server error
            raise SearchError(gettext(
                    'service_desk.msg_search_function',
                    **Model_.__names__(field=fname)))
        if field is not None and _column_missing(Model_, field):
            raise SearchError(gettext(
                    'service_desk.msg_search_function',
                    **Model_.__names__(field=fname)))
        if field is None or field._type not in SEARCH_TYPES:
            return
        field_type = field._type
        if rest and field_type not in _RELATIONS:
            valid = False
        elif rest:
            valid = True
            if hasattr(field, 'get_target') and isinstance(operator, str):
                # core converts some paths (.id) on the field itself
                check_search(
                    field.get_target(), (rest, operator, value, *domain[3:]))
        elif (isinstance(operator, str) and operator in _TREE
                and not operator.endswith('where')):
            valid = (_search_value_valid(field_type, operator, value)
                and _tree_valid(Model_, field, domain))
        else:
            valid = _search_value_valid(field_type, operator, value)
        if not valid:
            raise SearchError(gettext(
                    'service_desk.msg_search_value', operator=operator,
                    value=str(value)[:100],
                    **Model_.__names__(field=fname)))
        return
    for clause in domain:
        if isinstance(clause, str) and clause in {'AND', 'OR'}:
            continue
        check_search(Model_, clause)


def _format_bound(value):
    "Return value as the user reads it"
    Lang = Pool().get('ir.lang')
    if isinstance(value, dt.datetime):
        return Lang.get().strftime(value, '%Y-%m-%d %H:%M')
    if isinstance(value, dt.date):
        return Lang.get().strftime(value)
    if isinstance(value, dt.timedelta):
        return str(value.days)
    return str(value)


def user_companies():
    "Return the ids of the companies the user works for (res.user)"
    User = Pool().get('res.user')
    user_id = Transaction().user
    with without_check_access():
        return {c.id for c in User(user_id).companies}


def check_context_company():
    """Refuse with a ContextError a company of the context that is not one
    of the user's companies (root's calls excepted)

    The context of an RPC call is the caller's: the reports put its
    company in their SQL, so a forged company would show the rows of
    another company."""
    transaction = Transaction()
    company = transaction.context.get('company')
    if company is None or not transaction.user:
        return
    if (not isinstance(company, int) or isinstance(company, bool)
            or company not in user_companies()):
        raise ContextError(gettext('service_desk.msg_context_company'))


class CheckedSearchMixin:
    """Searches refuse with a SearchError the clauses that the fields or
    their searchers do not take (check_search), before core reads them;
    the reports (table_query) refuse a company of the context that is not
    the user's (check_context_company) before their query is built"""
    __slots__ = ()

    @classmethod
    def _check_context_company(cls):
        if getattr(cls, '_is_table_query', lambda: False)():
            check_context_company()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # the rows of a report are never created, changed or deleted:
        # refused by the dispatcher (core raises a server error), write
        # left as core's for its wizards' access check
        if getattr(cls, '_is_table_query', lambda: False)():
            for method in ['create', 'write', 'delete', 'copy']:
                getattr(cls, '__rpc__', {}).pop(method, None)

    @classmethod
    def read(cls, ids, fields_names):
        cls._check_context_company()
        return super().read(ids, fields_names)

    @classmethod
    def _search_refused(cls, exception):
        name, operator, value = exception.clause[:3]
        fname = str(name).split('.', 1)[0]
        if fname in cls._fields:
            names = cls.__names__(field=fname)
        else:
            names = {**cls.__names__(), 'field': fname}
        return SearchError(gettext(
                'service_desk.msg_search_value', operator=operator,
                value=str(value)[:100], **names))

    @classmethod
    def search_domain(cls, domain, active_test=None, tables=None):
        # who may not read a field learns no more than that
        if Transaction().check_access:
            check_domain_access(cls, domain)
        check_search(cls, domain)
        try:
            return super().search_domain(
                domain, active_test=active_test, tables=tables)
        except SearchRefused as exception:
            raise cls._search_refused(exception) from exception

    @classmethod
    def search(cls, domain, *args, **kwargs):
        # the signature of every model, ModelSingleton's too
        cls._check_context_company()
        if Transaction().check_access:
            check_domain_access(cls, domain)
        check_search(cls, domain)
        check_order(cls, kwargs.get('order', args[2] if len(args) > 2
                else None))
        try:
            return super().search(domain, *args, **kwargs)
        except SearchRefused as exception:
            raise cls._search_refused(exception) from exception


class BoundedMixin(CheckedSearchMixin):
    """What a user enters in the fields of the module stays within bounds

    Every char, text, number, date, time delta and one2many or many2many
    declared by the module gets default bounds (CHAR_SIZE, TEXT_SIZE,
    NUMBER_BOUNDS, DATE_BOUNDS, LINES_PER_CALL) unless it declares its
    own: a size, constant clauses on itself in its domain such as
    ``domain=[('cycle_months', '>', 0)]`` (the other side keeps its
    default), or an entry of the model's _field_bounds: the lowest and
    highest values, the size of a char or text, None for no bounds.  The
    client gets them as the size and domain of the field; the server
    refuses a value out of them, NaN and the infinities and a value of the
    wrong type with a BoundsError naming the field, before anything is
    written.  The model's own methods (without access check) get a char or
    text cut to its size instead.
    """
    __slots__ = ()
    _field_bounds = {}

    @classmethod
    def _declared_fields(cls):
        "The names of the fields that the module declares on the model"
        package = __name__.rpartition('.')[0]
        declared = set()
        for klass in cls.__mro__:
            if (klass.__module__ or '').split('.')[0] == package:
                declared.update(n for n, v in vars(klass).items()
                    if isinstance(v, fields.Field))
        return declared

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # a link between two records (a model named "a-b") takes them once
        if ('-' in cls.__name__ and hasattr(cls, '_sql_constraints')
                and not cls._is_table_query()):
            links = sorted(n for n in cls._declared_fields()
                if isinstance(getattr(cls, n), fields.Many2One))
            if len(links) == 2:
                t = cls.__table__()
                cls._sql_constraints.append((
                        '_'.join(links) + '_unique',
                        Unique(t, *(getattr(t, n) for n in links)),
                        'service_desk.msg_link_unique'))

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        declared = cls._declared_fields()
        overrides = {}
        for klass in reversed(cls.__mro__):
            overrides.update(vars(klass).get('_field_bounds', {}))
        cls._bounds = {}
        cls._bounds_domain = {}
        if getattr(cls, '_is_table_query', lambda: False)():
            return
        for name in sorted(declared):
            field = cls._fields.get(name)
            if field is None or (
                    isinstance(field, fields.Function) and not field.setter):
                continue
            override = overrides.get(name, ...)
            if override is None:
                continue
            type_ = field._type
            if type_ in {'char', 'text'}:
                size = getattr(field, 'size', None)
                if override is not ...:
                    size = override
                elif size is None:
                    size = CHAR_SIZE if type_ == 'char' else TEXT_SIZE
                if isinstance(size, int) and size >= 0:
                    cls._bounds[name] = ('size', size)
            elif type_ in {'one2many', 'many2many'}:
                cls._bounds[name] = ('lines', LINES_PER_CALL)
            elif type_ in NUMBER_BOUNDS or type_ in DATE_BOUNDS:
                low, high = NUMBER_BOUNDS.get(type_) or DATE_BOUNDS[type_]
                if override is not ...:
                    lower, upper = ('>=', override[0]), ('<=', override[1])
                    declared_lower = declared_upper = None
                else:
                    declared_lower, declared_upper = _declared_bounds(
                        name, field.domain)
                    lower = declared_lower or ('>=', low)
                    upper = declared_upper or ('<=', high)
                cls._bounds[name] = ('range', lower, upper)
                clauses = [(name, *b) for b, d in [
                        (lower, declared_lower), (upper, declared_upper)]
                    if d is None]
                if clauses and not isinstance(field, fields.Function):
                    # empty stays allowed, required says otherwise
                    cls._bounds_domain[name] = [
                        'OR', (name, '=', None), clauses]

    @classmethod
    def fields_get(cls, fields_names=None, level=0):
        definitions = super().fields_get(
            fields_names=fields_names, level=level)
        encoder = PYSONEncoder()
        for name, definition in definitions.items():
            bounds = cls._bounds.get(name)
            if not bounds:
                continue
            if bounds[0] == 'size' and definition.get('size') is None:
                definition['size'] = bounds[1]
            elif name in cls._bounds_domain:
                definition['domain'] = encoder.encode([
                        cls._fields[name].domain or [],
                        cls._bounds_domain[name]])
        return definitions

    @classmethod
    def _bounds_refuse(cls, message, name, **values):
        names = cls.__names__(field=name)
        raise BoundsError(gettext(message, **names, **values))

    @classmethod
    def check_bounds(cls, values, cut=False):
        """Refuse the values (a dictionary by field name) out of the
        bounds of their fields; with cut, return them with the chars and
        texts cut to their size instead"""
        result = None
        for name, value in values.items():
            bounds = cls._bounds.get(name)
            if not bounds or value is None:
                continue
            type_ = cls._fields[name]._type
            if bounds[0] == 'lines':
                if not isinstance(value, (list, tuple)):
                    continue
                count = sum(
                    len(a[1]) if len(a) > 1
                    and isinstance(a[1], (list, tuple)) else 1
                    for a in value
                    if isinstance(a, (list, tuple)) and a
                    and a[0] in {'create', 'add', 'copy'})
                if count > bounds[1]:
                    cls._bounds_refuse(
                        'service_desk.msg_bounds_lines', name,
                        count=count, maximum=bounds[1])
                continue
            python_types = _PYTHON_TYPES[type_]
            if (not isinstance(value, python_types)
                    or isinstance(value, bool)
                    or (type_ == 'date' and isinstance(value, dt.datetime))):
                cls._bounds_refuse('service_desk.msg_bounds_type', name)
            if bounds[0] == 'size':
                if len(value) > bounds[1]:
                    if cut:
                        if result is None:
                            result = values.copy()
                        result[name] = value[:bounds[1]]
                        continue
                    cls._bounds_refuse(
                        'service_desk.msg_bounds_size', name,
                        size=len(value), maximum=bounds[1])
                continue
            if isinstance(value, (float, Decimal)) and not (
                    value.is_finite() if isinstance(value, Decimal)
                    else math.isfinite(value)):
                cls._bounds_refuse('service_desk.msg_bounds_number', name)
            (lower_op, low), (upper_op, high) = bounds[1:]
            try:
                inside = (
                    (value > low if lower_op == '>' else value >= low)
                    and (value < high if upper_op == '<'
                        else value <= high))
            except TypeError:
                cls._bounds_refuse('service_desk.msg_bounds_type', name)
            if not inside:
                # the integers shown as the first and last accepted
                if isinstance(low, int) and lower_op == '>':
                    low += 1
                if isinstance(high, int) and upper_op == '<':
                    high -= 1
                cls._bounds_refuse(
                    'service_desk.msg_bounds_range', name,
                    value=_format_bound(value), low=_format_bound(low),
                    high=_format_bound(high))
        return values if result is None else result

    @classmethod
    def _check_computed(cls, values):
        """Refuse a value sent for a computed field (a Function field
        without setter, last_modified_at), where core fails with a server
        error"""
        if not (Transaction().check_access and isinstance(values, dict)):
            return
        for name in values:
            field = cls._fields.get(name)
            # a client sends the lines of a read-only one2many
            if (isinstance(field, fields.Function) and not field.setter
                    and field._type not in {'one2many', 'many2many'}):
                raise AccessError(gettext(
                        'service_desk.msg_field_computed',
                        **cls.__names__(field=name)))

    @classmethod
    def create(cls, vlist):
        cut = not Transaction().check_access
        for values in vlist:
            cls._check_computed(values)
        vlist = [cls.check_bounds(v, cut=cut) for v in vlist]
        return super().create(vlist)

    @classmethod
    def write(cls, *args):
        cut = not Transaction().check_access
        args = list(args)
        for i in range(1, len(args), 2):
            cls._check_computed(args[i])
            args[i] = cls.check_bounds(args[i], cut=cut)
        super().write(*args)


def check_context(model_name, required=()):
    """Refuse with a ContextError the values of the context that the
    fields of the context model model_name do not take: an id that is not
    an integer or of no record, a choice not offered, a date or number out
    of the bounds of its field (BoundedMixin) or of the wrong type, and
    the names of required that are missing.  A date may be given as text
    in ISO format.  The reports call it before they use their context,
    which comes from the client."""
    pool = Pool()
    Context = pool.get(model_name)
    context = Transaction().context
    for name, field in Context._fields.items():
        value = context.get(name)
        valid = True
        if value is None or value == '':
            if name not in required:
                continue
            valid = False
        elif field._type == 'many2one':
            valid = (isinstance(value, int) and not isinstance(value, bool)
                and value >= 0)
            if valid and field.model_name == 'company.company':
                check_context_company()
            if valid:
                Target = field.get_target()
                with Transaction().set_context(active_test=False), \
                        without_check_access():
                    valid = bool(Target.search(
                            [('id', '=', value)], count=True))
        elif field._type == 'selection':
            if isinstance(field.selection, (list, tuple)):
                valid = isinstance(value, str) and (
                    value in dict(field.selection))
        elif field._type == 'date' and isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                valid = False
        if valid and name in getattr(Context, '_bounds', {}):
            try:
                Context.check_bounds({name: value})
            except BoundsError:
                valid = False
        if not valid:
            # the names read without the context that is not valid
            transaction = Transaction()
            language = transaction.language
            with transaction.reset_context(), \
                    transaction.set_context(language=language):
                names = Context.__names__(field=name)
                raise ContextError(gettext(
                        'service_desk.msg_context_value',
                        value=str(value)[:100], **names))


class ReportMixin(CheckedSearchMixin):
    """A table_query report built from _joins, _columns, _where, _group_by
    and _having, which an add-on extends one at a time"""
    __slots__ = ()

    @classmethod
    def table_query(cls):
        from_item, tables = cls._joins()
        return from_item.select(
            *cls._columns(tables),
            where=cls._where(tables),
            group_by=cls._group_by(tables),
            having=cls._having(tables))

    @classmethod
    def _joins(cls):
        "Return the from item and the tables by name"
        raise NotImplementedError

    @classmethod
    def _columns(cls, tables):
        raise NotImplementedError

    @classmethod
    def _where(cls, tables):
        return None

    @classmethod
    def _group_by(cls, tables):
        return None

    @classmethod
    def _having(cls, tables):
        return None


def domain_fields(domain):
    "Yield the field names of the clauses of domain (dotted paths whole)"
    if not isinstance(domain, (list, tuple)):
        return
    if (domain and isinstance(domain[0], str)
            and domain[0] not in {'AND', 'OR'}):
        yield domain[0]
        return
    for clause in domain:
        yield from domain_fields(clause)


def _field_path(Model, name, target=None):
    """Yield (Model, field name) along the dotted path name, the target
    model of a reference given by target"""
    pool = Pool()
    parts = name.split('.')
    for i, part in enumerate(parts):
        if part not in Model._fields:
            return
        yield Model, part
        field = Model._fields[part]
        if field._type == 'reference' and target and i == len(parts) - 2:
            Model = pool.get(target)
        elif hasattr(field, 'get_target'):
            Model = field.get_target()
        else:
            return


def check_field_access(Model, names):
    """Refuse to a caller from outside the fields of names (dotted paths
    followed) that he is not allowed to read"""
    FieldAccess = Pool().get('ir.model.field.access')
    for name in names:
        for Target, part in _field_path(Model, name):
            FieldAccess.check(Target.__name__, [part], 'read')


def check_domain_access(Model, domain):
    """Refuse to a caller from outside a domain on fields he is not allowed
    to read, dotted paths and the sub-domains of where followed"""
    FieldAccess = Pool().get('ir.model.field.access')
    if not isinstance(domain, (list, tuple)) or not domain:
        return
    if isinstance(domain[0], str) and domain[0] not in {'AND', 'OR'}:
        name, operator = domain[0], domain[1] if len(domain) > 1 else None
        target = domain[3] if len(domain) > 3 else None
        Target = None
        for Target, part in _field_path(Model, name, target):
            FieldAccess.check(Target.__name__, [part], 'read')
            field = Target._fields[part]
            Target = field.get_target() if hasattr(
                field, 'get_target') else None
        if (isinstance(operator, str) and operator.endswith('where')
                and Target is not None and len(domain) > 2):
            check_domain_access(Target, domain[2])
        elif (isinstance(operator, str)
                and operator.endswith(('child_of', 'parent_of'))
                and len(domain) > 3 and isinstance(domain[3], str)):
            check_field_access(Target or Model, [domain[3]])
        return
    for clause in domain:
        check_domain_access(Model, clause)


def rule_restricted_domain(Model, domain):
    """Return domain where each dotted path and where clause through a
    relation searches only the targets the user may read

    Tryton converts the clauses of a domain without access checks, so the
    sub-query of a path (employees searched on their attendances' score)
    ignores the record rules of the target; the rules are added here, at
    the level of the caller, as a where clause on the relation.
    """
    Rule = Pool().get('ir.rule')
    if not isinstance(domain, (list, tuple)) or not domain:
        return domain
    if not (isinstance(domain[0], str) and domain[0] not in {'AND', 'OR'}):
        return [rule_restricted_domain(Model, d) if isinstance(
                    d, (list, tuple)) else d for d in domain]
    if len(domain) < 3 or not isinstance(domain[1], str):
        return domain
    name, operator, value = domain[:3]
    fname, _, rest = name.partition('.')
    field = Model._fields.get(fname)
    if (field is None or isinstance(field, fields.Function)
            or field._type not in {'many2one', 'one2many', 'many2many'}
            or not (rest or operator in {'where', 'not where'})):
        return domain
    Target = field.get_target()
    if rest:
        sub = [(rest, operator, value, *domain[3:])]
    else:
        sub = value
    restricted = rule_restricted_domain(Target, sub)
    rule = Rule.domain_get(Target.__name__, mode='read')
    if not rule:
        if restricted == sub:
            return domain
        if rest:
            return (fname, 'where', restricted)
        return (fname, operator, restricted)
    if not rest:
        return (fname, operator, [restricted, rule])
    clause = (fname, 'where', [restricted, rule])
    if operator.startswith('!') or operator.startswith('not '):
        # as Tryton: also the records without a target (that they read)
        return ['OR', clause, (fname, 'not where', rule)]
    return clause


class SearchAccessMixin:
    """Searches from outside respect the access to the fields

    Tryton 8.0 checks the access to the fields read, not to those a domain
    or an order names, which tell their values one guess at a time.  The
    domain is checked in search_domain, through which every search goes,
    including the sub-queries of another model's dotted paths; the
    sub-domains of where are followed, as are the dotted paths of an order.

    Registered for every model of the pool ([register_mixin] of
    tryton.cfg), not only those of the module: a role that cannot read a
    field cannot search or order on it from any model (R-ROLE).
    """
    __slots__ = ()

    @classmethod
    def search_domain(cls, domain, active_test=None, tables=None):
        Rule = Pool().get('ir.rule')
        # not the record rules of the model, which ModelSQL.search adds
        if (Transaction().check_access and domain
                and domain != Rule.domain_get(cls.__name__, mode='read')):
            check_domain_access(cls, domain)
            domain = rule_restricted_domain(cls, domain)
        return super().search_domain(
            domain, active_test=active_test, tables=tables)

    @classmethod
    def search(cls, domain, *args, **kwargs):
        # the signature of every model, ModelSingleton's too
        order = kwargs.get('order', args[2] if len(args) > 2 else None)
        if order and Transaction().check_access:
            check_field_access(cls, [o[0] for o in order
                    if o and isinstance(o[0], str)])
            _check_secret_order(cls, order)
        return super().search(domain, *args, **kwargs)


def _check_secret_order(Model, order):
    """Refuse an order through a path to the password data of the users
    but to the administrators (res.user refuses its own fields)"""
    User = Pool().get('res.user')
    for o in order:
        if not (o and isinstance(o[0], str)):
            continue
        for Target, part in _field_path(Model, o[0]):
            if Target.__name__ == 'res.user' and Target is not Model:
                if User._secret_hidden(external=False):
                    User._check_secret([part])


def check_quantities(records, name='quantity'):
    """A quantity is a finite number greater than 0 and at most the
    configured maximum"""
    Configuration = Pool().get('service.configuration')
    maximum = Configuration(1).maximum_quantity
    for record in records:
        quantity = getattr(record, name)
        if quantity is None:
            continue
        if (not math.isfinite(quantity) or quantity <= 0
                or (maximum is not None and quantity > maximum)):
            names = record.__names__(field=name, record=record)
            raise BoundsError(gettext(
                    'service_desk.msg_quantity_bounds',
                    quantity=quantity, maximum=maximum or '', **names))


def check_dates(records, names, ahead=LATEST_AHEAD):
    """A date and time recorded lies between 2000 and the given time ahead
    of now (by default five years: appointments)"""
    Lang = Pool().get('ir.lang')
    latest = dt.datetime.now() + ahead
    for record in records:
        for name in names:
            value = getattr(record, name)
            if value is not None and not (EARLIEST <= value <= latest):
                field_names = record.__names__(field=name, record=record)
                lang = Lang.get()
                raise BoundsError(gettext(
                        'service_desk.msg_date_bounds',
                        earliest=lang.strftime(EARLIEST.date()),
                        latest=lang.strftime(latest.date()),
                        **field_names))


def search_on(names, clause):
    "Return the domain searching clause on each field of names"
    if clause[1].startswith('!') or clause[1].startswith('not '):
        bool_op = 'AND'
    else:
        bool_op = 'OR'
    return [bool_op, *((name,) + tuple(clause[1:]) for name in names)]


def selected_values(clause, choices, convert=None):
    """Return the values among choices that a clause selects

    The client sends =, !=, in and not in; like, ilike and their negations
    match the choices written as text; convert turns each value of the
    clause into a choice.  Any other operator or a value of the wrong type
    raises SearchRefused.
    """
    _, operator, value = clause[:3]
    choices = set(choices)
    if operator in _LIKE and isinstance(value, str):
        pattern = re.compile(
            ''.join('.*' if c == '%' else '.' if c == '_' else re.escape(c)
                for c in value),
            re.IGNORECASE if 'ilike' in operator else 0)
        values = {c for c in choices
            if pattern.fullmatch('' if c is None else str(c))}
        return choices - values if operator.startswith('not') else values
    if operator in {'=', '!='}:
        value = [value]
    elif operator not in {'in', 'not in'} or not isinstance(
            value, (list, tuple, type(None))):
        raise SearchRefused(clause)
    values = set()
    for item in value or []:
        if isinstance(item, (list, tuple, dict, set)):
            raise SearchRefused(clause)
        values.add(convert(item) if convert else item)
    values &= choices
    if operator in {'!=', 'not in'}:
        values = choices - values
    return values


def boolean_values(clause):
    """Return the truth values a clause on a boolean field selects (None
    stands for False, as for a boolean column)"""
    return selected_values(clause, {True, False}, bool)


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


def _wizard_type_valid(Form, name, value):
    "Whether the value of the field name of a wizard's form is of its type"
    field = Form._fields[name]
    kind = field._type
    if kind == 'boolean':
        return isinstance(value, bool)
    if kind in {'many2one', 'one2one'}:
        return (isinstance(value, int) and not isinstance(value, bool)
            and 0 <= value <= _INTEGER_RANGE[1])
    if kind in {'one2many', 'many2many'}:
        return isinstance(value, (list, tuple)) and len(value) <= (
            SEARCH_VALUES) and all(
            isinstance(v, (int, dict)) and not isinstance(v, bool)
            for v in value)
    if kind == 'selection':
        if isinstance(field.selection, (list, tuple)):
            return isinstance(value, (str, int)) and not isinstance(
                value, bool) and value in dict(field.selection)
        return isinstance(value, str)
    if kind in _PYTHON_TYPES:
        types = _PYTHON_TYPES[kind]
        return (isinstance(value, types) and not isinstance(value, bool)
            and _search_scalar_valid(value)
            and not (kind == 'date' and isinstance(value, dt.datetime)))
    return True


def _wizard_domain_valid(Form, record, name, value):
    "Whether the value of the field name of a form is within its domain"
    field = Form._fields[name]
    domain = _record_eval_pyson(record, field.domain or [])
    if field._type in {'many2one', 'one2one'}:
        Target = field.get_target()
        with Transaction().set_context(active_test=False), \
                without_check_access():
            try:
                return bool(Target.search(
                        [('id', '=', value), domain], count=True))
            except (UserError, UserWarning):
                return False
    if field._type in _RELATIONS or not domain:
        return True
    try:
        return eval_domain(domain, {
                n: getattr(record, n, None) for n in Form._fields})
    except (TypeError, ValueError):
        return False


def check_wizard_values(Wizard_, data, state_name):
    """Refuse with a BoundsError or a WizardValueError the values that
    data gives to the forms (StateView) of the wizard: the client's form
    bounds them, JSON-RPC may send anything (wizard.execute)"""
    pool = Pool()
    if not isinstance(data, dict):
        raise WizardValueError(gettext(
                'service_desk.msg_wizard_value', value=str(data)[:100],
                field='', model=Wizard_.__name__))
    for key, values in data.items():
        state = Wizard_.states.get(key)
        if not isinstance(state, StateView):
            continue
        Form = pool.get(state.model_name)
        if not isinstance(values, dict):
            raise WizardValueError(gettext(
                    'service_desk.msg_wizard_value',
                    value=str(values)[:100], field='',
                    **Form.__names__()))
        values = {n: v for n, v in values.items()
            if n != 'id' and n in Form._fields}
        for name, value in values.items():
            field = Form._fields[name]
            if value is None or value == '':
                if (field.required is True and state_name != Wizard_.end_state
                        and not field.readonly):
                    raise WizardValueError(gettext(
                            'service_desk.msg_wizard_value', value='',
                            **Form.__names__(field=name)))
                continue
            if not _wizard_type_valid(Form, name, value):
                raise WizardValueError(gettext(
                        'service_desk.msg_wizard_value',
                        value=str(value)[:100],
                        **Form.__names__(field=name)))
        if hasattr(Form, 'check_bounds'):
            Form.check_bounds(values)
        record = Form(**{n: v for n, v in values.items()
                if Form._fields[n]._type not in {
                    'one2many', 'many2many'}})
        for name, value in values.items():
            if value is None or value == '':
                continue
            if not _wizard_domain_valid(Form, record, name, value):
                raise WizardValueError(gettext(
                        'service_desk.msg_wizard_value',
                        value=str(value)[:100],
                        **Form.__names__(field=name)))


class CheckedWizardMixin:
    """The wizards of the module check on the server the values their forms
    send (check_wizard_values) before any transition reads them

    Registered for every wizard of the pool ([register_mixin] of
    tryton.cfg); the wizards declared or extended by the module are
    checked, so a new wizard is without a line of its own (R-ROLE,
    R-CS-7)."""
    __slots__ = ()

    @classmethod
    def _checked_values(cls):
        package = __name__.rpartition('.')[0]
        return any((k.__module__ or '').startswith(package + '.')
            for k in cls.__mro__ if k is not CheckedWizardMixin)

    @classmethod
    def execute(cls, session_id, data, state_name):
        if cls._checked_values():
            check_wizard_values(cls, data, state_name)
        return super().execute(session_id, data, state_name)

