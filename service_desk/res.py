# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from sql import Literal

from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .common import BoundedMixin, domain_fields

SECRET_FIELDS = {'password_hash', 'password_reset', 'password_reset_expire'}


class User(BoundedMixin, metaclass=PoolMeta):
    """Password data is neither read nor searched but by administrators

    Tryton 8.0 blanks the hash on read but lets any user read the reset
    password and search both, which tells them one guess at a time.
    """
    __name__ = 'res.user'

    @classmethod
    def _secret_hidden(cls, external=True):
        """Whether the user may not see password data

        A search is checked for every user but root, with or without access
        checks: the sub-queries of another model's dotted paths (such as
        create_uid.password_hash) run without them, and no code of Tryton
        searches password data through the ORM.
        """
        ModelData = Pool().get('ir.model.data')
        transaction = Transaction()
        if not transaction.user or (external and not transaction.check_access):
            return False
        admin = ModelData.get_id('res', 'group_admin')
        return admin not in cls.get_groups()

    @classmethod
    def _check_secret(cls, names):
        for name in names:
            if name.split('.', 1)[0] in SECRET_FIELDS:
                raise AccessError(gettext(
                        'ir.msg_access_rule_field_error',
                        **cls.__names__(name.split('.', 1)[0])))

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        if SECRET_FIELDS & set(fields_names) and cls._secret_hidden():
            for values in result:
                for name in SECRET_FIELDS & values.keys():
                    values[name] = None
        return result

    @classmethod
    def search_domain(cls, domain, active_test=None, tables=None):
        if cls._secret_hidden(external=False):
            cls._check_secret(domain_fields(domain))
        return super().search_domain(
            domain, active_test=active_test, tables=tables)

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            query=False):
        if order and cls._secret_hidden(external=False):
            cls._check_secret(o[0] for o in order if o)
        return super().search(domain, offset=offset, limit=limit,
            order=order, count=count, query=query)


class UserGroup(metaclass=PoolMeta):
    """The spare-parts keeper is a member of the Stock group too

    A group has one parent and the keeper's is the service group, so the
    keeper's users are put in Tryton's Stock group here (R-ROLE-5).
    """
    __name__ = 'res.user-res.group'

    @classmethod
    def user_group_all_table(cls):
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        table = super().user_group_all_table()
        try:
            keeper = ModelData.get_id(
                'service_desk', 'group_service_parts_keeper')
            stock = ModelData.get_id('stock', 'group_stock')
        except KeyError:
            # before the groups are loaded
            return table
        user_group = cls.__table__()
        return table | user_group.select(
            user_group.user.as_('user'), Literal(stock).as_('group'),
            where=user_group.group == keeper)
