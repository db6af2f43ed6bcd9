/* Upload step: each document's control uploads on choice or drop, with a progress bar, and refuses
   an oversized file before sending it. Without this script the plain form works (choose, Upload). */
(function () {
  "use strict";

  var list = document.querySelector(".upload-slots");
  var forms = document.querySelectorAll("form[data-upload]");
  if (!list || !forms.length || !window.FormData || !window.XMLHttpRequest) return;
  var texts = list.dataset;
  var inFlight = 0;
  var continueLink = document.querySelector("a.continue");

  // As Django's filesizeformat writes it, so the message is the one the server would give.
  function humanSize(bytes, units) {
    var KB = 1024, MB = KB * KB, GB = MB * KB;
    if (bytes < KB) return units.B.replace("%s", String(bytes));
    var unit = bytes < MB ? "KB" : bytes < GB ? "MB" : "GB";
    var value = bytes / (unit === "KB" ? KB : unit === "MB" ? MB : GB);
    return units[unit].replace("%s", (Math.round(value * 10) / 10).toFixed(1));
  }

  function setBusy(busy) {
    inFlight += busy ? 1 : -1;
    // Leaving now would not lose the upload, but the next page would not show it yet.
    if (continueLink) continueLink.classList.toggle("is-disabled", inFlight > 0);
    if (continueLink) continueLink.setAttribute("aria-disabled", inFlight > 0 ? "true" : "false");
  }
  if (continueLink) {
    continueLink.addEventListener("click", function (event) {
      if (inFlight > 0) event.preventDefault();
    });
  }

  forms.forEach(function (form) {
    var zone = form.querySelector(".drop-zone");
    var inputs = form.querySelectorAll("input[type=file]");
    var bar = form.querySelector(".upload-progress");
    var progress = bar.querySelector("progress");
    var spinner = bar.querySelector(".spinner");
    var statusText = bar.querySelector(".upload-status-text");
    var errors = form.querySelector(".upload-errors");
    var units = JSON.parse(form.dataset.sizeUnits);
    var maxBytes = parseInt(form.dataset.maxBytes, 10);

    form.classList.add("enhanced");  // CSS hides the Upload button: choosing uploads

    function showErrors(messages) {
      errors.textContent = "";
      messages.forEach(function (message) {
        var item = document.createElement("li");
        item.textContent = message;
        errors.appendChild(item);
      });
      errors.hidden = !messages.length;
    }

    function setState(state, text) {
      form.dataset.state = state;  // idle, uploading, reading, done, error
      var busy = state === "uploading" || state === "reading";
      form.classList.toggle("busy", busy);
      inputs.forEach(function (input) { input.disabled = busy; });
      form.querySelectorAll("button").forEach(function (b) { b.disabled = busy; });
      bar.hidden = state === "idle" || state === "error";
      spinner.hidden = state !== "reading";
      statusText.textContent = text || "";
    }

    function upload(file) {
      showErrors([]);
      if (!file) return;
      if (file.size > maxBytes) {
        // Refused here: a phone on a slow line need not send 30 MB to hear it is too large.
        showErrors([form.dataset.tooLarge.replace("{size}", humanSize(file.size, units))]);
        form.dataset.state = "refused";
        inputs.forEach(function (input) { input.value = ""; });
        return;
      }
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
      data.append("kind", form.querySelector("input[name=kind]").value);
      data.append("file", file, file.name || "photo.jpg");

      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("action") || window.location.pathname);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (!event.lengthComputable) return;
        var percent = Math.round((event.loaded / event.total) * 100);
        progress.value = percent;
        setState("uploading", texts.uploadingText.replace("{progress}", percent + "%"));
      });
      xhr.upload.addEventListener("load", function () {
        progress.value = 100;
        setState("reading", form.dataset.busyText);  // the server checks (and may read) it now
      });
      xhr.addEventListener("load", function () {
        setBusy(false);
        var reply = null;
        try { reply = JSON.parse(xhr.responseText); } catch (e) { reply = null; }
        if (reply && reply.uploaded) {
          setState("done", texts.doneText);
          // Show the stored image and its reading once no other upload is still on its way.
          if (inFlight === 0) window.location.reload();
        } else if (reply && reply.errors) {
          setState("error");
          showErrors(reply.errors.length ? reply.errors : [texts.failedText]);
          inputs.forEach(function (input) { input.value = ""; });
        } else {
          window.location.reload();  // locked, signed out...: the page says what happened
        }
      });
      xhr.addEventListener("error", function () {
        setBusy(false);
        setState("error");
        showErrors([texts.failedText]);
      });
      setBusy(true);
      progress.value = 0;
      setState("uploading", texts.uploadingText.replace("{progress}", "0%"));
      xhr.send(data);
    }

    inputs.forEach(function (input) {
      input.addEventListener("change", function () { upload(input.files[0]); });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = null;
      inputs.forEach(function (input) { if (input.files[0]) chosen = input.files[0]; });
      upload(chosen);
    });

    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) {
        event.preventDefault();
        if (form.dataset.state !== "uploading" && form.dataset.state !== "reading") zone.classList.add("dragging");
      });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (form.dataset.state === "uploading" || form.dataset.state === "reading") return;
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) upload(files[0]);
    });
  });

  // A file dropped beside a control would otherwise open in the tab and leave the wizard.
  window.addEventListener("dragover", function (event) { event.preventDefault(); });
  window.addEventListener("drop", function (event) { event.preventDefault(); });
})();
