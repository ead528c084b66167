package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"

	"dais/internal/store"
	"dais/internal/store/storetest"
	"dais/internal/web"
)

// FuzzServerAPI sends arbitrary methods, paths, queries, bodies and content types to the
// wired app on a seeded SQLite store, anonymously or as the org officer tochuc (bearer
// token, or session cookie with or without the CSRF header). Whatever arrives, the answer
// is never a 500 (the middleware turns a panic into one, so that is covered too).
func FuzzServerAPI(f *testing.F) {
	fx := newHTTPFixture(f, storetest.Open(f, store.SQLite), slog.New(slog.NewTextHandler(io.Discard, nil)))
	fx.bearerLogin("tochuc")
	token := fx.session("tochuc").token
	cookie := web.SessionCookie + "=" + token // an API session works as a browser session too
	resp, body := fx.request("GET", "/", nil, http.Header{"Cookie": {cookie}})
	csrf := httpCSRFField(body)
	if resp.StatusCode != 200 || csrf == "" {
		f.Fatalf("GET / with the token as cookie: %d, csrf %q", resp.StatusCode, csrf)
	}
	A, B := fx.login("tochuc").UnitCode, fx.login("tochuc2").UnitCode
	idA, idB := fx.memberIDs(A, 1)[0], fx.memberIDs(B, 1)[0]
	handler := fx.app.web

	const (
		authBearer = 1 << iota
		authCookie
		withCSRF
		htmx
		gzipped
		english
	)
	type seed struct {
		method, path, query, body, ct string
		flags                         uint8
	}
	jsonCT, formCT := "application/json", "application/x-www-form-urlencoded"
	for _, s := range []seed{
		{"GET", "/api/v1/units", "", "", "", authBearer},
		{"GET", "/api/v1/me", "", "", "", authBearer},
		{"GET", "/api/v1/units/" + A, "", "", "", authBearer},
		{"GET", "/api/v1/units/" + B + "/children", "", "", "", authBearer},
		{"GET", "/api/v1/units/" + A + "/members", "limit=5&offset=3&q=Nguy%E1%BB%85n", "", "", authBearer | gzipped},
		{"GET", "/api/v1/units/" + A + "/members", "limit=abc&offset=-1", "", "", authBearer},
		{"GET", "/api/v1/members/" + idA, "", "", "", authBearer},
		{"GET", "/api/v1/members/" + idB, "lang=en", "", "", authBearer},
		{"PATCH", "/api/v1/members/" + idA, "", `{"full_name":"Nguyễn Văn Fuzz","hometown":"Bắc Ninh","version":1}`, jsonCT, authBearer},
		{"PATCH", "/api/v1/members/" + idA, "", `{"version":9223372036854775807}`, jsonCT, authBearer},
		{"PATCH", "/api/v1/units/" + A, "", `{"name":"Đảng bộ Fuzz"}`, jsonCT, authCookie | withCSRF},
		{"PATCH", "/api/v1/units/" + A, "", `{"name":"x"}`, jsonCT, authCookie},
		{"POST", "/api/v1/units", "", `{"parent_code":"` + A + `","code":"` + A + `.FZ","name":"Chi bộ Fuzz","type":"cell"}`, jsonCT, authBearer},
		{"POST", "/api/v1/units", "", `{"parent_code":"\u0000","code":"X","name":"x","type":"cell"}`, jsonCT, authBearer},
		{"POST", "/api/v1/session", "", `{"username":"tochuc","password":"wrong-password","code":"000000"}`, jsonCT, 0},
		{"POST", "/api/v1/session", "", `{"username":"a","password":"b"} x`, "text/plain", 0},
		{"GET", "/api/v1/units/%FF", "", "", "", authBearer},
		{"GET", "/", "", "", "", authCookie | english},
		{"GET", "/units/" + A, "", "", "", authCookie | htmx},
		{"GET", "/units/" + A + "/members", "q=%00", "", "", authCookie},
		{"GET", "/members/" + idA, "", "", "", authCookie},
		{"POST", "/members/" + idA, "", "version=1&full_name=Tr%E1%BA%A7n+Fuzz&hometown=", formCT, authCookie | withCSRF},
		{"POST", "/units/" + A + "/rename", "", "name=Fuzz", formCT, authCookie | withCSRF | htmx},
		{"POST", "/units/" + A + "/children", "", "code=" + A + ".FZ2&name=Fuzz&type=cell", formCT, authCookie | withCSRF},
		{"POST", "/login", "", "username=tochuc&password=x", formCT, 0},
		{"GET", "/login/2fa", "next=//evil", "", "", 0},
		{"GET", "/account", "", "", "", authCookie},
		{"OPTIONS", "/api/v1/units", "", "", "", 0},
		{"GET", "/static/../api/v1/units", "", "", "", authBearer},
		{"GET", "/healthz", "", "", "", 0},
	} {
		f.Add(s.method, s.path, s.query, []byte(s.body), s.ct, s.flags)
	}

	f.Fuzz(func(t *testing.T, method, p, query string, body []byte, ct string, flags uint8) {
		r, err := http.NewRequest(method, "http://dais.test/", bytes.NewReader(body))
		if err != nil {
			return // not a method a client can send
		}
		// What a server hands a handler after parsing the request line: a decoded path
		// (any bytes, via %XX) and the raw query (no spaces or controls on the wire).
		r.URL.Path = "/" + strings.TrimPrefix(p, "/")
		if strings.ContainsFunc(query, func(c rune) bool { return c <= ' ' || c == 0x7f || c == '#' }) {
			return
		}
		r.URL.RawQuery = query
		r.RequestURI = r.URL.RequestURI()
		r.RemoteAddr = "192.0.2.99:4242"
		// Calls that would end tochuc's session stop the fuzzing from reaching anything.
		switch clean := path.Clean(r.URL.Path); {
		case clean == "/logout", clean == "/account/password", clean == "/api/v1/session" && method == "DELETE":
			return
		}
		if ct != "" && !strings.ContainsFunc(ct, func(c rune) bool { return c < ' ' && c != '\t' || c == 0x7f }) {
			r.Header.Set("Content-Type", ct)
		}
		if flags&authBearer != 0 {
			r.Header.Set("Authorization", "Bearer "+token)
		} else if flags&authCookie != 0 {
			r.Header.Set("Cookie", cookie)
		}
		if flags&withCSRF != 0 {
			r.Header.Set("X-CSRF-Token", csrf)
		}
		if flags&htmx != 0 {
			r.Header.Set("HX-Request", "true")
		}
		if flags&gzipped != 0 {
			r.Header.Set("Accept-Encoding", "gzip")
		}
		if flags&english != 0 {
			r.Header.Set("Accept-Language", "en")
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		if w.Code >= 500 {
			t.Fatalf("%s %q ?%q (flags %b, content type %q, body %q): %d\n%s", method, r.URL.Path, query, flags, ct, body, w.Code, w.Body)
		}
	})
}
