// Starts ReDoc on /redoc. A file, not an inline script, so the page's content policy holds.
(function () {
  "use strict";
  var root = document.getElementById("redoc");
  Redoc.init(root.dataset.specUrl, { hideDownloadButton: false }, root);
})();
