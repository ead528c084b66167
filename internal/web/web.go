// Package web is the HTTP plumbing every feature shares: the router, middleware (request
// ID, access log, panic recovery, security headers, compression), sessions and CSRF,
// templates with one base layout, translation, error rendering and JSON decoding.
// Feature packages register their own handlers and templates on a *Server.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"dais/internal/store"
)

// Handler is an HTTP handler that returns an error; Server renders the error.
type Handler func(w http.ResponseWriter, r *http.Request) error

// Session is an authenticated browser or API session.
type Session struct {
	Token      string // the raw token (only in memory)
	Principal  *store.Principal
	CSRF       string
	MFADone    bool // the second factor was passed (or is not required and not enrolled)
	NeedsMFA   bool // the user holds an officer role: 2FA is required
	MFAEnabled bool // the user has enrolled TOTP
	Expires    time.Time
}

// Authenticator loads the session behind a token. account.Service implements it.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*Session, error)
}

// Pinger is what /readyz checks.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Config configures a Server.
type Config struct {
	Logger        *slog.Logger
	Auth          Authenticator
	Ready         Pinger
	Catalog       *Catalog
	Renderer      *Renderer
	SecureCookies bool // set the Secure flag (behind TLS)
	Version       string
	MaxBody       int64 // default limit for request bodies, bytes
}

// Server is the router with its middleware.
type Server struct {
	cfg Config
	mux *http.ServeMux
	log *slog.Logger
}

// SessionCookie is the name of the session cookie.
const SessionCookie = "dais_session"

// NewServer returns a Server with the web layer's own routes (/healthz, /readyz, /static/).
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = 1 << 20
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), log: cfg.Logger}
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	s.mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if cfg.Ready != nil {
			if err := cfg.Ready.Ping(ctx); err != nil {
				s.log.ErrorContext(ctx, "readyz: store not ready", "err", err)
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte("store unavailable\n"))
				return
			}
		}
		w.Write([]byte("ready\n"))
	})
	s.mux.Handle("GET /static/", staticHandler())
	// Anything no feature claims: our own 404 (a page, a fragment or JSON), not the mux's text.
	s.mux.Handle("/", s.wrap(func(w http.ResponseWriter, r *http.Request) error { return store.NotFound("page") }, false))
	return s
}

// Catalog returns the server's translations.
func (s *Server) Catalog() *Catalog { return s.cfg.Catalog }

// Renderer returns the server's templates.
func (s *Server) Renderer() *Renderer { return s.cfg.Renderer }

// Public registers a handler that needs no session (a session is still loaded if present).
func (s *Server) Public(pattern string, h Handler) {
	s.mux.Handle(pattern, s.wrap(h, false))
}

// Private registers a handler that needs a fully authenticated session (second factor
// passed where required). Anonymous HTML requests are sent to the login page; API calls
// get 401.
func (s *Server) Private(pattern string, h Handler) {
	s.mux.Handle(pattern, s.wrap(h, true))
}

// PrivateLimit is Private with its own body limit, for uploads larger than the default.
func (s *Server) PrivateLimit(pattern string, maxBody int64, h Handler) {
	s.mux.Handle(pattern, s.wrapLimit(h, true, maxBody))
}

// Handle registers a plain http.Handler (for example the live SSE endpoint).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Mux exposes the router (tests, wiring).
func (s *Server) Mux() *http.ServeMux { return s.mux }

type sessionKey struct{}

// SessionFrom returns the request's session, or nil.
func SessionFrom(ctx context.Context) *Session {
	sess, _ := ctx.Value(sessionKey{}).(*Session)
	return sess
}

// PrincipalFrom returns the caller, or nil for an anonymous request.
func PrincipalFrom(ctx context.Context) *store.Principal {
	if sess := SessionFrom(ctx); sess != nil && sess.MFADone {
		return sess.Principal
	}
	return nil
}

// IsAPI reports whether r is a JSON API call.
func IsAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// IsHTMX reports whether r was sent by htmx (and wants a fragment).
func IsHTMX(r *http.Request) bool {
	return r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-History-Restore-Request") != "true"
}

