# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The same message posted by four processes at once makes one ticket: the
Message-ID is taken by a unique index, not by a search before the insert
(R-CS-1, R-CS-7)."""
import json
import os
import pathlib
import subprocess
import sys

import pytest

pytestmark = pytest.mark.postgresql

WORKER = pathlib.Path(__file__).with_name('inbound_email_worker.py')
PROCESSES = 4


@pytest.mark.skipif(
    not os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    reason="concurrent transactions need PostgreSQL")
def test_same_message_posted_at_once(tmp_path):
    # the module is activated once, from the tests' database cache
    env = dict(os.environ, DB_NAME=f'test_sd_mail_{os.getpid()}')

    def worker(*args):
        return subprocess.run(
            [sys.executable, str(WORKER), *args], env=env, check=True,
            capture_output=True, text=True)

    worker('setup')
    try:
        go, barrier = tmp_path / 'go', tmp_path / 'barrier'
        barrier.mkdir()
        posters = [subprocess.Popen(
                [sys.executable, str(WORKER), 'post', str(go), str(barrier),
                    str(PROCESSES)],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True)
            for _ in range(PROCESSES)]
        go.touch()
        statuses = []
        for poster in posters:
            out, err = poster.communicate(timeout=300)
            assert poster.returncode == 0, err
            statuses.append(out.split()[-1])
        # all four met before taking the Message-ID
        assert len(os.listdir(barrier)) == PROCESSES
        # every post is answered without error and stored
        assert statuses == ['204'] * PROCESSES
        assert json.loads(worker('count').stdout) == {
            'tickets': 1,
            'emails': {'ticket': 1, 'duplicate': PROCESSES - 1},
            'messages': 1,
            }
    finally:
        worker('drop')
