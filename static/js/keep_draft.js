/* Keep a copy of long free text in the browser, so a failed post loses nothing (issue 12).
 *
 * For every <form data-keep-draft="KEY">, the text boxes (textareas and one-line text inputs; never hidden,
 * password or CSRF fields, nor any field marked data-keep-draft-skip) are copied to sessionStorage as the
 * person types, under "haven-draft:KEY". KEY names the form and the object's public id (for example
 * "visit:<uuid>:v3"): never patient data, never a token.
 *
 * When the page loads and a kept copy differs from what the server put in a field the person has not touched
 * yet (empty, or the saved version), the copy is put back and a small note says "We restored what you typed
 * before.", with a button to go back to the saved version instead.
 *
 * The copy is cleared when the server confirms the save: on submit the form's KEY is remembered, and if the
 * very next page shows a success message (templates/components/messages.html marks it data-draft-saved) the
 * copy goes. A post that never arrived (network down, server error) shows no such message, so the copy stays.
 * A page may also name keys to clear itself: data-draft-saved="KEY" on any element.
 *
 * Why sessionStorage, not localStorage: staff share clinic computers. sessionStorage belongs to one tab and
 * ends with it, so clinical text never outlives the tab it was typed in, and another person opening the app
 * in a new tab never sees it. It does survive what we need: a reload, a failed post and the way back. Signing
 * out (any form marked data-clear-drafts, the top bar's "Sign out") clears every copy at once.
 *
 * Autosave (autosave.js) uses window.havenDrafts: save(form) keeps a copy now (the session ended), and
 * rekey(form, key) moves the copy when a new note becomes a draft or a draft's version changes, so the copy
 * is found again on the page the server shows next (after signing in again, for one).
 *
 * No inline script (CSP): this file only.
 */
(function () {
  "use strict";

  var PREFIX = "haven-draft:";
  var SUBMITTED = "haven-draft-submitted";
  var DELAY_MS = 400;

  function storage() {
    try {
      return window.sessionStorage; // null or throwing when storage is disabled: then nothing is kept
    } catch (error) {
      return null;
    }
  }

  function read(key) {
    var store = storage();
    try {
      return store ? JSON.parse(store.getItem(key) || "null") : null;
    } catch (error) {
      return null;
    }
  }

  function write(key, value) {
    var store = storage();
    try {
      if (store) {
        store.setItem(key, JSON.stringify(value));
      }
    } catch (error) {
      /* storage full or refused: typing and saving go on as usual */
    }
  }

  function remove(key) {
    var store = storage();
    if (store) {
      store.removeItem(key);
    }
  }

  function clearAll() {
    var store = storage();
    if (!store) {
      return;
    }
    for (var i = store.length - 1; i >= 0; i -= 1) {
      var key = store.key(i);
      if (key && (key.indexOf(PREFIX) === 0 || key === SUBMITTED)) {
        store.removeItem(key);
      }
    }
  }

  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.hasAttribute("data-keep-draft-skip")) {
        return false;
      }
      if (field.tagName === "TEXTAREA") {
        return true;
      }
      return field.tagName === "INPUT" && (field.type === "text" || field.type === "search");
    });
  }

  function save(form) {
    var key = PREFIX + form.getAttribute("data-keep-draft");
    var values = {};
    var any = false;
    // Every box, not only the changed ones: after a refused post the page shows the typed text as the
    // server's, and a later failure must still bring all of it back.
    keptFields(form).forEach(function (field) {
      values[field.name] = field.value;
      any = any || field.value.trim() !== "";
    });
    if (any) {
      write(key, { at: Date.now(), values: values });
    } else {
      remove(key); // every box empty: nothing to keep
    }
  }

  function showNote(form, restored) {
    var note = document.createElement("div");
    note.className = "alert alert-info draft-restored";
    note.setAttribute("role", "status");
    note.appendChild(document.createTextNode("We restored what you typed before. "));
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-link p-0 align-baseline";
    discard.textContent = "Use the saved version instead";
    discard.addEventListener("click", function () {
      restored.forEach(function (field) {
        field.value = field.defaultValue;
        field.dispatchEvent(new Event("input", { bubbles: true }));
      });
      remove(PREFIX + form.getAttribute("data-keep-draft"));
      note.remove();
    });
    note.appendChild(discard);
    form.insertAdjacentElement("beforebegin", note);
  }

  function restore(form) {
    var draft = read(PREFIX + form.getAttribute("data-keep-draft"));
    if (!draft || !draft.values) {
      return;
    }
    var restored = [];
    keptFields(form).forEach(function (field) {
      var kept = draft.values[field.name];
      // Only into a field the person has not touched on this page (it still shows what the server sent).
      if (typeof kept === "string" && kept !== field.value && field.value === field.defaultValue) {
        field.value = kept;
        restored.push(field);
      }
    });
    if (restored.length) {
      restored.forEach(function (field) {
        field.dispatchEvent(new Event("input", { bubbles: true })); // the language check sees it too
      });
      showNote(form, restored);
    }
  }

  function attach(form) {
    if (form.dataset.keepDraftReady) {
      return;
    }
    form.dataset.keepDraftReady = "yes";
    var timer = null;
    restore(form);
    form.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        save(form);
      }, DELAY_MS);
    });
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      save(form);
      write(SUBMITTED, { key: form.getAttribute("data-keep-draft"), at: Date.now() });
    });
  }

  function confirmSaved() {
    var submitted = read(SUBMITTED);
    remove(SUBMITTED); // only the page right after the submit may confirm it
    var confirmed = document.querySelectorAll("[data-draft-saved]");
    Array.prototype.forEach.call(confirmed, function (element) {
      var key = element.getAttribute("data-draft-saved");
      if (key) {
        remove(PREFIX + key);
      } else if (submitted && submitted.key) {
        remove(PREFIX + submitted.key);
      }
    });
  }

  function rekey(form, key) {
    var before = form.getAttribute("data-keep-draft");
    if (!before || before === key) {
      return;
    }
    form.setAttribute("data-keep-draft", key);
    remove(PREFIX + before);
    save(form);
  }

  window.havenDrafts = { save: save, rekey: rekey };

  function start() {
    confirmSaved();
    document.querySelectorAll("form[data-keep-draft]").forEach(attach);
    document.addEventListener("submit", function (event) {
      if (event.target.matches && event.target.matches("form[data-clear-drafts]")) {
        clearAll();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  document.addEventListener("htmx:load", function (event) {
    if (event.target.querySelectorAll) {
      event.target.querySelectorAll("form[data-keep-draft]").forEach(attach);
    }
  });
})();
