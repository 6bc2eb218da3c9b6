# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Set-up of every test run by pytest (module tests, scenarios, system
tests).

On PostgreSQL, the databases of Tryton's test cache (DB_CACHE, a
directory) are also kept as template databases of the server: a test's
database is then created as a copy of its template, in a second or two,
instead of being restored by pg_restore from the directory.  The templates'
names are made from the cache directory, which bin/test names after the
module's sources, so that a template is never taken for a database of an
older module; each is listed in a ``.template`` file of the directory,
from which bin/test drops it once the module changed.  Processes started by
the tests (workers of the system tests) restore from the directory as
before.

A scenario's database (its modules activated, then the company and the
chart of accounts set up) is made from the cached database of its modules
without the set-up when there is one, rather than by activating the
modules again.
"""
import hashlib
import os

TEMPLATE_SUFFIX = '-postgresql.template'


def _template_cache():
    "Keep the cache's databases as templates on PostgreSQL"
    cache = os.environ.get('DB_CACHE')
    if (not cache or cache.startswith('postgresql://')
            or not os.environ.get('TRYTOND_DATABASE_URI', '').startswith(
                'postgresql')):
        return
    from trytond import backend
    from trytond.tests import test_tryton
    from trytond.transaction import Transaction

    key = hashlib.shake_128(
        os.path.abspath(cache).encode()).hexdigest(4)
    restore, dump = test_tryton._pg_restore, test_tryton._pg_dump

    def names(cache_file):
        "The template database of the cache file and the file that lists it"
        hash_name = os.path.basename(cache_file).split('-', 1)[0]
        return (f'cache_{key}_{hash_name[:24]}',
            os.path.join(os.path.dirname(cache_file),
                hash_name + TEMPLATE_SUFFIX))

    def exists(transaction, name):
        cursor = transaction.connection.cursor()
        cursor.execute(
            'SELECT 1 FROM pg_database WHERE datname = %s', (name,))
        return bool(cursor.fetchone())

    def keep(cache_file):
        "Copy the test's database to the template of the cache file"
        template, listed = names(cache_file)
        # no connection may be left open on the copied database
        backend.Database(test_tryton.DB_NAME).close()
        with Transaction().start(
                None, 0, close=True, autocommit=True) as transaction:
            if not exists(transaction, template):
                transaction.database.create(
                    transaction.connection, template, test_tryton.DB_NAME)
        with open(listed, 'w') as file:
            file.write(template + '\n')

    def pg_restore(cache_file):
        template, listed = names(cache_file)
        found = False
        if os.path.exists(listed):
            with Transaction().start(
                    None, 0, close=True, autocommit=True) as transaction:
                found = exists(transaction, template)
        if not found:
            # a dump of an earlier run: its template is made from it
            restored = restore(cache_file)
            if restored:
                keep(cache_file)
            return restored
        name = test_tryton.DB_NAME
        with Transaction().start(
                None, 0, close=True, autocommit=True) as transaction:
            if exists(transaction, name):
                backend.Database(name).close()
                transaction.database.drop(transaction.connection, name)
            transaction.database.create(
                transaction.connection, name, template)
        return True

    def pg_dump(cache_file):
        result = dump(cache_file)
        keep(cache_file)
        return result

    test_tryton._pg_restore = pg_restore
    test_tryton._pg_dump = pg_dump


def _setup_from_activated():
    """A scenario's database, its modules activated then set up (the
    company, the chart of accounts), is built from the cached database of
    the same modules without the set-up when there is one, instead of
    activating the modules again: the scenarios share their activation
    with the other tests of the modules (test_portal's, other scenarios
    with another set-up).  Without it, the modules are activated and that
    database cached first."""
    from trytond.tests import test_tryton, tools

    activate_modules = tools.activate_modules

    def activate_then_setup(modules, *setup):
        if isinstance(modules, str):
            modules = [modules]
        if not setup:
            return activate_modules(modules)
        name = '-'.join(sorted(modules)) + '--' + '|'.join(
            tools._func_name(f) for f in setup)
        if test_tryton.restore_db_cache(name):
            return tools._get_config()
        if test_tryton.restore_db_cache('-'.join(sorted(modules))):
            config = tools._get_config()
        else:
            config = activate_modules(modules)
        for func in setup:
            func(config=config)
        test_tryton.backup_db_cache(name)
        return config

    tools.activate_modules = activate_then_setup


def pytest_sessionstart(session):
    _template_cache()
    _setup_from_activated()
