# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"After-sales technical service desk for Tryton."
import importlib
import importlib.abc
import importlib.util
import sys

from . import portal, routes

__all__ = ["portal", "routes"]


class _Namespace(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """trytond.modules.service_desk[.X] as the name of this package [and
    of its file X]: installed as the top-level package service_desk (the
    trytond.modules entry point), the module is imported by an add-on as
    every Tryton module is, and both names give the same objects"""
    alias = f'trytond.modules.{__name__}'

    def find_spec(self, fullname, path, target=None):
        if fullname == self.alias or fullname.startswith(self.alias + '.'):
            return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return importlib.import_module(
            __name__ + spec.name[len(self.alias):])

    def exec_module(self, module):
        pass


if not any(isinstance(f, _Namespace) for f in sys.meta_path):
    sys.meta_path.insert(0, _Namespace())
