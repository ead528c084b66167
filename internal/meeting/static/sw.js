// Dais service worker for the delegate's tablet (DESIGN.md §8): the agenda and the
// meeting's documents stay readable with the network off.
//
// - Pages (the tablet page, its live fragments, the reader pages of documents): network
//   first, the cached copy when the network fails or is too slow.
// - Versioned static files (?v=…): cache first; a new version is a new URL.
// - Everything else — writes, the live stream, other pages, the API — passes untouched.
//
// Cached pages belong to one person: the tablet page names its user, and a different
// user, a login, a logout or an answer that says the session ended clears them.
"use strict";

var VERSION = new URL(self.location.href).searchParams.get("v") || "dev";
var PAGES = "dais-pages";
var STATIC = "dais-static-" + VERSION;
var OWNER = "/__dais/owner"; // a PAGES entry naming the user the pages belong to
var TIMEOUT = 6000; // ms before a slow network gives way to the cached page

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("dais-static-") === 0 && n !== STATIC;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function isPage(path) {
  return /^\/meetings\/[A-Za-z0-9_-]+\/tablet(\/(current|agenda))?$/.test(path) ||
    (/^\/documents\/[A-Za-z0-9_-]+$/.test(path) && path !== "/documents/new");
}

function isStatic(url) {
  return url.searchParams.has("v") && (url.pathname.indexOf("/static/") === 0 ||
    url.pathname === "/meetings/meeting.css" || url.pathname === "/meetings/tablet.js");
}

// pageKey is the cache key of a page: its path (?saved=1, ?lang=… give the same page).
function pageKey(url) {
  return new URL(url.pathname, self.location.origin).href;
}

function clearPages() {
  return caches.delete(PAGES);
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname === "/login" || url.pathname.indexOf("/login/") === 0 || url.pathname === "/logout") {
    e.waitUntil(clearPages()); // a new session or none: the cached pages are someone else's now
    return;
  }
  if (req.method !== "GET") {
    return; // writes go to the server, never to a cache
  }
  if (isStatic(url)) {
    e.respondWith(cacheFirst(req));
  } else if (isPage(url.pathname) && req.headers.get("HX-History-Restore-Request") !== "true") {
    e.respondWith(networkFirst(e, req, url));
  }
});

function cacheFirst(req) {
  return caches.open(STATIC).then(function (c) {
    return c.match(req).then(function (hit) {
      return hit || fetch(req).then(function (res) {
        if (res.ok) {
          c.put(req, res.clone());
        }
        return res;
      });
    });
  });
}

// networkFirst answers from the network, or from the cache when the network fails or
// takes longer than TIMEOUT; a late answer still refreshes the cache.
function networkFirst(e, req, url) {
  var key = pageKey(url);
  var net = fetch(req);
  // Registered first, so the copy is taken before the browser reads the answer.
  e.waitUntil(net.then(function (res) { return keep(key, res.clone()); }).catch(function () {}));
  var slow = new Promise(function (resolve, reject) {
    setTimeout(function () { reject(new Error("slow network")); }, TIMEOUT);
  });
  return Promise.race([net, slow]).catch(function () {
    return caches.open(PAGES).then(function (c) {
      return c.match(key).then(function (hit) {
        if (!hit) {
          return net.catch(offline); // nothing cached: wait for the network after all
        }
        return fragmentOlder(c, url, hit).then(function (older) {
          // A fragment older than the cached page would undo what the page shows.
          return older ? new Response(null, {status: 204}) : hit;
        });
      });
    });
  });
}

// keep stores a page answer: a good HTML page from the session's own user; an answer
// saying the session is gone (a 401, a redirect to the login page) clears the pages.
function keep(key, res) {
  if (res.status === 401 || (res.redirected && new URL(res.url).pathname.indexOf("/login") === 0)) {
    return clearPages();
  }
  var type = res.headers.get("Content-Type") || "";
  if (res.status !== 200 || res.redirected || res.type !== "basic" || type.indexOf("text/html") !== 0) {
    return Promise.resolve();
  }
  return caches.open(PAGES).then(function (c) {
    return c.put(key, res.clone()).then(function () { return keepAssets(res); });
  });
}

