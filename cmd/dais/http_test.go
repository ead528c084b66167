package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"dais/internal/account"
	"dais/internal/demo"
	"dais/internal/store"
	"dais/internal/store/storetest"
	"dais/internal/web"
)

// The HTTP scenarios run against the fully wired app (newApp) on a real, seeded store, once
// per database. Each group below is a table of requests and what must come back.

// httpScenario is one request and its expected answer.
type httpScenario struct {
	name    string
	method  string
	url     string // may hold {placeholders}: see httpFixture.expand
	body    string // JSON when it starts with '{' or '[', a form otherwise (unless headers say)
	headers map[string]string
	// as is the demo user making the request, "" for anonymous. Pages go with the browser
	// session cookie, /api/ calls with the bearer token, unless auth says "cookie" or "bearer".
	as   string
	auth string

	wantStatus      int
	wantContains    []string
	wantNotContains []string
	wantHeaders     map[string]string // header → a substring its value must hold
	notJSON         bool              // an API answer that is not the JSON error (the panic page)
}

// httpSession is what a demo user holds after logging in.
type httpSession struct {
	cookie string // the dais_session cookie of the browser login
	csrf   string // its CSRF token, read from a page
	token  string // bearer token of the JSON API login
}

// httpFixture is one seeded store with the app on top and the demo users' sessions.
type httpFixture struct {
	tb       testing.TB
	db       *store.DB
	app      *app
	logins   map[string]demo.Login
	ip       string           // RemoteAddr of the next requests (login limits count per IP)
	steps    map[string]int64 // last TOTP step used per user: a code is good once
	sessions map[string]*httpSession
	vars     map[string]string
}

// httpLogWriter sends the app's error log to the test log, so a 500 explains itself.
type httpLogWriter struct{ tb testing.TB }

func (w httpLogWriter) Write(p []byte) (int, error) {
	w.tb.Helper()
	w.tb.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// newHTTPFixture seeds db with the demo organization and wires the app. log may be nil
// (errors go to the test log).
func newHTTPFixture(tb testing.TB, db *store.DB, log *slog.Logger) *httpFixture {
	tb.Helper()
	ctx := context.Background()
	res, err := demo.Seed(ctx, db, demo.Options{Seed: 1, Members: 300, Communes: 4}, nil)
	if err != nil {
		tb.Fatalf("seed: %v", err)
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(httpLogWriter{tb}, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	a, err := newApp(db, config{}, log)
	if err != nil {
		tb.Fatalf("newApp: %v", err)
	}
	f := &httpFixture{tb: tb, db: db, app: a, logins: map[string]demo.Login{}, ip: "192.0.2.1",
		steps: map[string]int64{}, sessions: map[string]*httpSession{}, vars: map[string]string{}}
	for _, l := range res.Logins {
		f.logins[l.Username] = l
	}
	return f
}

// login returns the demo user's TOTP secret or fails.
func (f *httpFixture) login(user string) demo.Login {
	f.tb.Helper()
	l, ok := f.logins[user]
	if !ok {
		f.tb.Fatalf("no demo login %q", user)
	}
	return l
}

// totp returns a valid, not yet used code for user: the current step, or the next one when
// the current was used already (the server accepts one step of skew).
func (f *httpFixture) totp(user string) string {
	f.tb.Helper()
	now := time.Now().Unix() / 30
	step := max(now, f.steps[user]+1)
	if step > now+1 {
		f.tb.Fatalf("more than two TOTP logins for %s within 30 s: the server would refuse a replay", user)
	}
	f.steps[user] = step
	code, err := account.TOTPCode(f.login(user).TOTPSecret, time.Unix(step*30, 0))
	if err != nil {
		f.tb.Fatalf("totp: %v", err)
	}
	return code
}

// wrongTOTP returns a six-digit code that is not valid for user around now.
func (f *httpFixture) wrongTOTP(user string) string {
	f.tb.Helper()
	valid := map[string]bool{}
	now := time.Now()
	for d := -2; d <= 2; d++ {
		c, _ := account.TOTPCode(f.login(user).TOTPSecret, now.Add(time.Duration(d)*30*time.Second))
		valid[c] = true
	}
	for n := 123456; ; n++ {
		if c := fmt.Sprintf("%06d", n%1000000); !valid[c] {
			return c
		}
	}
}

// request sends one request to the app and returns the response, its body decompressed.
func (f *httpFixture) request(method, target string, body io.Reader, hdr http.Header) (*http.Response, string) {
	f.tb.Helper()
	r := httptest.NewRequest(method, target, body)
	r.RemoteAddr = f.ip + ":40000"
	for k, vs := range hdr {
		r.Header[k] = vs
	}
	w := httptest.NewRecorder()
	f.app.web.ServeHTTP(w, r)
	resp := w.Result()
	b := w.Body.Bytes()
	if resp.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			f.tb.Fatalf("%s %s: bad gzip: %v", method, target, err)
		}
		if b, err = io.ReadAll(zr); err != nil {
			f.tb.Fatalf("%s %s: bad gzip: %v", method, target, err)
		}
	}
	return resp, string(b)
}

func httpCookie(resp *http.Response, name string) string {
	for _, c := range resp.Cookies() {
		if c.Name == name && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

var httpCSRFRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func httpCSRFField(body string) string {
	if m := httpCSRFRE.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

func httpForm(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v.Encode()
}

func httpFormHeader(cookie string) http.Header {
	return http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Cookie": {cookie}}
}

// loginPage fetches the login form: the anonymous CSRF cookie and the field's value.
func (f *httpFixture) loginPage() (cookie, csrf string) {
	f.tb.Helper()
	resp, body := f.request("GET", "/login", nil, nil)
	csrf = httpCSRFField(body)
	if resp.StatusCode != 200 || csrf == "" || httpCookie(resp, web.CSRFCookie) != csrf {
		f.tb.Fatalf("GET /login: %d, csrf field %q, cookie %q", resp.StatusCode, csrf, httpCookie(resp, web.CSRFCookie))
	}
	return web.CSRFCookie + "=" + csrf, csrf
}

// postLogin submits the login form; it returns the response and its body.
func (f *httpFixture) postLogin(user, password string) (*http.Response, string) {
	f.tb.Helper()
	cookie, csrf := f.loginPage()
	return f.request("POST", "/login", strings.NewReader(httpForm("username", user, "password", password, "csrf", csrf, "next", "/")), httpFormHeader(cookie))
}

// halfLogin passes the password step of the browser login of an officer and returns the
// half-open session cookie and the CSRF token of the second-factor form.
func (f *httpFixture) halfLogin(user string) (cookie, csrf string) {
	f.tb.Helper()
	resp, body := f.postLogin(user, demo.Password)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login/2fa") {
		f.tb.Fatalf("POST /login %s: %d %s, want 303 to /login/2fa\n%s", user, resp.StatusCode, resp.Header.Get("Location"), body)
	}
	cookie = web.SessionCookie + "=" + httpCookie(resp, web.SessionCookie)
	resp, body = f.request("GET", "/login/2fa?next=/", nil, http.Header{"Cookie": {cookie}})
	if csrf = httpCSRFField(body); resp.StatusCode != 200 || csrf == "" {
		f.tb.Fatalf("GET /login/2fa %s: %d, csrf %q", user, resp.StatusCode, csrf)
	}
	return cookie, csrf
}

// browserLogin logs user in through the real pages (password, then TOTP for officers) and
// keeps the session cookie and its CSRF token.
func (f *httpFixture) browserLogin(user string) {
	f.tb.Helper()
	var cookie string
	if f.login(user).TOTPSecret != "" {
		half, csrf := f.halfLogin(user)
		resp, body := f.request("POST", "/login/2fa", strings.NewReader(httpForm("code", f.totp(user), "csrf", csrf, "next", "/")), httpFormHeader(half))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			f.tb.Fatalf("POST /login/2fa %s: %d %s\n%s", user, resp.StatusCode, resp.Header.Get("Location"), body)
		}
		cookie = web.SessionCookie + "=" + httpCookie(resp, web.SessionCookie)
		if cookie == half {
			f.tb.Fatalf("the second factor kept the half-open session token (session fixation)")
		}
	} else {
		resp, body := f.postLogin(user, demo.Password)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			f.tb.Fatalf("POST /login %s: %d %s\n%s", user, resp.StatusCode, resp.Header.Get("Location"), body)
		}
		cookie = web.SessionCookie + "=" + httpCookie(resp, web.SessionCookie)
	}
	resp, body := f.request("GET", "/", nil, http.Header{"Cookie": {cookie}})
	csrf := httpCSRFField(body)
	if resp.StatusCode != 200 || csrf == "" {
		f.tb.Fatalf("GET / as %s after login: %d, csrf %q\n%s", user, resp.StatusCode, csrf, body)
	}
	s := f.session(user)
	s.cookie, s.csrf = cookie, csrf
}

// apiLogin posts to /api/v1/session; it returns the status and the decoded answer.
func (f *httpFixture) apiLogin(user, password, code string) (int, map[string]any) {
	f.tb.Helper()
	b, _ := json.Marshal(map[string]string{"username": user, "password": password, "code": code})
	resp, body := f.request("POST", "/api/v1/session", strings.NewReader(string(b)), http.Header{"Content-Type": {"application/json"}})
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		f.tb.Fatalf("POST /api/v1/session %s: %d, not JSON: %q", user, resp.StatusCode, body)
	}
	return resp.StatusCode, out
}

