package meeting

import (
	"embed"
	"net/http"
)

// The tablet's scripts: tablet.js (offline banner, live catch-up, notes queued offline)
// and sw.js, the service worker that keeps the agenda and the meeting's documents
// readable without a network (DESIGN.md §8).
//
//go:embed static/tablet.js static/sw.js
var static embed.FS

// tabletScript serves tablet.js; its URL carries the build version, like /static/.
func (h *Handlers) tabletScript(w http.ResponseWriter, r *http.Request) error {
	return serveScript(w, "static/tablet.js", "public, max-age=31536000, immutable")
}

// serviceWorker serves sw.js. Served under /meetings/, it may control the whole site
// only with Service-Worker-Allowed; the browser checks it for updates at every
// registration, so it is never cached by HTTP.
func (h *Handlers) serviceWorker(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Service-Worker-Allowed", "/")
	return serveScript(w, "static/sw.js", "no-cache")
}

func serveScript(w http.ResponseWriter, name, cache string) error {
	b, err := static.ReadFile(name)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", cache)
	_, err = w.Write(b)
	return err
}
