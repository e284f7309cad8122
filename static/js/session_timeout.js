/* The idle warning on staff pages (issue 15): a dialog before the session ends, with "Stay signed in".
 *
 * The page's <body> says how many seconds its session has left (data-session-seconds-left, from the server:
 * the idle limit or the 12-hour maximum, whichever comes first) and when to warn (data-session-warning-seconds).
 * Anything that reaches the server resets the clock: a page load, an autosave (static/js/autosave.js calls
 * havenSession.extend with the seconds its answer gives) or "Stay signed in", which posts to the keepalive.
 *
 * When the time is up the dialog says so and offers "Sign in again", which comes back to this very page
 * (the sign-in's "next"); what was typed is kept in the tab meanwhile (keep_draft.js) and on the server
 * (autosave). The dialog is a modal <dialog role="alertdialog">: focus moves into it, Tab stays inside,
 * and Escape counts as "I am here" (the same as Stay signed in) while the session lasts.
 *
 * No inline script (CSP): this file only.
 */
(function () {
  "use strict";

  var TEXT_UPDATE_MS = 15000;

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function minutesText(seconds) {
    if (seconds >= 90) {
      return Math.round(seconds / 60) + " minutes";
    }
    return seconds > 45 ? "1 minute" : "less than a minute";
  }

  function start() {
    var body = document.body;
    var dialog = document.getElementById("idle-warning");
    if (!dialog || !body.hasAttribute("data-session-seconds-left")) {
      return; // not signed in: no session to warn about
    }
    var warnSeconds = parseInt(body.getAttribute("data-session-warning-seconds"), 10) || 120;
    var text = dialog.querySelector("[data-idle-text]");
    var title = dialog.querySelector("#idle-warning-title");
    var stay = dialog.querySelector("[data-idle-stay]");
    var signIn = dialog.querySelector("[data-idle-sign-in]");
    var deadline = 0;
    var timer = null;
    var ended = false;
    var returnFocus = null;
    var asked = { warn: false, end: false }; // asked the server at this stage of the countdown
    var atMax = false; // the 12-hour maximum, which nothing extends

    function left() {
      return Math.max(0, Math.round((deadline - Date.now()) / 1000));
    }

    function signInHref() {
      var here = window.location.pathname + window.location.search;
      return body.getAttribute("data-sign-in-url") + "?next=" + encodeURIComponent(here);
    }

    function open() {
      if (!dialog.open) {
        returnFocus = document.activeElement;
        dialog.showModal(); // moves focus to the first button
      }
    }

    function close() {
      if (dialog.open) {
        dialog.close();
      }
      if (returnFocus && returnFocus.focus) {
        returnFocus.focus();
      }
    }

    function showEnded() {
      ended = true;
      clearTimeout(timer);
      title.textContent = "You were signed out";
      text.textContent =
        "You were signed out to protect patient data. What you typed is kept in this tab: sign in again to carry on.";
      stay.hidden = true;
      signIn.hidden = false;
      signIn.href = signInHref();
      open();
      signIn.focus();
      document.dispatchEvent(new CustomEvent("haven:signed-out"));
    }

    function askServer(stage) {
      // Another tab may have kept the session alive: ask how long it really has (a GET, which does not
      // count as activity) before warning, and again before saying it ended.
      asked[stage] = true;
      fetch(body.getAttribute("data-keepalive-url"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (response.status === 401) {
            showEnded();
            return null;
          }
          return response.ok ? response.json() : null;
        })
        .then(function (answer) {
          if (answer && typeof answer.seconds_left === "number") {
            extend(answer.seconds_left);
          } else if (!ended) {
            tick();
          }
        })
        .catch(tick);
    }

    function tick() {
      clearTimeout(timer);
      if (ended) {
        return;
      }
      var seconds = left();
      if (seconds <= 0) {
        if (asked.end) {
          showEnded();
        } else {
          askServer("end");
        }
        return;
      }
      if (seconds <= warnSeconds) {
        if (!asked.warn) {
          askServer("warn");
          return;
        }
        text.textContent = atMax
          ? "Your session reaches its time limit in " + minutesText(seconds) + ". Save your work; then sign in again."
          : "You will be signed out in " + minutesText(seconds) + " to protect patient data.";
        open();
        timer = setTimeout(tick, Math.min(TEXT_UPDATE_MS, seconds * 1000));
      } else {
        timer = setTimeout(tick, (seconds - warnSeconds) * 1000);
      }
    }

    function extend(secondsLeft) {
      if (ended || typeof secondsLeft !== "number") {
        return;
      }
      deadline = Date.now() + secondsLeft * 1000;
      if (secondsLeft > warnSeconds) {
        asked = { warn: false, end: false };
        close();
      }
      tick();
    }

    function atMaximum() {
      // Stay signed in was pressed yet the session still ends soon: the 12-hour maximum. Staying cannot
      // help, so the dialog says what can.
      stay.hidden = true;
      atMax = true;
    }

    function keepAlive() {
      stay.disabled = true;
      fetch(body.getAttribute("data-keepalive-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      })
        .then(function (response) {
          if (response.status === 401) {
            showEnded();
            return null;
          }
          return response.ok ? response.json() : null;
        })
        .then(function (answer) {
          if (answer) {
            if (answer.seconds_left <= warnSeconds) {
              atMaximum();
            }
            extend(answer.seconds_left);
          }
        })
        .catch(function () {
          text.textContent = "We could not reach the server. Check the connection, then press Stay signed in again.";
        })
        .finally(function () {
          stay.disabled = false;
        });
    }

    stay.addEventListener("click", keepAlive);
    dialog.addEventListener("cancel", function (event) {
      if (!ended) {
        event.preventDefault(); // Escape: the person is here, so it keeps the session like the button
        keepAlive();
      }
    });
    window.havenSession = { extend: extend, ended: showEnded };
    extend(parseInt(body.getAttribute("data-session-seconds-left"), 10));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