// bearerLogin logs user in through the JSON API and keeps the token.
func (f *httpFixture) bearerLogin(user string) {
	f.tb.Helper()
	code := ""
	if f.login(user).TOTPSecret != "" {
		code = f.totp(user)
	}
	status, out := f.apiLogin(user, demo.Password, code)
	tok, _ := out["token"].(string)
	if status != http.StatusCreated || tok == "" {
		f.tb.Fatalf("API login %s: %d %v", user, status, out)
	}
	f.session(user).token = tok
}

func (f *httpFixture) session(user string) *httpSession {
	s := f.sessions[user]
	if s == nil {
		s = &httpSession{}
		f.sessions[user] = s
	}
	return s
}

// expand replaces {name} (also URL-encoded, as %7Bname%7D) with the fixture's variables,
// and {csrf} with the requesting user's CSRF token.
func (f *httpFixture) expand(s, user string) string {
	if !strings.Contains(s, "{") && !strings.Contains(s, "%7B") {
		return s
	}
	vars := f.vars
	if user != "" {
		vars = maps.Clone(f.vars)
		vars["csrf"] = f.session(user).csrf
	}
	for k, v := range vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
		s = strings.ReplaceAll(s, "%7B"+k+"%7D", url.QueryEscape(v)) // inside a form built by httpForm
	}
	return s
}

// run runs the scenarios in order (some change data the later ones read).
func (f *httpFixture) run(t *testing.T, scenarios []httpScenario) {
	t.Helper()
	defer func(tb testing.TB) { f.tb = tb }(f.tb)
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			f.tb = t
			f.check(t, sc)
		})
	}
}

