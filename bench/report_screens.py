#!/usr/bin/env python
# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Benchmark: the first screen of each report on the demo database.

Opens the database bin/serve builds (SQLite, var/db/service_desk.sqlite)
and, for each menu entry of the module opening a report (a table_query
model), replays as a demo user of a role that has the entry, with access
checks on and the user's language, the calls sao 8.0 makes to show its
first screen: the default values of the report's context form, the view
of its list, a search of 1,000 ids with the action's domain and order, a
count when the limit is reached and the read of the first rows with the
names of their relations.  Each screen alternates round by round with its
baseline: the report's own query run once in SQL, in the same context.
Prints each report's median time and its ratio to the baseline; the
target is a first screen within 1 second (server time).

    bench/report_screens.py [--database service_desk] [--path var/db]
        [--rounds 5] [--uri sqlite://]
"""
import os
import statistics
import time

import benchtools

# the demo users, the first of those seeing a menu entry opens it
LOGINS = ['manager', 'cs', 'keeper', 'accountant', 'engineer', 'field']
TARGET = 1.0


def main():
    parser = benchtools.parser(__doc__)
    parser.set_defaults(uri=os.environ.get('TRYTOND_DATABASE_URI')
        or 'sqlite://')
    parser.add_argument('--database', default='service_desk')
    parser.add_argument('--path', default=str(benchtools.ROOT / 'var' / 'db'),
        help="the directory of the SQLite databases (bin/serve's var/db)")
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--only', help="only the reports containing this")
    args = benchtools.configure(parser.parse_args())
    if not benchtools.is_postgresql(args.uri):
        os.environ['TRYTOND_DATABASE__PATH'] = os.path.abspath(args.path)
        if not os.path.exists(os.path.join(
                    args.path, args.database + '.sqlite')):
            raise SystemExit(f"no database {args.database} in {args.path}: "
                "build the demo first (bin/serve)")

    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool(args.database).init()
    with Transaction().start(args.database, 0, readonly=True):
        screens = list(report_screens(Pool()))
    if args.only:
        screens = [s for s in screens if args.only in s[0]]
    print(f"{len(screens)} report screens on {args.database}; "
        f"{args.rounds} rounds, each alternated with its baseline; "
        + benchtools.load())
    print(f"{'report (user)':58} {'rows':>5} {'min s':>7} {'median s':>8} "
        f"{'query s':>8} {'ratio':>6}")
    slowest, ratios = 0, []
    for name, login, user, context, action in screens:
        times, raws, rows = [], [], 0
        for round_ in range(args.rounds + 1):  # the first warms up
            order = [True, False] if round_ % 2 else [False, True]
            for is_screen in order:
                begin = time.perf_counter()
                with Transaction().start(args.database, user,
                        readonly=True, context=context) as transaction, \
                        transaction.set_context(_check_access=True):
                    if is_screen:
                        rows = first_screen(Pool(), action)
                    else:
                        report_query(Pool(), action)
                elapsed = time.perf_counter() - begin
                if round_:
                    (times if is_screen else raws).append(elapsed)
        median = statistics.median(times)
        ratio = statistics.median(
            t / r for t, r in zip(times, raws, strict=True))
        slowest = max(slowest, median)
        ratios.append(ratio)
        mark = '' if median <= TARGET else f' > {TARGET:.0f} s'
        print(f"{name[:50] + ' (' + login + ')':58} {rows:5d} "
            f"{min(times):7.3f} {median:8.3f} "
            f"{statistics.median(raws):8.3f} {ratio:6.1f}{mark}", flush=True)
    benchtools.figures(
        f"first screens of {len(screens)} reports on {args.database}: "
        f"slowest {slowest:.3f} s (target <= {TARGET:.2f} s), median ratio "
        f"{statistics.median(ratios or [0]):.2f} to the reports' own query")


def report_screens(pool):
    """Yield (menu name, login, user id, user's context, action) of the
    module's menu entries opening a report, in menu order"""
    Menu = pool.get('ir.ui.menu')
    User = pool.get('res.user')
    ModelData = pool.get('ir.model.data')
    users = {u.login: u for u in User.search([('login', 'in', LOGINS)])}
    menu_ids = [d.db_id for d in ModelData.search([
                ('module', '=', 'service_desk'),
                ('model', '=', 'ir.ui.menu'),
                ])]
    for menu in Menu.browse(sorted(menu_ids)):
        action = menu.action
        if (not action or action.__name__ != 'ir.action.act_window'
                or not action.res_model):
            continue
        try:
            Model = pool.get(action.res_model)
        except KeyError:
            continue
        if not Model._is_table_query():
            continue
        groups = set(menu.groups)
        for login in LOGINS:
            user = users.get(login)
            if user and (not groups or groups & set(user.groups)):
                break
        else:
            continue
        with _as(user):
            context = User.get_preferences(context_only=True)
        yield menu.complete_name, login, user.id, context, action.id


class _as:
    "Run as the user (the preferences of the user)"
    def __init__(self, user):
        from trytond.transaction import Transaction
        self._context = Transaction().set_user(user.id)

    def __enter__(self):
        self._context.__enter__()

    def __exit__(self, *args):
        self._context.__exit__(*args)


def _context(pool, action):
    "The action's context with the default values of its context form"
    from trytond.pyson import PYSONDecoder
    from trytond.transaction import Transaction
    Action = pool.get('ir.action.act_window')
    action = Action(action)
    decoder = PYSONDecoder(Transaction().context)
    context = decoder.decode(action.pyson_context or '{}')
    if action.context_model:
        Context = pool.get(action.context_model)
        names = list(Context.fields_view_get(view_type='form')['fields'])
        context.update(Context.default_get(names, with_rec_name=False))
    domain = decoder.decode(action.pyson_domain or '[]')
    order = decoder.decode(action.pyson_order or '[]') or None
    return action, context, domain, order


def first_screen(pool, action):
    "The calls of sao opening the report's menu entry; return the rows"
    from trytond.transaction import Transaction

    action, context, domain, order = _context(pool, action)
    Model = pool.get(action.res_model)
    view_id, view_type = action.views[0] if action.views else (None, 'tree')
    with Transaction().set_context(context):
        # the view's fields, with the names of the relations
        names = []
        view = Model.fields_view_get(view_id=view_id, view_type=view_type)
        for name, description in view['fields'].items():
            names.append(name)
            if description['type'] in {'many2one', 'one2one', 'reference'}:
                names.append(f'{name}.rec_name')
        names += ['rec_name', '_timestamp', '_write', '_delete']
        ids = [r.id for r in Model.search(domain, 0, 1000, order)]
        if len(ids) == 1000:
            Model.search_count(domain, 0, 100000)
        Model.read(ids[:1000 // min(len(names), 10)], names)
    return len(ids)


def report_query(pool, action):
    "The report's own query, run once in SQL in the action's context"
    from trytond.transaction import Transaction
    action, context, domain, order = _context(pool, action)
    Model = pool.get(action.res_model)
    with Transaction().set_context(context):
        query = Model.table_query()
        cursor = Transaction().connection.cursor()
        cursor.execute(*query)
        return len(cursor.fetchall())


if __name__ == '__main__':
    main()
