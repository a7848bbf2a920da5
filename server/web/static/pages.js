/* Language switch: both languages are always in the page; this only changes which one is primary. */
(function () {
  "use strict";
  var root = document.documentElement;
  function apply(lang) {
    root.setAttribute("data-primary", lang);
    root.setAttribute("lang", lang);
    var button = document.getElementById("lang-toggle");
    if (button) { button.textContent = lang === "zh" ? "English" : "中文"; }
  }
  var fromUrl = new URLSearchParams(window.location.search).get("lang");
  var stored = null;
  try { stored = window.localStorage.getItem("ugkg-lang"); } catch (e) { /* storage may be disabled */ }
  if (fromUrl !== "en" && fromUrl !== "zh" && (stored === "en" || stored === "zh")) { apply(stored); }
  document.addEventListener("DOMContentLoaded", function () {
    apply(root.getAttribute("data-primary") || "en");
    var button = document.getElementById("lang-toggle");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var next = root.getAttribute("data-primary") === "zh" ? "en" : "zh";
      apply(next);
      try { window.localStorage.setItem("ugkg-lang", next); } catch (e) { /* ignore */ }
    });
  });
})();