func (f *httpFixture) check(t *testing.T, sc httpScenario) {
	t.Helper()
	target := f.expand(sc.url, sc.as)
	hdr := http.Header{}
	if sc.body != "" {
		if c := sc.body[0]; c == '{' || c == '[' {
			hdr.Set("Content-Type", "application/json")
		} else {
			hdr.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if sc.as != "" {
		s := f.session(sc.as)
		auth := sc.auth
		if auth == "" {
			auth = "cookie"
			if strings.HasPrefix(target, "/api/") {
				auth = "bearer"
			}
		}
		switch {
		case auth == "bearer" && s.token != "":
			hdr.Set("Authorization", "Bearer "+s.token)
		case auth == "cookie" && s.cookie != "":
			hdr.Set("Cookie", s.cookie)
		default:
			t.Fatalf("%s has no %s session", sc.as, auth)
		}
	}
	for k, v := range sc.headers {
		if v == "" {
			hdr.Del(k)
		} else {
			hdr.Set(k, f.expand(v, sc.as))
		}
	}
	resp, body := f.request(sc.method, target, strings.NewReader(f.expand(sc.body, sc.as)), hdr)
	show := body
	if len(show) > 2000 {
		show = show[:2000] + "…"
	}
	if resp.StatusCode != sc.wantStatus {
		t.Fatalf("%s %s: status %d, want %d\n%s", sc.method, target, resp.StatusCode, sc.wantStatus, show)
	}
	for _, s := range sc.wantContains {
		if s = f.expand(s, sc.as); !strings.Contains(body, s) {
			t.Errorf("%s %s: body lacks %q\n%s", sc.method, target, s, show)
		}
	}
	for _, s := range sc.wantNotContains {
		if s = f.expand(s, sc.as); strings.Contains(body, s) {
			t.Errorf("%s %s: body holds %q\n%s", sc.method, target, s, show)
		}
	}
	for k, v := range sc.wantHeaders {
		if got := strings.Join(resp.Header.Values(k), ", "); !strings.Contains(got, f.expand(v, sc.as)) {
			t.Errorf("%s %s: header %s = %q, want it to hold %q", sc.method, target, k, got, v)
		}
	}
	// Every API error is JSON with a code and a message for the client.
	if strings.HasPrefix(target, "/api/") && resp.StatusCode >= 400 && !sc.notJSON {
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Errorf("%s %s: %d without a JSON error (%v): %s", sc.method, target, resp.StatusCode, err, show)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: error content type %q", sc.method, target, ct)
		}
	}
}

// memberIDs returns up to n member IDs in the subtree of the unit with code, by SQL.
func (f *httpFixture) memberIDs(code string, n int) []string {
	f.tb.Helper()
	rows, err := f.db.R().QueryContext(context.Background(), `SELECT m.id FROM members m
		JOIN units u ON u.id = m.unit_id JOIN units c ON c.code = ?
		WHERE u.path >= c.path AND u.path < c.path || '~' ORDER BY m.id LIMIT ?`, code, n)
	if err != nil {
		f.tb.Fatalf("member ids: %v", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			f.tb.Fatalf("member ids: %v", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		f.tb.Fatalf("member ids: %v", err)
	}
	if len(ids) < n {
		f.tb.Fatalf("unit %s has %d members, the test needs %d", code, len(ids), n)
	}
	return ids
}

type httpMemberRow struct {
	UnitID, FullName, Hometown, Status string
	Version                            int
}

func (f *httpFixture) memberRow(id string) httpMemberRow {
	f.tb.Helper()
	var m httpMemberRow
	if err := f.db.R().QueryRowContext(context.Background(), `SELECT unit_id, full_name, hometown, status, version FROM members WHERE id = ?`, id).
		Scan(&m.UnitID, &m.FullName, &m.Hometown, &m.Status, &m.Version); err != nil {
		f.tb.Fatalf("member %s: %v", id, err)
	}
	return m
}

func (f *httpFixture) unitName(code string) string {
	f.tb.Helper()
	var name string
	if err := f.db.R().QueryRowContext(context.Background(), `SELECT name FROM units WHERE code = ?`, code).Scan(&name); err != nil {
		f.tb.Fatalf("unit %s: %v", code, err)
	}
	return name
}

// unitState is a unit's row as the scoping test compares it: name, place in the tree and
// whether it is dissolved.
func (f *httpFixture) unitState(code string) string {
	f.tb.Helper()
	var name, path string
	var dissolved bool
	if err := f.db.R().QueryRowContext(context.Background(), `SELECT name, path, dissolved_at IS NOT NULL FROM units WHERE code = ?`, code).
		Scan(&name, &path, &dissolved); err != nil {
		f.tb.Fatalf("unit %s: %v", code, err)
	}
	return fmt.Sprintf("%s %s dissolved=%v", name, path, dissolved)
}

func (f *httpFixture) countUnits(codePrefix string) int {
	f.tb.Helper()
	var n int
	if err := f.db.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM units WHERE code >= ? AND code < ?`,
		codePrefix, codePrefix+"~").Scan(&n); err != nil {
		f.tb.Fatalf("count units: %v", err)
	}
	return n
}

func TestHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newHTTPFixture(t, db, nil)
		A, B := f.login("tochuc").UnitCode, f.login("tochuc2").UnitCode
		if A == B || A == "" || B == "" {
			t.Fatalf("tochuc and tochuc2 must hold different communes: %q %q", A, B)
		}
		idsA, idsB := f.memberIDs(A, 3), f.memberIDs(B, 1)
		f.vars = map[string]string{"A": A, "B": B, "idA": idsA[0], "idA2": idsA[1], "idA3": idsA[2], "idB": idsB[0],
			"Aname": f.unitName(A), "Bname": f.unitName(B)}

		f.browserLogin("tochuc")
		f.bearerLogin("tochuc")
		f.bearerLogin("tochuc2")
		f.bearerLogin("bithu")
		f.browserLogin("congdan")
		f.bearerLogin("congdan")

		// The groups run in this order: later ones read what earlier ones changed.
		for _, g := range []struct {
			name string
			fn   func(*testing.T, *httpFixture)
		}{
			{"scoping", testHTTPScoping}, {"anonymous", testHTTPAnonymous}, {"csrf", testHTTPCSRF}, {"login", testHTTPLogin},
			{"input", testHTTPInput}, {"language", testHTTPLanguage}, {"headers", testHTTPHeaders}, {"panic", testHTTPPanic},
		} {
			t.Run(g.name, func(t *testing.T) {
				defer func(tb testing.TB) { f.tb = tb }(f.tb)
				f.tb = t
				g.fn(t, f)
			})
		}
	})
}

// testHTTPScoping: an org officer of commune A can neither read nor change anything in
// commune B or above A, through pages or the API; B's objects do not exist for them (404).
func testHTTPScoping(t *testing.T, f *httpFixture) {
	beforeB, beforeUnitB, beforeUnitA := f.memberRow(f.vars["idB"]), f.unitState(f.vars["B"]), f.unitState(f.vars["A"])
	const notFound = `"code":"not_found"`
	f.run(t, []httpScenario{
		// Reading commune B: 404 everywhere, and nothing of B leaks.
		{name: "page unit B", method: "GET", url: "/units/{B}", as: "tochuc", wantStatus: 404, wantNotContains: []string{"{Bname}"}},
		{name: "page unit B members", method: "GET", url: "/units/{B}/members", as: "tochuc", wantStatus: 404, wantNotContains: []string{"{Bname}"}},
		{name: "page member B", method: "GET", url: "/members/{idB}", as: "tochuc", wantStatus: 404, wantNotContains: []string{beforeB.FullName}},
		{name: "api unit B", method: "GET", url: "/api/v1/units/{B}", as: "tochuc", wantStatus: 404, wantContains: []string{notFound}},
		{name: "api unit B lowercase", method: "GET", url: "/api/v1/units/" + strings.ToLower(f.vars["B"]), as: "tochuc", wantStatus: 404},
		{name: "api unit B children", method: "GET", url: "/api/v1/units/{B}/children", as: "tochuc", wantStatus: 404, wantContains: []string{notFound}},
		{name: "api unit B members", method: "GET", url: "/api/v1/units/{B}/members", as: "tochuc", wantStatus: 404, wantContains: []string{notFound}},
		{name: "api member B", method: "GET", url: "/api/v1/members/{idB}", as: "tochuc", wantStatus: 404, wantContains: []string{notFound}},
		{name: "api unit list", method: "GET", url: "/api/v1/units", as: "tochuc", wantStatus: 200,
			wantContains: []string{`"code":"{A}"`}, wantNotContains: []string{`"code":"{B}"`, `"code":"BN"`, `"code":"TW"`}},
		{name: "home page", method: "GET", url: "/", as: "tochuc", wantStatus: 200,
			wantContains: []string{"{Aname}"}, wantNotContains: []string{"{Bname}"}},
		{name: "api member search in A does not reach B", method: "GET", url: "/api/v1/units/{A}/members?limit=200&q=" + url.QueryEscape(beforeB.FullName), as: "tochuc", wantStatus: 200,
			wantNotContains: []string{"{idB}"}},

		// Changing commune B: refused, as not found.
		{name: "api patch member B", method: "PATCH", url: "/api/v1/members/{idB}", as: "tochuc",
			body: `{"full_name":"Bị Sửa Trái Phép","version":1}`, wantStatus: 404},
		{name: "form edit member B", method: "POST", url: "/members/{idB}", as: "tochuc",
			body: httpForm("csrf", "{csrf}", "version", "1", "full_name", "Bị Sửa Trái Phép", "hometown", "x"), wantStatus: 404},
		{name: "form rename unit B", method: "POST", url: "/units/{B}/rename", as: "tochuc",
			body: httpForm("csrf", "{csrf}", "name", "Bị Đổi Tên"), wantStatus: 404},
		{name: "form create under B", method: "POST", url: "/units/{B}/children", as: "tochuc",
			body: httpForm("csrf", "{csrf}", "code", "HACK1", "name", "Chi bộ lạ", "type", "cell"), wantStatus: 404},
		{name: "api create under B", method: "POST", url: "/api/v1/units", as: "tochuc",
			body: `{"parent_code":"{B}","code":"HACK2","name":"Chi bộ lạ","type":"cell"}`, wantStatus: 404},
		{name: "api rename unit B", method: "PATCH", url: "/api/v1/units/{B}", as: "tochuc",
			body: `{"name":"Bị Đổi Tên"}`, wantStatus: 404},
		{name: "api create root", method: "POST", url: "/api/v1/units", as: "tochuc",
			body: `{"parent_code":"TW","code":"HACK3","name":"Gốc lạ","type":"province"}`, wantStatus: 404},
		{name: "api move B under A", method: "POST", url: "/api/v1/units/{B}/move", as: "tochuc", body: `{"parent_code":"{A}"}`, wantStatus: 404},
		{name: "api move A under B", method: "POST", url: "/api/v1/units/{A}/move", as: "tochuc", body: `{"parent_code":"{B}"}`, wantStatus: 404},
		{name: "api merge B into A", method: "POST", url: "/api/v1/units/{B}/merge", as: "tochuc", body: `{"target":{"code":"{A}"}}`, wantStatus: 404},
		{name: "api merge A with B", method: "POST", url: "/api/v1/units/{A}/merge", as: "tochuc", body: `{"others":["{B}"],"target":{"code":"{A}"}}`, wantStatus: 404},
		{name: "api split B", method: "POST", url: "/api/v1/units/{B}/split", as: "tochuc",
			body: `{"parts":[{"unit":{"code":"HACK4","name":"Phần một","type":"commune"}},{"unit":{"code":"HACK5","name":"Phần hai","type":"commune"},"member_ids":["{idB}"]}]}`, wantStatus: 404},
		{name: "api dissolve B", method: "POST", url: "/api/v1/units/{B}/dissolve", as: "tochuc", body: `{"reason":"giải thể trái phép"}`, wantStatus: 404},
		{name: "form dissolve B", method: "POST", url: "/units/{B}/dissolve", as: "tochuc", body: httpForm("csrf", "{csrf}", "reason", "x"), wantStatus: 404},
		{name: "api add member to B", method: "POST", url: "/api/v1/units/{B}/members", as: "tochuc",
			body:       `{"full_name":"Người Lạ","gender":"male","birth_date":"1990-01-01","card_number":"99999999","admission_date":"2020-01-01"}`,
			wantStatus: 422, wantContains: []string{`"field":"unit_code"`}}, // "no such unit": B does not exist for tochuc
		{name: "api member B status", method: "POST", url: "/api/v1/members/{idB}/status", as: "tochuc",
			body: `{"status":"official","date":"2026-01-01","reason":"x","version":1}`, wantStatus: 404},
		{name: "api transfer member B into A", method: "POST", url: "/api/v1/transfers", as: "tochuc",
			body: `{"member_id":"{idB}","to_unit_code":"{A}","kind":"official","reason":"x"}`, wantStatus: 404},

		// Above commune A: the province is not visible to tochuc, but is to its secretary.
		{name: "page province", method: "GET", url: "/units/BN", as: "tochuc", wantStatus: 404},
		{name: "api province", method: "GET", url: "/api/v1/units/BN", as: "tochuc", wantStatus: 404},
		{name: "api province members", method: "GET", url: "/api/v1/units/BN/members", as: "tochuc", wantStatus: 404},
		{name: "bithu sees province", method: "GET", url: "/api/v1/units/BN", as: "bithu", wantStatus: 200, wantContains: []string{`"code":"BN"`, `"members":300`}},
		{name: "bithu sees member B", method: "GET", url: "/api/v1/members/{idB}", as: "bithu", wantStatus: 200, wantContains: []string{"{idB}"}},
		{name: "tochuc2 sees member B", method: "GET", url: "/api/v1/members/{idB}", as: "tochuc2", wantStatus: 200, wantContains: []string{"{idB}"}},
		{name: "tochuc2 does not see member A", method: "GET", url: "/api/v1/members/{idA}", as: "tochuc2", wantStatus: 404},

		// A citizen sees no units at all.
		{name: "citizen home", method: "GET", url: "/", as: "congdan", wantStatus: 200,
			wantContains: []string{"chưa được giao vai trò"}, wantNotContains: []string{"/units/"}},
		{name: "citizen api units", method: "GET", url: "/api/v1/units", as: "congdan", wantStatus: 200, wantContains: []string{`{"units":[]}`}},
		{name: "citizen province", method: "GET", url: "/api/v1/units/BN", as: "congdan", wantStatus: 404},
		{name: "citizen unit A page", method: "GET", url: "/units/{A}", as: "congdan", wantStatus: 404},
		{name: "citizen member A", method: "GET", url: "/api/v1/members/{idA}", as: "congdan", wantStatus: 404},
		{name: "citizen patch member A", method: "PATCH", url: "/api/v1/members/{idA}", as: "congdan", body: `{"full_name":"X Y","version":1}`, wantStatus: 404},

		// The same requests on commune A succeed.
		{name: "A page unit", method: "GET", url: "/units/{A}", as: "tochuc", wantStatus: 200, wantContains: []string{"{Aname}", `action="/units/{A}/rename"`}},
		{name: "A page members", method: "GET", url: "/units/{A}/members", as: "tochuc", wantStatus: 200, wantContains: []string{"/members/"}},
		{name: "A page member", method: "GET", url: "/members/{idA}", as: "tochuc", wantStatus: 200, wantContains: []string{`action="/members/{idA}"`}},
		{name: "A api unit", method: "GET", url: "/api/v1/units/{A}", as: "tochuc", wantStatus: 200, wantContains: []string{`"code":"{A}"`, `"members":`}},
		{name: "A api children", method: "GET", url: "/api/v1/units/{A}/children", as: "tochuc", wantStatus: 200, wantContains: []string{`"code":"{A}.`}},
		{name: "A api members", method: "GET", url: "/api/v1/units/{A}/members?limit=200", as: "tochuc", wantStatus: 200,
			wantContains: []string{`"id":"{idA}"`}, wantNotContains: []string{"{idB}"}},
		{name: "A api member", method: "GET", url: "/api/v1/members/{idA}", as: "tochuc", wantStatus: 200, wantContains: []string{`"id":"{idA}"`}},
		{name: "A api patch member", method: "PATCH", url: "/api/v1/members/{idA}", as: "tochuc",
			body: `{"full_name":"Nguyễn  Văn   Sửa","version":1}`, wantStatus: 200, wantContains: []string{`"full_name":"Nguyễn Văn Sửa"`, `"version":2`}},
		{name: "A form edit member", method: "POST", url: "/members/{idA2}", as: "tochuc",
			body: httpForm("csrf", "{csrf}", "version", "1", "full_name", "Trần Thị Sửa", "hometown", "Từ Sơn"), wantStatus: 200,
			wantContains: []string{"Đã lưu hồ sơ", "Trần Thị Sửa"}},
		{name: "A form rename", method: "POST", url: "/units/{A}/rename", as: "tochuc",
			body: httpForm("csrf", "{csrf}", "name", "Đảng bộ Đã Đổi Tên"), wantStatus: 303, wantHeaders: map[string]string{"Location": "/units/{A}"}},
		{name: "A form create child", method: "POST", url: "/units/{A}/children", as: "tochuc",
			body: httpForm("csrf", "{csrf}", "code", "{A}.MOI1", "name", "Chi bộ Mới Một", "type", "cell"), wantStatus: 303},
		{name: "A api create child", method: "POST", url: "/api/v1/units", as: "tochuc",
			body: `{"parent_code":"{A}","code":"{A}.MOI2","name":"Chi bộ Mới Hai","type":"cell"}`, wantStatus: 201, wantContains: []string{`"code":"{A}.MOI2"`}},
		{name: "A api create duplicate", method: "POST", url: "/api/v1/units", as: "tochuc",
			body: `{"parent_code":"{A}","code":"{A}.MOI2","name":"Chi bộ Mới Hai","type":"cell"}`, wantStatus: 409},
		{name: "A api rename", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc",
			body: `{"name":"Đảng bộ Đổi Lần Hai"}`, wantStatus: 200, wantContains: []string{"Đảng bộ Đổi Lần Hai"}},
		{name: "A new child visible", method: "GET", url: "/units/{A}", as: "tochuc", wantStatus: 200,
			wantContains: []string{"Đảng bộ Đổi Lần Hai", "Chi bộ Mới Một", "Chi bộ Mới Hai"}},
		{name: "tochuc2 cannot see A's new child", method: "GET", url: "/api/v1/units/{A}.MOI1", as: "tochuc2", wantStatus: 404},
	})

	// Every page and API read of a unit or a member, with B's code or member: not found.
	var reads []httpScenario
	for _, route := range privateRoutes(t) {
		pattern, ok := strings.CutPrefix(route, "GET ")
		if !ok {
			continue
		}
		var u string
		switch {
		case strings.HasPrefix(pattern, "/units/{code}"), strings.HasPrefix(pattern, "/api/v1/units/{code}"):
			u = strings.Replace(pattern, "{code}", "{B}", 1)
		case strings.HasPrefix(pattern, "/members/{id}"), strings.HasPrefix(pattern, "/api/v1/members/{id}"):
			u = strings.Replace(pattern, "{id}", "{idB}", 1)
		default:
			continue
		}
		if strings.Contains(u, "{") && strings.Contains(strings.NewReplacer("{B}", "", "{idB}", "").Replace(u), "{") {
			continue // another parameter the test cannot fill
		}
		reads = append(reads, httpScenario{name: "read " + pattern, method: "GET", url: u, as: "tochuc", wantStatus: 404,
			wantNotContains: []string{"{Bname}", beforeB.FullName}})
		// The same route on A is wired and answers (so the 404 above is the scope's doing).
		// A's member has no photo: that route answers 404 for A too, and is checked above.
		if pattern == "/members/{id}/photo" {
			continue
		}
		ua := strings.NewReplacer("{B}", "{A}", "{idB}", "{idA}").Replace(u)
		if resp, _ := f.request("GET", f.expand(ua, "tochuc"), nil, http.Header{"Authorization": {"Bearer " + f.session("tochuc").token},
			"Cookie": {f.session("tochuc").cookie}}); resp.StatusCode == 404 || resp.StatusCode >= 500 {
			t.Errorf("GET %s as tochuc: %d, want an answer from the route itself", ua, resp.StatusCode)
		}
	}
	if len(reads) < 7 {
		t.Errorf("only %d unit and member read routes found in the sources", len(reads))
	}
	f.run(t, reads)

	// The store shows commune B untouched and no unit created outside A.
	if after := f.memberRow(f.vars["idB"]); after != beforeB {
		t.Errorf("member in B changed: %+v → %+v", beforeB, after)
	}
	if got := f.unitState(f.vars["B"]); got != beforeUnitB {
		t.Errorf("unit B changed: %s → %s", beforeUnitB, got)
	}
	if got := f.unitState(f.vars["A"]); !strings.HasSuffix(got, strings.SplitN(beforeUnitA, " /", 2)[1]) {
		t.Errorf("unit A moved or dissolved: %s → %s", beforeUnitA, got)
	}
	if n := f.countUnits("HACK"); n != 0 {
		t.Errorf("%d HACK units were created", n)
	}
	if got := f.memberRow(f.vars["idA"]); got.FullName != "Nguyễn Văn Sửa" || got.Version != 2 {
		t.Errorf("member in A after PATCH: %+v", got)
	}
	if got := f.memberRow(f.vars["idA2"]); got.FullName != "Trần Thị Sửa" || got.Hometown != "Từ Sơn" || got.Version != 2 {
		t.Errorf("member in A after the form: %+v", got)
	}
}

// testHTTPAnonymous: without a session every API route answers 401 JSON and every private
// page sends the browser to the login page.
func testHTTPAnonymous(t *testing.T, f *httpFixture) {
	const unauth = `"code":"unauthorized"`
	var scs []httpScenario
	var routes []string
	for _, r := range privateRoutes(t) {
		if strings.Contains(r, " /api/") {
			routes = append(routes, r)
		}
	}
	for _, want := range []string{"GET /api/v1/me", "DELETE /api/v1/session", "GET /api/v1/units", "GET /api/v1/units/{code}",
		"GET /api/v1/units/{code}/children", "GET /api/v1/units/{code}/members", "POST /api/v1/units", "PATCH /api/v1/units/{code}",
		"GET /api/v1/members/{id}", "PATCH /api/v1/members/{id}"} {
		if !slices.Contains(routes, want) {
			t.Errorf("route %s not found among the private API routes in the sources: %v", want, routes)
		}
	}
	// Every private API route, with its path parameters filled in and a JSON body for writes.
	fill := strings.NewReplacer("{code}", "{A}", "{id}", "{idA}", "{$}", "")
	param := regexp.MustCompile(`\{[a-z_]+\.*\}`)
	for _, route := range routes {
		method, pattern, _ := strings.Cut(route, " ")
		body := ""
		if unsafeMethod := method != "GET" && method != "HEAD" && method != "DELETE"; unsafeMethod {
			body = `{"name":"x","version":1}`
		}
		url := param.ReplaceAllString(fill.Replace(pattern), "x")
		scs = append(scs, httpScenario{name: "api " + route, method: method, url: url, body: body,
			wantStatus: 401, wantContains: []string{unauth}, wantHeaders: map[string]string{"WWW-Authenticate": "Bearer"}})
	}
	for _, r := range []struct{ method, url, body string }{
		{"GET", "/", ""},
		{"GET", "/account", ""},
		{"GET", "/account/2fa", ""},
		{"GET", "/units/{A}", ""},
		{"GET", "/units/{A}/members?offset=50", ""},
		{"GET", "/members/{idA}", ""},
		{"POST", "/units/{A}/rename", httpForm("name", "x")},
		{"POST", "/members/{idA}", httpForm("version", "1", "full_name", "x")},
	} {
		scs = append(scs, httpScenario{name: "page " + r.method + " " + r.url, method: r.method, url: r.url, body: r.body,
			wantStatus: 303, wantHeaders: map[string]string{"Location": "/login?next=" + f.expand(r.url, "")}})
	}
	scs = append(scs,
		httpScenario{name: "bad bearer token", method: "GET", url: "/api/v1/me", headers: map[string]string{"Authorization": "Bearer nope"},
			wantStatus: 401, wantContains: []string{unauth}},
		httpScenario{name: "forged bearer token", method: "GET", url: "/api/v1/units", headers: map[string]string{"Authorization": "Bearer " + strings.Repeat("ab", 32)},
			wantStatus: 401, wantContains: []string{unauth}},
		httpScenario{name: "stale cookie is anonymous", method: "GET", url: "/units/{A}", headers: map[string]string{"Cookie": web.SessionCookie + "=" + strings.Repeat("cd", 32)},
			wantStatus: 303, wantHeaders: map[string]string{"Location": "/login?next="}},
		httpScenario{name: "login page is public", method: "GET", url: "/login", wantStatus: 200, wantContains: []string{`action="/login"`}},
		httpScenario{name: "healthz", method: "GET", url: "/healthz", wantStatus: 200, wantContains: []string{"ok"}},
		httpScenario{name: "readyz", method: "GET", url: "/readyz", wantStatus: 200, wantContains: []string{"ready"}},
		httpScenario{name: "open redirect refused", method: "GET", url: "/login?next=//evil.example/", wantStatus: 200,
			wantContains: []string{`name="next" value="/"`}, wantNotContains: []string{"evil.example"}},
	)
	f.run(t, scs)

	// A half-open session (password passed, second factor not yet) reaches nothing.
	half, _ := f.halfLogin("chutoa")
	f.run(t, []httpScenario{
		{name: "half session page", method: "GET", url: "/units/BN", headers: map[string]string{"Cookie": half},
			wantStatus: 303, wantHeaders: map[string]string{"Location": "/login/2fa?next=/units/BN"}},
		{name: "half session api", method: "GET", url: "/api/v1/units/BN", headers: map[string]string{"Cookie": half},
			wantStatus: 401, wantContains: []string{unauth}},
	})
}

// privateRoutes lists the private routes ("METHOD /path") registered anywhere in the
// feature packages, read from their sources so that a new route is covered at once.
func privateRoutes(t *testing.T) []string {
	t.Helper()
	re := regexp.MustCompile(`\.Private(?:Limit)?\("([A-Z]+ /[^"]*)"`)
	var routes []string
	err := filepath.WalkDir("../../internal", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return err
		}
		src, err := os.ReadFile(p)
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			routes = append(routes, m[1])
		}
		return err
	})
	if err != nil {
		t.Fatalf("read the sources: %v", err)
	}
	slices.Sort(routes)
	return slices.Compact(routes)
}

