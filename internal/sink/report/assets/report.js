// flowguard HTML report: builds the VPC table from the page's JSON data block, filters and sorts it, and
// expands a row to its evidence. No network, no libraries. Built for 5,000+ VPCs: filters and sorting run on
// the in-memory data (one pass, keys computed once), and only the first PAGE matching rows are in the page;
// "show more" adds the next PAGE. A row's cells are built when it is first shown, its evidence when it is
// first expanded. Every value from the data goes into the page as
// text (textContent, or an attribute set with setAttribute that is never a URL nor an event handler): data is
// never parsed as markup.
(function () {
  "use strict";
  var dataEl = document.getElementById("fg-data");
  var table = document.getElementById("findings");
  if (!dataEl || !table) { return; }
  var mark = function (n) { if (window.performance && performance.mark) { performance.mark(n); } };
  mark("fg-start");
  var data = JSON.parse(dataEl.textContent);
  mark("fg-parsed");
  var checks = data.checks, rows = data.rows;
  var tbody = table.querySelector(".tbody");
  var ORDER = ["FAIL", "ERROR", "UNKNOWN", "EXCEPTED", "SKIPPED", "PASS"];
  var rank = {};
  ORDER.forEach(function (s, i) { rank[s] = i; });
  var NAMES = ["status", "account", "region", "check", "reason", "severity", "exposed", "tag", "q"];
  var inputs = {};
  NAMES.forEach(function (n) { inputs[n] = document.getElementById("filter-" + n); });
  var count = document.getElementById("filter-count");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function cut(s, n) { s = String(s || ""); return s.length > n ? s.slice(0, n) + "…" : s; }
  function badge(st, extra) { return el("span", "badge " + (rank[st] === undefined ? "" : st), extra || st); }
  function addOption(sel, value, label) {
    if (!sel.fgValues) {
      sel.fgValues = {};
      for (var i = 0; i < sel.options.length; i++) { sel.fgValues[sel.options[i].value] = true; }
    }
    if (Object.prototype.hasOwnProperty.call(sel.fgValues, value)) { return; }
    sel.fgValues[value] = true;
    var o = el("option", null, label || value);
    o.value = value;
    sel.appendChild(o);
  }
  function uniq(list) {
    var seen = {}, out = [];
    list.forEach(function (v) { if (!Object.prototype.hasOwnProperty.call(seen, v)) { seen[v] = true; out.push(v); } });
    return out.sort();
  }

  // Filter options from the data.
  var present = {};
  rows.forEach(function (r) { r.f.forEach(function (f) { present[f.s] = true; }); });
  ORDER.forEach(function (s) { if (present[s]) { addOption(inputs.status, s); } });
  addOption(inputs.status, "FAIL,ERROR,UNKNOWN", "not compliant (FAIL, ERROR, UNKNOWN)");
  uniq(rows.map(function (r) { return r.a; })).forEach(function (a) { addOption(inputs.account, a, a || "(none)"); });
  uniq(rows.map(function (r) { return r.r; })).forEach(function (a) { addOption(inputs.region, a, a || "(none)"); });
  checks.forEach(function (c) { addOption(inputs.check, c.id); });
  var reasons = [], sevs = [];
  rows.forEach(function (r) { r.f.forEach(function (f) { if (f.re) { reasons.push(f.re); } sevs.push(f.sev); }); });
  uniq(reasons).forEach(function (v) { addOption(inputs.reason, v); });
  ["critical", "high", "medium", "low", "informational"].forEach(function (v) { if (sevs.indexOf(v) >= 0) { addOption(inputs.severity, v); } });

  // Header: fixed columns, then one per check.
  var head = document.getElementById("findings-head");
  var COLS = [["", null], ["Status", "status"], ["Account", "account"], ["Region", "region"], ["Resource", "id"], ["Name", "name"], ["Internet", "exposed"]];
  checks.forEach(function (c, i) { COLS.push([c.id, "check" + i]); });
  COLS.push(["Tags", null]);
  var widths = ["1.5em", "88px", "130px", "132px", "minmax(150px, 1.2fr)", "minmax(110px, 1fr)", "84px"];
  checks.forEach(function () { widths.push("minmax(130px, 0.9fr)"); });
  widths.push("minmax(150px, 1.1fr)");
  table.style.setProperty("--cols", widths.join(" "));
  COLS.forEach(function (c) {
    var th = el("div", "th", c[0]);
    th.setAttribute("role", "columnheader");
    if (c[1]) {
      th.tabIndex = 0;
      th.setAttribute("data-sort", c[1]);
      th.addEventListener("click", function () { sortBy(c[1], th.getAttribute("aria-sort") === "ascending" ? -1 : 1); apply(); writeHash(); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") { th.click(); } });
    }
    if (c[1] && c[1].indexOf("check") === 0) { th.className = "th check"; th.title = checks[+c[1].slice(5)].title; }
    head.appendChild(th);
  });

  function exposure(r) { return r.x === true ? "yes" : r.x === false ? "no" : "unknown"; }

  // Keys the filters and sorting read, computed once: exposure, and each finding's check id.
  rows.forEach(function (r) {
    r.xk = exposure(r);
    r.f.forEach(function (f) { f.cid = checks[f.c] ? checks[f.c].id : ""; });
  });

  // One row per resource, built the first time it is shown and kept.
  function rowEl(r, i) {
    if (r.tr) { return r.tr; }
    var tr = el("div", "tr row");
    tr.setAttribute("role", "row");
    tr.setAttribute("data-status", r.s);
    tr.setAttribute("data-row", String(i));
    tr.tabIndex = 0;
    var tog = el("div", "td tog", r.open ? "▾" : "▸");
    tr.appendChild(tog);
    var td = el("div", "td"); td.appendChild(badge(r.s)); tr.appendChild(td);
    tr.appendChild(el("div", "td", r.a || "—"));
    tr.appendChild(el("div", "td", r.r || "—"));
    td = el("div", "td id"); td.appendChild(el("code", null, cut(r.id, 60)));
    if (r.loc) { td.appendChild(el("div", "muted", r.loc)); }
    tr.appendChild(td);
    td = el("div", "td name", cut(r.n, 60));
    if (r.n && r.n.length > 60) { td.title = cut(r.n, 1000); }
    tr.appendChild(td);
    tr.appendChild(el("div", "td x-" + r.xk, r.x === true ? "exposed" : r.x === false ? "no" : "?"));
    var byCheck = {};
    r.f.forEach(function (f) { byCheck[f.c] = f; });
    checks.forEach(function (c, ci) {
      var f = byCheck[ci], cell = el("div", "td check");
      if (f) {
        cell.appendChild(badge(f.s));
        if (f.re) { cell.appendChild(el("div", "reason", f.re)); }
      } else {
        cell.appendChild(el("span", "muted", "—"));
        cell.title = "not evaluated by this check";
      }
      tr.appendChild(cell);
    });
    td = el("div", "td tags");
    r.tags.slice(0, 3).forEach(function (kv) { td.appendChild(el("div", null, cut(kv[0] + "=" + kv[1], 40))); });
    if (r.tags.length > 3) { td.appendChild(el("div", "muted", "+" + (r.tags.length - 3) + " more")); }
    tr.appendChild(td);
    r.tr = tr;
    return tr;
  }

  // Paging: view holds the indices of the matching rows in display order; the first shown of them are in the
  // page. The "more" bar adds the next PAGE, or all of them.
  var PAGE = 100;
  var order = rows.map(function (r, i) { return i; }), view = order.slice(), shown = 0;
  var more = el("div", "more");
  more.id = "findings-more";
  var moreNext = el("button", null, "");
  moreNext.type = "button"; moreNext.id = "findings-more-next";
  var moreAll = el("button", null, "");
  moreAll.type = "button"; moreAll.id = "findings-more-all";
  var moreText = el("span", "muted", "");
  more.appendChild(moreText); more.appendChild(moreNext); more.appendChild(moreAll);
  table.parentNode.insertBefore(more, table.nextSibling);
  function showMore(n) {
    var end = Math.min(view.length, shown + n), f = document.createDocumentFragment();
    for (var j = shown; j < end; j++) {
      var i = view[j], r = rows[i];
      f.appendChild(rowEl(r, i));
      if (r.open && r.det) { f.appendChild(r.det); }
    }
    tbody.appendChild(f);
    shown = end;
    var rest = view.length - shown;
    more.hidden = rest === 0 && view.length > 0;
    moreText.textContent = view.length === 0 ? "No resource matches the filters." :
      "Showing " + num(shown) + " of " + num(view.length) + " matching. ";
    moreNext.textContent = "Show " + num(Math.min(PAGE, rest)) + " more";
    moreAll.textContent = "Show all " + num(rest) + " remaining";
    moreNext.hidden = rest <= PAGE;
    moreAll.hidden = rest === 0;
    table.setAttribute("data-rendered", String(shown));
  }
  function render() {
    tbody.textContent = "";
    shown = 0;
    showMore(PAGE);
  }
  moreNext.addEventListener("click", function () { showMore(PAGE); });
  moreAll.addEventListener("click", function () { showMore(view.length); });
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  // Evidence of a row, built on first expansion.
  function kvTable(pairs) {
    var t = el("table", "kv"), b = el("tbody");
    pairs.forEach(function (p) {
      var tr = el("tr");
      tr.appendChild(el("th", null, p[0]));
      tr.appendChild(el("td", null, p[1]));
      b.appendChild(tr);
    });
    t.appendChild(b);
    return t;
  }
  // rowClass, when given, names a class for line i (or null).
  function gridTable(headers, lines, rowClass) {
    var t = el("table", "grid"), h = el("thead"), hr = el("tr"), b = el("tbody");
    headers.forEach(function (x) { hr.appendChild(el("th", null, x)); });
    h.appendChild(hr);
    lines.forEach(function (line, i) {
      var tr = el("tr", rowClass ? rowClass(i) : null);
      line.forEach(function (x) { tr.appendChild(el("td", null, x)); });
      b.appendChild(tr);
    });
    t.appendChild(h); t.appendChild(b);
    return t;
  }
  // A flow log is [id, resource ("" for the row's own), status, traffic, destination type, destination,
  // delivery status, delivery error].
  function flowLogLines(r, fls) {
    return fls.map(function (fl) {
      return [fl[0], fl[1] || r.id, fl[2], fl[3], fl[4], fl[5] || "—", (fl[6] || "—") + (fl[7] ? ": " + fl[7] : "")];
    });
  }
  var FLH = ["Flow log", "On", "Status", "Traffic", "Destination type", "Destination", "Delivery"];
  function dash(v) { return v === undefined || v === null || v === "" ? "—" : String(v); }
  // A duration in seconds in the largest two units: "45 s", "12 min 5 s", "2 h 30 min", "3 d 4 h".
  function dur(s) {
    if (typeof s !== "number" || !isFinite(s)) { return "—"; }
    if (s < 0) { return "−" + dur(-s); }
    s = Math.floor(s);
    var m = Math.floor(s / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (s < 60) { return s + " s"; }
    if (m < 60) { return m + " min" + (s % 60 ? " " + s % 60 + " s" : ""); }
    if (h < 48) { return h + " h" + (m % 60 ? " " + m % 60 + " min" : ""); }
    return d + " d" + (h % 24 ? " " + h % 24 + " h" : "");
  }
  // A time given in Unix seconds, in UTC: "2026-11-23 04:00:00 UTC".
  function when(u) {
    if (typeof u !== "number") { return "—"; }
    var t = new Date(u * 1000);
    return isNaN(t.getTime()) ? String(u) : t.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }
  // A flow log as one line of text: "fl-1 ACTIVE ALL → s3 arn:… (delivery FAILED: …)".
  function flowLogText(fl) {
    return fl[0] + " " + dash(fl[2]) + (fl[3] ? " " + fl[3] : "") + " → " + dash(fl[4]) + (fl[5] ? " " + fl[5] : "") +
      (fl[6] || fl[7] ? " (delivery " + dash(fl[6]) + (fl[7] ? ": " + fl[7] : "") + ")" : "");
  }
  // An attachment is [id, resource type, resource id, owner, state, coverage, [flow log…]]; coverage 0: its
  // own flow log, 1: uncovered, 2: not live, 3: the Transit Gateway's flow log.
  var COVERAGE = ["covered (own flow log)", "UNCOVERED", "not live", "covered (Transit Gateway flow log)"];
  function attachments(r) {
    var open = r.tga.filter(function (a) { return a[5] === 1; }).length;
    var box = el("div", "attachments");
    box.appendChild(el("h5", null, "Transit Gateway attachments: " + r.tga.length + ", " + open + " uncovered (live, without an ACTIVE flow log that delivers)"));
    box.appendChild(gridTable(["Attachment", "Coverage", "Resource type", "Resource", "Resource owner", "State", "Flow logs"], r.tga.map(function (a) {
      return [a[0], COVERAGE[a[5]] || "—", dash(a[1]), dash(a[2]), dash(a[3]), dash(a[4]),
        a[6].length ? a[6].map(flowLogText).join("; ") : "none"];
    }), function (i) { return r.tga[i][5] === 1 ? "uncovered" : r.tga[i][5] === 2 ? "muted" : null; }));
    return box;
  }
  // A telemetry rule is [name, organization, coverage, evaluation status, selection criteria, scope,
  // destination type, traffic type].
  var RULE_COVERAGE = { "covers": "covers (every VPC of the region)", "may-cover": "may cover (depends on selection or scope)", "inactive": "inactive" };
  function telemetryRules(r) {
    var box = el("div", "telemetry-rules");
    box.appendChild(el("h5", null, "CloudWatch telemetry rules that make (or may make) this VPC's flow log"));
    box.appendChild(gridTable(["Rule", "Level", "Coverage", "Evaluation", "Selection criteria", "Scope", "Destination type", "Traffic"], r.tel.map(function (t) {
      return [t[0], t[1] ? "organization" : "account",
        Object.prototype.hasOwnProperty.call(RULE_COVERAGE, t[2]) ? RULE_COVERAGE[t[2]] : dash(t[2]),
        dash(t[3]), t[4] || "every VPC", t[5] || (t[1] ? "every account" : "—"), dash(t[6]), dash(t[7])];
    }), function (i) { return r.tel[i][2] === "inactive" ? "muted" : null; }));
    return box;
  }
  // Delivery: {at, nr, lag, max, iw, io, fl}; an interface is [id, stream, last record, lag]; a flow log is
  // [id, where, newest record, source, lag, never delivered, since, age, stream status, error code, error].
  function delivery(r) {
    var d = r.dl, box = el("div", "delivery");
    var over = function (lag) { return typeof lag === "number" && d.max > 0 && lag > d.max; };
    box.appendChild(el("h5", null, "Delivery (what the destinations hold)"));
    var iw = d.iw || [], io = d.io || [];
    box.appendChild(kvTable([
      ["Read at", when(d.at)],
      ["Newest record", when(d.nr)],
      ["Lag", typeof d.lag === "number" ? dur(d.lag) + (over(d.lag) ? " — OVER the maximum" : "") : "—"],
      ["Maximum lag", d.max ? dur(d.max) : "—"],
      ["In-use interfaces with records", String(iw.length)],
      ["In-use interfaces without records", String(io.length)]
    ]));
    if (d.fl && d.fl.length) {
      box.appendChild(gridTable(["Flow log", "Destination read", "Newest record", "Found in", "Lag", "Read since", "Flow log age", "Stream status", "Error"], d.fl.map(function (f) {
        return [f[0], dash(f[1]), f[5] ? "NEVER DELIVERED" : when(f[2]), dash(f[3]), dur(f[4]) + (over(f[4]) ? " (over)" : ""),
          when(f[6]), dur(f[7]), dash(f[8]), f[9] || f[10] ? (f[9] ? f[9] + ": " : "") + dash(f[10]) : "—"];
      }), function (i) { var f = d.fl[i]; return f[5] || f[10] || over(f[4]) ? "problem" : null; }));
    }
    var ifLines = function (list) { return list.map(function (x) { return [x[0], dash(x[1]), when(x[2]), dur(x[3])]; }); };
    if (io.length) {
      box.appendChild(el("h5", null, "Interfaces without a record within " + (d.max ? dur(d.max) : "the maximum lag")));
      box.appendChild(gridTable(["Interface", "Log stream", "Last record", "Lag"], ifLines(io), function () { return "problem"; }));
    }
    if (iw.length) {
      box.appendChild(el("h5", null, "Interfaces with records"));
      box.appendChild(gridTable(["Interface", "Log stream", "Last record", "Lag"], ifLines(iw)));
    }
    return box;
  }
  function detail(r) {
    var box = el("div", "detail-box");
    r.f.forEach(function (f) {
      var c = checks[f.c] || { id: "?", title: "", controls: [] };
      var sec = el("div", "verdict-block");
      var h = el("div", "vh");
      h.appendChild(badge(f.s));
      h.appendChild(el("b", null, " " + c.id));
      h.appendChild(el("span", "muted", " · " + c.title + " · severity " + f.sev + (f.re ? " · " + f.re : "")));
      sec.appendChild(h);
      sec.appendChild(el("div", "msg", f.m));
      if (f.err) { sec.appendChild(el("div", "err", "error: " + f.err)); }
      if (f.exc) { sec.appendChild(el("div", "exc", f.exc)); }
      if (f.s !== "PASS" && f.s !== "SKIPPED" && c.remediation) { sec.appendChild(el("div", "rem", "Remediation: " + c.remediation)); }
      if (c.controls && c.controls.length) { sec.appendChild(el("div", "muted", "Controls: " + c.controls.join(" · "))); }
      box.appendChild(sec);
    });
    var ev = el("div", "evidence");
    ev.appendChild(el("h4", null, "Evidence"));
    var facts = [["Resource", r.id], ["Type", r.t], ["Account", r.a || "—"], ["Region", r.r || "—"]];
    if (r.owner) { facts.push(["Owner", r.owner]); }
    if (r.def !== undefined) { facts.push(["Default VPC", r.def ? "yes" : "no"]); }
    facts.push(["Internet", r.x === true ? "exposed (internet gateway attached)" : r.x === false ? "not exposed" : "unknown"]);
    if (r.eni !== undefined) { facts.push(["Network interfaces", String(r.eni)]); }
    if (r.loc) { facts.push(["Location", r.loc]); }
    if (r.n) { facts.push(["Name", r.n]); }
    ev.appendChild(kvTable(facts));
    ev.appendChild(el("h5", null, r.t === "AWS::EC2::TransitGateway" ? "Flow logs on the Transit Gateway" : "Flow logs on the VPC"));
    ev.appendChild(r.fl && r.fl.length ? gridTable(FLH, flowLogLines(r, r.fl)) : el("p", "muted", "none"));
    if (r.sfl && r.sfl.length) {
      ev.appendChild(el("h5", null, "Flow logs on its subnets or interfaces (do not satisfy the control)"));
      ev.appendChild(gridTable(FLH, flowLogLines(r, r.sfl)));
    }
    if (r.lg && r.lg.length) {
      ev.appendChild(el("h5", null, "Destination log groups" + (r.minret ? " (required retention ≥ " + r.minret + " days)" : "")));
      ev.appendChild(gridTable(["Log group", "Exists", "Retention"], r.lg.map(function (g) {
        return [g[0], g[1] ? "yes" : "NO", !g[1] ? "—" : g[2] === null ? "never expire" : g[2] + " days"];
      })));
    }
    if (r.tga && r.tga.length) { ev.appendChild(attachments(r)); }
    if (r.tel && r.tel.length) { ev.appendChild(telemetryRules(r)); }
    if (r.dl) { ev.appendChild(delivery(r)); }
    ev.appendChild(el("h5", null, "Tags"));
    ev.appendChild(r.tags.length ? gridTable(["Key", "Value"], r.tags) : el("p", "muted", "none"));
    box.appendChild(ev);
    var d = el("div", "detail");
    d.setAttribute("role", "row");
    box.setAttribute("role", "cell");
    d.appendChild(box);
    return d;
  }
  function toggle(r) {
    if (r.open) {
      r.open = false;
      r.det.hidden = true;
      r.tr.classList.remove("open");
      r.tr.firstChild.textContent = "▸";
      return;
    }
    if (!r.det) { r.det = detail(r); }
    if (r.tr.parentNode) { r.tr.parentNode.insertBefore(r.det, r.tr.nextSibling); }
    r.det.hidden = false;
    r.open = true;
    r.tr.classList.add("open");
    r.tr.firstChild.textContent = "▾";
  }
  tbody.addEventListener("click", function (e) {
    var tr = e.target.closest ? e.target.closest(".tr.row") : null;
    if (tr) { toggle(rows[+tr.getAttribute("data-row")]); }
  });
  tbody.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" && e.key !== " ") { return; }
    var tr = e.target.closest ? e.target.closest(".tr.row") : null;
    if (tr) { e.preventDefault(); toggle(rows[+tr.getAttribute("data-row")]); }
  });

  // Filters. Values are sets (a comma in the URL separates values). A resource is shown when it matches the
  // resource filters (account, region, exposure, tag, search) and one of its findings matches the finding
  // filters (check, reason, severity, status) together. Without a check, status is the resource's worst verdict.
  var state = {}, sortKey = "", sortDir = 1;
  function values(n) {
    var v = inputs[n].value;
    if (v === "") { return []; }
    return n === "q" || n === "tag" ? [v] : v.split(",");
  }
  function readInputs() { NAMES.forEach(function (n) { state[n] = values(n); }); }
  function has(list, v) { return list.length === 0 || list.indexOf(v) >= 0; }
  function hay(r) {
    if (r.hay === undefined) {
      var parts = [r.a, r.r, r.id, r.n || "", r.loc || ""];
      r.tags.forEach(function (kv) { parts.push(kv[0] + "=" + kv[1]); });
      r.f.forEach(function (f) { parts.push(f.cid, f.re || "", f.m, f.err || "", f.exc || ""); });
      (r.fl || []).concat(r.sfl || []).forEach(function (fl) { parts.push(fl[0], fl[5]); });
      (r.tga || []).forEach(function (a) { parts.push(a[0], a[2]); });
      (r.tel || []).forEach(function (t) { parts.push(t[0]); });
      r.hay = parts.join("\n").toLowerCase();
    }
    return r.hay;
  }
  function tagMatch(r, term) {
    var i = term.indexOf("="), k = i < 0 ? term : term.slice(0, i), v = i < 0 ? null : term.slice(i + 1);
    return r.tags.some(function (kv) { return kv[0] === k && (v === null || kv[1] === v); });
  }
  function match(r) {
    var s = state;
    if (!has(s.account, r.a) || !has(s.region, r.r) || !has(s.exposed, r.xk)) { return false; }
    if (s.tag.length && !tagMatch(r, s.tag[0].trim())) { return false; }
    if (s.q.length && hay(r).indexOf(s.q[0].trim().toLowerCase()) < 0) { return false; }
    if (s.status.length && !s.check.length && s.status.indexOf(r.s) < 0) { return false; }
    if (!s.status.length && !s.check.length && !s.reason.length && !s.severity.length) { return true; }
    for (var j = 0; j < r.f.length; j++) {
      var f = r.f[j];
      if (has(s.check, f.cid) && has(s.reason, f.re || "") && has(s.severity, f.sev) && has(s.status, f.s)) { return true; }
    }
    return false;
  }
  // One pass over the data in display order; then the page is rebuilt with the first PAGE matches.
  function apply() {
    readInputs();
    view = [];
    for (var j = 0; j < order.length; j++) {
      if (match(rows[order[j]])) { view.push(order[j]); }
    }
    count.textContent = view.length + " of " + rows.length + " resources";
    table.setAttribute("data-shown", String(view.length));
    render();
  }

  function sortValue(r, key) {
    switch (key) {
      case "status": return rank[r.s];
      case "account": return r.a;
      case "region": return r.r;
      case "id": return r.id;
      case "name": return (r.n || "").toLowerCase();
      case "exposed": return r.xk;
    }
    if (key.indexOf("check") === 0) {
      var ci = +key.slice(5), f = r.f.filter(function (f) { return f.c === ci; })[0];
      return f ? rank[f.s] : 99;
    }
    return 0;
  }
  function sortBy(key, dir) {
    var th = head.querySelector("[data-sort=\"" + key + "\"]");
    if (!th) { return; }
    sortKey = key; sortDir = dir;
    Array.prototype.forEach.call(head.children, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var keyed = rows.map(function (r, i) { return [sortValue(r, key), i]; });
    keyed.sort(function (a, b) { return (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]) * (a[0] === b[0] ? 1 : dir); });
    order = keyed.map(function (o) { return o[1]; });
  }

  // The URL fragment holds the filters and the order, so that a filtered view can be shared:
  // report.html#status=FAIL&account=111122223333&check=vpc-flow-logs-enabled&sort=-account
  function writeHash() {
    var parts = [];
    NAMES.forEach(function (n) {
      if (state[n] && state[n].length) { parts.push(n + "=" + state[n].map(encodeURIComponent).join(",")); }
    });
    if (sortKey) { parts.push("sort=" + (sortDir < 0 ? "-" : "") + sortKey); }
    var h = parts.length ? "#" + parts.join("&") : "";
    if (location.hash === h || (h === "" && location.hash === "#")) { return; }
    try { history.replaceState(null, "", h || location.pathname + location.search); } catch (e) { location.hash = h; }
  }
  function readHash() {
    NAMES.forEach(function (n) { inputs[n].value = ""; });
    var sort = "";
    (location.hash.slice(1) || "").split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k = i < 0 ? kv : kv.slice(0, i), raw = i < 0 ? "" : kv.slice(i + 1);
      var vals;
      try { vals = raw.split(",").map(function (x) { return decodeURIComponent(x.replace(/\+/g, " ")); }); } catch (e) { return; }
      if (k === "text") { k = "q"; }
      if (k === "sort") { sort = vals[0]; return; }
      if (!inputs[k]) { return; }
      var v = k === "q" || k === "tag" ? vals.join(",") : vals.join(",");
      if (inputs[k].tagName === "SELECT") { addOption(inputs[k], v); }
      inputs[k].value = v;
    });
    if (sort) { sortBy(sort.replace(/^-/, ""), sort.charAt(0) === "-" ? -1 : 1); }
    apply();
  }
  NAMES.forEach(function (n) {
    inputs[n].addEventListener(inputs[n].tagName === "SELECT" ? "change" : "input", function () { apply(); writeHash(); });
  });
  document.getElementById("filter-clear").addEventListener("click", function () {
    NAMES.forEach(function (n) { inputs[n].value = ""; });
    apply(); writeHash();
  });
  // Summary cards, roll-up accounts and reasons filter the table.
  function preset(el) {
    ["status", "account", "reason", "check"].forEach(function (n) {
      var v = el.getAttribute("data-filter-" + n);
      if (v !== null) { addOption(inputs[n], v); inputs[n].value = v; }
    });
    apply(); writeHash();
    document.getElementById("vpcs").scrollIntoView();
  }
  // One listener for the cards and the roll-up's hundreds of links.
  document.addEventListener("click", function (e) {
    var b = e.target.closest ? e.target.closest("[data-filter-status],[data-filter-account],[data-filter-reason]") : null;
    if (b && !table.contains(b)) { preset(b); }
  });
  window.addEventListener("hashchange", readHash);
  readHash();
  mark("fg-built"); // the first page of rows, filtered by the URL fragment
  mark("fg-filtered");
  document.documentElement.setAttribute("data-ready", "1");
  // The search text of each row, built when the page is idle, 500 rows at a time, so that the first search
  // does not pay for it (it builds what is missing itself).
  var idle = window.requestIdleCallback || function (fn) { return setTimeout(fn, 50); }, next = 0;
  idle(function step() {
    for (var end = Math.min(rows.length, next + 500); next < end; next++) { hay(rows[next]); }
    if (next < rows.length) { idle(step); }
  });
})();
