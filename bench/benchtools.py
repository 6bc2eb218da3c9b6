# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The set-up shared by the benchmarks.

A benchmark parses its arguments with ``parser()`` and calls ``configure()``
before it imports anything of Tryton or of the module: trytond reads its
configuration (the database URI among it) once, when it is first imported,
so that ``--uri`` (default ``TRYTOND_DATABASE_URI``, else PostgreSQL at
127.0.0.1:5432) must be in the environment before.
"""
import argparse
import os

DEFAULT_URI = 'postgresql://127.0.0.1:5432/'


def parser(doc):
    "Return the argument parser of a benchmark, with --uri"
    parser = argparse.ArgumentParser(
        description=doc.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--uri', default=os.environ.get('TRYTOND_DATABASE_URI', DEFAULT_URI),
        help="the database server (default: TRYTOND_DATABASE_URI, "
        f"else {DEFAULT_URI})")
    return parser


def configure(args):
    """Point trytond at args.uri, before it is imported; return the
    arguments"""
    if not args.uri.endswith('/'):
        args.uri += '/'
    os.environ['TRYTOND_DATABASE_URI'] = args.uri
    from trytond import config
    config.set('database', 'uri', args.uri)
    return args


def load():
    "The load of the machine, as uptime shows it"
    with os.popen('uptime') as output:
        return output.read().strip()
