/* Real-name authentication wizard: small progressive enhancements (the pages work without). */
(function () {
  "use strict";

  // Country search: filters the <select> by English or Chinese name.
  document.querySelectorAll("input.country-filter").forEach(function (input) {
    var select = document.getElementById(input.dataset.filterFor);
    if (!select) return;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var match = !needle || option.value === "" || option.text.toLowerCase().indexOf(needle) !== -1 ||
          option.value.toLowerCase() === needle;
        option.hidden = !match;
        if (match && option.value && !first) first = option;
      });
      if (first && needle) select.value = first.value;
    });
  });

  // Show the organization fields and the "Others" choice only when they apply.
  function toggle(selector, show) {
    document.querySelectorAll(selector).forEach(function (el) { el.hidden = !show; });
  }
  function checked(name) {
    var el = document.querySelector("input[name=" + name + "]:checked");
    return el ? el.value : "";
  }
  function refresh() {
    toggle("fieldset.organization", checked("account_type") === "organization");
    toggle("div.other-document", checked("document_choice") === "others");
  }
  if (document.querySelector("fieldset.organization")) {
    document.querySelectorAll("input[name=account_type], input[name=document_choice]").forEach(function (el) {
      el.addEventListener("change", refresh);
    });
    refresh();
  }

  // One click, one submission (the server refuses a second one anyway).
  document.querySelectorAll("form.submit-once").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      var clicked = event.submitter;
      if (clicked && clicked.name) {
        var hidden = document.createElement("input");
        hidden.type = "hidden"; hidden.name = clicked.name; hidden.value = clicked.value;
        form.appendChild(hidden);
      }
      setTimeout(function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        var note = form.querySelector(".in-flight");  // "Submitting…" with a spinner
        if (note) note.hidden = false;
      }, 0);
    });
  });

  // "Being recognised": poll until the reading is finished, then reload (unless the customer
  // has started typing, in which case we only say so).
  var notice = document.querySelector("[data-reading-url]");
  if (notice) {
    var typed = false;
    document.querySelectorAll("form input, form select, form textarea").forEach(function (el) {
      el.addEventListener("input", function () { typed = true; });
    });
    var tries = 0;
    var timer = setInterval(function () {
      if (++tries > 200) { clearInterval(timer); return; }
      fetch(notice.dataset.readingUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { reading: true }; })
        .then(function (state) {
          if (state.reading) return;
          clearInterval(timer);
          if (typed) {
            notice.querySelector(".reading-done").hidden = false;
          } else {
            window.location.reload();
          }
        })
        .catch(function () {});
    }, 3000);
  }
})();
