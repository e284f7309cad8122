// The intake's body map. The checkboxes under the drawing are the real form fields (it all works without
// JavaScript, with a keyboard and with a screen reader); this only wires the drawing to them: tapping a
// place ticks its box, the drawing shades what is ticked, and "Which one hurts most?" offers only the
// places ticked. A tick fires "change", so the page's autosave (htmx) saves it like any other answer.
(function () {
  "use strict";

  function setUp(map) {
    var form = map.closest("form");
    if (!form) {
      return;
    }
    var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"][name="regions"]'));
    var worst = Array.prototype.slice.call(form.querySelectorAll('input[type="radio"][name="worst"]'));
    var byCode = {};
    boxes.forEach(function (box) {
      byCode[box.value] = box;
    });

    function sync() {
      var chosen = {};
      var count = 0;
      boxes.forEach(function (box) {
        if (box.checked) {
          chosen[box.value] = true;
          count += 1;
        }
      });
      var none = null;
      worst.forEach(function (radio) {
        if (!radio.value) {
          none = radio;
          return;
        }
        var wrapper = radio.closest("[data-worst-option]");
        var shown = Boolean(chosen[radio.value]);
        if (wrapper) {
          wrapper.hidden = !shown;
        }
        if (!shown && radio.checked) {
          radio.checked = false;
          if (none) {
            none.checked = true;
          }
        }
      });
      var picked = worst.filter(function (radio) {
        return radio.checked && radio.value;
      })[0];
      map.querySelectorAll("[data-region]").forEach(function (shape) {
        var code = shape.getAttribute("data-region");
        shape.classList.toggle("is-selected", Boolean(chosen[code]));
        shape.classList.toggle("is-worst", Boolean(picked && picked.value === code));
      });
      var empty = form.querySelector("[data-worst-empty]");
      if (empty) {
        empty.hidden = count > 0;
      }
    }

    map.addEventListener("click", function (event) {
      var shape = event.target.closest("[data-region]");
      var box = shape && byCode[shape.getAttribute("data-region")];
      if (!box) {
        return;
      }
      box.checked = !box.checked;
      box.dispatchEvent(new Event("change", { bubbles: true }));
    });
    form.addEventListener("change", sync);
    sync();
  }

  function start() {
    document.querySelectorAll("[data-bodymap]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
