// flowguard dashboard: the only script, served from this origin (Content-Security-Policy script-src 'self').
// It never turns data into markup: it only submits the filter form when a filter changes.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("filters");
  if (!form) return;
  form.querySelectorAll("select").forEach(function (sel) {
    sel.addEventListener("change", function () {
      // Drop empty fields so that shared links stay short.
      form.querySelectorAll("select, input").forEach(function (el) {
        el.disabled = el.value === "";
      });
      form.submit();
    });
  });
  form.addEventListener("submit", function () {
    form.querySelectorAll("select, input").forEach(function (el) {
      el.disabled = el.value === "";
    });
  });
});
