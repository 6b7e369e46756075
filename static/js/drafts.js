/* Autosave of compose and reply drafts (issue 16): progressive enhancement.
   Without this script the "Save draft" button does the same on a click.
   Every few seconds, when the subject or message changed, the form's text is
   posted to the drafts endpoint; also just before the language is switched
   or the page is left, so nothing typed is lost. */
(function () {
  "use strict";
  var INTERVAL_MS = 5000;
  if (!window.fetch || !window.FormData) { return; }

  document.querySelectorAll(".draft-controls").forEach(function (controls) {
    var form = controls.closest("form");
    var endpoint = controls.getAttribute("data-draft-endpoint");
    if (!form || !endpoint) { return; }
    var subject = form.querySelector("[name=subject]");
    var body = form.querySelector("[name=body]");
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    var status = controls.querySelector(".draft-controls__status");
    if (!subject || !body || !token) { return; }
    var saved = subject.value + "\u0000" + body.value;
    var sending = false;

    function application() {
      var chosen = form.querySelector("[name=application]");
      if (chosen && chosen.value) { return chosen.value; }
      return controls.getAttribute("data-draft-application") || "";
    }

    function save(keepalive) {
      var current = subject.value + "\u0000" + body.value;
      if (current === saved || sending) { return; }
      var data = new FormData();
      data.append("csrfmiddlewaretoken", token.value);
      data.append("application", application());
      data.append("subject", subject.value);
      data.append("body", body.value);
      sending = true;
      fetch(endpoint, { method: "POST", body: data, credentials: "same-origin", keepalive: !!keepalive })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (answer) {
            saved = current;
            if (status && answer.message) { status.textContent = answer.message; }
          }
        })
        .catch(function () { /* offline: the next tick tries again */ })
        .then(function () { sending = false; });
    }

    window.setInterval(function () { save(false); }, INTERVAL_MS);
    // Sending the form itself removes the draft on the server: do not save over it.
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "draft") { saved = subject.value + "\u0000" + body.value; }
    });
    document.querySelectorAll("form.language-switch").forEach(function (switcher) {
      switcher.addEventListener("submit", function () { save(true); });
    });
    window.addEventListener("pagehide", function () { save(true); });
  });
})();
