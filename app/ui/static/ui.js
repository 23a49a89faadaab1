// aikb explorer: small progressive enhancements; every page works without this script.
"use strict";
(function () {
  // A filter form submits only the fields that hold a value, so the address is the API's query string.
  document.querySelectorAll("form.filters").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input, select").forEach(function (field) {
        if ((field.type === "checkbox" && !field.checked) || field.value.trim() === "") field.disabled = true;
      });
    });
  });
  // On a narrow screen the filters start folded, so the results come first.
  if (window.matchMedia("(max-width: 760px)").matches) {
    document.querySelectorAll("details.filter-box").forEach(function (box) { box.open = false; });
  }
  // Browsers keep disabled fields when the page comes back from the back/forward cache: enable them again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form.filters [disabled]").forEach(function (field) { field.disabled = false; });
  });

  // The reader: pointing at a claim in the list lights up its span in the text, and the other way round.
  var text = document.querySelector("[data-source-text]");
  if (!text) return;
  function link(id, on) {
    var span = document.getElementById("claim-" + id);
    var item = document.querySelector('[data-claim-ref="' + CSS.escape(id) + '"]');
    if (span) span.classList.toggle("linked", on);
    if (item) item.classList.toggle("linked", on);
  }
  document.querySelectorAll("[data-claim-ref]").forEach(function (item) {
    var id = item.getAttribute("data-claim-ref");
    item.addEventListener("mouseenter", function () { link(id, true); });
    item.addEventListener("mouseleave", function () { link(id, false); });
    item.addEventListener("focusin", function () { link(id, true); });
    item.addEventListener("focusout", function () { link(id, false); });
  });
  text.querySelectorAll("a.claim").forEach(function (span) {
    var id = span.getAttribute("data-claim-id");
    span.addEventListener("mouseenter", function () { link(id, true); });
    span.addEventListener("mouseleave", function () { link(id, false); });
  });
})();
