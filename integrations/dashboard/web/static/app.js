/* Gigabot dashboard: follows the live board and redraws the page the
   server first rendered. The board comes from the Server-Sent Events feed
   (/api/v1/live); when that is unavailable, from /api/v1/board every 30 s.
   No framework, no build step, nothing from another host; every text is
   set with textContent. */
(function () {
  'use strict';

  var SVG_NS = 'http://www.w3.org/2000/svg';
  var POLL_EVERY = 30000;
  var SSE_RETRY_AFTER_FAILURE = 60000;
  var SSE_FIRST_BOARD_WITHIN = 15000;
  var ROTATE_EVERY = 10000;
  var FLASH_FOR = 20000;

  var root = document.documentElement;
  var body = document.body;
  var page = JSON.parse(document.getElementById('page-data').textContent);
  var tv = body.dataset.mode === 'tv';
  var lang = root.lang || 'fr';
  var last = null;
  var lastRaw = '';

  root.classList.add('js');

  function t(key) {
    var words = page.texts[lang] || page.texts.fr;
    return words[key] !== undefined ? words[key] : page.texts.fr[key];
  }

  function $(selector) { return document.querySelector(selector); }

  // el builds an element: attrs sets attributes, except "text" (its text).
  function el(tag, attrs) {
    var e = document.createElement(tag);
    setAll(e, attrs);
    for (var i = 2; i < arguments.length; i++) {
      if (arguments[i] !== null && arguments[i] !== undefined) e.append(arguments[i]);
    }
    return e;
  }

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG_NS, tag);
    setAll(e, attrs);
    return e;
  }

  function setAll(e, attrs) {
    for (var k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else e.setAttribute(k, String(attrs[k]));
    }
  }

  function setText(selector, text) {
    var e = $(selector);
    if (e && e.textContent !== text) e.textContent = text;
  }

  /* Figures. The board brings every label formatted; only the curve's
     axis needs a size formatted here, the way the server does it. */

  function formatBytes(v) {
    if (v === 0) return '0';
    var units = lang === 'en' ? ['B', 'kB', 'MB', 'GB', 'TB', 'PB'] : ['o', 'Ko', 'Mo', 'Go', 'To', 'Po'];
    var u = 0;
    while (Math.abs(v) >= 1000 && u < units.length - 1) { v /= 1000; u++; }
    var digits = Math.abs(v) >= 100 || u === 0 ? 0 : 1;
    var n = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: digits }).format(v);
    return n + (lang === 'en' ? ' ' : '\u00a0') + units[u];
  }

  // niceStep rounds a step up to 1, 2, 2.5 or 5 times a power of ten.
  function niceStep(x) {
    if (!(x > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(x)));
    var m = x / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
  }

  /* Rendering: each part of the board redraws its own element. */

  function apply(b, raw) {
    if (raw === lastRaw) return;
    lastRaw = raw;
    if (b.language && b.language !== lang) {
      lang = b.language;
      root.lang = lang;
      translate();
    }
    setText('#campaign', b.campaign);
    document.title = b.campaign + ' · ' + t('page_title');
    setText('#day', b.day_label);
    renderUpdated(b);
    setText('#total', b.total.label);
    renderGoal(b);
    renderPrevious(b);
    renderEquivalences(b.equivalences || []);
    renderDefi(b.defi, b.status);
    renderRankings(b.rankings || []);
    renderCurve(b);
    renderMilestones(b.milestones || []);
    renderTestimonies(b.testimonies || []);
    announce(last, b);
    body.dataset.status = b.status;
    last = b;
    // Last, so that whoever waits for it finds the page redrawn.
    body.dataset.updatedAt = b.updated_at;
  }

  function translate() {
    document.querySelectorAll('[data-t]').forEach(function (e) {
      var words = t(e.dataset.t);
      if (words !== undefined) e.textContent = words;
    });
    var rotate = $('#rotate');
    if (rotate) rotate.textContent = t(rotating.paused ? 'play' : 'pause');
  }

  function renderUpdated(b) {
    var up = $('#updated');
    up.replaceChildren(t('updated') + ' ', el('time', { datetime: b.updated_at, text: b.updated_label }));
    up.hidden = !b.updated_label;
  }

  function renderGoal(b) {
    var box = $('#goal-box');
    box.replaceChildren();
    if (!(b.goal && b.goal.value > 0)) return;
    var value = Math.min(Math.max(b.goal_percent, 0), 100);
    var label = el('p', { id: 'goal-label', 'class': 'goal-label', text: b.goal_label });
    if (b.goal_percent >= 100) label.append(' ', el('strong', { 'class': 'badge', text: t('goal_reached') }));
    box.append(el('progress', { id: 'goal', max: 100, value: value, 'data-percent': b.goal_percent, 'aria-labelledby': 'goal-label' }), label);
  }

  function renderPrevious(b) {
    var p = $('#previous');
    p.textContent = b.previous_label || '';
    p.hidden = !b.previous_label;
  }

  function renderEquivalences(list) {
    $('#equivalences').replaceChildren.apply($('#equivalences'), list.map(function (e) {
      return el('li', { 'data-kind': e.kind },
        el('img', { src: page.icons[e.kind] || page.icons.figure, alt: '', width: 48, height: 48 }),
        el('span', {},
          el('span', { 'class': 'eq-label', text: e.label }),
          el('span', { 'class': 'eq-source', text: t('source') + ' ' + e.source })));
    }));
  }

  function renderDefi(d, status) {
    var box = $('#defi-body');
    box.replaceChildren();
    if (!d) {
      var key = status === 'over' ? 'no_defi_over' : status === 'before' ? 'no_defi_before' : 'no_defi';
      box.append(el('p', { 'class': 'empty', text: t(key) }));
      return;
    }
    box.append(el('h3', { 'class': 'defi-name', text: d.title }));
    if (d.steps && d.steps.length) {
      box.append(el.apply(null, ['ol', { 'class': 'steps' }].concat(d.steps.map(function (s) { return el('li', { text: s }); }))));
    }
    if (d.tip) box.append(el('p', { 'class': 'tip' }, el('strong', { text: t('tip') }), ' ' + d.tip));
    if (d.saves) box.append(el('p', { 'class': 'saves' }, el('strong', { text: t('saves') }), ' ' + d.saves));
  }

  function renderRankings(rankings) {
    rankings.forEach(function (r) {
      var panel = document.querySelector('[data-ranking="' + CSS.escape(r.by) + '"]');
      // A ranking the page did not have when it loaded shows after a reload.
      if (!panel) return;
      panel.querySelector('h3').textContent = r.title;
      var top = 0;
      r.teams.forEach(function (x) { top = Math.max(top, x.value); });
      var ol = panel.querySelector('ol');
      ol.replaceChildren.apply(ol, r.teams.map(function (x) { return line(x, top); }));
    });
  }

  // line is a team of a ranking: the same markup as the server's.
  function line(x, top) {
    var li = el('li', { value: x.rank, 'data-team': x.team, 'data-rank': x.rank, 'data-value': x.value });
    if (x.rank <= 3) li.className = 'top' + x.rank;
    var bar = svg('svg', { 'class': 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false' });
    var width = top > 0 && x.value > 0 ? (100 * x.value / top).toFixed(1) : 0;
    bar.append(svg('rect', { 'class': 'track', width: 100, height: 10 }), svg('rect', { 'class': 'fill', width: width, height: 10 }));
    var who = el('span', { 'class': 'who' }, el('span', { 'class': 'name', text: x.name }));
    if (x.detail) who.append(el('span', { 'class': 'detail', text: x.detail }));
    who.append(bar);
    li.append(el('span', { 'class': 'rk', text: String(x.rank) }), who, el('span', { 'class': 'val', text: x.label }));
    return li;
  }

  function renderCurve(b) {
    var fig = $('#curve');
    var points = b.curve || [];
    var tbody = fig.querySelector('tbody');
    tbody.replaceChildren.apply(tbody, points.map(function (p) {
      return el('tr', {}, el('th', { scope: 'row', text: String(p.day) }), el('td', { text: p.date_label }), el('td', { text: p.label }));
    }));
    var box = fig.querySelector('.chart');
    box.replaceChildren();
    fig.classList.toggle('has-chart', points.length > 0);
    if (points.length) box.append(drawCurve(points, b.days, b.goal, box));
  }

  // drawCurve draws the cumulative curve in the box's own pixels, so that
  // its text keeps the page's size on a phone as on a TV.
  function drawCurve(points, days, goal, box) {
    var W = Math.max(280, Math.round(box.clientWidth || 640));
    var H = tv ? Math.max(160, Math.round(box.clientHeight || 240)) : Math.round(Math.min(320, Math.max(200, W * 0.45)));
    var rem = parseFloat(getComputedStyle(root).fontSize) || 16;
    var m = { l: 4.5 * rem, r: rem, t: 1.75 * rem, b: 2 * rem };
    var n = Math.max(days || 0, points[points.length - 1].day, 2);
    var highest = 0;
    points.forEach(function (p) { highest = Math.max(highest, p.bytes); });
    var goalValue = goal && goal.value > 0 ? goal.value : 0;
    var step = niceStep(Math.max(highest, goalValue, 1) / 4);
    var top = step * Math.ceil(Math.max(highest, goalValue, 1) / step);
    var x = function (d) { return m.l + (d - 1) * (W - m.l - m.r) / (n - 1); };
    var y = function (v) { return H - m.b - Math.max(v, 0) / top * (H - m.t - m.b); };
    var s = svg('svg', { 'class': 'curve-svg', viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, focusable: 'false' });

    for (var v = 0; v <= top + step / 2; v += step) {
      s.append(svg('line', { 'class': v === 0 ? 'axis' : 'grid', x1: m.l, x2: W - m.r, y1: y(v), y2: y(v) }));
      s.append(text(m.l - 0.5 * rem, y(v) + 0.3 * rem, formatBytes(v), 'end'));
    }
    // A label every "every" days from the first, as many as fit.
    var every = Math.ceil(n / Math.max(1, Math.floor((W - m.l - m.r) / (2.75 * rem))));
    for (var d = 1; d <= n; d++) {
      if ((d - 1) % every === 0) {
        s.append(text(x(d), H - m.b + 1.4 * rem, t('day_short') + d, 'middle'));
      }
    }
    if (goalValue) {
      s.append(svg('line', { 'class': 'goal', x1: m.l, x2: W - m.r, y1: y(goalValue), y2: y(goalValue) }));
      // On the left: the curve rises to the right, where its last value is written.
      s.append(text(m.l + 0.4 * rem, y(goalValue) - 0.4 * rem, t('goal') + ' ' + goal.label, 'goal-text'));
    }
    var path = points.map(function (p, i) { return (i ? 'L' : 'M') + x(p.day).toFixed(1) + ' ' + y(p.bytes).toFixed(1); }).join(' ');
    var first = points[0], end = points[points.length - 1];
    s.append(svg('path', { 'class': 'area', d: path + ' L' + x(end.day).toFixed(1) + ' ' + y(0) + ' L' + x(first.day).toFixed(1) + ' ' + y(0) + ' Z' }));
    s.append(svg('path', { 'class': 'line', d: path }));
    points.forEach(function (p) { s.append(svg('circle', { 'class': 'dot', cx: x(p.day), cy: y(p.bytes), r: 4 })); });
    var anchor = end.day > n * 0.75 ? 'end' : end.day < n * 0.25 ? '' : 'middle';
    s.append(text(x(end.day), y(end.bytes) - 0.75 * rem, end.label, 'last ' + anchor));
    return s;
  }

  function text(x, y, content, cls) {
    var e = svg('text', { x: x, y: y, 'class': cls });
    e.textContent = content;
    return e;
  }

  function renderMilestones(list) {
    var ol = $('#milestones');
    ol.replaceChildren.apply(ol, list.map(function (m) {
      return el('li', { 'data-value': m.value }, el('img', { src: page.icons.flag, alt: '', width: 24, height: 24 }), m.label);
    }));
    $('#no-milestones').hidden = list.length > 0;
  }

  // renderTestimonies lists the agents' latest testimonies; the hall TV
  // shows one at a time (quoteAt), turning with the rankings.
  var quoteAt = 0;

  function renderTestimonies(list) {
    var ul = $('#testimony-list');
    ul.replaceChildren.apply(ul, list.map(function (q) {
      return el('li', { 'data-id': q.id },
        el('blockquote', { text: q.text }),
        el('p', { 'class': 'testimony-team', text: '— ' + q.team_name }));
    }));
    $('#testimonies').hidden = list.length === 0;
    showQuote();
  }

  function showQuote() {
    var items = $('#testimony-list').children;
    if (!items.length) return;
    quoteAt %= items.length;
    Array.prototype.forEach.call(items, function (li, i) { li.classList.toggle('current', i === quoteAt); });
  }

  // announce tells screen readers, and the hall, what is worth telling:
  // a new milestone or a new défi, not every figure that moved.
  function announce(prev, b) {
    if (!prev) return;
    var news = [];
    var m = b.milestones && b.milestones[0], pm = prev.milestones && prev.milestones[0];
    if (m && (!pm || pm.value !== m.value)) news.push(t('new_milestone') + ' ' + m.label);
    if (b.defi && (!prev.defi || prev.defi.day !== b.defi.day)) news.push(t('new_defi') + ' ' + b.defi.title);
    if (!news.length) return;
    $('#announce').textContent = news.join('. ');
    var flash = $('#flash');
    flash.textContent = news.join(' · ');
    flash.hidden = false;
    clearTimeout(announce.timer);
    announce.timer = setTimeout(function () { flash.hidden = true; }, FLASH_FOR);
  }

  /* Rankings as tabs: arrow keys move between them (WAI-ARIA tabs). */

  var tabs = Array.prototype.slice.call(document.querySelectorAll('.tabs [role="tab"]'));

  function panelOf(tab) { return document.getElementById(tab.getAttribute('aria-controls')); }

  // select shows a tab's ranking; turn marks it for the CSS to animate the
  // change (not the first display, and only without reduced motion).
  function select(tab, focus, turn) {
    tabs.forEach(function (other) {
      var on = other === tab;
      other.setAttribute('aria-selected', on ? 'true' : 'false');
      other.tabIndex = on ? 0 : -1;
      panelOf(other).hidden = !on;
      panelOf(other).classList.toggle('turned', on && !!turn);
    });
    if (focus) tab.focus();
  }

  function setupTabs() {
    if (!tabs.length) return;
    $('.tabs').hidden = false;
    tabs.forEach(function (tab, i) {
      var panel = panelOf(tab);
      panel.setAttribute('role', 'tabpanel');
      panel.tabIndex = 0;
      tab.addEventListener('click', function () { select(tab, false, true); });
      tab.addEventListener('keydown', function (e) {
        var to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[e.key];
        if (to === undefined) return;
        e.preventDefault();
        select(tabs[(to + tabs.length) % tabs.length], true, true);
      });
    });
    select(tabs.filter(function (x) { return x.getAttribute('aria-selected') === 'true'; })[0] || tabs[0], false);
  }

  // rotating turns the hall TV's rankings every 10 s; a button pauses it
  // (WCAG 2.2.2). The turn itself is not animated under reduced motion.
  var rotating = { paused: false };

  function setupRotation() {
    var button = $('#rotate');
    if (!tv || !button || tabs.length < 2) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      rotating.paused = !rotating.paused;
      button.textContent = t(rotating.paused ? 'play' : 'pause');
    });
    setInterval(function () {
      if (rotating.paused) return;
      var i = tabs.findIndex(function (x) { return x.getAttribute('aria-selected') === 'true'; });
      select(tabs[(i + 1) % tabs.length], false, true);
      quoteAt++;
      showQuote();
    }, ROTATE_EVERY);
  }

  /* Connection: the live feed, or polling when it cannot be had. */

  var source = null, pollTimer = null, firstBoardTimer = null;

  function setState(state) {
    var live = $('#live');
    live.dataset.state = state;
    $('#live-text').textContent = t({ live: 'live', reconnecting: 'reconnecting', polling: 'polling', offline: 'offline' }[state]);
  }

  function onBoard(raw) {
    var b;
    try { b = JSON.parse(raw); } catch (e) { return; }
    apply(b, raw);
  }

  function connect() {
    if (!('EventSource' in window)) { startPolling(); return; }
    source = new EventSource('/api/v1/live');
    // A proxy that buffers the stream delivers nothing: poll meanwhile.
    firstBoardTimer = setTimeout(startPolling, SSE_FIRST_BOARD_WITHIN);
    source.addEventListener('board', function (e) {
      clearTimeout(firstBoardTimer);
      stopPolling();
      setState('live');
      onBoard(e.data);
    });
    source.addEventListener('error', function () {
      if (source.readyState === EventSource.CLOSED) {
        // The server refused the stream: poll, and try it again later.
        clearTimeout(firstBoardTimer);
        source = null;
        startPolling();
        setTimeout(connect, SSE_RETRY_AFTER_FAILURE);
      } else if (!pollTimer) {
        setState('reconnecting');
      }
    });
  }

  function startPolling() {
    if (pollTimer) return;
    setState('polling');
    poll();
    pollTimer = setInterval(poll, POLL_EVERY);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  function poll() {
    fetch('/api/v1/board', { headers: { Accept: 'application/json' }, cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (raw) { if (pollTimer) setState('polling'); onBoard(raw); })
      .catch(function () { setState('offline'); });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { if (last) renderCurve(last); }, 150);
  });

  setupTabs();
  setupRotation();
  connect();
})();