// testHTTPCSRF: every state-changing request carried by a cookie needs the CSRF token;
// bearer-token calls do not.
func testHTTPCSRF(t *testing.T, f *httpFixture) {
	f.ip = "192.0.2.20"
	anonCookie, anonCSRF := f.loginPage()
	const forbidden = "Phiên biểu mẫu đã hết hạn"
	f.run(t, []httpScenario{
		{name: "form without csrf", method: "POST", url: "/units/{A}/rename", as: "tochuc",
			body: httpForm("name", "Không CSRF"), wantStatus: 403, wantContains: []string{forbidden}},
		{name: "form with wrong csrf", method: "POST", url: "/units/{A}/rename", as: "tochuc",
			body: httpForm("csrf", strings.Repeat("0", 32), "name", "CSRF Sai"), wantStatus: 403, wantContains: []string{forbidden}},
		{name: "form with another user's csrf", method: "POST", url: "/members/{idA3}", as: "tochuc",
			body: httpForm("csrf", f.session("congdan").csrf, "version", "1", "full_name", "CSRF Lạ"), wantStatus: 403},
		{name: "form with the anonymous csrf", method: "POST", url: "/units/{A}/rename", as: "tochuc",
			body: httpForm("csrf", anonCSRF, "name", "CSRF Ẩn Danh"), wantStatus: 403},
		{name: "csrf in query string does not count", method: "POST", url: "/units/{A}/rename?csrf={csrf}", as: "tochuc",
			body: httpForm("name", "CSRF Trong URL"), wantStatus: 403},
		{name: "form with csrf header", method: "POST", url: "/units/{A}/rename", as: "tochuc",
			headers: map[string]string{"X-CSRF-Token": "{csrf}"}, body: httpForm("name", "Đảng bộ Có Header"), wantStatus: 303},
		{name: "logout without csrf", method: "POST", url: "/logout", as: "tochuc", body: httpForm("x", "y"), wantStatus: 403},
		{name: "login without csrf", method: "POST", url: "/login", body: httpForm("username", "tochuc", "password", demo.Password),
			wantStatus: 403},
		{name: "login with csrf field but no cookie", method: "POST", url: "/login",
			body: httpForm("username", "tochuc", "password", demo.Password, "csrf", anonCSRF), wantStatus: 403},
		{name: "login with cookie but wrong field", method: "POST", url: "/login", headers: map[string]string{"Cookie": anonCookie},
			body: httpForm("username", "tochuc", "password", demo.Password, "csrf", strings.Repeat("1", 32)), wantStatus: 403},
		{name: "cookie api patch without csrf header", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", auth: "cookie",
			body: `{"name":"Không Header"}`, wantStatus: 403, wantContains: []string{`"code":"forbidden"`}},
		{name: "cookie api patch member without csrf header", method: "PATCH", url: "/api/v1/members/{idA3}", as: "tochuc", auth: "cookie",
			body: `{"full_name":"Không Header","version":1}`, wantStatus: 403},
		{name: "cookie api post without csrf header", method: "POST", url: "/api/v1/units", as: "tochuc", auth: "cookie",
			body: `{"parent_code":"{A}","code":"{A}.CSRF","name":"x","type":"cell"}`, wantStatus: 403},
		{name: "cookie api patch with csrf header", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", auth: "cookie",
			headers: map[string]string{"X-CSRF-Token": "{csrf}"}, body: `{"name":"Đảng bộ Qua Cookie"}`, wantStatus: 200},
		{name: "bearer api patch needs no csrf", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc",
			body: `{"name":"Đảng bộ Qua Token"}`, wantStatus: 200},
		{name: "bearer api me", method: "GET", url: "/api/v1/me", as: "tochuc", wantStatus: 200,
			wantContains: []string{`"username":"tochuc"`}},
		{name: "cookie logout api without csrf", method: "DELETE", url: "/api/v1/session", as: "congdan", auth: "cookie", wantStatus: 403},
		{name: "bearer logout needs no csrf", method: "DELETE", url: "/api/v1/session", as: "congdan", wantStatus: 204},
		{name: "token dead after logout", method: "GET", url: "/api/v1/me", as: "congdan", wantStatus: 401},
		{name: "cookie session still alive", method: "GET", url: "/account", as: "congdan", wantStatus: 200, wantContains: []string{"congdan"}},
	})
	if got := f.memberRow(f.vars["idA3"]); got.Version != 1 {
		t.Errorf("member idA3 changed by a request without CSRF: %+v", got)
	}
	if n := f.countUnits(f.vars["A"] + ".CSRF"); n != 0 {
		t.Errorf("a unit was created without CSRF")
	}
	if got := f.unitName(f.vars["A"]); got != "Đảng bộ Qua Token" {
		t.Errorf("unit A name %q, want the last accepted rename", got)
	}
}

