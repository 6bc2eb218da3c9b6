# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The benchmarks run as the README shows them

Each script of bench/ is run as a user runs it (``python bench/<script>``
with ``--uri``), at a tiny size, and must end with its figures line
(``FIGURES: ...``): the median ratio to its baseline and the load.  A
benchmark that SQLite can run runs on the database of the test run; the
others run on PostgreSQL's side of the run (bin/test), else are skipped.
The database cache of the run (DB_CACHE) is passed on, so that the module
is not activated again for each script.

On PostgreSQL one database with the module activated is made first
(restored from the run's DB_CACHE, or built and kept there), and each
script starts from a copy of it (SERVICE_DESK_TEMPLATE, see
``service_database``) instead of activating the module again; it is
dropped at the end.  Without SERVICE_DESK_BENCHMARKS=1 the PostgreSQL
side skips them, e.g. ``SERVICE_DESK_BENCHMARKS=1 bin/test
tests/test_benchmarks.py`` runs them.
"""
import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
URI = os.environ.get('TRYTOND_DATABASE_URI') or 'sqlite://'
ON_POSTGRESQL = URI.startswith('postgresql')
ALL = os.environ.get('SERVICE_DESK_BENCHMARKS') == '1'

# script, tiny arguments, whether SQLite can run it
BENCHMARKS = [
    ('ticket_create.py', ['--count', '40', '--batch', '10'], True),
    ('ticket_create.py', [
            '--clients', '2', '--count', '4', '--rounds', '2'], False),
    ('contract_intake.py', [
            '--contracts', '8', '--items', '32', '--count', '20',
            '--batch', '10'], True),
    ('work_order_calendar.py', [
            '--technicians', '3', '--count', '30', '--repeat', '2'], False),
    ('inspection_generate.py', [
            '--sites', '5', '--equipment', '2', '--rounds', '2'], False),
    ('requisition_issue.py', [
            '--requisitions', '8', '--lines', '2', '--batch', '4'], False),
    ('analysis.py', [
            '--tickets', '300', '--sites', '12', '--repeat', '1',
            '--live-repeat', '1'], False),
    ('knowledge.py', [
            '--articles', '200', '--products', '5', '--batch', '3',
            '--rounds', '2'], True),
    ('screens.py', [
            '--sizes', '20,40', '--rounds', '2', '--customers', '5'],
        False),
    ('portal.py', [
            '--reports', '4', '--clients', '2', '--rounds', '2'], True),
    ]


@pytest.fixture(scope='module')
def template():
    """The name of a PostgreSQL database with the module activated, which
    the benchmarks copy, dropped at the end; None on SQLite"""
    if not ON_POSTGRESQL or not ALL:
        yield None
        return
    name = f'bench_template_{os.getpid()}'
    env = dict(os.environ, DB_NAME=name, TRYTOND_DATABASE_URI=URI)
    env.setdefault('DB_CACHE', '')
    env.pop('SERVICE_DESK_TEMPLATE', None)
    subprocess.run([sys.executable, '-c',
            'from trytond.tests.test_tryton import activate_module; '
            "activate_module('service_desk')"],
        cwd=ROOT, env=env, check=True, timeout=3600)
    try:
        yield name
    finally:
        import psycopg
        with psycopg.connect(URI.rstrip('/') + '/postgres',
                autocommit=True) as connection:
            connection.execute(
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.parametrize('script,arguments,sqlite', BENCHMARKS,
    ids=[f"{s}{' --clients' if '--clients' in a else ''}"
        for s, a, _ in BENCHMARKS])
def test_benchmark_prints_its_figures(template, script, arguments, sqlite):
    "The benchmark runs as documented and prints its figures line"
    if not ON_POSTGRESQL and not sqlite:
        pytest.skip("needs PostgreSQL (run on PostgreSQL's side of bin/test)")
    if ON_POSTGRESQL and not ALL:
        pytest.skip("on request: SERVICE_DESK_BENCHMARKS=1")
    env = dict(os.environ)
    # the checkout's module, as the README's command uses it
    env.pop('PYTHONPATH', None)
    # trytond reads --uri, not this variable, in the benchmark
    env.pop('TRYTOND_DATABASE_URI', None)
    env.pop('DB_NAME', None)
    if template:
        env['SERVICE_DESK_TEMPLATE'] = template
    process = subprocess.run(
        [sys.executable, str(ROOT / 'bench' / script), '--uri', URI]
        + arguments,
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]
    assert re.search(
        r'^FIGURES: .*median ratio \d+\.\d\d.*; load average [\d.]+',
        process.stdout, re.M), process.stdout[-3000:]


@pytest.mark.demo_server
def test_report_screens_print_their_figures(demo_database):
    "bench/report_screens.py measures the reports on the demo database"
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    for name in ['TRYTOND_DATABASE_URI', 'DB_NAME', 'DB_CACHE']:
        env.pop(name, None)
    path = pathlib.Path(demo_database)
    process = subprocess.run(
        [sys.executable, str(ROOT / 'bench' / 'report_screens.py'),
            '--uri', 'sqlite://', '--path', str(path.parent),
            '--database', path.stem, '--rounds', '1'],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stderr[-3000:]
    assert re.search(
        r'^FIGURES: first screens of \d+ reports .*median ratio \d+\.\d\d'
        r'.*; load average [\d.]+', process.stdout, re.M), (
        process.stdout[-3000:])
