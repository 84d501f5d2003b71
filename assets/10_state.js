/* State derivation, the browser's twin of layers/core/timeline.py: the same tables, the same answer as
   timeline.state_on() for any day (the tests compare the two on every change date). Pure functions of the
   tables; nothing here touches the page. */
window.raqqaState = (function () {
  "use strict";
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

  /* Typed arrays and indices the derivation needs, added to the tables once. */
  function prepare(t) {
    prepareLedger(t);
    t.eventDays = Array.from(new Set(t.events.map(function (e) { return e.day; })))
      .filter(function (d) { return d >= 0 && d <= t.span; }).sort(function (a, b) { return a - b; });
    t.eventsById = {};
    t.events.forEach(function (e) { t.eventsById[e.id] = e; });
    t.startMs = Date.parse(t.start + "T00:00:00Z");
    return t;
  }

  /* What stateOn needs of any ledger tables (the region's, or the city's): rows by place, as typed arrays. */
  function prepareLedger(t) {
    const nRows = t.rows.length;
    t.rowDay = new Int32Array(nRows);
    t.rowHolder = new Int32Array(nRows);
    t.rowLow = new Uint8Array(nRows);
    t.rows.forEach(function (r, i) { t.rowDay[i] = r.day; t.rowHolder[i] = r.holder; t.rowLow[i] = r.confidence === "low" ? 1 : 0; });
    t.placeDays = t.place_rows.map(function (idx) { return Int32Array.from(idx, function (i) { return t.rowDay[i]; }); });
    t.placeIdx = t.place_rows.map(function (idx) { return Int32Array.from(idx); });
    t.noRep = t.holders.length - 1;
    return t;
  }

  /* The index of place p's ledger row in force on ``day`` (-1 if none yet): timeline.place_row_on(). */
  function placeRowOn(t, p, day) {
    const days = t.placeDays[p];
    let lo = 0, hi = days.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (days[mid] <= day) { lo = mid + 1; } else { hi = mid; } }
    return lo ? t.placeIdx[p][lo - 1] : -1;
  }

  /* The same derivation as timeline.state_on() in Python. */
  function stateOn(t, day) {
    const nP = t.placeDays.length, nC = t.cell_places.length;
    const placeRow = new Int32Array(nP);
    for (let p = 0; p < nP; p++) { placeRow[p] = placeRowOn(t, p, day); }
    const cellRow = new Int32Array(nC), cellHolder = new Int32Array(nC);
    const km2 = new Float64Array(t.holders.length);
    for (let c = 0; c < nC; c++) {
      let best = -1;
      const ps = t.cell_places[c];
      for (let k = 0; k < ps.length; k++) { if (placeRow[ps[k]] > best) { best = placeRow[ps[k]]; } }
      cellRow[c] = best;
      cellHolder[c] = best >= 0 ? t.rowHolder[best] : t.noRep;
      km2[cellHolder[c]] += t.cell_km2[c];
    }
    km2[t.noRep] += t.uncovered_km2;
    let front = 0;
    const edgeFront = new Uint8Array(t.edge_list.length);
    for (let i = 0; i < t.edge_list.length; i++) {
      const a = cellHolder[t.edge_list[i][0]], b = cellHolder[t.edge_list[i][1]];
      if (a !== b && a !== t.noRep && b !== t.noRep) { edgeFront[i] = 1; front += t.edge_list[i][2]; }
    }
    let exact = null;
    for (let i = 0; i < t.exact.length; i++) {
      if (t.exact[i].from <= day && day <= t.exact[i].to) { exact = t.exact[i]; }
    }
    if (exact) { for (let h = 0; h < km2.length; h++) { km2[h] = exact.km2[h]; } front = exact.front_km; }
    return {day: day, placeRow: placeRow, cellRow: cellRow, cellHolder: cellHolder, km2: km2, front: front, edgeFront: edgeFront, exact: exact};
  }

  /* First index in the sorted array whose key(item) > x (or >= x with strict false). */
  function bisect(arr, x, key, strict) {
    let lo = 0, hi = arr.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; const v = key ? key(arr[mid]) : arr[mid]; if (strict ? v <= x : v < x) { lo = mid + 1; } else { hi = mid; } }
    return lo;
  }

  // dates: a day is the number of days since the campaign start (t.start)
  function clampDay(t, d) { return Math.max(0, Math.min(t.span, d | 0)); }
  function isoOf(t, day) { return new Date(t.startMs + day * 86400000).toISOString().slice(0, 10); }
  function dayOfIso(t, iso) {
    if (!/^\d{4}-\d{2}-\d{2}/.test(String(iso || ""))) { return null; }
    const ms = Date.parse(String(iso).slice(0, 10) + "T00:00:00Z");
    return isNaN(ms) ? null : clampDay(t, Math.round((ms - t.startMs) / 86400000));
  }
  /* A typed date: ISO (2017-06-30), or written out ("30 June 2017", "June 30, 2017", "30 Jun 2017").
     The day index, or null when the text is not a calendar date or the date is outside the campaign. */
  function parseDay(t, text) {
    const s = String(text || "").trim().toLowerCase().replace(/,/g, " ").replace(/\s+/g, " ");
    let y, m, d, k;
    const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
    const dmy = /^(\d{1,2}) ([a-z]+)\.? (\d{4})$/.exec(s);
    const mdy = /^([a-z]+)\.? (\d{1,2}) (\d{4})$/.exec(s);
    const month = function (name) {
      if (name.length < 3) { return -1; }
      return MONTHS.findIndex(function (mo) { return mo.toLowerCase().indexOf(name) === 0; });
    };
    if (iso) { y = +iso[1]; m = +iso[2] - 1; d = +iso[3]; }
    else if (dmy) { y = +dmy[3]; m = month(dmy[2]); d = +dmy[1]; }
    else if (mdy) { y = +mdy[3]; m = month(mdy[1]); d = +mdy[2]; }
    else { return null; }
    if (m < 0 || m > 11) { return null; }
    const ms = Date.UTC(y, m, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m || back.getUTCDate() !== d) { return null; }
    k = Math.round((ms - t.startMs) / 86400000);
    return k < 0 || k > t.span ? null : k;
  }
  function longDate(t, day) { const d = new Date(t.startMs + day * 86400000); return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear(); }
  function shortDate(t, day) { const d = new Date(t.startMs + day * 86400000); return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()].slice(0, 3) + " " + d.getUTCFullYear(); }

  // events
  function prevEventDay(t, day) { const k = bisect(t.eventDays, day, null, false); return k ? t.eventDays[k - 1] : 0; }
  function stepEvent(t, day, forward) {
    const ds = t.eventDays;
    if (forward) { const k = bisect(ds, day, null, true); return k < ds.length ? ds[k] : day; }
    const k = bisect(ds, day, null, false);
    return k ? ds[k - 1] : day;
  }

  return {prepare: prepare, prepareLedger: prepareLedger, placeRowOn: placeRowOn, stateOn: stateOn, bisect: bisect, clampDay: clampDay, isoOf: isoOf,
    dayOfIso: dayOfIso, longDate: longDate, shortDate: shortDate, prevEventDay: prevEventDay, stepEvent: stepEvent,
    parseDay: parseDay};
})();
