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

/* The boards (the manager's 服务总览) fit the window: sao 8.0 sizes their
   columns at least as wide as their widest content (minmax(min-content,
   Nfr)), so a list of many columns pushed the right column off a 1366 or
   1920 pixel screen.  A board's columns share the width; a wide list
   scrolls inside its panel. */
(function() {
    'use strict';
    if (!window.Sao || !Sao.View || !Sao.View.Board) {
        return;
    }
    jQuery('<style/>').text(
        '.board .form-item { min-width: 0; }' +
        '.board .board-action { min-width: 0; overflow-x: auto; }'
    ).appendTo('head');
    var proto = Sao.View.Board.prototype;
    var init = proto.init;
    proto.init = function(xml, context) {
        init.call(this, xml, context);
        for (const container of this.containers) {
            const set_grid_template = container.set_grid_template;
            container.set_grid_template = function() {
                set_grid_template.apply(this, arguments);
                var style = this.el[0].style;
                style.gridTemplateColumns = style.gridTemplateColumns
                    .replace(/minmax\(min-content,/g, 'minmax(0px,');
            };
            container.set_grid_template();
        }
    };
}());

/* The labels of a chart's categories (the equipment of 故障最多的设备)
   stay on one line, standing upright and cut after 24 characters when
   they are too long for their column (billboard.js wraps them only at
   spaces: Chinese names ran into their neighbours); the tooltip keeps
   the whole name. */
(function() {
    'use strict';
    if (!window.Sao || !Sao.View || !Sao.View.Graph ||
            !Sao.View.Graph.Chart) {
        return;
    }
    var LONGEST = 24;
    // the width of a character of the ticks, Chinese ones included
    var CHARACTER = 9;
    var proto = Sao.View.Graph.Chart.prototype;
    var bb_config = proto._bb_config;
    proto._bb_config = function(data) {
        var config = bb_config.call(this, data);
        if (!config.axis || config.axis.rotated || !config.axis.x ||
                config.axis.x.type != 'category') {
            return config;
        }
        var labels = [];
        for (const column of data.columns || []) {
            if (column[0] == 'labels') {
                labels = column.slice(1).map(label => String(label));
            }
        }
        var width = this.el.width() || 0;
        var longest = Math.max(0, ...labels.map(label => label.length));
        if (!labels.length ||
                longest * CHARACTER <= width / labels.length) {
            return config;
        }
        config.axis.x.tick = jQuery.extend({
            multiline: false,
            rotate: 90,
            culling: false,
            format: function(index, category) {
                category = String(category === undefined ?
                    labels[index] : category);
                return category.length > LONGEST ?
                    category.slice(0, LONGEST - 1) + '…' : category;
            },
        }, config.axis.x.tick);
        return config;
    };
}());
