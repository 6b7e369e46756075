/*
 * Saved replies on the case page: progressive enhancement of the "Use this
 * reply" form (templates/dashboard/_saved_reply_picker.html).
 *
 * Without JavaScript the form reloads the case page with ?saved_reply=<id>,
 * and the page comes back with the reply in the compose form. With it, the
 * reply, filled in for this case's applicant in their language, is fetched
 * as JSON and put in the compose form in place: what else the page shows
 * (an open message, the list) stays as it is. The subject of a reply to a
 * message keeps its "Re:". Should the fetch fail, the form is sent as without
 * JavaScript.
 */
(function () {
  "use strict";

  var picker = document.querySelector("form[data-saved-reply-picker]");
  if (!picker || !window.fetch) {
    return;
  }
  var select = picker.querySelector("select[name=saved_reply]");
  var status = picker.querySelector("[data-saved-reply-status]");
  var subject = document.getElementById("id_subject");
  var body = document.getElementById("id_body");
  if (!select || !subject || !body) {
    return;
  }
  var keepSubject = picker.hasAttribute("data-keep-subject");
  var base = picker.getAttribute("data-fill-base");
  var filledText = picker.getAttribute("data-filled-text") || "";

  picker.addEventListener("submit", function (event) {
    if (!select.value) {
      return;
    }
    event.preventDefault();
    window
      .fetch(base + encodeURIComponent(select.value) + "/", {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("saved reply " + response.status);
        }
        return response.json();
      })
      .then(function (reply) {
        body.value = reply.body;
        if (reply.subject && !(keepSubject && subject.value)) {
          subject.value = reply.subject;
        }
        status.textContent = filledText.replace("%(title)s", reply.title);
        body.focus();
      })
      .catch(function () {
        picker.submit();
      });
  });
})();