var (
	httpLoginErrorRE = regexp.MustCompile(`id="login-error" role="alert">([^<]*)<`)
	httpCodeErrorRE  = regexp.MustCompile(`id="code-error" role="alert">([^<]*)<`)
)

func httpMatch(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

func httpAPIMessage(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	m, _ := e["message"].(string)
	return m
}

// testHTTPLogin: a wrong username, password or code all give the same answer; five
// failures lock the account.
func testHTTPLogin(t *testing.T, f *httpFixture) {
	f.ip = "192.0.2.30"
	t.Run("browser", func(t *testing.T) {
		f.tb = t
		resp, body := f.postLogin("chutoa", "wrong-password-1")
		wrongPW := httpMatch(httpLoginErrorRE, body)
		if resp.StatusCode != 401 || wrongPW == "" {
			t.Fatalf("wrong password: %d, message %q", resp.StatusCode, wrongPW)
		}
		if httpCookie(resp, web.SessionCookie) != "" {
			t.Errorf("wrong password set a session cookie")
		}
		resp, body = f.postLogin("khongco", "wrong-password-1")
		if got := httpMatch(httpLoginErrorRE, body); resp.StatusCode != 401 || got != wrongPW {
			t.Errorf("unknown user: %d %q, want 401 %q", resp.StatusCode, got, wrongPW)
		}
		half, csrf := f.halfLogin("chutoa")
		resp, body = f.request("POST", "/login/2fa", strings.NewReader(httpForm("code", f.wrongTOTP("chutoa"), "csrf", csrf, "next", "/")), httpFormHeader(half))
		if got := httpMatch(httpCodeErrorRE, body); resp.StatusCode != 401 || got != wrongPW {
			t.Errorf("wrong TOTP: %d %q, want 401 %q", resp.StatusCode, got, wrongPW)
		}
		if !strings.Contains(wrongPW, "không đúng") {
			t.Errorf("login error %q is not the Vietnamese message", wrongPW)
		}
	})
	t.Run("api", func(t *testing.T) {
		f.tb = t
		status, out := f.apiLogin("thuky", "wrong-password-1", "")
		wrongPW := httpAPIMessage(out)
		if status != 401 || wrongPW == "" {
			t.Fatalf("wrong password: %d %v", status, out)
		}
		for _, c := range []struct{ name, user, pw, code string }{
			{"unknown user", "khongco", "wrong-password-1", ""},
			{"unknown user with a code", "khongco", demo.Password, "123456"},
			{"officer without code", "thuky", demo.Password, ""},
			{"wrong code", "thuky", demo.Password, f.wrongTOTP("thuky")},
		} {
			status, out := f.apiLogin(c.user, c.pw, c.code)
			if got := httpAPIMessage(out); status != 401 || got != wrongPW || out["token"] != nil {
				t.Errorf("%s: %d %v, want 401 %q", c.name, status, out, wrongPW)
			}
		}
		// The officer login without a code left no half-open session behind.
		var n int
		if err := f.db.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE u.username = 'thuky'`).Scan(&n); err != nil || n != 0 {
			t.Errorf("thuky has %d sessions (%v), want 0", n, err)
		}
	})
	t.Run("lockout", func(t *testing.T) {
		f.tb = t
		f.ip = "192.0.2.31"
		for i := 1; i <= 5; i++ {
			if status, out := f.apiLogin("kiemphieu", fmt.Sprintf("wrong-password-%d", i), ""); status != 401 {
				t.Fatalf("failure %d: %d %v", i, status, out)
			}
		}
		// Now even the right password and code are refused, from another address too.
		f.ip = "192.0.2.32"
		status, out := f.apiLogin("kiemphieu", demo.Password, f.wrongTOTP("kiemphieu"))
		if msg := httpAPIMessage(out); status != 429 || !strings.Contains(msg, "Quá nhiều lần đăng nhập sai") {
			t.Errorf("after 5 failures: %d %q, want 429 with the Vietnamese message", status, msg)
		}
		resp, body := f.postLogin("kiemphieu", demo.Password)
		if msg := httpMatch(httpLoginErrorRE, body); resp.StatusCode != 429 || !strings.Contains(msg, "Quá nhiều lần đăng nhập sai") {
			t.Errorf("browser after 5 failures: %d %q", resp.StatusCode, msg)
		}
		if httpCookie(resp, web.SessionCookie) != "" {
			t.Errorf("a locked account got a session cookie")
		}
	})
	t.Run("lockout counts second-factor failures", func(t *testing.T) {
		// A correct password alone must not reset the count, or anyone who knows it could
		// guess TOTP codes without end.
		f.tb = t
		f.ip = "192.0.2.33"
		for i := 1; i <= 2; i++ {
			if status, _ := f.apiLogin("quantri", "wrong-password-x", ""); status != 401 {
				t.Fatalf("wrong password %d: %d", i, status)
			}
		}
		if status, _ := f.apiLogin("quantri", demo.Password, ""); status != 401 {
			t.Fatalf("password without code: %d", status)
		}
		half, csrf := f.halfLogin("quantri")
		for i := 1; i <= 3; i++ {
			resp, _ := f.request("POST", "/login/2fa", strings.NewReader(httpForm("code", f.wrongTOTP("quantri"), "csrf", csrf, "next", "/")), httpFormHeader(half))
			if resp.StatusCode != 401 {
				t.Fatalf("wrong code %d: %d", i, resp.StatusCode)
			}
		}
		status, out := f.apiLogin("quantri", demo.Password, f.wrongTOTP("quantri"))
		if status != 429 {
			t.Errorf("after 2 wrong passwords and 3 wrong codes: %d %v, want 429", status, out)
		}
	})
}

// testHTTPInput: bad input on the API is a 4xx with a JSON message, never a 500.
func testHTTPInput(t *testing.T, f *httpFixture) {
	big := `{"name":"` + strings.Repeat("a", 2<<20) + `"}`
	invalid := `"code":"invalid"`
	f.run(t, []httpScenario{
		{name: "malformed json", method: "POST", url: "/api/v1/units", as: "tochuc", body: `{"parent_code":`, wantStatus: 422, wantContains: []string{invalid}},
		{name: "syntax error", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", body: `{"name" "x"}`, wantStatus: 422, wantContains: []string{invalid}},
		{name: "empty body", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", headers: map[string]string{"Content-Type": "application/json"},
			wantStatus: 422, wantContains: []string{invalid}},
		{name: "not an object", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", body: `["name"]`, wantStatus: 422, wantContains: []string{invalid}},
		{name: "text/plain", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", body: `{"name":"x"}`,
			headers: map[string]string{"Content-Type": "text/plain"}, wantStatus: 422, wantContains: []string{invalid, "application/json"}},
		{name: "no content type", method: "POST", url: "/api/v1/session", body: `{"username":"a","password":"b"}`,
			headers: map[string]string{"Content-Type": ""}, wantStatus: 422, wantContains: []string{invalid}},
		{name: "bad content type", method: "POST", url: "/api/v1/units", as: "tochuc", body: `{}`,
			headers: map[string]string{"Content-Type": "application/json; ;;=="}, wantStatus: 422},
		{name: "unknown field", method: "PATCH", url: "/api/v1/units/{A}?lang=en", as: "tochuc", body: `{"name":"x","is_admin":true}`,
			wantStatus: 422, wantContains: []string{invalid, "Unknown field: is_admin"}},
		{name: "trailing data", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", body: `{"name":"x"} {"name":"y"}`, wantStatus: 422, wantContains: []string{invalid}},
		{name: "trailing garbage", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", body: `{"name":"x"}]`, wantStatus: 422},
		{name: "2 MB body", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", body: big, wantStatus: 413, wantContains: []string{"1024 KB"}},
		{name: "2 MB of trailing blanks", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", body: `{"name":"x"}` + strings.Repeat(" ", 2<<20), wantStatus: 413},
		{name: "2 MB login", method: "POST", url: "/api/v1/session", body: big, wantStatus: 413},
		{name: "2 MB form with bearer", method: "POST", url: "/units/{A}/rename", as: "tochuc", auth: "bearer",
			body: "name=" + strings.Repeat("a", 2<<20), wantStatus: 413},
		{name: "2 MB form", method: "POST", url: "/units/{A}/rename", as: "tochuc", body: "csrf={csrf}&name=" + strings.Repeat("a", 2<<20), wantStatus: 413},
		{name: "wrong type", method: "PATCH", url: "/api/v1/members/{idA3}", as: "tochuc", body: `{"version":"1"}`, wantStatus: 422, wantContains: []string{"version"}},
		{name: "huge number", method: "PATCH", url: "/api/v1/members/{idA3}", as: "tochuc", body: `{"version":1e400}`, wantStatus: 422},
		{name: "huge integer", method: "PATCH", url: "/api/v1/members/{idA3}", as: "tochuc", body: `{"version":99999999999999999999999}`, wantStatus: 422},
		{name: "max int version", method: "PATCH", url: "/api/v1/members/{idA3}", as: "tochuc", body: `{"full_name":"A B","version":9223372036854775807}`, wantStatus: 409},
		{name: "negative version", method: "PATCH", url: "/api/v1/members/{idA3}", as: "tochuc", body: `{"full_name":"A B","version":-1}`, wantStatus: 422},
		{name: "missing version", method: "PATCH", url: "/api/v1/members/{idA3}", as: "tochuc", body: `{"full_name":"A B"}`, wantStatus: 422},
		{name: "fractional version", method: "PATCH", url: "/api/v1/members/{idA3}", as: "tochuc", body: `{"version":1.5}`, wantStatus: 422},
		{name: "deep nesting", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", body: `{"name":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, wantStatus: 422},
		{name: "control character in name", method: "PATCH", url: "/api/v1/members/{idA3}", as: "tochuc", body: `{"full_name":"A\u0007B","version":1}`, wantStatus: 422},
		{name: "NUL in unit name", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", body: `{"name":"Đảng bộ\u0000X"}`, wantStatus: 422},
		{name: "NUL in new unit name", method: "POST", url: "/api/v1/units", as: "tochuc", body: `{"parent_code":"{A}","code":"{A}.NUL","name":"a\u0000b","type":"cell"}`, wantStatus: 422},
		{name: "unknown unit type", method: "POST", url: "/api/v1/units", as: "tochuc", body: `{"parent_code":"{A}","code":"{A}.T","name":"x","type":"galaxy"}`, wantStatus: 422},
		{name: "bad unit code", method: "POST", url: "/api/v1/units", as: "tochuc", body: `{"parent_code":"{A}","code":"../x","name":"x","type":"cell"}`, wantStatus: 422},
		{name: "missing parent", method: "POST", url: "/api/v1/units", as: "tochuc", body: `{"code":"X1","name":"x","type":"cell"}`, wantStatus: 422},
		{name: "unit name too long", method: "PATCH", url: "/api/v1/units/{A}", as: "tochuc", body: `{"name":"` + strings.Repeat("ă", 201) + `"}`, wantStatus: 422},
		{name: "stale version", method: "PATCH", url: "/api/v1/members/{idA}", as: "tochuc", body: `{"full_name":"Cũ Quá","version":1}`,
			wantStatus: 409, wantContains: []string{`"code":"conflict"`}},
		{name: "stale version form", method: "POST", url: "/members/{idA}", as: "tochuc",
			body: httpForm("csrf", "{csrf}", "version", "1", "full_name", "Cũ Quá", "hometown", ""), wantStatus: 409, wantContains: []string{"Nguyễn Văn Sửa"}},
		{name: "form version not a number", method: "POST", url: "/members/{idA}", as: "tochuc",
			body: httpForm("csrf", "{csrf}", "version", "x", "full_name", "A"), wantStatus: 422},
		{name: "limit=abc", method: "GET", url: "/api/v1/units/{A}/members?limit=abc", as: "tochuc", wantStatus: 422, wantContains: []string{`"field":"limit"`}},
		{name: "limit=100000", method: "GET", url: "/api/v1/units/{A}/members?limit=100000", as: "tochuc", wantStatus: 422, wantContains: []string{`"field":"limit"`}},
		{name: "limit=0", method: "GET", url: "/api/v1/units/{A}/members?limit=0", as: "tochuc", wantStatus: 422},
		{name: "offset=-1", method: "GET", url: "/api/v1/units/{A}/members?offset=-1", as: "tochuc", wantStatus: 422, wantContains: []string{`"field":"offset"`}},
		{name: "offset huge", method: "GET", url: "/api/v1/units/{A}/members?offset=99999999999999999999", as: "tochuc", wantStatus: 422},
		{name: "offset past the end", method: "GET", url: "/api/v1/units/{A}/members?offset=10000000", as: "tochuc", wantStatus: 200, wantContains: []string{`"members":[]`}},
		{name: "q 300 chars", method: "GET", url: "/api/v1/units/{A}/members?q=" + strings.Repeat("x", 300), as: "tochuc", wantStatus: 422, wantContains: []string{`"field":"q"`}},
		{name: "q wildcards match literally", method: "GET", url: "/api/v1/units/{A}/members?q=%25_%5C", as: "tochuc", wantStatus: 200, wantContains: []string{`"total":0`}},
		{name: "page limit=abc", method: "GET", url: "/units/{A}/members?limit=abc", as: "tochuc", wantStatus: 422, wantContains: []string{"limit"}},
		{name: "page q 300 chars", method: "GET", url: "/units/{A}/members?q=" + strings.Repeat("x", 300), as: "tochuc", wantStatus: 422},
		// Bytes the databases refuse in text (invalid UTF-8, NUL) must not reach them as 500s.
		{name: "invalid utf-8 unit code", method: "GET", url: "/api/v1/units/%FF%FE", as: "tochuc", wantStatus: 404},
		{name: "NUL unit code", method: "GET", url: "/api/v1/units/A%00B/children", as: "tochuc", wantStatus: 404},
		{name: "invalid utf-8 member id", method: "GET", url: "/api/v1/members/%C3%28", as: "tochuc", wantStatus: 404},
		{name: "NUL member id", method: "PATCH", url: "/api/v1/members/%00", as: "tochuc", body: `{"version":1}`, wantStatus: 404},
		{name: "invalid utf-8 page", method: "GET", url: "/members/%FF", as: "tochuc", wantStatus: 404},
		{name: "invalid utf-8 query", method: "GET", url: "/api/v1/units/{A}/members?q=%FF", as: "tochuc", wantStatus: 422, wantContains: []string{`"field":"q"`}},
		{name: "NUL in query", method: "GET", url: "/units/{A}/members?q=a%00", as: "tochuc", wantStatus: 422},
		{name: "NUL in form name", method: "POST", url: "/units/{A}/rename", as: "tochuc", body: "csrf={csrf}&name=a%00b", wantStatus: 422},
		{name: "invalid utf-8 path, anonymous", method: "GET", url: "/api/v1/members/%FF", wantStatus: 401},
		{name: "invalid utf-8 parent code", method: "POST", url: "/api/v1/units", as: "tochuc", body: `{"parent_code":"\udfff","code":"X2","name":"x","type":"cell"}`, wantStatus: 404},
		{name: "NUL username", method: "POST", url: "/api/v1/session", body: `{"username":"toch\u0000uc","password":"whatever-password"}`, wantStatus: 401},
		{name: "invalid utf-8 form username", method: "POST", url: "/login", headers: map[string]string{"Cookie": web.CSRFCookie + "=" + strings.Repeat("a", 32)},
			body: "csrf=" + strings.Repeat("a", 32) + "&username=%FF%00&password=whatever-password", wantStatus: 422},
		{name: "unknown route", method: "GET", url: "/api/v1/nothing-here", as: "tochuc", wantStatus: 404, wantContains: []string{`"code":"not_found"`}},
		{name: "wrong method", method: "DELETE", url: "/api/v1/units/{A}", as: "tochuc", wantStatus: 404, wantContains: []string{`"code":"not_found"`}},
	})
}

// testHTTPLanguage: Vietnamese by default, English on request.
func testHTTPLanguage(t *testing.T, f *httpFixture) {
	f.run(t, []httpScenario{
		{name: "default vi", method: "GET", url: "/login", wantStatus: 200, wantContains: []string{`<html lang="vi"`, "Đăng nhập"}},
		{name: "lang=en", method: "GET", url: "/login?lang=en", wantStatus: 200, wantContains: []string{`<html lang="en"`, "Log in", "Username"},
			wantNotContains: []string{"Mật khẩu"}},
		{name: "Accept-Language en", method: "GET", url: "/login", headers: map[string]string{"Accept-Language": "en-GB,en;q=0.8"},
			wantStatus: 200, wantContains: []string{`<html lang="en"`}},
		{name: "Accept-Language fr stays vi", method: "GET", url: "/login", headers: map[string]string{"Accept-Language": "fr"},
			wantStatus: 200, wantContains: []string{`<html lang="vi"`}},
		{name: "lang cookie", method: "GET", url: "/login", headers: map[string]string{"Cookie": "lang=en"}, wantStatus: 200, wantContains: []string{`<html lang="en"`}},
		{name: "bad lang ignored", method: "GET", url: "/login?lang=xx", wantStatus: 200, wantContains: []string{`<html lang="vi"`}},
		{name: "home in English", method: "GET", url: "/?lang=en", as: "tochuc", wantStatus: 200, wantContains: []string{`<html lang="en"`, "My units"}},
		{name: "api error in English", method: "GET", url: "/api/v1/units/NOPE?lang=en", as: "tochuc", wantStatus: 404,
			wantContains: []string{"This page or object was not found."}},
		{name: "api error in Vietnamese", method: "GET", url: "/api/v1/units/NOPE", as: "tochuc", wantStatus: 404,
			wantContains: []string{"Không tìm thấy"}},
		{name: "error page in English", method: "GET", url: "/units/NOPE?lang=en", as: "tochuc", wantStatus: 404,
			wantContains: []string{`<html lang="en"`, "was not found"}},
	})
}

// testHTTPHeaders: security headers on every answer; gzip when the client asks.
func testHTTPHeaders(t *testing.T, f *httpFixture) {
	sec := map[string]string{
		"Content-Security-Policy": "default-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"X-Request-Id":            "",
	}
	gz := map[string]string{"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
	for k, v := range sec {
		gz[k] = v
	}
	f.run(t, []httpScenario{
		{name: "page", method: "GET", url: "/login", wantStatus: 200, wantHeaders: sec},
		{name: "api", method: "GET", url: "/api/v1/units", as: "tochuc", wantStatus: 200, wantHeaders: sec},
		{name: "api error", method: "GET", url: "/api/v1/units", wantStatus: 401, wantHeaders: sec},
		{name: "redirect", method: "GET", url: "/units/{A}", wantStatus: 303, wantHeaders: sec},
		{name: "no-store on pages", method: "GET", url: "/", as: "tochuc", wantStatus: 200, wantHeaders: map[string]string{"Cache-Control": "no-store"}},
		{name: "gzip page", method: "GET", url: "/units/{A}", as: "tochuc", headers: map[string]string{"Accept-Encoding": "gzip, deflate, br"},
			wantStatus: 200, wantHeaders: gz, wantContains: []string{"<html", "{A}"}},
		{name: "gzip api", method: "GET", url: "/api/v1/units/{A}/members", as: "tochuc", headers: map[string]string{"Accept-Encoding": "gzip"},
			wantStatus: 200, wantHeaders: gz, wantContains: []string{`"members":[`}},
		{name: "gzip api error", method: "GET", url: "/api/v1/units/BN", as: "tochuc", headers: map[string]string{"Accept-Encoding": "gzip"},
			wantStatus: 404, wantHeaders: gz},
		{name: "no gzip unasked", method: "GET", url: "/login", wantStatus: 200, wantHeaders: map[string]string{"Content-Type": "text/html"},
			wantNotContains: []string{"\x1f\x8b"}},
		{name: "request id echoed", method: "GET", url: "/healthz", headers: map[string]string{"X-Request-ID": "abc-123"}, wantStatus: 200,
			wantHeaders: map[string]string{"X-Request-Id": "abc-123"}},
	})
	resp, _ := f.request("GET", "/login", nil, nil)
	if resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip without Accept-Encoding")
	}
}

// testHTTPPanic: a panicking handler gives a plain 500 with the request ID and nothing of
// the panic or the stack.
func testHTTPPanic(t *testing.T, f *httpFixture) {
	f.app.web.Public("GET /test-panic", func(w http.ResponseWriter, r *http.Request) error {
		panic("secret internals: password=hunter2")
	})
	f.app.web.Private("GET /api/v1/test-panic", func(w http.ResponseWriter, r *http.Request) error {
		var m map[string]int
		m["boom"]++ // a nil map write: a runtime error
		return nil
	})
	leak := []string{"hunter2", "secret internals", "goroutine", ".go:", "runtime error", "nil map"}
	f.run(t, []httpScenario{
		{name: "page", method: "GET", url: "/test-panic", wantStatus: 500, wantContains: []string{"Internal error", "Request ID"},
			wantNotContains: leak, wantHeaders: map[string]string{"Content-Type": "text/plain"}},
		{name: "gzip", method: "GET", url: "/test-panic", headers: map[string]string{"Accept-Encoding": "gzip", "X-Request-ID": "panic-rid-1"},
			wantStatus: 500, wantContains: []string{"panic-rid-1"}, wantNotContains: leak},
		{name: "api", method: "GET", url: "/api/v1/test-panic", as: "tochuc", wantStatus: 500, wantNotContains: leak, notJSON: true},
		{name: "server still serves", method: "GET", url: "/healthz", wantStatus: 200},
	})
}
