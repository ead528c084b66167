package web

import (
	"embed"
	"net/http"
)

//go:embed static
var staticFS embed.FS

// staticHandler serves the embedded assets. URLs carry the build version (?v=…) so the
// long cache lifetime never serves a stale file after an upgrade.
func staticHandler() http.Handler {
	fsrv := http.FileServerFS(staticFS)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		fsrv.ServeHTTP(w, r)
	})
}
