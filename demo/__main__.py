# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Create a database with service_desk activated and the demo data, or
print the demo's logins.

    python -m demo --config FILE --database NAME
    python -m demo --summary [--port N]
"""
import argparse
import logging
import os
import pathlib
import subprocess
import sys
import tempfile

from . import ADMIN_PASSWORD, PASSWORD


def create_database(config_file, database):
    """Create the SQLite file and activate service_desk with zh_CN loaded,
    for ir and res too (their messages and labels such as Record Name)"""
    from trytond import config
    config.update_etc(config_file)
    path = config.get('database', 'path')
    os.makedirs(path, exist_ok=True)
    open(os.path.join(path, database + '.sqlite'), 'a').close()
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(ADMIN_PASSWORD)
        passfile.flush()
        env = dict(os.environ, TRYTONPASSFILE=passfile.name)
        subprocess.run([
                'trytond-admin', '-c', config_file, '-d', database,
                '--all', '--email', 'admin@example.com', '-l', 'zh_CN'],
            env=env, check=True)
        subprocess.run([
                'trytond-admin', '-c', config_file, '-d', database,
                '-u', 'service_desk', 'timesheet', 'attendance',
                'stock_supply', 'account_invoice',
                'account_stock_continental', 'sale_opportunity',
                '--activate-dependencies',
                '-l', 'zh_CN'],
            env=env, check=True)


# the demo's portal links, written when the demo is built (their tokens
# are kept nowhere else) and printed with the logins
LINKS_FILE = pathlib.Path(__file__).resolve().parent.parent / 'var' / (
    'portal-links.txt')
LINK_TEXTS = {
    'active': "report a fault (label, valid)",
    'used': "report a fault (used up: the 404)",
    'expired': "report a fault (expired: the 404)",
    'revoked': "report a fault (revoked: the 404)",
    'follow': "follow an open ticket",
    }


def portal_lines(port, database='service_desk', path=LINKS_FILE):
    "The lines of the demo's portal links, from the file of the build"
    if not path.exists():
        return []
    lines = ['Customer portal (open on a phone, or at 360 px wide):']
    for line in path.read_text().splitlines():
        kind, token = line.split('\t')
        lines.append(f'  {LINK_TEXTS.get(kind, kind):<36} '
            f'http://127.0.0.1:{port}/{database}/service/l/{token}')
    return lines


def summary(port):
    from service_desk.tests.tools import USERS
    url = f'http://127.0.0.1:{port}/'
    lines = [
        '',
        f'service_desk is served at {url}',
        'Database: service_desk',
        f'  admin       / {ADMIN_PASSWORD}  (administrator)',
        ]
    for login, (name, role, _) in USERS.items():
        role = role.replace('_', ' ')
        lines.append(f'  {login:<11} / {PASSWORD}  ({role}: {name})')
    lines.extend(portal_lines(port))
    lines.append('Stop with Ctrl-C.')
    print('\n'.join(lines), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m demo', description=__doc__.splitlines()[0])
    parser.add_argument('--config')
    parser.add_argument('--database')
    parser.add_argument('--summary', action='store_true')
    parser.add_argument('--port', type=int, default=8000)
    args = parser.parse_args(argv)
    if args.summary:
        summary(args.port)
        return
    if not args.config or not args.database:
        parser.error("--config and --database are required")

    from proteus import config as pconfig
    from trytond.pool import Pool

    create_database(args.config, args.database)
    # The demo's customers are fictitious: the notifications its tickets
    # send have no mail server to go to, which is not an error here.
    logging.getLogger('trytond.sendmail').setLevel(logging.CRITICAL)
    config = pconfig.set_trytond(
        database=args.database, config_file=args.config)
    # Tryton's test tools, which the loader uses, put the pool in test mode
    # when they are imported; the demo is an ordinary database.
    test = Pool.test
    from .load import load
    Pool.test = test
    load(config)
    from .department import PORTAL_LINKS
    if PORTAL_LINKS:
        path = pathlib.Path(args.config).resolve().parent / LINKS_FILE.name
        path.write_text(''.join(f'{k}\t{t}\n' for k, t in PORTAL_LINKS))
        print('\n'.join(portal_lines(args.port, args.database, path)),
            file=sys.stderr)
    print(f"Demo data loaded in {args.database}", file=sys.stderr)


if __name__ == '__main__':
    main()
