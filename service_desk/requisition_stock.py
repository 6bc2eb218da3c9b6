# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"The stock side of the requisitions: reservation, issue, back orders"
from collections import defaultdict

from trytond.i18n import gettext
from trytond.pool import Pool
from trytond.transaction import Transaction

from .exceptions import RequisitionBackOrderWarning, RequisitionError

OPEN_STATES = ['requested', 'approved']


class RequisitionStockMixin:
    """The stock moves of a requisition's lines: the draft moves are the
    demand, assigned the parts reserved, done the parts issued (R-PART-3)"""
    __slots__ = ()

    @classmethod
    def _cancel_moves(cls, requisitions):
        Move = Pool().get('stock.move')
        Move.cancel([m for r in requisitions for line in r.lines
                for m in line.moves if m.state in {'draft', 'assigned'}])

    @classmethod
    def _fall_back_to_warehouse(cls, requisitions):
        """Take from the warehouse the parts a vehicle lacks, when the
        warehouse has them"""
        pool = Pool()
        Line = pool.get('service.requisition.line')
        Uom = pool.get('product.uom')
        waiting = [m for m in cls._moves(requisitions, ['draft'])
            if m.origin.requisition.warehouse
            and m.from_location
            != m.origin.requisition.warehouse.storage_location]
        if not waiting:
            return
        storages = [m.origin.requisition.warehouse.storage_location
            for m in waiting]
        available = cls._available(waiting, set(storages))
        to_write = []
        for move, storage in zip(waiting, storages, strict=True):
            key = (storage.id, move.product.id)
            quantity = Uom.compute_qty(
                move.unit, move.quantity, move.product.default_uom,
                round=False)
            if available.get(key, 0) >= quantity:
                available[key] -= quantity
                to_write.extend(([move.origin], {'from_location': storage.id}))
        if to_write:
            # the waiting moves follow the lines and are reserved again
            Line.write(*to_write)

    @classmethod
    def _warn_back_order(cls, requisitions):
        "Warn the approver of the parts that are not in stock"
        pool = Pool()
        Warning = pool.get('res.user.warning')
        waiting = cls._moves(requisitions, ['draft'])
        if not waiting:
            return
        key = Warning.format('service_desk.requisition_back_order', list({
                    m.origin.requisition for m in waiting}))
        if Warning.check(key):
            line = waiting[0].origin
            raise RequisitionBackOrderWarning(key, gettext(
                    'service_desk.msg_requisition_back_order',
                    requisition=line.requisition.rec_name,
                    product=line.product.rec_name,
                    quantity=line.waiting_quantity,
                    unit=line.unit.symbol,
                    location=line.from_location.rec_name))

    @classmethod
    def reserve(cls, requisitions):
        """Assign the waiting moves of requisitions (R-PART-3)

        Critical requisitions are served first, from all the stock, and
        take the parts reserved by normal requisitions not yet issued when
        the stock is short.  Normal requisitions leave each part's quantity
        reserved for critical equipment in stock.
        """
        pool = Pool()
        Move = pool.get('stock.move')
        requisitions = [r for r in requisitions if r.state in OPEN_STATES]
        critical = cls._moves(requisitions, ['draft'], critical=True)
        normal = cls._moves(requisitions, ['draft'], critical=False)
        # the normal moves of parts with a critical reserve
        reserved = cls._moves(
            requisitions, ['draft'], critical=False, reserved=True)
        if not critical and not normal:
            return
        if critical or reserved:
            # the quantities read before assign_try must not change
            cls._lock_stock(critical + normal)
        released = []
        if critical and not Move.assign_try(critical):
            released = cls._release_for(
                [m for m in critical if m.state == 'draft'])
            Move.assign_try(critical)
        normal += released
        reserved += [m for m in released if cls._critical_reserve(m)]
        if normal:
            Move.assign_try(cls._within_reserve(normal, reserved))

    @classmethod
    def _moves(cls, requisitions, states, critical=None, reserved=False):
        "Return the moves in states of the lines of requisitions"
        Move = Pool().get('stock.move')
        domain = [
            ('origin.requisition', 'in', [r.id for r in requisitions],
                'service.requisition.line'),
            ('state', 'in', states),
            ]
        if critical is not None:
            domain.append(('origin.requisition.critical', '=', critical,
                    'service.requisition.line'))
        if reserved:
            domain.append(
                ('product.template.service_critical_reserve', '>', 0))
        return Move.search(domain, order=[('id', 'ASC')])

    @classmethod
    def _lock_stock(cls, moves):
        pool = Pool()
        Move = pool.get('stock.move')
        Date = pool.get('ir.date')
        Location = pool.get('stock.location')
        locations = Location.search([
                ('parent', 'child_of', list({
                            m.from_location.id for m in moves})),
                ])
        Move._assign_try_lock(
            list({m.product.id for m in moves}),
            [loc.id for loc in locations],
            list({m.company.id for m in moves}),
            Date.today(), ('product',))

    @classmethod
    def _available(cls, moves, locations=None):
        """Return the quantity to assign by (location, product) at the
        locations, by default those of the moves"""
        pool = Pool()
        Product = pool.get('product.product')
        Date = pool.get('ir.date')
        company = moves[0].company
        if locations is None:
            locations = {m.from_location for m in moves}
        with Transaction().set_context(
                company=company.id, stock_date_end=Date.today(),
                stock_assign=True):
            return Product.products_by_location(
                list({loc.id for loc in locations}),
                with_childs=True,
                grouping_filter=(list({m.product.id for m in moves}),))

    @classmethod
    def _within_reserve(cls, moves, reserved):
        """Return the moves that leave the critical reserve in stock

        reserved are the moves of parts with a critical reserve"""
        pool = Pool()
        Uom = pool.get('product.uom')
        if not reserved:
            return moves
        available = cls._available(reserved)
        reserved_ids = {m.id for m in reserved}
        result = [m for m in moves if m.id not in reserved_ids]
        for move in sorted(reserved, key=cls._priority):
            key = (move.from_location.id, move.product.id)
            quantity = Uom.compute_qty(
                move.unit, move.quantity, move.product.default_uom,
                round=False)
            if (available.get(key, 0) - quantity
                    >= cls._critical_reserve(move)):
                available[key] = available.get(key, 0) - quantity
                result.append(move)
        return result

    @staticmethod
    def _critical_reserve(move):
        "Return the quantity of the part kept for critical equipment"
        return move.product.template.service_critical_reserve or 0

    @staticmethod
    def _priority(move):
        requisition = move.origin.requisition
        return (requisition.urgency != 'urgent',
            requisition.requested_at or requisition.create_date, move.id)

    @classmethod
    def _release_for(cls, moves):
        """Put back to waiting the moves of normal requisitions holding the
        parts critical moves miss, the latest requested first, and return
        them"""
        pool = Pool()
        Move = pool.get('stock.move')
        Uom = pool.get('product.uom')
        missing = defaultdict(float)
        for move in moves:
            missing[move.from_location.id, move.product.id] += (
                Uom.compute_qty(move.unit, move.quantity,
                    move.product.default_uom, round=False))
        holders = Move.search([
                ('origin.requisition.critical', '=', False,
                    'service.requisition.line'),
                ('origin.requisition.state', '=', 'approved',
                    'service.requisition.line'),
                ('state', '=', 'assigned'),
                ('product', 'in', list({p for _, p in missing})),
                ('from_location', 'in', list({loc for loc, _ in missing})),
                ])
        to_release = []
        for move in sorted(holders, key=cls._priority, reverse=True):
            key = move.from_location.id, move.product.id
            if missing.get(key, 0) > 0:
                to_release.append(move)
                missing[key] -= move.internal_quantity
        Move.draft(to_release)
        return to_release

    @classmethod
    def _issue(cls, requisitions, partial):
        pool = Pool()
        Move = pool.get('stock.move')
        if cls._moves(requisitions, ['draft']):
            cls.reserve(requisitions)
        moves = cls._moves(requisitions, ['draft', 'assigned'])
        waiting = [m for m in moves if m.state == 'draft']
        if partial and waiting:
            with_parts = {m.origin.requisition for m in moves
                if m.state == 'assigned'}
            waiting = [m for m in waiting
                if m.origin.requisition not in with_parts]
        if waiting:
            line = waiting[0].origin
            raise RequisitionError(gettext(
                    'service_desk.msg_requisition_not_available',
                    requisition=line.requisition.rec_name,
                    product=line.product.rec_name,
                    quantity=line.waiting_quantity,
                    unit=line.unit.symbol,
                    location=line.from_location.rec_name))
        Move.do([m for m in moves if m.state == 'assigned'])


