/* The compassionate language check (issue 3), for any <textarea data-language-check="URL">.
 *
 * While the person writes, the text is posted (debounced) to the language-check endpoint, which answers with
 * a short list of phrases that can harm the relationship and a kinder alternative for each. The list is shown
 * under the box in a polite live region. Advisory only: nothing here blocks typing or saving, and a failed
 * check changes nothing. The endpoint neither stores nor logs the text. No inline script (CSP): this file only.
 */
(function () {
  "use strict";

  var DEFAULT_URL = "/patients/language-check/";
  var DELAY_MS = 700;
  var counter = 0;

  function csrfToken(textarea) {
    var input = textarea.form && textarea.form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) {
      return input.value;
    }
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function outputFor(textarea) {
    if (!textarea.id) {
      counter += 1;
      textarea.id = "language-checked-" + counter;
    }
    var id = textarea.id + "-language-check";
    var output = document.getElementById(id);
    if (output) {
      return output;
    }
    output = document.createElement("div");
    output.id = id;
    output.className = "language-check";
    output.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", output);
    var described = textarea.getAttribute("aria-describedby");
    textarea.setAttribute("aria-describedby", described ? described + " " + id : id);
    return output;
  }

  function attach(textarea) {
    if (textarea.dataset.languageCheckReady) {
      return;
    }
    textarea.dataset.languageCheckReady = "yes";
    var url = textarea.getAttribute("data-language-check") || DEFAULT_URL;
    var output = outputFor(textarea);
    var timer = null;
    var lastText = null;
    var lastHtml = "";
    var pending = null;

    function show(html) {
      html = html.trim();
      if (html !== lastHtml) {
        lastHtml = html;
        output.innerHTML = html; // the server's partial, escaped by Django's templates
      }
    }

    function check() {
      var text = textarea.value;
      if (text === lastText) {
        return;
      }
      lastText = text;
      if (pending) {
        pending.abort();
      }
      if (!text.trim()) {
        show("");
        return;
      }
      pending = new AbortController();
      var body = new URLSearchParams();
      body.set("text", text);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        signal: pending.signal,
        headers: { "X-CSRFToken": csrfToken(textarea) },
      })
        .then(function (response) {
          if (!response.ok || response.redirected) {
            throw new Error("language check unavailable");
          }
          return response.text();
        })
        .then(show)
        .catch(function () {
          lastText = null; // try again on the next change; never block the person
        });
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, DELAY_MS);
    });
    textarea.addEventListener("blur", function () {
      clearTimeout(timer);
      check();
    });
    if (textarea.value.trim()) {
      check();
    }
  }

  function attachAll(root) {
    if (root.matches && root.matches("textarea[data-language-check]")) {
      attach(root);
    }
    root.querySelectorAll("textarea[data-language-check]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      attachAll(document);
    });
  } else {
    attachAll(document);
  }
  // Forms brought in by htmx get the check too.
  document.addEventListener("htmx:load", function (event) {
    attachAll(event.target);
  });
})();
