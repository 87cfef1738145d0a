/* kampass pipeline board: drag a card to another stage column (HTML5 drag and drop), or use the
   stage select on the card (keyboard). Both post to the card's move URL with HTMX and swap in the
   board the server renders back; a refused move therefore leaves the card where it was. Moving to
   a lost stage asks for the reason in a small dialog first. */
(function () {
  "use strict";
  var dragged = null;

  function send(card, stage, reason) {
    if (typeof htmx === "undefined") return;
    htmx.ajax("POST", card.dataset.moveUrl, {
      source: card, target: "#board", swap: "outerHTML", values: { stage: stage, reason: reason || "", version: card.dataset.version || "" }
    });
  }

  function askReason(card, stage, stageName) {
    var dialog = document.getElementById("lost-dialog");
    if (!dialog || typeof dialog.showModal !== "function") { send(card, stage, window.prompt(stageName) || ""); return; }
    dialog.querySelector("[data-dialog-name]").textContent = card.dataset.name;
    dialog.querySelector("[data-dialog-stage]").textContent = stageName;
    var field = dialog.querySelector("textarea");
    var error = dialog.querySelector(".field-error");
    field.value = ""; error.hidden = true;
    dialog._move = { card: card, stage: stage, confirmed: false };
    dialog.showModal();
    field.focus();
  }

  function move(card, stage, stageName, needsReason) {
    if (!card || !stage || stage === card.dataset.stage) return;
    if (needsReason) askReason(card, stage, stageName); else send(card, stage, "");
  }

  document.addEventListener("dragstart", function (ev) {
    var card = ev.target.closest && ev.target.closest(".opp-card[draggable=true]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    ev.dataTransfer.effectAllowed = "move";
    ev.dataTransfer.setData("text/plain", card.dataset.id);
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    document.querySelectorAll(".stage-col.drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (ev) {
    var col = ev.target.closest && ev.target.closest(".stage-col[data-stage]");
    if (!col || !dragged || col.dataset.stage === dragged.dataset.stage) return;
    ev.preventDefault();
    ev.dataTransfer.dropEffect = "move";
    col.classList.add("drop-target");
  });
  document.addEventListener("dragleave", function (ev) {
    var col = ev.target.closest && ev.target.closest(".stage-col");
    if (col && !col.contains(ev.relatedTarget)) col.classList.remove("drop-target");
  });
  document.addEventListener("drop", function (ev) {
    var col = ev.target.closest && ev.target.closest(".stage-col[data-stage]");
    if (!col || !dragged) return;
    ev.preventDefault();
    col.classList.remove("drop-target");
    move(dragged, col.dataset.stage, col.dataset.stageName, col.dataset.needsReason === "1");
  });

  // keyboard alternative: the stage select + "Move" button on each card
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.classList.contains("stage-form")) {
      ev.preventDefault();
      var select = form.querySelector("select[name=stage]");
      var option = select.options[select.selectedIndex];
      move(form.closest(".opp-card"), select.value, option.text, option.dataset.needsReason === "1");
    } else if (form.id === "lost-form") {
      ev.preventDefault();
      var dialog = document.getElementById("lost-dialog");
      var field = form.querySelector("textarea");
      if (!field.value.trim()) { form.querySelector(".field-error").hidden = false; field.focus(); return; }
      dialog._move.confirmed = true;
      dialog.close();
      send(dialog._move.card, dialog._move.stage, field.value.trim());
    }
  });
  document.addEventListener("click", function (ev) {
    if (ev.target.matches && ev.target.matches("[data-dialog-cancel]")) {
      var dialog = ev.target.closest("dialog");
      if (dialog) dialog.close();
    }
  });
  // a lost-reason dialog closed without confirming (Cancel, Escape): the move did not happen, so the
  // card's stage select shows the card's stage again (not the lost stage that was chosen)
  document.addEventListener("close", function (ev) {
    var dialog = ev.target;
    if (!dialog || dialog.id !== "lost-dialog" || !dialog._move || dialog._move.confirmed) return;
    var select = dialog._move.card.querySelector("select[name=stage]");
    if (select) select.value = dialog._move.card.dataset.stage;
    dialog._move = null;
  }, true);

  // after a swap keep the keyboard focus on the moved card
  document.addEventListener("htmx:afterSettle", function () {
    var focus = document.querySelector("#board [data-focus]");
    if (focus) { focus.removeAttribute("data-focus"); focus.focus(); }
  });
})();