class RequisitionLineStockMixin:
    "The stock moves of a requisition line"
    __slots__ = ()

    @classmethod
    def on_modification(cls, mode, lines, field_names=None):
        "The parts still to issue follow a change of the source"
        pool = Pool()
        Move = pool.get('stock.move')
        Requisition = pool.get('service.requisition')
        super().on_modification(mode, lines, field_names=field_names)
        if mode != 'write' or 'from_location' not in field_names:
            return
        moves = [m for line in lines for m in line.moves
            if m.state in {'draft', 'assigned'}
            and m.from_location != line.from_location]
        if moves:
            Move.draft([m for m in moves if m.state == 'assigned'])
            for move in moves:
                move.from_location = move.origin.from_location
            Move.save(moves)
            Requisition.reserve(list({m.origin.requisition for m in moves}))

    def get_move(self):
        "Return the waiting stock move of what is still to issue, or None"
        pool = Pool()
        Move = pool.get('stock.move')
        requisition = self.requisition
        quantity = self.unit.round(self.quantity - sum(
                m.quantity for m in self.moves if m.state == 'done'))
        if quantity <= 0:
            return None
        return Move(
            product=self.product,
            quantity=quantity,
            unit=self.unit,
            from_location=self.from_location,
            to_location=requisition.destination,
            company=requisition.company,
            planned_date=pool.get('ir.date').today(),
            origin=self,
            state='draft',
            )
