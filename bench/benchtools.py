# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The set-up shared by the benchmarks.

A benchmark parses its arguments with ``parser()`` and calls ``configure()``
before it imports anything of Tryton or of the module: trytond reads its
configuration (the database URI among it) once, when it is first imported,
so that ``--uri`` (default ``TRYTOND_DATABASE_URI``, else PostgreSQL at
127.0.0.1:5432) must be in the environment before.  ``configure()`` also
puts the checkout first on the path, so that a benchmark measures the
module of the checkout it is run from.

Each benchmark alternates its runs with a baseline measured in the same
run (core or raw SQL), prints the median of the per-round ratios and the
load of the machine (``os.getloadavg()``), and ends with one line starting
with ``FIGURES:`` that sums it up.
"""
import argparse
import os
import pathlib
import sys

DEFAULT_URI = 'postgresql://127.0.0.1:5432/'
ROOT = pathlib.Path(__file__).resolve().parent.parent


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
    if 'trytond.config' in sys.modules:
        raise RuntimeError("trytond was imported before configure()")
    uri = args.uri
    # a server URI (postgresql://host:port/) ends with a slash, not a file
    if not uri.startswith('sqlite') and not uri.endswith('/'):
        uri += '/'
    args.uri = uri
    os.environ['TRYTOND_DATABASE_URI'] = uri
    root = str(ROOT)
    if root in sys.path:
        sys.path.remove(root)
    sys.path.insert(0, root)
    return args


def is_postgresql(uri):
    return uri.startswith(('postgresql', 'postgres:'))


def require_postgresql(args, name):
    "Stop with a message when the benchmark needs PostgreSQL"
    if not is_postgresql(args.uri):
        sys.exit(f"{name} needs PostgreSQL (--uri postgresql://...), "
            f"not {args.uri}")


def load():
    "The load of the machine: os.getloadavg() over 1, 5 and 15 minutes"
    return "load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())


def figures(text):
    "Print the line that sums up the benchmark"
    print(f"FIGURES: {text}; {load()}", flush=True)


def as_served():
    """Measure as a server runs: trytond's test tools, which create the
    database, put the pool in test mode, where saving a record also
    validates its function fields (computing them), which a server does
    not; call it once the database is set up"""
    from trytond.pool import Pool
    Pool.test = False
