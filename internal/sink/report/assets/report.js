// flowguard HTML report: sort and filter the findings table. No network, no libraries.
(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) { return; }
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var text = document.getElementById("filter-text");
  var status = document.getElementById("filter-status");
  var account = document.getElementById("filter-account");
  var count = document.getElementById("filter-count");
  var order = { FAIL: 0, ERROR: 1, UNKNOWN: 2, EXCEPTED: 3, SKIPPED: 4, PASS: 5 };

  function apply() {
    var q = text.value.toLowerCase().trim();
    var st = status.value;
    var ac = account.value;
    var shown = 0;
    rows.forEach(function (tr) {
      var ok = (!st || tr.getAttribute("data-status") === st) &&
        (!ac || tr.getAttribute("data-account") === ac) &&
        (!q || tr.textContent.toLowerCase().indexOf(q) >= 0);
      tr.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = shown + " of " + rows.length + " findings";
  }

  function sortBy(th, col) {
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
      if (col === 0) { x = order[x]; y = order[y]; }
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
    rows.forEach(function (tr) { tbody.appendChild(tr); });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.tabIndex = 0;
    th.addEventListener("click", function () { sortBy(th, i); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") { sortBy(th, i); } });
  });
  [text, status, account].forEach(function (el) { el.addEventListener("input", apply); });
  document.querySelectorAll("[data-filter-status]").forEach(function (el) {
    el.addEventListener("click", function () { status.value = el.getAttribute("data-filter-status"); apply(); });
  });
  // A link can preset the filters and the order: report.html#status=FAIL&q=prod&sort=-1
  (location.hash.slice(1) || "").split("&").forEach(function (kv) {
    var p = kv.split("="), v = decodeURIComponent(p[1] || "");
    if (p[0] === "status") { status.value = v; }
    if (p[0] === "account") { account.value = v; }
    if (p[0] === "q") { text.value = v; }
    if (p[0] === "sort") { // sort=N ascending, sort=-N descending, N the column index
      var col = Math.abs(parseInt(v, 10)), th = table.tHead.rows[0].cells[col];
      if (th) { sortBy(th, col); if (v.charAt(0) === "-") { sortBy(th, col); } }
    }
  });
  apply();
})();
