/* kampass: the little hand-written JavaScript the pages need. */
(function () {
  "use strict";

  // the fields a chart's tooltips show, with their titles and formats: the rows of its text alternative
  function tooltipLayer(spec) {
    var best = null;
    (function walk(node, data) {
      if (!node || typeof node !== "object") return;
      var values = (node.data && node.data.values) || data;
      var tip = node.encoding && node.encoding.tooltip;
      if (Array.isArray(tip) && values && (!best || tip.length > best.fields.length)) best = { fields: tip, values: values };
      (node.layer || []).forEach(function (child) { walk(child, values); });
    })(spec, null);
    return best;
  }

  // a visually hidden table of a chart's data (what its tooltips show), formatted in the chart's locale
  function dataTable(spec, caption) {
    var layer = tooltipLayer(spec);
    if (!layer || typeof vega === "undefined" || !vega.locale) return null;
    var loc = (spec.config && spec.config.locale) || {};
    var fmt = vega.locale(loc.number || null, loc.time || null);
    function cell(field, value) {
      if (value === null || value === undefined || value === "") return "–";
      if (field.type === "quantitative") return fmt.format(field.format || ",.4~r")(value);
      if (field.type === "temporal") {
        var d = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(value + "T00:00:00") : new Date(value);
        return fmt.timeFormat(field.format || "%x")(d);
      }
      return String(value);
    }
    var table = document.createElement("table");
    table.className = "visually-hidden chart-data";
    var cap = document.createElement("caption");
    cap.textContent = caption;
    table.appendChild(cap);
    var head = table.createTHead().insertRow();
    layer.fields.forEach(function (f) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = f.title || f.field;
      head.appendChild(th);
    });
    var body = table.createTBody();
    layer.values.slice(0, 300).forEach(function (row) {
      var tr = body.insertRow();
      layer.fields.forEach(function (f) { tr.insertCell().textContent = cell(f, row[f.field]); });
    });
    return table;
  }

  function drawCharts(root) {
    if (typeof vegaEmbed === "undefined") return;
    root.querySelectorAll("[data-vega-spec]").forEach(function (el) {
      if (el.dataset.drawn) return;
      var src = document.getElementById(el.dataset.vegaSpec);
      if (!src) return;
      el.dataset.drawn = "1";
      var spec = JSON.parse(src.textContent);
      var a11y = (spec.usermeta && spec.usermeta.a11y) || {};
      var name = el.getAttribute("aria-label") || a11y.title || "";
      // the chart's name stays the container's label (not Vega's "Vega visualization"); its summary and
      // data follow it, visually hidden, and describe it
      el.setAttribute("role", "img");
      if (name) el.setAttribute("aria-label", name);
      spec.description = name + (a11y.summary ? ". " + a11y.summary : "");
      var desc = document.createElement("div");
      desc.className = "visually-hidden";
      desc.id = el.dataset.vegaSpec + "-description";
      if (a11y.summary) {
        var p = document.createElement("p");
        p.textContent = a11y.summary;
        desc.appendChild(p);
      }
      var table = dataTable(spec, name);
      if (table) desc.appendChild(table);
      if (desc.childNodes.length) {
        el.insertAdjacentElement("afterend", desc);
        el.setAttribute("aria-describedby", desc.id);
      }
      var locale = (spec.config && spec.config.locale) || {};
      // CSP: Vega evaluates its expressions with the vendored interpreter (vega-interpreter.js), not with
      // Function(); vega-embed and its tooltips inject no <style> (their styles are in vega-embed.css)
      var options = {
        actions: { export: true, source: false, compiled: false, editor: false },
        renderer: "svg",
        ast: true,
        expr: vega.expressionInterpreter,
        defaultStyle: false,
        forceActionsMenu: true,
        tooltip: { disableDefaultStyle: true }
      };
      if (locale.number) options.formatLocale = locale.number;
      if (locale.time) options.timeFormatLocale = locale.time;
      vegaEmbed(el, spec, options)
        .then(function () {
          var svg = el.querySelector("svg");
          if (svg) svg.setAttribute("aria-hidden", "true");
          el.dataset.ready = "1";
        })
        .catch(function (err) { el.textContent = String(err); });
    });
  }

  // sizes that come from data (a bar's length, a hierarchy's indentation), set through the CSSOM: the
  // Content-Security-Policy allows no style attributes in the markup
  function applySizes(root) {
    root.querySelectorAll("[data-width-px]").forEach(function (el) {
      el.style.width = Math.max(0, parseFloat(el.dataset.widthPx) || 0) + "px";
    });
    root.querySelectorAll("[data-width-em]").forEach(function (el) {
      el.style.width = Math.max(0, parseFloat(el.dataset.widthEm) || 0) + "em";
    });
  }

  // a form with data-confirm asks before it is sent (instead of an inline onsubmit handler)
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) ev.preventDefault();
  });

  // a <select data-autosubmit> sends its form when it changes (instead of an inline onchange handler)
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.requestSubmit();
  });

  // a checkbox with data-select-all="NAME" ticks or clears the checkboxes NAME of its form (the rows shown)
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.hasAttribute || !el.hasAttribute("data-select-all") || !el.form) return;
    el.form.querySelectorAll('input[type="checkbox"][name="' + el.dataset.selectAll + '"]').forEach(function (box) {
      box.checked = el.checked;
    });
  });

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

  // global search: "/" or Ctrl/Cmd+K focuses the search field of the top bar (not while typing elsewhere);
  // the arrow keys move between the field and the links of its live results, Escape closes them
  function isTyping(el) {
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }
  function searchLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#global-search-results a"));
  }
  function resultsShown() {
    var box = document.getElementById("global-search-results");
    return !!(box && box.innerHTML.trim());
  }
  function closeSearch(focusField) {
    var box = document.getElementById("global-search-results");
    if (box) box.innerHTML = "";
    if (focusField) {
      var field = document.getElementById("global-search");
      if (field) field.focus();
    }
  }
  document.addEventListener("keydown", function (ev) {
    var field = document.getElementById("global-search");
    if (!field) return;
    var t = ev.target;
    var shortcut = (ev.key === "/" && !ev.ctrlKey && !ev.metaKey && !ev.altKey) ||
      ((ev.key === "k" || ev.key === "K") && (ev.ctrlKey || ev.metaKey) && !ev.altKey);
    if (shortcut && t !== field && !(ev.key === "/" && isTyping(t))) {
      ev.preventDefault();
      field.focus();
      field.select();
      return;
    }
    var links = searchLinks();
    var at = links.indexOf(t);
    if (t === field && ev.key === "ArrowDown" && links.length) {
      links[0].focus();
      ev.preventDefault();
    } else if (at >= 0 && (ev.key === "ArrowDown" || ev.key === "ArrowUp")) {
      var next = ev.key === "ArrowDown" ? links[at + 1] : at === 0 ? field : links[at - 1];
      if (next) next.focus();
      ev.preventDefault();
    } else if (ev.key === "Escape" && (at >= 0 || (t === field && resultsShown()))) {
      ev.preventDefault(); // the first Escape closes the results and keeps the query (a second one clears it)
      closeSearch(at >= 0);
    }
  });
  // a click outside the search form closes its live results
  document.addEventListener("click", function (ev) {
    var form = document.querySelector(".topsearch");
    if (form && !form.contains(ev.target)) closeSearch(false);
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
  // a stale save (409 with the header Kampass-Conflict) answers the conflict view: swap it in place of the form
  document.addEventListener("htmx:beforeSwap", function (ev) {
    var xhr = ev.detail.xhr;
    if (xhr && xhr.status === 409 && xhr.getResponseHeader("Kampass-Conflict")) {
      ev.detail.shouldSwap = true;
      ev.detail.isError = false;
    }
  });
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

  // @mentions in a comment: typing "@" and letters lists the matching users who may see the target
  // (arrow keys move, Enter or Tab picks, Escape closes)
  var mentionTimer = null;
  function mentionQuery(field) {
    var m = /(^|[^\w@])@([\w.+-]*)$/.exec(field.value.slice(0, field.selectionStart));
    return m ? m[2] : null;
  }
  function mentionList(field) { return document.getElementById(field.id + "-mentions"); }
  function closeMentions(field) {
    var list = mentionList(field);
    if (list) list.remove();
    field.removeAttribute("aria-activedescendant");
    field.setAttribute("aria-expanded", "false");
  }
  function pickMention(field, username) {
    var caret = field.selectionStart;
    var before = field.value.slice(0, caret).replace(/@[\w.+-]*$/, "@" + username + " ");
    field.value = before + field.value.slice(caret);
    field.setSelectionRange(before.length, before.length);
    closeMentions(field);
    field.focus();
  }
  function showMentions(field, users) {
    closeMentions(field);
    if (!users.length) return;
    var list = document.createElement("ul");
    list.id = field.id + "-mentions";
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.dataset.testid = "mention-suggestions";
    users.forEach(function (u, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.dataset.username = u.username;
      li.textContent = u.name + " (@" + u.username + ")";
      list.appendChild(li);
    });
    field.insertAdjacentElement("afterend", list);
    field.setAttribute("aria-controls", list.id);
    field.setAttribute("aria-expanded", "true");
    moveMention(field, 0);
  }
  function moveMention(field, step) {
    var list = mentionList(field);
    if (!list) return;
    var items = Array.prototype.slice.call(list.children);
    var at = items.findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; });
    var next = at < 0 ? 0 : (at + step + items.length) % items.length;
    items.forEach(function (li, i) { li.setAttribute("aria-selected", i === next ? "true" : "false"); });
    field.setAttribute("aria-activedescendant", items[next].id);
  }
  document.addEventListener("input", function (ev) {
    var field = ev.target;
    if (!field.matches || !field.matches("textarea[data-mentions]")) return;
    var q = mentionQuery(field);
    var panel = field.closest("[data-mentions-url]");
    clearTimeout(mentionTimer);
    if (q === null || !panel) { closeMentions(field); return; }
    mentionTimer = setTimeout(function () {
      var url = panel.dataset.mentionsUrl;
      url += (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { users: [] }; })
        .then(function (data) { if (mentionQuery(field) === q) showMentions(field, data.users); });
    }, 150);
  });
  document.addEventListener("keydown", function (ev) {
    var field = ev.target;
    if (!field.matches || !field.matches("textarea[data-mentions]") || !mentionList(field)) return;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      moveMention(field, ev.key === "ArrowDown" ? 1 : -1);
    } else if (ev.key === "Enter" || ev.key === "Tab") {
      var chosen = mentionList(field).querySelector('[aria-selected="true"]');
      if (chosen) { ev.preventDefault(); pickMention(field, chosen.dataset.username); }
    } else if (ev.key === "Escape") {
      ev.preventDefault();
      closeMentions(field);
    }
  });
  document.addEventListener("mousedown", function (ev) {
    var option = ev.target.closest && ev.target.closest(".mention-list [role=option]");
    if (!option) return;
    ev.preventDefault();
    var field = document.getElementById(option.parentElement.id.replace(/-mentions$/, ""));
    if (field) pickMention(field, option.dataset.username);
  });

  document.addEventListener("DOMContentLoaded", function () { applySizes(document); drawCharts(document); });
  document.addEventListener("htmx:afterSettle", function (ev) { applySizes(ev.target); drawCharts(ev.target); });
})();
