# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The floors of the module's files: no import circle, and every file
imports in a fresh interpreter with only the files below it"""
import ast
import json
import os
import subprocess
import sys
import unittest

MODULE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.basename(MODULE)


def module_files():
    "The names of the module's Python files (its package's first level)"
    return sorted(name[:-3] for name in os.listdir(MODULE)
        if name.endswith('.py') and name != '__init__.py')


def import_graph():
    """The files each file imports from the module, at any depth of the
    file (an import in a function is a floor too)"""
    names = set(module_files())
    graph = {}
    for name in names:
        with open(os.path.join(MODULE, f'{name}.py'), encoding='utf-8') as f:
            tree = ast.parse(f.read())
        imported = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    imported.add(node.module.split('.')[0])
                else:
                    imported.update(a.name for a in node.names)
            elif isinstance(node, (ast.ImportFrom, ast.Import)):
                for target in ([node.module] if isinstance(
                            node, ast.ImportFrom) else
                        [a.name for a in node.names]):
                    parts = (target or '').split('.')
                    if parts[0] == PACKAGE and len(parts) > 1:
                        imported.add(parts[1])
        graph[name] = sorted(imported & names - {name})
    return graph


def floors(graph):
    """The files from the ground floor up (each after what it imports), or
    raise ValueError naming a circle"""
    order, done, path = [], set(), []

    def visit(name):
        if name in done:
            return
        if name in path:
            circle = path[path.index(name):] + [name]
            raise ValueError(' -> '.join(circle))
        path.append(name)
        for dependency in graph[name]:
            visit(dependency)
        path.pop()
        done.add(name)
        order.append(name)

    for name in sorted(graph):
        visit(name)
    return order


def run_fresh(test, code, value):
    """Run code in a fresh interpreter that finds the module's package
    first, with the package's name and value (as JSON) as arguments; return
    the JSON of its last line"""
    parent = os.path.dirname(MODULE)
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [parent] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep)
            if p])
    process = subprocess.run(
        [sys.executable, '-c', code, PACKAGE, json.dumps(value)],
        capture_output=True, text=True, env=env, cwd=parent, check=False)
    test.assertEqual(process.returncode, 0, msg=process.stderr)
    return json.loads(process.stdout.splitlines()[-1])


# run in a fresh interpreter: import the files from the ground floor up and
# say, for each, which files of the module its import loaded
_PROBE = '''
import importlib, json, sys
package, names = sys.argv[1], json.loads(sys.argv[2])
importlib.import_module(package)
loaded = {n for n in sys.modules if n.startswith(package + '.')}
result = {}
for name in names:
    importlib.import_module(package + '.' + name)
    now = {n for n in sys.modules if n.startswith(package + '.')}
    result[name] = sorted(n.split('.')[1] for n in now - loaded)
    loaded = now
print(json.dumps(result))
'''


class StructureTestCase(unittest.TestCase):
    "The import floors of the module's files"

    def test_floors_found(self):
        "The floors find a circle"
        with self.assertRaisesRegex(ValueError, 'a -> b -> a'):
            floors({'a': ['b'], 'b': ['a']})
        self.assertEqual(floors({'a': ['b'], 'b': []}), ['b', 'a'])

    def test_no_circle(self):
        "No file imports, even from a function, a file that imports it"
        graph = import_graph()
        self.assertTrue(graph)
        try:
            floors(graph)
        except ValueError as circle:
            self.fail(f"import circle: {circle}")

    def test_ground_floor(self):
        """The helpers every floor uses stand on the ground floor: the
        time zone and session settings of the reports, the advisory lock
        key, and the one extension of the record rules' context"""
        graph = import_graph()
        for name in ['exceptions', 'working_calendar', 'analysis_sql']:
            self.assertEqual(graph[name], [], msg=name)
        self.assertEqual(graph['common'], ['exceptions'])
        self.assertLessEqual(set(graph['ir']), {'analysis_sql', 'common'})
        self.assertNotIn('ir', graph['inspection_plan'])

    def test_isolated_imports(self):
        """Each file, imported in a fresh interpreter from the ground floor
        up, loads no file of the module it does not import itself"""
        graph = import_graph()
        order = floors(graph)
        loaded = run_fresh(self, _PROBE, order)
        for name in order:
            self.assertLessEqual(
                set(loaded[name]), {name, *graph[name]}, msg=name)


# run in a fresh interpreter: load the module as trytond does (its entry
# point), then an add-on that imports what the reference names
_ADDON = '''
import importlib, json, sys
from trytond.tools import import_module
module = import_module(sys.argv[1])
failed = []
for path in json.loads(sys.argv[2]):
    name, attribute = path.rsplit('.', 1)
    try:
        value = getattr(importlib.import_module(name), attribute)
        own = getattr(importlib.import_module(
                name.replace('trytond.modules.', '', 1)), attribute)
        if value is not own:
            failed.append(path + ': another object')
    except (ImportError, AttributeError) as exception:
        failed.append(f'{path}: {exception}')
print(json.dumps(failed))
'''


def reference_paths():
    "The import paths of the classes and functions of doc/reference.rst"
    paths = []
    with open(os.path.join(MODULE, 'doc', 'reference.rst'),
            encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            for directive in ['.. class:: ', '.. function:: ']:
                if line.startswith(directive):
                    paths.append(
                        line[len(directive):].split('(', 1)[0].strip())
    return paths


class ReferenceTestCase(unittest.TestCase):
    "The reference's import paths as an add-on imports them"

    def test_addon_imports(self):
        """Every class and function the reference names imports as
        trytond.modules.service_desk... once trytond has loaded the module
        through its entry point, and is the module's own object"""
        paths = reference_paths()
        self.assertTrue(paths)
        for path in paths:
            self.assertTrue(
                path.startswith(f'trytond.modules.{PACKAGE}.'), msg=path)
        self.assertEqual(run_fresh(self, _ADDON, paths), [])
