// Dais page glue, kept tiny and free of inline script (the CSP forbids it).
(function () {
  "use strict";
  // Remember an explicit language choice from the ?lang= switch.
  var m = /[?&]lang=(vi|en)\b/.exec(location.search);
  if (m) {
    document.cookie = "lang=" + m[1] + "; path=/; max-age=31536000; samesite=lax";
  }
  // htmx does not swap 4xx/5xx responses by default; the server retargets error fragments
  // to #alerts (HX-Retarget), so let those swap.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status >= 400 && e.detail.xhr.getResponseHeader("HX-Retarget")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