func (s *Server) wrap(h Handler, private bool) http.Handler {
	return s.wrapLimit(h, private, s.cfg.MaxBody)
}

func (s *Server) wrapLimit(h Handler, private bool, maxBody int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		sess, bearer, err := s.loadSession(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		ctx := r.Context()
		if sess != nil {
			ctx = context.WithValue(ctx, sessionKey{}, sess)
			ctx = store.WithActor(ctx, sess.Principal.UserID)
			r = r.WithContext(ctx)
		}
		if private && (sess == nil || !sess.MFADone) {
			if IsAPI(r) {
				s.Error(w, r, &store.Error{Code: store.EUNAUTHORIZED, Key: "err.unauthorized", Message: "authentication required"})
				return
			}
			target := "/login?next=" + safeNext(r.URL.RequestURI())
			if sess != nil && !sess.MFADone {
				target = "/login/2fa?next=" + safeNext(r.URL.RequestURI())
			}
			if IsHTMX(r) {
				w.Header().Set("HX-Redirect", target)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		// CSRF: every state-changing request carried by a cookie must prove it came from
		// our own page. Bearer-token API calls carry no ambient credential and are exempt,
		// and so are API calls with no session at all (POST /api/v1/session): they must be
		// application/json, which a cross-site form cannot send without a CORS preflight.
		if !bearer && unsafeMethod(r.Method) && !(IsAPI(r) && sess == nil) {
			if err := s.checkCSRF(r, sess); err != nil {
				s.Error(w, r, err)
				return
			}
		}
		if err := checkText(r); err != nil {
			s.Error(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			s.Error(w, r, err)
		}
	})
}

// checkText refuses paths and query parameters that no stored text can equal: invalid
// UTF-8 or NUL. PostgreSQL answers them with an error rather than no rows, which would
// otherwise surface as a 500 from whichever query the value reaches first.
func checkText(r *http.Request) error {
	if !textOK(r.URL.Path) {
		return store.NotFound("page")
	}
	vals := r.URL.Query()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			if me := (*http.MaxBytesError)(nil); errors.As(err, &me) {
				return err // 413, not a malformed form
			}
			return store.Invalid("form", "err.invalid", "unreadable form: %s", jsonProblem(err))
		}
		for k, v := range r.PostForm {
			vals[k] = append(vals[k], v...)
		}
	}
	for k, vs := range vals {
		bad := !textOK(k)
		for _, v := range vs {
			bad = bad || !textOK(v)
		}
		if bad {
			k = strings.ToValidUTF8(strings.ReplaceAll(k, "\x00", ""), "?")
			return &store.Error{Code: store.EINVALID, Key: "err.query", Args: []any{k}, Field: k, Message: "invalid text in query parameter " + k}
		}
	}
	return nil
}

func textOK(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// loadSession reads the bearer token or the session cookie. A bad or expired token is
// treated as no session (the login page then replaces the cookie).
func (s *Server) loadSession(r *http.Request) (*Session, bool, error) {
	if s.cfg.Auth == nil {
		return nil, false, nil
	}
	token, bearer := "", false
	if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		token, bearer = strings.TrimSpace(strings.TrimPrefix(h, "Bearer ")), true
	} else if c, err := r.Cookie(SessionCookie); err == nil {
		token = c.Value
	}
	if token == "" {
		return nil, false, nil
	}
	sess, err := s.cfg.Auth.Authenticate(r.Context(), token)
	if store.ErrorCode(err) == store.EUNAUTHORIZED || store.ErrorCode(err) == store.ENOTFOUND {
		if bearer {
			return nil, false, &store.Error{Code: store.EUNAUTHORIZED, Key: "err.unauthorized", Message: "invalid or expired token"}
		}
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	sess.Token = token
	return sess, bearer, nil
}

// CSRFCookie carries the anonymous (pre-login) CSRF token for the double-submit check.
const CSRFCookie = "dais_csrf"

// CSRFToken returns the token a page must put in its forms: the session's, or for an
// anonymous visitor a random one set in a cookie.
func (s *Server) CSRFToken(w http.ResponseWriter, r *http.Request) string {
	if sess := SessionFrom(r.Context()); sess != nil {
		return sess.CSRF
	}
	if c, err := r.Cookie(CSRFCookie); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	tok := RandomToken(16)
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
	return tok
}

func (s *Server) checkCSRF(r *http.Request, sess *Session) error {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		ct := r.Header.Get("Content-Type")
		var err error
		switch {
		case strings.HasPrefix(ct, "multipart/form-data"):
			err = r.ParseMultipartForm(8 << 20)
		case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
			err = r.ParseForm()
		}
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return err // too large: say so (413), not "the form expired"
		}
		got = r.PostFormValue("csrf")
	}
	want := ""
	if sess != nil {
		want = sess.CSRF
	} else if c, err := r.Cookie(CSRFCookie); err == nil {
		want = c.Value
	}
	if want == "" || !constantTimeEqual(got, want) {
		return &store.Error{Code: store.EFORBIDDEN, Key: "err.csrf", Message: "missing or wrong CSRF token"}
	}
	return nil
}

