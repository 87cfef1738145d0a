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

  // a refused HTMX request (403, 404, 409, 422, 500, ...) swaps nothing: say why in the alert region.
  // A text/plain answer carries the server's own message; otherwise the translated message of the
  // status class from the region's data attributes (see base.html and kampass.common.htmx.refusal).
  function showAlert(text) {
    var box = document.getElementById("htmx-alert");
    if (!box) return;
    box.querySelector(".toast-text").textContent = text;
    box.hidden = false;
  }
  function refusalText(xhr) {
    var box = document.getElementById("htmx-alert");
    var type = (xhr && xhr.getResponseHeader("Content-Type")) || "";
    var body = xhr && typeof xhr.responseText === "string" ? xhr.responseText.trim() : "";
    if (type.indexOf("text/plain") === 0 && body && body.length < 500) return body;
    var status = xhr ? xhr.status : 0;
    var key = "msg" + (status === 403 || status === 404 || status === 409 || status === 422 ? status : status >= 500 ? "500" : "422");
    return box ? box.dataset[key] : "";
  }
  document.addEventListener("htmx:responseError", function (ev) { showAlert(refusalText(ev.detail.xhr)); });
  document.addEventListener("htmx:sendError", function () {
    var box = document.getElementById("htmx-alert");
    if (box) showAlert(box.dataset.msgNetwork);
  });
  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("htmx-alert");
    if (box) box.hidden = true;
  });
  document.addEventListener("click", function (ev) {
    if (ev.target.closest(".toast-close")) document.getElementById("htmx-alert").hidden = true;
  });

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (ev) { drawCharts(ev.target); });
})();
