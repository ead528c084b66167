package e2e

import (
	"embed"
	"io/fs"
)

//go:embed static/ballot.js static/*.LICENSE static/VERSIONS
var static embed.FS

// Static holds ballot.js, the browser's ballot encryption (the global DaisBallot:
// encrypt, fingerprint, spoil, trackingCode, displayCode …) with its libraries'
// licences. Serve it under a path the CSP's script-src 'self' allows.
func Static() fs.FS {
	sub, _ := fs.Sub(static, "static")
	return sub
}
