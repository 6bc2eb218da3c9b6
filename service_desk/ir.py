# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime as dt
import logging
import os

import polib

from sql import Null, Select
from sql.functions import CurrentTimestamp

import trytond.config as config
from trytond.model import Index, fields
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.ir.translation import INTERNAL_LANG
from trytond.transaction import Transaction, TransactionError

from .analysis_sql import facts
from .common import BoundedMixin, advisory_lock_key

logger = logging.getLogger(__name__)

# translations of the core modules' strings: LANG/MODULE.po, each in the
# form of the core module's own locale/LANG.po
CORE_LOCALE = os.path.join(os.path.dirname(__file__), 'locale', 'core')

# the models whose record rules use the employees of the user (the
# module's one extension of the rules' context, as core's company/ir.py)
EMPLOYEES_RULE_MODELS = {
    'service.work_order', 'service.requisition',
    'service.training.session', 'service.training.attendee',
    'service.training.qualification',
    'service.fault.analysis', 'service.fault.analysis.action',
    'service.work_order.review', 'service.meeting', 'service.meeting.action',
    'service.analysis.scorecard',
    }


class Rule(metaclass=PoolMeta):
    "The employees of the user in the rules of the module's records"
    __name__ = 'ir.rule'

    @classmethod
    def _get_context(cls, model_name):
        User = Pool().get('res.user')
        context = super()._get_context(model_name)
        if model_name in EMPLOYEES_RULE_MODELS:
            context['employees'] = User.get_employees()
        return context

    @classmethod
    def _get_cache_key(cls, model_names):
        User = Pool().get('res.user')
        key = super()._get_cache_key(model_names)
        if model_names & EMPLOYEES_RULE_MODELS:
            key = (*key, User.get_employees())
        return key


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('service.inspection.plan|generate_inspections',
                "Generate Inspection Visits"))
        cls.method.selection.append(
            ('ir.queue|requeue_interrupted', "Requeue Interrupted Tasks"))
        cls.method.selection.append(
            ('ir.model|refresh_analysis_facts', "Refresh Analysis Figures"))
        cls.method.selection.append(
            ('service.contract|expire_ended', "Expire Ended Contracts"))
        cls.method.selection.append(
            ('service.contract|remind_renewals',
                "Remind Contract Renewals"))
        cls.method.selection.append(
            ('service.contract|invoice_periods',
                "Invoice Contract Periods"))


class Model(metaclass=PoolMeta):
    __name__ = 'ir.model'

    @classmethod
    def refresh_analysis_facts(cls, force=False):
        """Refresh the facts of the analysis that the database keeps
        (materialized on PostgreSQL)"""
        for Fact in facts():
            Fact._table_query_refresh(force=force)


class Queue(BoundedMixin, metaclass=PoolMeta):
    """The tasks of trytond-worker, none lost when a worker dies

    A worker takes a task out of the queue (dequeued) before running it, so
    the task of a worker killed while running it would never run.  With
    workers on PostgreSQL, a run holds an advisory lock on its task until
    its transaction ends, and the cron puts back in the queue the tasks
    taken out but neither finished nor failed whose lock is free.  A task
    put back while its first run was only starting runs once: the second
    run waits for the lock and finds the task finished.
    """
    __name__ = 'ir.queue'

    failed_at = fields.Timestamp("Failed at")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        table = cls.__table__()
        cls._sql_indexes.add(
            Index(table, (table.dequeued_at, Index.Range()),
                where=(table.dequeued_at != Null)
                & (table.finished_at == Null)
                & (table.failed_at == Null)))

    @staticmethod
    def _guarded():
        return (config.getboolean('queue', 'worker', default=False)
            and Transaction().database.has_select_for())

    def run(self):
        if not self._guarded():
            return super().run()
        transaction = Transaction()
        database = transaction.database
        cursor = transaction.connection.cursor()
        cursor.execute(*Select([database.lock_id(
                        advisory_lock_key(self.__name__, self.id), True)]))
        # what the run that held the lock committed
        table = self.__table__()
        with transaction.new_transaction(readonly=True) as fresh:
            fresh_cursor = fresh.connection.cursor()
            fresh_cursor.execute(*table.select(
                    table.finished_at, where=table.id == self.id))
            finished, = fresh_cursor.fetchone() or (None,)
        if finished:
            logger.info("task %s already done", self.id)
            return
        self.failed_at = None
        try:
            return super().run()
        except TransactionError:
            raise
        except Exception:
            self._set_failed()
            raise

    def _set_failed(self):
        "Record that the run failed, so that the task is not put back"
        table = self.__table__()
        try:
            with Transaction().new_transaction() as transaction:
                database = transaction.database
                cursor = transaction.connection.cursor()
                # the row stays locked when saving the task failed
                locked = table.select(table.id, where=table.id == self.id)
                locked.for_ = database.get_select_for_skip_locked()('UPDATE')
                cursor.execute(*table.update(
                        [table.failed_at], [CurrentTimestamp()],
                        where=table.id.in_(locked)))
                transaction.commit()
        except Exception:
            logger.critical(
                "failed to record the failure of task %s", self.id,
                exc_info=True)

    @classmethod
    def requeue_interrupted(cls):
        "Put back in the queue the tasks whose run was interrupted"
        transaction = Transaction()
        database = transaction.database
        if not cls._guarded():
            return
        delay = config.getint('service_desk', 'requeue_after', default=300)
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        cursor.execute(*table.select(table.id,
                where=(table.dequeued_at != Null)
                & (table.finished_at == Null)
                & (table.failed_at == Null)
                & (table.dequeued_at
                    < CurrentTimestamp() - dt.timedelta(seconds=delay))))
        interrupted = []
        for id_, in cursor.fetchall():
            cursor.execute(*Select([database.lock_id(
                            advisory_lock_key(cls.__name__, id_))]))
            locked, = cursor.fetchone()
            if locked:
                interrupted.append(id_)
        if interrupted:
            for sub_ids in grouped_slice(interrupted):
                cursor.execute(*table.update(
                        [table.dequeued_at], [Null],
                        where=table.id.in_(list(sub_ids))))
            database.notify(transaction.connection, cls.__name__, '')
            logger.info("put back %s interrupted tasks", len(interrupted))


