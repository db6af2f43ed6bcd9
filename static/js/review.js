// Review case page: zoom and rotate document images; prefill the customer message.
(function () {
  "use strict";

  document.querySelectorAll(".document").forEach(function (figure) {
    var image = figure.querySelector(".viewer-image");
    if (!image) { return; }
    var state = { zoom: 1, turns: 0 };
    function apply() {
      // CSS custom properties set from script are allowed by the CSP (no inline style attribute).
      image.style.setProperty("--zoom", String(state.zoom));
      image.style.setProperty("--turn", String(state.turns * 90) + "deg");
      figure.classList.toggle("zoomed", state.zoom > 1);
    }
    figure.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var step = button.dataset.zoom === "in" ? 1.25 : 0.8;
        state.zoom = Math.min(6, Math.max(0.5, state.zoom * step));
        apply();
      });
    });
    figure.querySelectorAll("[data-rotate]").forEach(function (button) {
      button.addEventListener("click", function () { state.turns = (state.turns + 1) % 4; apply(); });
    });
    figure.querySelectorAll("[data-reset]").forEach(function (button) {
      button.addEventListener("click", function () { state.zoom = 1; state.turns = 0; apply(); });
    });
    image.addEventListener("dblclick", function () { state.zoom = state.zoom > 1 ? 1 : 2; apply(); });
  });

  var form = document.getElementById("decision-form");
  if (!form) { return; }
  var labelsNode = document.getElementById("customer-item-labels");
  var itemLabels = labelsNode ? JSON.parse(labelsNode.textContent) : {};

  // Each outcome has its own message box, pre-filled until the reviewer types in it, so a
  // ticked rejection reason never reaches a customer who is only asked for a supplement.
  function prefill(name, compose) {
    var box = form.querySelector("textarea[name=" + name + "]");
    if (!box) { return function () {}; }
    var edited = box.value.trim() !== "";
    box.addEventListener("input", function () { edited = box.value.trim() !== ""; });
    return function () { if (!edited) { box.value = compose(); } };
  }
  function checked(name) {
    return Array.prototype.filter.call(
      form.querySelectorAll("input[name=" + name + "]"), function (box) { return box.checked; }
    );
  }

  var fillRejection = prefill("reject_message", function () {
    var labels = checked("reasons").map(function (box) { return box.dataset.customerLabel; });
    return labels.length ? form.dataset.textReject + " " + labels.join("; ") + "." : "";
  });
  var fillSupplement = prefill("supplement_message", function () {
    var uploads = [], details = [];
    checked("requested_items").forEach(function (box) {
      var label = itemLabels[box.value] || box.value;
      (box.value.indexOf("document:") === 0 ? uploads : details).push(label);
    });
    if (!uploads.length && !details.length) { return ""; }
    var parts = [form.dataset.textSupplement];
    if (uploads.length) {
      parts.push(form.dataset.textReupload.replace("%(items)s", uploads.join(form.dataset.separator)));
    }
    if (details.length) {
      parts.push(form.dataset.textReenter.replace("%(items)s", details.join(form.dataset.separator)));
    }
    parts.push(form.dataset.textSubmit);
    return parts.join(" ");
  });
  form.querySelectorAll("input[name=reasons]").forEach(function (box) {
    box.addEventListener("change", fillRejection);
  });
  form.querySelectorAll("input[name=requested_items]").forEach(function (box) {
    box.addEventListener("change", fillSupplement);
  });
})();
