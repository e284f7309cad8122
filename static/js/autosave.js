/* Notes that save themselves (issue 15): long free-text forms post what was typed to the server while the
 * clinician writes, so an expired session, a closed tab or a crash loses nothing.
 *
 * A <form data-autosave="URL" data-autosave-version="N"> is posted (fetch, all its fields, the CSRF token)
 * 5 seconds after the last keystroke, at least every 30 seconds while typing goes on, and when a field
 * loses focus. Its status element ([data-autosave-status], a polite live region) says what happened:
 *
 * - 200 {saved: true, saved_at, version, set_fields, urls, keep_draft_key, note}: "Saved 10:42". The
 *   version goes with the next save (the server refuses a save based on an older one); set_fields are put
 *   into the form's hidden fields (a visit note's version, so the Save button saves over this draft); urls
 *   move a new note onto its draft (the form's action, the autosave address, the address bar, so signing in
 *   again comes back to the draft); keep_draft_key moves the tab's copy (keep_draft.js) with it.
 * - 401: signed out. Nothing was saved; keep_draft.js keeps the text in the tab and the status links to the
 *   sign-in page, which comes back here.
 * - 409: someone saved this note or draft elsewhere, or signed it. Autosave stops, so nothing is
 *   overwritten silently; the Save button then shows both versions.
 * - anything else, or no answer: "Not saved", and it tries again (a dropped connection) or stops (refused).
 *
 * Without JavaScript none of this runs and the form's Save button works as always.
 * No inline script (CSP): this file only.
 */
(function () {
  "use strict";

  var QUIET_MS = 5000; // after the last keystroke
  var AT_LEAST_EVERY_MS = 30000; // while typing goes on without a pause
  var RETRY_MS = [5000, 10000, 30000, 60000];

  function statusOf(form) {
    return form.querySelector("[data-autosave-status]");
  }

  function say(form, message, tone, link) {
    var status = statusOf(form);
    if (!status) {
      return;
    }
    status.className = "autosave-status small mb-2 " + (tone === "problem" ? "text-danger" : "text-secondary");
    status.textContent = message;
    if (link) {
      status.appendChild(document.createTextNode(" "));
      var anchor = document.createElement("a");
      anchor.href = link.href;
      anchor.textContent = link.text;
      status.appendChild(anchor);
    }
  }

  function signInLink() {
    var here = window.location.pathname + window.location.search;
    var signIn = document.body.getAttribute("data-sign-in-url") || "/accounts/sign-in/";
    return { href: signIn + "?next=" + encodeURIComponent(here), text: "Sign in again" };
  }

  function csrfToken(form) {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function keepInTab(form) {
    if (window.havenDrafts) {
      window.havenDrafts.save(form);
    }
  }

  function attach(form) {
    if (form.dataset.autosaveReady) {
      return;
    }
    form.dataset.autosaveReady = "yes";
    var timer = null;
    var firstChangeAt = 0;
    var dirty = false;
    var inFlight = false;
    var again = false;
    var stopped = false;
    var failures = 0;
    var submitter = null; // the Save button pressed while an autosave was on its way

    function schedule(delay) {
      clearTimeout(timer);
      timer = setTimeout(saveNow, delay);
    }

    function changed() {
      if (stopped) {
        return;
      }
      dirty = true;
      var now = Date.now();
      firstChangeAt = firstChangeAt || now;
      schedule(Math.max(0, Math.min(QUIET_MS, firstChangeAt + AT_LEAST_EVERY_MS - now)));
    }

    function stop() {
      stopped = true;
      clearTimeout(timer);
    }

    function applySaved(answer) {
      failures = 0;
      form.dataset.autosaveVersion = String(answer.version);
      Object.keys(answer.set_fields || {}).forEach(function (name) {
        var field = form.elements.namedItem(name);
        if (field && field.type === "hidden") {
          field.value = answer.set_fields[name];
        }
      });
      if (answer.urls) {
        form.action = answer.urls.action;
        form.dataset.autosave = answer.urls.autosave;
        window.history.replaceState(null, "", answer.urls.page);
      }
      if (answer.keep_draft_key && window.havenDrafts) {
        window.havenDrafts.rekey(form, answer.keep_draft_key);
      }
      say(form, "Saved " + answer.saved_at + (answer.note ? ". " + answer.note : ""), "quiet");
    }

    function handle(status, answer) {
      if (window.havenSession && typeof answer.seconds_left === "number") {
        window.havenSession.extend(answer.seconds_left);
      }
      if (status === 200 && answer.saved) {
        applySaved(answer);
      } else if (status === 200) {
        say(form, answer.message || "", "quiet");
      } else if (status === 401) {
        submitter = null; // posting now would only lead to the sign-in page: the link below comes back here
        stop();
        keepInTab(form);
        say(form, answer.message || "Not saved: you were signed out.", "problem", signInLink());
      } else if (status === 409) {
        stop();
        say(form, answer.message || "Not saved: this was saved elsewhere meanwhile.", "problem");
      } else if (status >= 500) {
        offline();
      } else {
        stop();
        keepInTab(form);
        say(form, "Not saved automatically: " + (answer.message || "the server refused it.") +
          " Use the Save button; what you typed is kept in this tab.", "problem");
      }
    }

    function offline() {
      failures += 1;
      keepInTab(form);
      say(form, "Not saved: connection lost, we keep trying.", "problem");
      dirty = true;
      schedule(RETRY_MS[Math.min(failures - 1, RETRY_MS.length - 1)]);
    }

    function saveNow() {
      if (stopped || !dirty) {
        return;
      }
      if (inFlight) {
        again = true; // typed while a save was on its way: one more save after it
        return;
      }
      clearTimeout(timer);
      dirty = false;
      firstChangeAt = 0;
      inFlight = true;
      fetch(form.dataset.autosave, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": csrfToken(form),
          "X-Autosave-Version": form.dataset.autosaveVersion || "0",
        },
      })
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (answer) {
              // A redirect (to sign-in) is signed out too; fetch shows it as status 0 with redirect: manual.
              handle(response.type === "opaqueredirect" ? 401 : response.status, answer);
            });
        })
        .catch(offline)
        .finally(function () {
          inFlight = false;
          if (submitter) {
            submitAfterSave();
          } else if (again && !stopped) {
            again = false;
            dirty = true;
            saveNow();
          }
        });
    }

    function submitAfterSave() {
      var button = submitter;
      submitter = null;
      stop();
      form.requestSubmit(button && button.form === form ? button : undefined);
    }

    function onSubmit(event) {
      if (inFlight) {
        // Wait for the save on its way: a new note's first one moves the form onto the draft, and any one
        // changes the version; saving before it lands would start a second note or meet our own save as a
        // conflict. It submits again once the answer is in.
        event.preventDefault();
        submitter = event.submitter || form.querySelector("[type=submit]");
        return;
      }
      stop(); // the Save button takes over, with everything typed
    }

    function isSubmitButton(element) {
      return element && element.form === form && element.type === "submit";
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("focusout", function (event) {
      // Leaving a field saves it, unless it is for the Save button, which saves everything itself.
      if (dirty && !isSubmitButton(event.relatedTarget)) {
        saveNow();
      }
    });
    form.addEventListener("submit", onSubmit);
    document.addEventListener("haven:signed-out", function () {
      if (!stopped) {
        stop();
        keepInTab(form);
        say(form, "You were signed out. What you typed is kept in this tab.", "problem", signInLink());
      }
    });
  }

  function start() {
    document.querySelectorAll("form[data-autosave]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