class Translation(metaclass=PoolMeta):
    __name__ = 'ir.translation'

    @classmethod
    def translation_import(cls, lang, module, po_path):
        count = super().translation_import(lang, module, po_path)
        if module == 'service_desk':
            count += cls.import_core_translations(lang)
        return count

    @classmethod
    def import_core_translations(cls, lang):
        """Set the translations in lang of the core modules' strings from
        locale/core/LANG/MODULE.po, for the activated modules only

        Called after the module's own translations at each activation or
        update of the module (also when an optional module is activated
        later: the module is updated after it) and when a language is
        loaded.  The value replaces the core module's translation, which
        keeps its module with service_desk as overriding module; a missing
        translation is created when the source is current.  Return the
        number of translations saved."""
        pool = Pool()
        Module = pool.get('ir.module')
        ModelData = pool.get('ir.model.data')

        directory = os.path.join(CORE_LOCALE, lang)
        if not os.path.isdir(directory):
            return 0
        activated = {m.name for m in Module.search([
                    ('state', '=', 'activated'),
                    ])}
        to_save = []
        for filename in sorted(os.listdir(directory)):
            module, extension = os.path.splitext(filename)
            if extension != '.po' or module not in activated:
                continue
            db_ids = {}
            for data in ModelData.search([('module', '=', module)]):
                db_ids[data.model, data.fs_id] = data.db_id
                for model in cls.extra_model_data(data):
                    db_ids[model, data.fs_id] = data.db_id
            translations, sources = {}, set()
            for translation in cls.search([
                        ('lang', 'in', [lang, INTERNAL_LANG]),
                        ('module', '=', module),
                        ], order=[]):
                if translation.lang == lang:
                    translations.setdefault(
                        translation.unique_key, []).append(translation)
                else:
                    sources.add(translation.unique_key)
            for entry in polib.pofile(os.path.join(directory, filename)):
                if entry.obsolete or not entry.msgstr:
                    continue
                new, res_id = cls.from_poentry(entry)
                if res_id:
                    res_id = db_ids.get((new.name.split(',')[0], res_id))
                    if res_id is None:
                        continue
                else:
                    res_id = -1
                new.res_id = res_id
                key = new.unique_key
                if key not in translations:
                    if key in sources:
                        new.lang = lang
                        new.module = module
                        new.overriding_module = 'service_desk'
                        to_save.append(new)
                    else:
                        logger.warning(
                            "%s: no source for %s", filename, entry.msgctxt)
                    continue
                for translation in translations[key]:
                    if (translation.value != new.value
                            or translation.fuzzy
                            or translation.overriding_module
                            != 'service_desk'):
                        translation.value = new.value
                        translation.fuzzy = False
                        translation.overriding_module = 'service_desk'
                        to_save.append(translation)
        cls.save(to_save)
        return len(to_save)
