/* This file is part of service_desk.  The COPYRIGHT file at the top level of
 * this repository contains the full copyright notices and license terms.
 *
 * Served as sao's custom.js by the module (routes.py).
 *
 * sao 8.0 displays the whole form again after any change (leaving a text
 * field is one) and, doing so, rebuilds the options of each selection: the
 * first option is shown until a later task selects the record's value.  A
 * button clicked in between reads every widget and takes that first option
 * as typed: a callback's answers were blanked when its comment was the last
 * thing typed before Record Callback, a ticket's channel became the first
 * choice.  The option shown before is kept shown while the options are
 * rebuilt.
 */
(function() {
    'use strict';
    if (!window.Sao || !Sao.View || !Sao.View.Form ||
            !Sao.View.Form.Selection) {
        return;
    }
    var proto = Sao.View.Form.Selection.prototype;
    var set_selection = proto.set_selection;
    proto.set_selection = function(selection, help) {
        var shown = this.select.val();
        set_selection.call(this, selection, help);
        if (shown !== null && this.select.children('option').filter(
                    function() {
                        return this.value === shown;
                    }).length) {
            this.select.val(shown);
        }
    };
}());

/* sao 8.0 draws a calendar before its tab is shown, when the hours have no
   height yet, so it opens at 00:00 whatever its scroll time (the action's
   context calendar_scroll_time): once its events are drawn in the shown
   tab, scroll it to that time, the first time only. */
(function() {
    'use strict';
    if (!window.Sao || !Sao.View || !Sao.View.Calendar) {
        return;
    }
    var proto = Sao.View.Calendar.prototype;

    function scroll_to_start(calendar) {
        if (calendar.scrolled_to_start || !calendar.el.is(':visible')) {
            return;
        }
        var view = calendar.el.fullCalendar('getView');
        if (view && view.applyScroll && view.isDatesRendered) {
            calendar.scrolled_to_start = true;
            view.applyScroll({isDateInit: true});
        }
    }

    var get_events = proto.get_events;
    proto.get_events = function(start, end, timezone, callback) {
        var calendar = this;
        return get_events.call(this, start, end, timezone, function() {
            var result = callback.apply(this, arguments);
            scroll_to_start(calendar);
            return result;
        });
    };
}());
