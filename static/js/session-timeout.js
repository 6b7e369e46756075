/*
 * The session time-out warning: progressive enhancement of signed-in pages
 * with a form (templates/account/session_timeout.html).
 *
 * A few minutes before the session would end for inactivity, the notice says
 * so and offers "Stay signed in" (a POST to the keep-alive address). Typing in
 * the page's form counts as activity: the session is kept alive without a
 * warning. Several tabs share one session, so the server is asked how long is
 * left before warning. When the session has ended, the notice says so and the
 * page stays as it is, so typed text can still be copied.
 */
(function () {
  "use strict";

  var box = document.getElementById("session-timeout");
  if (!box || !window.fetch || !document.querySelector("main form")) {
    return;
  }
  var warningSeconds = parseInt(box.getAttribute("data-warning-seconds"), 10);
  var statusUrl = box.getAttribute("data-status-url");
  var message = null;
  var form = box.querySelector("form");
  var button = form.querySelector("button");
  var csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var typedAt = 0;
  var timer = null;

  function schedule(secondsLeft) {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, Math.max(secondsLeft - warningSeconds, 1) * 1000);
  }

  function secondsLeftFrom(response) {
    if (!response.ok) {
      return { seconds_left: 0 };
    }
    return response.json();
  }

  function check() {
    fetch(statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(secondsLeftFrom)
      .then(function (data) {
        var left = data.seconds_left;
        if (left <= 0) {
          ended();
        } else if (left > warningSeconds + 5) {
          quiet();
          schedule(left);
        } else if (Date.now() - typedAt < warningSeconds * 1000) {
          keepAlive();
        } else {
          warn(left);
        }
      })
      .catch(function () {
        // The network failed: ask again in a minute.
        window.clearTimeout(timer);
        timer = window.setTimeout(check, 60000);
      });
  }

  function keepAlive() {
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken },
    })
      .then(secondsLeftFrom)
      .then(function (data) {
        if (data.seconds_left > 0) {
          quiet();
          schedule(data.seconds_left);
        } else {
          ended();
        }
      })
      .catch(function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(check, 60000);
      });
  }

  function isTyping() {
    var active = document.activeElement;
    return active && (active.tagName === "TEXTAREA" || active.tagName === "INPUT" || active.tagName === "SELECT");
  }

  // An alert is read out when it is added: one is added for each notice, and
  // none stays on the page in between.
  function say(text) {
    quiet();
    box.classList.add("is-shown");
    message = document.createElement("p");
    message.className = "session-timeout__message";
    message.setAttribute("role", "alert");
    message.textContent = text;
    box.insertBefore(message, form);
  }

  function warn(left) {
    say(box.getAttribute("data-warning-text"));
    form.hidden = false;
    if (!isTyping()) {
      button.focus();
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(check, (left + 1) * 1000);
  }

  function ended() {
    window.clearTimeout(timer);
    say(box.getAttribute("data-ended-text"));
  }

  function quiet() {
    if (message) {
      message.remove();
      message = null;
    }
    form.hidden = true;
    box.classList.remove("is-shown");
  }

  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("main form")) {
      typedAt = Date.now();
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    keepAlive();
  });
  schedule(parseInt(box.getAttribute("data-seconds-left"), 10));
})();
