/* A signed screening's PDF is rendered in the background: while it is being prepared, ask the
   status endpoint now and then and show the PDF's buttons (open, print, download) once it is stored. Without this
   script the page's "Check again" link does the same by hand. */
(function () {
  "use strict";
  var box = document.querySelector("[data-signed-pdf]");
  if (!box || box.dataset.state === "ready" || box.dataset.state === "failed") return;
  var actions = box.querySelector("[data-pdf-actions]");
  var notice = box.querySelector("[data-pdf-notice]");
  var message = box.querySelector("[data-pdf-message]");
  var reason = box.querySelector("[data-pdf-reason]");
  var reasonText = box.querySelector("[data-pdf-reason-text]");
  var refresh = box.querySelector("[data-pdf-refresh]");
  var delay = 1000;
  var maxDelay = 10000;

  function show(data) {
    box.dataset.state = data.state;
    message.textContent = data.message;
    reasonText.textContent = data.reason || "";
    reason.hidden = !data.reason;
    notice.classList.toggle("alert-info", data.state === "pending");
    notice.classList.toggle("alert-warning", data.state !== "pending" && data.state !== "ready");
    notice.classList.toggle("alert-success", data.state === "ready");
    if (data.state === "ready") {
      actions.hidden = false;
      refresh.hidden = true;
    }
  }

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.state === "ready" || data.state === "failed") return;
        delay = Math.min(delay * 1.5, maxDelay);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // Signed out or offline: stop asking; the "Check again" link still works.
        refresh.hidden = false;
      });
  }

  refresh.hidden = true;
  window.setTimeout(poll, delay);
})();
