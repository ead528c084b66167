// Package webtest serves a feature package's pages and API in its tests through the real
// web layer — sessions, CSRF, error pages, templates and messages — with whatever
// principals the test needs, without the account service.
package webtest

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"dais/internal/store"
	"dais/internal/web"
)

// Sessions stands in for the account service: one signed-in session per token.
type Sessions map[string]*web.Session

// Authenticate returns a copy of the token's session.
func (s Sessions) Authenticate(_ context.Context, token string) (*web.Session, error) {
	sess, ok := s[token]
	if !ok {
		return nil, &store.Error{Code: store.EUNAUTHORIZED, Message: "no session"}
	}
	c := *sess
	return &c, nil
}

// Login signs p in under token, second factor done; forms must carry CSRF(token).
func (s Sessions) Login(token string, p *store.Principal) {
	s[token] = &web.Session{Principal: p, CSRF: CSRF(token), MFADone: true}
}

// CSRF is the CSRF token of the session signed in under token.
func CSRF(token string) string { return "csrf-" + token }

// NewServer builds the web layer with the base messages and msgs, the templates of pages
// under namespace ns, and auth. cfg may set the rest (MaxBody …); its log goes to t at
// error level.
func NewServer(t testing.TB, cfg web.Config, auth web.Authenticator, msgs web.Messages, ns string, pages fs.FS) *web.Server {
	t.Helper()
	catalog, err := web.NewCatalog(web.BaseMessages(), msgs)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := web.NewRenderer(catalog, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := rd.AddPages(ns, pages); err != nil {
		t.Fatal(err)
	}
	cfg.Auth, cfg.Catalog, cfg.Renderer, cfg.Version = auth, catalog, rd, "test"
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	return web.NewServer(cfg)
}

type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Send serves r with the session cookie of token ("" anonymous), in Vietnamese.
func Send(h http.Handler, token string, r *http.Request) *httptest.ResponseRecorder {
	if token != "" {
		r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: token})
	}
	r.Header.Set("Accept-Language", "vi")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// Get serves GET target as token.
func Get(h http.Handler, token, target string) *httptest.ResponseRecorder {
	return Send(h, token, httptest.NewRequest("GET", target, nil))
}

// PostForm serves a form posted as token, with the session's CSRF token added.
func PostForm(h http.Handler, token, target string, form url.Values) *httptest.ResponseRecorder {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", CSRF(token))
	r := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return Send(h, token, r)
}

// Multipart serves a multipart form posted as token with the CSRF token, fields (a value
// "a|b" is sent as two values) and, if filename is not empty, data as the file field.
func Multipart(h http.Handler, token, target string, fields map[string]string, field, filename string, data []byte) *httptest.ResponseRecorder {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", CSRF(token))
	for k, v := range fields {
		for _, v := range strings.Split(v, "|") {
			mw.WriteField(k, v)
		}
	}
	if filename != "" {
		fw, _ := mw.CreateFormFile(field, filename)
		fw.Write(data)
	}
	mw.Close()
	r := httptest.NewRequest("POST", target, &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return Send(h, token, r)
}
