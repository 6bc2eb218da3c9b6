# This file is part of service_desk.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The company's working calendar (R-CS-3).

Working days are China's: weekends off, public holidays off and the
adjusted working days (调休) on, from the ``chinesecalendar`` package; for
years it does not cover yet, Monday to Friday.  A company's own days
(``exceptions``, {date: working}) come first.  Working hours are one
period a day from the service configuration, in the company's time zone.
Datetimes in and out are naive UTC, as Tryton stores them.

The calendar of a company is given by
``service.configuration.working_calendar(company)``, the method to
extend.
"""
import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar

UTC = dt.UTC
_MAX_DAYS = 3660


def is_working_day(date):
    try:
        return chinese_calendar.is_workday(date)
    except NotImplementedError:
        return date.weekday() < 5


def working_day(date, is_working_day=is_working_day):
    "Return the date, or the first working day after it"
    for _ in range(_MAX_DAYS):
        if is_working_day(date):
            return date
        date += dt.timedelta(days=1)
    raise ValueError("no working day found")


def to_local(value, timezone=None):
    "Return the naive UTC datetime as a naive datetime of the time zone"
    zone = ZoneInfo(timezone) if timezone else UTC
    return value.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)


def to_utc(value, timezone=None):
    "Return the naive datetime of the time zone as a naive UTC datetime"
    zone = ZoneInfo(timezone) if timezone else UTC
    return value.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


class WorkingCalendar:

    def __init__(self, start, end, timezone=None, exceptions=None):
        assert start < end
        self.start = start
        self.end = end
        self.timezone = timezone
        self.exceptions = exceptions or {}
        # the days already asked, as a calendar serves a batch of records
        self._days = {}

    def is_working_day(self, date):
        if date in self.exceptions:
            return self.exceptions[date]
        try:
            return self._days[date]
        except KeyError:
            working = self._days[date] = is_working_day(date)
            return working

    def _local(self, value):
        return to_local(value, self.timezone)

    def _utc(self, value):
        return to_utc(value, self.timezone)

    def _period(self, date):
        return (
            dt.datetime.combine(date, self.start),
            dt.datetime.combine(date, self.end))

    def local_date(self, value):
        "Return the date of the UTC datetime in the company's time zone"
        return self._local(value).date()

    def working_day(self, date):
        "Return the date, or the first working day after it"
        return working_day(date, self.is_working_day)

    def is_working_time(self, value):
        local = self._local(value)
        start, end = self._period(local.date())
        return self.is_working_day(local.date()) and start <= local < end

    def add(self, value, hours):
        "Return the UTC datetime hours of working time after value"
        remaining = dt.timedelta(hours=hours)
        current = self._local(value)
        for _ in range(_MAX_DAYS):
            start, end = self._period(current.date())
            if self.is_working_day(current.date()) and current < end:
                current = max(current, start)
                available = end - current
                if remaining <= available:
                    return self._utc(current + remaining)
                remaining -= available
            current = dt.datetime.combine(
                current.date() + dt.timedelta(days=1), self.start)
        raise ValueError("no working time found")

    def hours_between(self, begin, finish):
        "Return the working hours between two UTC datetimes"
        if finish <= begin:
            return 0.0
        begin, finish = self._local(begin), self._local(finish)
        total = dt.timedelta()
        date = begin.date()
        while date <= finish.date():
            if self.is_working_day(date):
                start, end = self._period(date)
                overlap = min(end, finish) - max(start, begin)
                if overlap > dt.timedelta():
                    total += overlap
            date += dt.timedelta(days=1)
        return total.total_seconds() / 3600
