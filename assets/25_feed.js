/* The event feed (the Events tab), drawn in the browser from the events' columns in the tables
   (layers/features/tables.py: event_columns), and the events read as records by the rest of the engine.

   Up to FULL_ROWS events every row is in the list. Beyond, it is a virtual list: each row has a fixed height
   (ROW_PX, or DIFFERS_PX for a row that carries the article's claim), and only the rows in view, plus
   OVERSCAN on either side, are in the DOM; the list keeps its full height, so the scroll bar is true. Every
   row says where it stands (aria-posinset of aria-setsize) and is a button, reached with Tab like any other.
   The engine marks the events of the chosen date (current) and those before it (past), and scrolls to them;
   the search (layers/features/feed.py) hands over the indices of the events it found. Text is text: every
   node is made with createElement and textContent. */
(function () {
  "use strict";
  const FULL_ROWS = 1000;   // up to this many events every row is in the DOM
  const ROW_PX = 104;       // a virtual row's height
  const DIFFERS_PX = 156;   // a virtual row that carries the article's claim
  const OVERSCAN = 8;       // rows drawn above and below the view
  const E = function () { return window.raqqaEngine; };

  // ------------------------------------------------------------------------------------------------------
  // the events as records: one small object per event, its fields read from the columns when asked

  function Ev(c, i) { this.c = c; this.i = i; }
  const col = function (name) { return function () { return this.c.ev[name][this.i]; }; };
  const where = function (name) { return function () { const c = this.c; return c.ev.places[c.ev.place[this.i]][name]; }; };
  Object.defineProperties(Ev.prototype, {
    id: {get: col("id")}, day: {get: col("day")}, title: {get: col("title")}, claim: {get: col("claim")},
    claim_date: {get: col("claim_date")}, corroborated: {get: col("corroborated")},
    kind: {get: function () { return this.c.ev.kinds[this.c.ev.kind[this.i]]; }},
    confidence: {get: function () { return this.c.ev.confidences[this.c.ev.confidence[this.i]]; }},
    differs: {get: function () { return this.c.ev.differs[this.i] === 1; }},
    place: {get: where("name")}, lat: {get: where("lat")}, lon: {get: where("lon")}, outside: {get: where("outside")},
    date: {get: function () { return new Date(this.c.startMs + this.day * 86400000).toISOString().slice(0, 10); }},
    urls: {get: function () { const u = this.c.ev.urls; return this.c.ev.sources[this.i].map(function (j) { return u[j]; }); }},
    sources: {get: function () { return this.urls.map(function (u) { return u[1]; }).filter(Boolean); }},
  });

  /* The tables' events as records, after checking the columns against tables.event_columns. */
  function records(tables) {
    const ev = tables.events, names = tables.event_columns, problems = [];
    names.forEach(function (k) { if (!Array.isArray(ev[k])) { problems.push("events." + k + ": missing or not an array"); } });
    const n = problems.length ? 0 : ev[names[0]].length;
    names.forEach(function (k) { if (Array.isArray(ev[k]) && ev[k].length !== n) { problems.push("events." + k + ": " + ev[k].length + " entries, not " + n); } });
    if (problems.length) { throw new Error("engine: the events' columns are wrong: " + problems.join("; ")); }
    const c = {ev: ev, startMs: Date.parse(tables.start + "T00:00:00Z")};
    const out = new Array(n);
    for (let i = 0; i < n; i++) { out[i] = new Ev(c, i); }
    const byDay = Int32Array.from(out.keys()).sort(function (a, b) { return ev.day[a] - ev.day[b] || a - b; });
    const days = Int32Array.from(byDay, function (i) { return ev.day[i]; });
    /* The events of ``day``, in feed order (as filtering on e.day would give, without reading every event). */
    out.onDay = function (day) {
      const S = window.raqqaState, res = [];
      for (let k = S.bisect(days, day, null, false); k < days.length && days[k] === day; k++) { res.push(out[byDay[k]]); }
      return res;
    };
    out.byDay = byDay; out.days = days;  // the events sorted by day, and their days (the feed, the markers)
    return out;
  }

  // ------------------------------------------------------------------------------------------------------
  // the list

  const F = {t: null, list: null};

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function row(i) {
    const e = F.t.events[i], li = el("li", "feed-entry"), button = el("button", "feed-item");
    button.type = "button";
    button.dataset.event = e.id;
    button.dataset.day = String(e.day);
    const meta = el("div", "feed-meta"), time = el("time", "", E().shortDate(e.day));
    time.dateTime = e.date;
    meta.append(time, el("span", "badge kind-" + e.kind, e.kind), el("span", "badge conf-" + e.confidence, e.confidence + " confidence"));
    if (e.differs) { meta.append(el("span", "badge differs", "article differs")); }
    button.append(meta, el("div", "feed-title", e.title), el("div", "feed-place", e.place));
    if (e.differs && e.claim) {
      const claim = el("div", "feed-claim"), said = el("div"), others = el("div");
      said.append(el("b", "", "Article: "), e.claim + (e.claim_date ? " (" + e.claim_date + ")" : ""));
      others.append(el("b", "", "Sources: "), e.corroborated);
      claim.append(said, others);
      button.append(claim);
    }
    const sources = el("div", "feed-sources");
    e.urls.forEach(function (u) {
      if (!u[1]) { sources.append(el("span", "", u[0])); return; }
      const a = el("a", "", u[1]);
      a.href = u[0]; a.target = "_blank"; a.rel = "noopener noreferrer";
      sources.append(a);
    });
    li.append(button, sources);
    return li;
  }

  function classes(i, li) {
    const b = li.firstChild, d = F.t.events[i].day;
    b.classList.toggle("current", d === F.day);
    b.classList.toggle("past", F.day !== null && d < F.day);
    b.classList.toggle("selected", F.t.events[i].id === F.selected);
  }

  /* Show the events ``shown`` (indices, in feed order); null: all of them. */
  function show(shown) {
    const t = F.t, n = t.events.length;
    F.shown = shown ? Int32Array.from(shown) : Int32Array.from({length: n}, function (_, i) { return i; });
    F.virtual = n > FULL_ROWS;
    F.pos = new Int32Array(n).fill(-1);
    F.shown.forEach(function (i, k) { F.pos[i] = k; });
    F.byDay = shown ? t.events.byDay.filter(function (i) { return F.pos[i] >= 0; }) : t.events.byDay;
    F.byDayDays = shown ? Int32Array.from(F.byDay, function (i) { return t.events[i].day; }) : t.events.days;
    F.top = new Float64Array(F.shown.length + 1);  // each row's top, virtual list
    for (let k = 0; k < F.shown.length; k++) { F.top[k + 1] = F.top[k] + height(F.shown[k]); }
    F.target = null; F.scrollTo = null;
    F.rows.forEach(function (li) { li.remove(); });
    F.rows = new Map();
    F.list.classList.toggle("virtual", F.virtual);
    F.list.style.height = F.virtual ? F.top[F.shown.length] + "px" : "";
    update();
  }

  function height(i) { return F.t.events[i].differs && F.t.events[i].claim ? DIFFERS_PX : ROW_PX; }

  /* The rows in view (all of them up to FULL_ROWS) in the DOM, the others not; a focused row stays. */
  function update() {
    let a = 0, b = F.shown.length;
    if (F.virtual) {
      const s = scroller(), box = s.getBoundingClientRect(), list = F.list.getBoundingClientRect();
      const y0 = box.top - list.top, y1 = y0 + (s.clientHeight || window.innerHeight);
      a = Math.max(0, window.raqqaState.bisect(F.top, y0, null, true) - 1 - OVERSCAN);
      b = Math.min(F.shown.length, window.raqqaState.bisect(F.top, y1, null, false) + OVERSCAN);
    }
    const keep = new Set();
    for (let k = a; k < b; k++) { keep.add(F.shown[k]); }
    F.rows.forEach(function (li, i) {
      if (!keep.has(i) && !li.contains(document.activeElement)) { li.remove(); F.rows.delete(i); }
    });
    let before = null;
    for (let k = b - 1; k >= a; k--) {  // in order, each before the next one drawn
      const i = F.shown[k];
      let li = F.rows.get(i);
      if (!li) {
        li = row(i);
        li.setAttribute("aria-setsize", String(F.shown.length));
        li.setAttribute("aria-posinset", String(k + 1));
        if (F.virtual) { li.style.top = F.top[k] + "px"; li.style.height = height(i) + "px"; }
        F.list.insertBefore(li, before && before.parentNode === F.list ? before : null);
        F.rows.set(i, li);
        classes(i, li);
      }
      before = li;
    }
  }

  function scroller() {
    if (!F.scroller || !F.scroller.contains(F.list)) {
      let node = F.list.parentElement;
      while (node && node !== document.body && !/(auto|scroll)/.test(getComputedStyle(node).overflowY)) { node = node.parentElement; }
      F.scroller = node && node !== document.body ? node : document.scrollingElement;
      F.scroller.addEventListener("scroll", soon, {passive: true});
      if (window.ResizeObserver) { new ResizeObserver(soon).observe(F.scroller); }
    }
    return F.scroller;
  }

  function soon() {
    if (F.queued || !F.virtual) { return; }
    F.queued = true;
    window.requestAnimationFrame(function () {
      F.queued = false;
      if (!F.list || !F.list.isConnected) { return; }
      if (F.scrollTo !== null && F.scrollTo !== undefined) { scrollToRow(F.scrollTo); F.scrollTo = null; }
      update();
    });
  }

  /* (Re)build the list for the tables and the page now shown. */
  function ensure() {
    const e = E(), list = e.el("feed");
    if (F.t === e.t && F.list === list) { return; }
    F.t = e.t; F.list = list; F.day = null; F.selected = null; F.scroller = null; F.rows = new Map();
    list.textContent = "";
    show(null);
  }

  /* Mark the events of ``day`` (current) and before it (past), and bring the day's first event into view
     (else the last one before it); not while playing. */
  function mark(day) {
    ensure();
    if (F.day === day) { return; }
    F.day = day;
    F.rows.forEach(function (li, i) { classes(i, li); });
    const k = window.raqqaState.bisect(F.byDayDays, day, null, false);
    const i = k < F.byDay.length && F.byDayDays[k] === day ? F.byDay[k] : (k ? F.byDay[k - 1] : null);
    if (i === null || i === F.target || E().playing) { F.target = i; return; }
    F.target = i;
    if (!F.virtual) { F.rows.get(i).firstChild.scrollIntoView({block: "nearest"}); return; }
    F.scrollTo = i;  // in the next frame: reading the layout now would force it while the map is being redrawn
    soon();
  }

  /* Scroll the virtual list so that the row of event ``i`` is in view (the nearest edge), if it is shown. */
  function scrollToRow(i) {
    const s = scroller(), p = F.pos[i];
    if (p < 0 || !s.clientHeight) { return; }
    const y = F.top[p], h = F.top[p + 1] - y;
    const offset = F.list.getBoundingClientRect().top - s.getBoundingClientRect().top + s.scrollTop;
    if (offset + y < s.scrollTop) { s.scrollTop = offset + y; }
    else if (offset + y + h > s.scrollTop + s.clientHeight) { s.scrollTop = offset + y + h - s.clientHeight; }
  }

  function select(id) {
    ensure();
    F.selected = id;
    F.rows.forEach(function (li, i) { classes(i, li); });
  }

  /* The search's answer: the indices of the events found, or null for all. */
  function filter(found) {
    if (!E().t) { return; }
    ensure();
    const n = F.t.events.length;
    show(Array.isArray(found) ? found.filter(function (i) { return Number.isInteger(i) && i >= 0 && i < n; }) : null);
    const day = F.day;
    F.day = null;
    if (day !== null) { mark(day); }
  }

  window.raqqaFeed = {records: records, mark: mark, select: select, filter: filter, FULL_ROWS: FULL_ROWS};
  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.feed = {filter: function (found) { filter(found); return window.dash_clientside.no_update; }};
})();
