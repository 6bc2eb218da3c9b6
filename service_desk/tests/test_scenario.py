# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Run the proteus scenarios, under unittest and under pytest.

unittest runs them through Tryton's ``load_tests`` hook; pytest ignores
that hook, so each ``scenario_*.rst`` file also gets a test function here
that fails when the scenario fails.
"""
import pathlib
import unittest

from trytond.tests.test_tryton import load_doc_tests

HERE = pathlib.Path(__file__).parent


def load_tests(*args, **kwargs):
    return load_doc_tests(__name__, __file__, *args, **kwargs)


def _scenario_test(path):
    def test():
        loader = unittest.TestLoader()
        loader.testNamePatterns = [path.name]
        suite = load_doc_tests(
            __name__, __file__, loader, unittest.TestSuite(), None)
        assert suite.countTestCases() == 1, path.name
        result = unittest.TextTestRunner(verbosity=0).run(suite)
        failures = result.failures + result.errors
        assert result.wasSuccessful(), '\n'.join(f for _, f in failures)
    test.__name__ = f'test_{path.stem}'
    test.__doc__ = f"Scenario {path.name}"
    return test


for _path in sorted(HERE.glob('scenario_*.rst')):
    globals()[f'test_{_path.stem}'] = _scenario_test(_path)
del _path