// SetSessionCookie stores a new session token in the browser.
func (s *Server) SetSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func (s *Server) ClearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.cfg.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// RandomToken returns n random bytes as hex.
func RandomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	return hex.EncodeToString(b)
}

func constantTimeEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	var v byte
	for i := 0; i < len(a); i++ {
		v |= a[i] ^ b[i]
	}
	return v == 0
}

// safeNext keeps a post-login redirect on this site: a path starting with one slash.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// SafeNext is safeNext for feature packages (the login handler).
func SafeNext(next string) string { return safeNext(next) }

var errStatus = map[string]int{
	store.EINVALID:      http.StatusUnprocessableEntity,
	store.ENOTFOUND:     http.StatusNotFound,
	store.ECONFLICT:     http.StatusConflict,
	store.EUNAUTHORIZED: http.StatusUnauthorized,
	store.EFORBIDDEN:    http.StatusForbidden,
	store.ETOOMANY:      http.StatusTooManyRequests,
	store.EINTERNAL:     http.StatusInternalServerError,
}

// Status maps an error to its HTTP status: the one table.
func Status(err error) int {
	var me *http.MaxBytesError
	if errors.As(err, &me) {
		return http.StatusRequestEntityTooLarge
	}
	return errStatus[store.ErrorCode(err)]
}

// ErrorMessage returns the user-facing message for err in lang.
func (s *Server) ErrorMessage(r *http.Request, err error) string {
	lang := Lang(r)
	var me *http.MaxBytesError
	if errors.As(err, &me) {
		return s.cfg.Catalog.T(lang, "err.body_too_large", me.Limit/1024)
	}
	var e *store.Error
	if !errors.As(err, &e) || e.Code == store.EINTERNAL {
		return s.cfg.Catalog.T(lang, "err.internal", RequestID(r.Context()))
	}
	if e.Key != "" && s.cfg.Catalog.Has(e.Key) {
		return s.cfg.Catalog.T(lang, e.Key, e.Args...)
	}
	return s.cfg.Catalog.T(lang, "err."+e.Code)
}

// Error renders err: JSON for the API, a fragment for htmx, a page otherwise. Internal
// errors are logged with the request ID and shown only as a generic message.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	status := Status(err)
	if status == http.StatusInternalServerError {
		if errors.Is(err, context.Canceled) {
			return // the client went away
		}
		s.log.ErrorContext(r.Context(), "internal error", "err", err, "method", r.Method, "path", r.URL.Path)
	}
	msg := s.ErrorMessage(r, err)
	field := ""
	var e *store.Error
	if errors.As(err, &e) {
		field = e.Field
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="dais"`)
	}
	if IsAPI(r) {
		code := store.ErrorCode(err)
		if status == http.StatusRequestEntityTooLarge {
			code = store.EINVALID
		}
		WriteJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": msg, "field": field, "request_id": RequestID(r.Context())}})
		return
	}
	if IsHTMX(r) {
		// htmx does not swap error responses by default; the layout's script retargets
		// them to the page's alert region.
		w.Header().Set("HX-Retarget", "#alerts")
		w.Header().Set("HX-Reswap", "innerHTML")
	}
	s.cfg.Renderer.Render(w, r, status, "error", map[string]any{"Message": msg, "Status": status, "Field": field})
}
