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
  var message = form.querySelector("textarea[name=customer_message]");
  var edited = false;
  message.addEventListener("input", function () { edited = true; });

  function rejectionText() {
    var labels = Array.prototype.map.call(
      form.querySelectorAll("input[name=reasons]:checked"),
      function (box) { return box.dataset.customerLabel; }
    );
    return form.dataset.textReject + " " + labels.join("; ") + ".";
  }
  form.querySelectorAll("input[name=reasons]").forEach(function (box) {
    box.addEventListener("change", function () { if (!edited) { message.value = rejectionText(); } });
  });
  form.querySelectorAll("input[name=requested_items]").forEach(function (box) {
    box.addEventListener("change", function () { if (!edited) { message.value = form.dataset.textSupplement; } });
  });
})();
