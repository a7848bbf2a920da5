/* Every page: the language toggle remembers the choice (a cookie the server reads: ?lang= > cookie >
 * Accept-Language), and the landing page (the old home of the query editor) forwards old YASGUI links
 * (/#query=…) to the editor's own page. Loaded with defer: the document is parsed when this runs. */
(function () {
  "use strict";
  var landing = document.body && document.body.getAttribute("data-landing");
  if (landing && /(^|&)query=/.test(window.location.hash.replace(/^#/, ""))) {
    window.location.replace(landing + window.location.hash);
    return;
  }
  var toggle = document.getElementById("lang-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      document.cookie = "ugkg_lang=" + toggle.getAttribute("data-lang") + "; path=/; max-age=31536000; SameSite=Lax";
    });
  }
})();
