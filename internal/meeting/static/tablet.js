// The delegate's tablet: offline reading through the service worker, catching up on
// the live stream after a break, and notes typed offline queued and replayed with an
// idempotency key. No inline script (the CSP forbids it); texts come from the page.
(function () {
  "use strict";
  var root = document.querySelector(".tablet[data-meeting]");
  if (!root || !window.htmx) {
    return;
  }
  var meeting = root.getAttribute("data-meeting");
  var user = root.getAttribute("data-user") || "";
  var base = "/meetings/" + meeting + "/tablet";
  var banner = document.getElementById("offline-banner");
  var form = document.getElementById("note-form");
  var status = document.getElementById("note-status");
  var msg = function (name) { return root.getAttribute("data-msg-" + name) || ""; };

  // --- connection state ----------------------------------------------------------------
  function setOffline(off) {
    if (banner) {
      banner.hidden = !off;
    }
    root.classList.toggle("is-offline", off);
  }
  function refresh() {
    // Re-fetch the live fragments (from the network, or the worker's cache offline).
    ["current", "agenda"].forEach(function (id) {
      var el = document.getElementById(id);
      if (el) {
        htmx.trigger(el, "sse:" + id);
      }
    });
  }
  window.addEventListener("offline", function () { setOffline(true); });
  window.addEventListener("online", function () {
    setOffline(false);
    refresh();
    flush();
  });
  document.body.addEventListener("htmx:sendError", function () { setOffline(true); });

  // --- the live stream -----------------------------------------------------------------
  // The SSE extension reconnects by itself: the browser's own retry sends Last-Event-ID,
  // but after a failed connection the extension opens a new EventSource on the page's
  // sse-connect URL, whose cursor is the page's. Resume from the last event seen instead.
  var lastId = "";
  var fresh = load("dais.fresh." + meeting, sessionStorage) || {};
  htmx.createEventSource = function (url) {
    if (lastId) {
      var u = new URL(url, location.href);
      u.searchParams.set("cursor", lastId);
      url = u.pathname + u.search;
    }
    var src = new EventSource(url, {withCredentials: true});
    src.addEventListener("open", function () {
      root.setAttribute("data-live", "open");
      setOffline(!navigator.onLine);
    });
    src.addEventListener("error", function () {
      root.setAttribute("data-live", "retrying");
    });
    ["meeting", "agenda", "documents", "current", "participants", "minutes", "reload"].forEach(function (type) {
      src.addEventListener(type, function (ev) {
        if (ev.lastEventId) {
          lastId = ev.lastEventId;
        }
        if (type === "reload") {
          refresh(); // too far behind for the log: re-render the live parts
        } else if (type === "documents") {
          newVersion(ev.data);
        }
      });
    });
    return src;
  };

  // A new version of a document: mark its link until the reader opens it, and refresh
  // the copy kept for offline reading.
  function newVersion(data) {
    var d;
    try {
      d = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (!d || typeof d.document_id !== "string" || !/^[A-Za-z0-9_-]+$/.test(d.document_id)) {
      return;
    }
    fresh[d.document_id] = Number(d.version) || 0;
    save("dais.fresh." + meeting, fresh, sessionStorage);
    mark();
    precache([], ["/documents/" + d.document_id]);
  }
  function mark() {
    var links = document.querySelectorAll('#agenda a[href^="/documents/"]');
    for (var i = 0; i < links.length; i++) {
      var a = links[i];
      var id = a.getAttribute("href").split("/")[2];
      var old = a.parentNode.querySelector(".new-version");
      if (!fresh[id] || old) {
        continue;
      }
      var b = document.createElement("span");
      b.className = "badge new-version";
      b.setAttribute("data-version", String(fresh[id]));
      b.textContent = msg("newver").replace("%d", String(fresh[id]));
      a.after(" ", b);
    }
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest('#agenda a[href^="/documents/"]');
    if (a) {
      delete fresh[a.getAttribute("href").split("/")[2]];
      save("dais.fresh." + meeting, fresh, sessionStorage);
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "agenda") {
      mark();
      precache(docLinks(), []);
    }
  });

  // --- the service worker --------------------------------------------------------------
  function docLinks() {
    var out = [];
    var links = document.querySelectorAll('#agenda a[href^="/documents/"]');
    for (var i = 0; i < links.length; i++) {
      out.push(links[i].getAttribute("href"));
    }
    return out;
  }
  function precache(pages, refresh) {
    if (!navigator.serviceWorker || !navigator.serviceWorker.controller) {
      return;
    }
    var assets = [];
    var els = document.querySelectorAll("script[src], link[rel=stylesheet][href]");
    for (var i = 0; i < els.length; i++) {
      assets.push(els[i].src || els[i].href);
    }
    navigator.serviceWorker.controller.postMessage({type: "precache", user: user, pages: pages, refresh: refresh, assets: assets});
  }
  if ("serviceWorker" in navigator && root.getAttribute("data-sw")) {
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data && e.data.type === "precached") {
        root.setAttribute("data-offline", "ready");
      }
    });
    navigator.serviceWorker.register(root.getAttribute("data-sw"), {scope: "/"}).catch(function () {});
    var pages = [location.pathname, base + "/current", base + "/agenda"].concat(docLinks());
    if (navigator.serviceWorker.controller) {
      precache(pages, []); // this page came through the worker: it is kept already
    } else {
      navigator.serviceWorker.addEventListener("controllerchange", function () {
        precache(pages.slice(1), [location.pathname]); // the first visit: keep this page too
      });
    }
  }

  // --- notes ---------------------------------------------------------------------------
  // A save is queued first (localStorage, per user), then sent; a save that cannot reach
  // the server stays queued and is sent again when the connection returns, with the same
  // key, so the server writes it once.
  var qname = "dais.notes." + user;
  function load(name, store) {
    try {
      return JSON.parse((store || localStorage).getItem(name) || "null");
    } catch (e) {
      return null;
    }
  }
  function save(name, v, store) {
    try {
      (store || localStorage).setItem(name, JSON.stringify(v));
    } catch (e) { /* private mode or full: the queue lives in memory only */ }
  }
  var queue = (load(qname) || []).filter(function (q) { return q && q.url && q.key; });
  function newKey() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function say(text, kind) {
    if (status) {
      status.textContent = text;
      status.className = kind;
      status.hidden = !text;
    }
  }
  var sending = false;
  function noteState() {
    root.setAttribute("data-notes", sending ? "sending" : queue.length ? "queued" : "idle");
  }
  function flush() {
    if (sending || !queue.length || !form) {
      return;
    }
    sending = true;
    noteState();
    var q = queue[0];
    var body = new URLSearchParams();
    body.set("csrf", form.elements.csrf.value);
    body.set("body", q.body);
    body.set("key", q.key);
    fetch(q.url, {method: "POST", body: body, credentials: "same-origin",
      headers: {"Accept": "application/json", "Idempotency-Key": q.key}})
      .then(function (res) {
        if (res.redirected && new URL(res.url).pathname.indexOf("/login") === 0) {
          say(msg("login"), "field-error"); // the session ended: keep it until the next login
          return false;
        }
        return res.json().catch(function () { return {}; }).then(function (j) {
          queue.shift();
          save(qname, queue);
          if (res.ok && j.saved) {
            say(msg("saved"), "flash");
            setOffline(false);
            precache([], [location.pathname]); // the offline copy shows the new text
          } else {
            say((j.error && j.error.message) || msg("failed"), "field-error");
          }
          return true;
        });
      }, function () {
        say(msg("queued"), "hint");
        setOffline(true);
        if (navigator.onLine) {
          setTimeout(flush, 15000); // the link is up but the answer was lost: try again later
        }
        return false;
      })
      .then(function (more) {
        sending = false;
        noteState();
        if (more) {
          flush();
        }
      });
  }
  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = form.elements.body.value;
      queue = queue.filter(function (q) { return q.url !== form.action; }); // the newer text replaces it
      queue.push({url: form.action, key: newKey(), body: text, at: Date.now()});
      save(qname, queue);
      say(navigator.onLine ? "" : msg("queued"), "hint");
      noteState();
      flush();
    });
    var mine = queue.filter(function (q) { return q.url === form.action; });
    if (mine.length) {
      form.elements.body.value = mine[mine.length - 1].body; // typed offline, not sent yet
      say(msg("queued"), "hint");
    }
  }

  noteState();
  mark();
  if (!navigator.onLine) {
    setOffline(true);
    // This page came from the cache: show the freshest fragments kept, once htmx has
    // bound its triggers (it does so on DOMContentLoaded, before this listener runs).
    document.addEventListener("DOMContentLoaded", function () { setTimeout(refresh, 0); });
  } else {
    flush();
  }
})();
