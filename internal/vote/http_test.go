package vote

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"dais/internal/store"
	"dais/internal/store/storetest"
	"dais/internal/web"
)

type fakeAuth map[string]*web.Session

func (a fakeAuth) Authenticate(ctx context.Context, token string) (*web.Session, error) {
	if s, ok := a[token]; ok {
		return s, nil
	}
	return nil, store.NotFound("session")
}

type httpEnv struct {
	t    *testing.T
	srv  *web.Server
	f    *fixture
	logs *bytes.Buffer
}

func newHTTPEnv(t *testing.T, db *store.DB) *httpEnv {
	cat, err := web.NewCatalog(web.BaseMessages(), Messages)
	if err != nil {
		t.Fatal(err)
	}
	rd, err := web.NewRenderer(cat, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := rd.AddPages("vote", Templates()); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, db, 3)
	auth := fakeAuth{}
	for name, p := range map[string]*store.Principal{"chair": f.chair, "counter": f.counter, "counter2": f.counter2, "d0": f.delegates[0], "d1": f.delegates[1], "d2": f.delegates[2], "out": f.outsider} {
		auth["tok-"+name] = &web.Session{Principal: p, CSRF: "csrf-" + name, MFADone: true}
	}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := web.NewServer(web.Config{Auth: auth, Catalog: cat, Renderer: rd, Version: "test", Logger: log})
	f.svc.log = log
	Routes(srv, f.svc, Options{Place: "Bắc Ninh"})
	return &httpEnv{t: t, srv: srv, f: f, logs: logs}
}

func (e *httpEnv) do(user, method, target, body string) (int, string) {
	e.t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if strings.HasPrefix(target, "/api/") {
		r.Header.Set("Authorization", "Bearer tok-"+user)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
	} else {
		r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: "tok-" + user})
		if method == "POST" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("X-CSRF-Token", "csrf-"+user)
		}
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return w.Code, w.Body.String()
}

func TestHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newHTTPEnv(t, db)
		mid := e.f.mid
		base := "/meetings/" + mid + "/polls"
		// The chair creates an election through the form; a bad list is refused on the form.
		form := url.Values{"kind": {"election"}, "title": {"Bầu Ban Chấp hành"}, "seats": {"2"}, "base": {"convened"}, "surplus_pct": {"30"}, "floor_pct": {"30"},
			"candidates": {"Nguyễn Văn An | 1970\nTrần Thị Bình\nLê Văn Cường"}}
		if st, body := e.do("chair", "POST", base, form.Encode()); st != 422 || !strings.Contains(body, "số dư tối đa") {
			t.Errorf("surplus refused on the form: %d %s", st, snippet(body))
		}
		form.Set("surplus_pct", "50")
		st, _ := e.do("chair", "POST", base, form.Encode())
		if st != 303 {
			t.Fatalf("create: %d", st)
		}
		polls, _ := e.f.svc.List(ctxT(), e.f.chair, mid)
		poll := polls[0]
		pbase := base + "/" + poll.ID
		if st, _ := e.do("d0", "POST", pbase+"/state", "action=open"); st != 403 {
			t.Errorf("a delegate opens: %d", st)
		}
		if st, _ := e.do("chair", "POST", pbase+"/state", "action=open"); st != 303 {
			t.Fatalf("open: %d", st)
		}
		// The delegate's ballot page: strike-out list with the live count.
		st, body := e.do("d0", "GET", pbase, "")
		if st != 200 || !strings.Contains(body, `name="keep" value="c3" checked`) || !strings.Contains(body, `data-max="2"`) || !strings.Contains(body, `sse:turnout`) {
			t.Errorf("ballot page: %d %s", st, snippet(body))
		}
		key := regexp.MustCompile(`name="idempotency_key" value="([0-9a-f]+)"`).FindStringSubmatch(body)
		if key == nil {
			t.Fatal("no idempotency key on the ballot form")
		}
		// Keeping three of two is refused with a clear message, and nothing is recorded.
		st, body = e.do("d0", "POST", pbase+"/ballot", url.Values{"idempotency_key": {key[1]}, "keep": {"c1", "c2", "c3"}}.Encode())
		if st != 422 || !strings.Contains(body, "nhiều hơn số tối đa 2") {
			t.Errorf("too many kept: %d %s", st, snippet(body))
		}
		st, body = e.do("d0", "POST", pbase+"/ballot", url.Values{"idempotency_key": {key[1]}, "keep": {"c1", "c3"}}.Encode())
		if st != 200 || !strings.Contains(body, "đã được ghi nhận") {
			t.Errorf("cast: %d %s", st, snippet(body))
		}
		// API: cast, replay, second ballot, non-delegate, malformed.
		api := "/api/v1/meetings/" + mid + "/polls/" + poll.ID
		st, body = e.do("d1", "POST", api+"/ballots", `{"idempotency_key":"api-key-0001","ballot":{"keep":["c2"]}}`)
		if st != 201 || !strings.Contains(body, `"code"`) {
			t.Errorf("API cast: %d %s", st, body)
		}
		var first struct{ Receipt Receipt }
		json.Unmarshal([]byte(body), &first)
		st, body = e.do("d1", "POST", api+"/ballots", `{"idempotency_key":"api-key-0001","ballot":{"keep":["c2"]}}`)
		var again struct{ Receipt Receipt }
		json.Unmarshal([]byte(body), &again)
		if st != 200 || again.Receipt.Code != first.Receipt.Code || !again.Receipt.Replayed {
			t.Errorf("replay: %d %s", st, body)
		}
		for _, tc := range []struct {
			user, body string
			status     int
		}{
			{"d1", `{"idempotency_key":"api-key-0002","ballot":{"keep":["c1"]}}`, 409},
			{"counter", `{"idempotency_key":"api-key-0003","ballot":{"keep":["c1"]}}`, 403},
			{"d2", `{"idempotency_key":"api-key-0004","ballot":{"keep":"c1"}}`, 422},
			{"d2", `{"idempotency_key":"api-key-0005","ballot":{"keep":["c1","c2","c3"]}}`, 422},
			{"d2", `{"ballot":{"keep":["c1"]}}`, 422},
			{"d2", `not json`, 422},
		} {
			if st, body := e.do(tc.user, "POST", api+"/ballots", tc.body); st != tc.status {
				t.Errorf("%s %s: %d %s, want %d", tc.user, tc.body, st, body, tc.status)
			}
		}
		if st, _ := e.do("out", "POST", api+"/ballots", `{"idempotency_key":"api-key-0006","ballot":{"keep":["c1"]}}`); st != 404 {
			t.Errorf("outsider: %d", st)
		}
		if st, body := e.do("chair", "GET", api, ""); st != 200 || !strings.Contains(body, `"voted":2`) {
			t.Errorf("poll state: %d %s", st, body)
		}
		if st, _ := e.do("chair", "GET", api+"/results", ""); st != 409 {
			t.Errorf("results while open: %d", st)
		}
		if st, body := e.do("chair", "GET", pbase+"/turnout", ""); st != 200 || !strings.Contains(body, ">2</span> / 3") {
			t.Errorf("turnout fragment: %d %s", st, snippet(body))
		}
		if st, _ := e.do("chair", "POST", api+"/close", ""); st != 200 {
			t.Fatalf("close: %d", st)
		}
		st, body = e.do("chair", "GET", pbase+"/results", "")
		if st != 200 || !strings.Contains(body, "Nguyễn Văn An") || !strings.Contains(body, "<svg class=\"bar\"") {
			t.Errorf("projector page: %d %s", st, snippet(body))
		}
		if st, _ := e.do("d0", "GET", pbase+"/results", ""); st != 409 {
			t.Errorf("a delegate sees unpublished results: %d", st)
		}
		if st, _ := e.do("chair", "POST", api+"/publish", ""); st != 200 {
			t.Fatalf("publish: %d", st)
		}
		if st, body := e.do("d0", "GET", api+"/results", ""); st != 200 || !strings.Contains(body, `"convened":4`) {
			t.Errorf("API results: %d %s", st, body)
		}
		for _, pdf := range []string{pbase + "/minutes.pdf", pbase + "/ballots.pdf?count=3&per_page=2"} {
			st, body := e.do("counter", "GET", pdf, "")
			if st != 200 || !strings.HasPrefix(body, "%PDF-") {
				t.Errorf("%s: %d", pdf, st)
				continue
			}
			if txt := pdfText(t, body); txt != "" && strings.Contains(pdf, "minutes") {
				for _, want := range []string{"BIÊN BẢN KIỂM PHIẾU", "Số phiếu hợp lệ: 2", "Tổng số đại biểu được triệu tập: 4", "majority-of-base", "Nguyễn Văn An", "Đồng chí kiemphieu"} {
					if !strings.Contains(txt, want) {
						t.Errorf("minutes lack %q:\n%s", want, txt)
					}
				}
			}
		}
		if st, _ := e.do("d0", "GET", pbase+"/ballots.pdf", ""); st != 403 {
			t.Errorf("a delegate prints ballots: %d", st)
		}
		if st, body := e.do("d0", "GET", pbase+"/board", ""); st != 200 || !strings.Contains(body, "Chưa có phiếu") {
			t.Errorf("board: %d %s", st, snippet(body))
		}
		// No choice in the logs: the access log has paths, the service logs no ballots.
		if regexp.MustCompile(`keep|\bc[0-9]\b|choice`).MatchString(e.logs.String()) {
			t.Errorf("logs mention a choice:\n%s", e.logs.String())
		}
	})
}

func TestPaperPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newHTTPEnv(t, db)
		poll := e.f.openPoll(t, Input{Kind: KindMotion, Title: "Biểu quyết bằng phiếu giấy", Secret: true})
		pbase := "/meetings/" + e.f.mid + "/polls/" + poll.ID
		if st, body := e.do("counter", "POST", pbase+"/paper", "issued=3&unused=1"); st != 303 {
			t.Fatalf("paper counts: %d %s", st, snippet(body))
		}
		e.do("counter", "POST", pbase+"/paper/entry", "counter=1&serial=1&choice=yes")
		e.do("counter", "POST", pbase+"/paper/entry", "counter=1&serial=2&choice=no")
		e.do("counter2", "POST", pbase+"/paper/entry", "counter=2&serial=1&choice=yes")
		e.do("counter2", "POST", pbase+"/paper/entry", "counter=2&serial=2&choice=yes")
		st, body := e.do("counter", "GET", pbase+"/paper", "")
		if st != 200 || !strings.Contains(body, `class="discrepant"`) || !strings.Contains(body, "CHÊNH LỆCH") {
			t.Errorf("paper page: %d %s", st, snippet(body))
		}
		if st, body := e.do("counter", "POST", pbase+"/paper/entry", "counter=2&serial=1&choice=yes"); st != 403 {
			t.Errorf("same person as both counters: %d %s", st, snippet(body))
		}
		if st, _ := e.do("d0", "GET", pbase+"/paper", ""); st != 403 {
			t.Errorf("a delegate on the counting page: %d", st)
		}
		e.do("counter", "POST", pbase+"/paper/resolve", "serial=2&choice=no")
		e.do("chair", "POST", pbase+"/state", "action=close")
		st, body = e.do("counter", "GET", pbase+"/paper", "")
		if !strings.Contains(body, "Phát ra 3 = thu về 2 &#43; không sử dụng 1 ✓") {
			t.Errorf("reconciliation: %d %s", st, snippet(body))
		}
	})
}

// pdfText extracts a PDF's text with pdftotext when the machine has it ("" otherwise).
func pdfText(t *testing.T, pdf string) string {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return ""
	}
	p := filepath.Join(t.TempDir(), "x.pdf")
	os.WriteFile(p, []byte(pdf), 0o600)
	out, err := exec.Command("pdftotext", "-layout", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func snippet(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		s = s[:1500]
	}
	return s
}

// TestMessages: every message key the package's Go code and templates name exists in
// both languages.
func TestMessages(t *testing.T) {
	re := regexp.MustCompile(`"(vote\.[a-z_.]+)"`)
	files, _ := filepath.Glob("*.go")
	tpls, _ := filepath.Glob("templates/*.html")
	for _, f := range append(files, tpls...) {
		if strings.HasSuffix(f, "_test.go") || f == "messages.go" {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			k := m[1]
			if strings.HasSuffix(k, ".") || k == "vote.js" || k == "vote.css" {
				continue
			}
			if tr, ok := Messages[k]; !ok || tr["vi"] == "" || tr["en"] == "" {
				t.Errorf("%s: message %s missing", f, k)
			}
		}
	}
	for _, prefix := range []string{"vote.kind.", "vote.status.", "vote.choice.", "vote.level.", "vote.base.", "vote.paper."} {
		var sets [][]string = [][]string{Kinds, {StatusDraft, StatusOpen, StatusClosed, StatusPublished}, MotionChoices, Levels, {BaseConvened, BaseCast}, {"agreed", "discrepant", "resolved", "single"}}
		_ = sets
		_ = prefix
	}
	for _, k := range Kinds {
		if _, ok := Messages["vote.kind."+k]; !ok {
			t.Errorf("vote.kind.%s missing", k)
		}
	}
	_ = fmt.Sprint
}