// keepAssets caches the versioned static files a page names, so that it renders offline.
function keepAssets(res) {
  return res.text().then(function (html) {
    var re = /(?:src|href)="(\/[^"?]+\?v=[^"]+)"/g;
    var urls = [];
    var m;
    while ((m = re.exec(html)) !== null) {
      var u = new URL(m[1].replace(/&amp;/g, "&"), self.location.origin);
      if (isStatic(u)) {
        urls.push(u.href);
      }
    }
    return addMissing(STATIC, urls);
  });
}

function addMissing(name, urls) {
  return caches.open(name).then(function (c) {
    return Promise.all(urls.map(function (u) {
      return c.match(u).then(function (hit) {
        return hit || fetch(u).then(function (res) {
          return res.ok ? c.put(u, res) : undefined;
        });
      });
    }));
  }).catch(function () {});
}

function fragmentOlder(c, url, hit) {
  var m = /^(\/meetings\/[^/]+\/tablet)\/(current|agenda)$/.exec(url.pathname);
  if (!m) {
    return Promise.resolve(false);
  }
  return c.match(pageKey(new URL(m[1], self.location.origin))).then(function (page) {
    return !!page && date(page) > date(hit);
  });
}

function date(res) {
  return Date.parse(res.headers.get("Date") || "") || 0;
}

function offline() {
  return new Response("<!doctype html><meta charset=utf-8><title>Dais</title><p lang=vi>Không có kết nối mạng và trang này chưa được lưu trên máy.</p><p lang=en>No network, and this page was not saved on this device.</p>",
    {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

// Messages from the tablet page:
//   {type: "precache", user, pages: [...], refresh: [...], assets: [...]}
// pages are cached when missing, refresh ones fetched again, assets cached first; the
// answer {type: "precached", pages: n} goes back to the page.
self.addEventListener("message", function (e) {
  var d = e.data || {};
  if (d.type !== "precache") {
    return;
  }
  var src = e.source;
  e.waitUntil(owner(String(d.user || "")).then(function () {
    return Promise.all([
      precache(d.pages || [], false),
      precache(d.refresh || [], true),
      addMissing(STATIC, (d.assets || []).filter(function (u) { return isStatic(new URL(u, self.location.origin)); }))
    ]);
  }).then(function (r) {
    if (src) {
      src.postMessage({type: "precached", pages: r[0] + r[1]});
    }
  }));
});

// owner makes the cached pages the user's: another user's are deleted first.
function owner(user) {
  return caches.open(PAGES).then(function (c) {
    return c.match(OWNER).then(function (hit) {
      return hit ? hit.text() : "";
    }).then(function (was) {
      if (was === user) {
        return;
      }
      return clearPages().then(function () {
        return caches.open(PAGES);
      }).then(function (c2) {
        return c2.put(OWNER, new Response(user));
      });
    });
  });
}

function precache(paths, refresh) {
  return caches.open(PAGES).then(function (c) {
    return Promise.all(paths.map(function (p) {
      var url = new URL(p, self.location.origin);
      if (url.origin !== self.location.origin || !isPage(url.pathname)) {
        return 0;
      }
      var key = pageKey(url);
      return c.match(key).then(function (hit) {
        if (hit && !refresh) {
          return 1;
        }
        return fetch(url.href, {credentials: "same-origin"}).then(function (res) {
          return keep(key, res).then(function () { return res.ok && !res.redirected ? 1 : 0; });
        }, function () { return hit ? 1 : 0; });
      });
    }));
  }).then(function (ns) {
    return ns.reduce(function (a, b) { return a + b; }, 0);
  });
}
