// Dais page glue, kept tiny and free of inline script (the CSP forbids it).
(function () {
  "use strict";
  // Remember an explicit language choice from the ?lang= switch.
  var m = /[?&]lang=(vi|en)\b/.exec(location.search);
  if (m) {
    document.cookie = "lang=" + m[1] + "; path=/; max-age=31536000; samesite=lax";
  }
  // The live channel (internal/live) sends "reload" to a page too far behind its
  // topic's retained log: what it missed is gone, so render the page again.
  document.addEventListener("htmx:sseOpen", function (e) {
    var src = e.detail && e.detail.source;
    if (src && !src.daisReload) {
      src.daisReload = true;
      src.addEventListener("reload", function () { location.reload(); });
    }
  });
  // htmx does not swap 4xx/5xx responses by default; the server retargets error fragments
  // to #alerts (HX-Retarget), so let those swap.
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status >= 400 && e.detail.xhr.getResponseHeader("HX-Retarget")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
