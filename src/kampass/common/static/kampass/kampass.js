/* kampass: the little hand-written JavaScript the pages need. */
(function () {
  "use strict";

  function drawCharts(root) {
    if (typeof vegaEmbed === "undefined") return;
    root.querySelectorAll("[data-vega-spec]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var src = document.getElementById(el.dataset.vegaSpec);
      if (!src) return;
      el.dataset.drawn = "1";
      vegaEmbed(el, JSON.parse(src.textContent), { actions: { export: true, source: false, compiled: false, editor: false }, renderer: "svg" })
        .then(function () { el.dataset.ready = "1"; })
        .catch(function (err) { el.textContent = String(err); });
    });
  }

  // account picker: choosing a result fills the hidden id and the visible name
  document.addEventListener("click", function (ev) {
    var opt = ev.target.closest("[data-pick]");
    if (!opt) return;
    var hidden = document.getElementById(opt.dataset.pick);
    var search = document.getElementById(opt.dataset.pick + "_search");
    if (hidden) hidden.value = opt.dataset.id;
    if (search) search.value = opt.dataset.label;
    var box = document.getElementById(opt.dataset.pick + "_results");
    if (box) box.innerHTML = "";
    if (search) search.focus();
  });

  // keyboard: arrow down from the picker's search box moves into the results
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.key === "ArrowDown" && t.dataset && t.dataset.lookupFor) {
      var first = document.querySelector("#" + t.dataset.lookupFor + "_results .lookup-option");
      if (first) { first.focus(); ev.preventDefault(); }
    } else if ((ev.key === "ArrowDown" || ev.key === "ArrowUp") && t.classList && t.classList.contains("lookup-option")) {
      var next = ev.key === "ArrowDown" ? t.nextElementSibling : t.previousElementSibling;
      if (next) { next.focus(); ev.preventDefault(); }
    } else if (ev.key === "Escape" && t.classList && t.classList.contains("lookup-option")) {
      t.parentElement.innerHTML = "";
    }
  });

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (ev) { drawCharts(ev.target); });
})();
