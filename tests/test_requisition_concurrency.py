# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Requisitions issued at once never issue more than the stock (R-PART-5).

50 requisitions of one lamp wait for the warehouse; 10 lamps arrive and
the requisitions are issued at the same time by parallel processes.
"""
import json
import os
import pathlib
import subprocess
import sys

import pytest

pytestmark = pytest.mark.postgresql

WORKER = pathlib.Path(__file__).with_name('requisition_concurrency_worker.py')
REQUISITIONS = 50
UNITS = 10
PROCESSES = 10


@pytest.mark.skipif(
    not os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    reason="concurrent transactions need PostgreSQL")
def test_requisitions_issued_at_once(tmp_path):
    # the module is activated once, from the tests' database cache
    env = dict(os.environ, DB_NAME=f'test_sd_requisition_{os.getpid()}')

    def worker(*args):
        process = subprocess.run(
            [sys.executable, str(WORKER), *args], env=env,
            capture_output=True, text=True)
        assert process.returncode == 0, process.stderr
        return process

    try:
        ids = json.loads(
            worker('setup', str(REQUISITIONS), str(UNITS)).stdout)
        go = tmp_path / 'go'
        processes = [subprocess.Popen(
                [sys.executable, str(WORKER), 'issue', str(go),
                    *map(str, ids[i::PROCESSES])],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True)
            for i in range(PROCESSES)]
        go.touch()
        results, retries = {}, 0
        for process in processes:
            out, err = process.communicate(timeout=600)
            assert process.returncode == 0, err
            report = json.loads(out)
            results.update(report['results'])
            retries += report['retries']

        issued = [r for r in results.values() if r == 'issued']
        refused = [r for r in results.values() if r != 'issued']
        assert len(results) == REQUISITIONS
        assert len(issued) == UNITS
        # the others are told clearly why, and nothing of theirs moved
        assert len(refused) == REQUISITIONS - UNITS
        for message in refused:
            assert 'cannot be issued' in message, message
            assert 'are not available in' in message, message
            assert 'Nothing has been issued' in message, message
        assert json.loads(worker('count').stdout) == {
            'stock': 0, 'issued': UNITS, 'reserved': 0}
        print(f"{retries} transactions retried")
    finally:
        worker('drop')
