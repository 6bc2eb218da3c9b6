# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"Two inspection generators at once create each visit once (R-INSP-1/2)."
import json
import os
import pathlib
import subprocess
import sys

import pytest

pytestmark = pytest.mark.postgresql

WORKER = pathlib.Path(__file__).with_name('inspection_generator_worker.py')
SITES = 40


@pytest.mark.skipif(
    not os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    reason="the generators serialize on PostgreSQL")
def test_two_generators_at_once(tmp_path):
    # the module is activated once, from the tests' database cache
    env = dict(os.environ, DB_NAME=f'test_sd_generator_{os.getpid()}')

    def worker(*args, **kwargs):
        return subprocess.run(
            [sys.executable, str(WORKER), *args], env=env, check=True,
            capture_output=True, text=True, **kwargs)

    worker('setup', str(SITES))
    try:
        go = tmp_path / 'go'
        generators = [subprocess.Popen(
                [sys.executable, str(WORKER), 'generate', str(go)],
                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True)
            for _ in range(2)]
        go.touch()
        for generator in generators:
            _, err = generator.communicate(timeout=300)
            assert generator.returncode == 0, err

        counts = json.loads(worker('count').stdout)
        # three phases for each site, one line for each of its 2 items
        assert counts == {
            'visits': SITES * 3, 'duplicates': 0, 'lines': SITES * 3 * 2}

        # a third run later finds nothing to do
        go2 = tmp_path / 'go2'
        go2.touch()
        worker('generate', str(go2))
        assert json.loads(worker('count').stdout) == counts
    finally:
        worker('drop')
