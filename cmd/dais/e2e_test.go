package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"dais/internal/account"
	"dais/internal/demo"
)

// TestE2E builds the real binary and uses it as an operator would: `dais demo` on a
// fresh store, logins over HTTP (a member with a password, an officer with a TOTP code),
// a clean shutdown on SIGINT, then `dais audit verify` before and after someone edits the
// audit log behind Dais's back. It runs on SQLite always and on PostgreSQL when
// DAIS_TEST_PG is set.
func TestE2E(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH: cannot build the binary")
	}
	bin := filepath.Join(t.TempDir(), "dais")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	t.Run("version", func(t *testing.T) {
		out, err := daisCommand(bin, "version").Output()
		if err != nil {
			t.Fatalf("dais version: %v", err)
		}
		if !strings.HasPrefix(string(out), "dais ") {
			t.Errorf("dais version printed %q, want it to start with %q", out, "dais ")
		}
	})

	stores := []struct {
		name string
		// setup prepares an empty store and returns the store flags besides --data and
		// a way to open the database directly (to check and to tamper).
		setup func(t *testing.T, dataDir string) (flags []string, open func(t *testing.T) *sql.DB)
	}{
		{"sqlite", func(t *testing.T, dataDir string) ([]string, func(*testing.T) *sql.DB) {
			return nil, func(t *testing.T) *sql.DB { return openE2EDB(t, "sqlite", filepath.Join(dataDir, "dais.db")) }
		}},
		{"postgres", func(t *testing.T, dataDir string) ([]string, func(*testing.T) *sql.DB) {
			pg := os.Getenv("DAIS_TEST_PG")
			if pg == "" {
				t.Skip("DAIS_TEST_PG is not set")
			}
			u, drop, err := tempSchema(context.Background(), pg)
			if err != nil {
				t.Fatalf("temporary schema: %v", err)
			}
			t.Cleanup(drop)
			return []string{"--db", u}, func(t *testing.T) *sql.DB { return openE2EDB(t, "pgx", u) }
		}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			dir := t.TempDir()
			flags, open := st.setup(t, dir)
			storeFlags := append([]string{"--data", dir}, flags...)

			d := startDemoBinary(t, bin, slices.Concat(storeFlags, []string{"--addr", "127.0.0.1:0"})...)
			checkDemoWeb(t, d)
			d.stop(t)

			db := open(t)
			var head, checkpointed int64
			if err := db.QueryRow(`SELECT (SELECT MAX(seq) FROM audit_log), (SELECT MAX(tree_size) FROM audit_checkpoints)`).
				Scan(&head, &checkpointed); err != nil {
				t.Fatalf("read audit head: %v", err)
			}
			if head < 5 || checkpointed != head {
				t.Errorf("after shutdown: audit log has %d entries, newest checkpoint covers %d; want a final checkpoint of the whole log", head, checkpointed)
			}

			out, err := daisCommand(bin, append([]string{"audit", "verify"}, storeFlags...)...).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "audit log OK") {
				t.Fatalf("dais audit verify on an untouched log: %v\n%s", err, out)
			}

			res, err := db.Exec(`UPDATE audit_log SET actor = 'x' WHERE seq = 5`)
			if err != nil {
				t.Fatalf("tamper: %v", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("tamper: %d rows changed, want 1", n)
			}
			out, err = daisCommand(bin, append([]string{"audit", "verify"}, storeFlags...)...).CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() <= 0 {
				t.Fatalf("dais audit verify on a tampered log: err %v, want a non-zero exit\n%s", err, out)
			}
			if !regexp.MustCompile(`\bentry 5\b`).Match(out) {
				t.Errorf("dais audit verify on a tampered log does not name entry 5:\n%s", out)
			}
		})
	}
}

// daisCommand runs the built binary with a clean environment: no DAIS_* variable of
// the test's environment may change the flags' defaults.
func daisCommand(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DAIS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

func openE2EDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// demoBinary is a running `dais demo` process and what it printed.
type demoBinary struct {
	cmd    *exec.Cmd
	url    string
	logins map[string]demo.Login // by username, from the printed table
	exited chan struct{}         // closed when the process has exited and stdout is drained
	err    error                 // the exit, once exited is closed
	stderr string                // path of the captured log
}

// startDemoBinary starts `dais demo ARGS…` and reads its stdout until the logins table
// has been printed (with a deadline, in case it never is).
func startDemoBinary(t *testing.T, bin string, args ...string) *demoBinary {
	t.Helper()
	d := &demoBinary{logins: map[string]demo.Login{}, exited: make(chan struct{}),
		stderr: filepath.Join(t.TempDir(), "stderr.log")}
	errf, err := os.Create(d.stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer errf.Close()
	d.cmd = daisCommand(bin, append([]string{"demo"}, args...)...)
	d.cmd.Stderr = errf
	stdout, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start dais demo: %v", err)
	}
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		d.err = d.cmd.Wait() // only after every read from the pipe
		close(d.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			d.cmd.Process.Kill()
			<-d.exited
		}
	})

	deadline := time.NewTimer(2 * time.Minute)
	defer deadline.Stop()
	inTable := false
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				<-d.exited
				t.Fatalf("dais demo exited before printing its logins: %v\n%s", d.err, d.log())
			}
			switch {
			case strings.HasPrefix(line, "Dais demo is running: open "):
				d.url = strings.TrimPrefix(line, "Dais demo is running: open ")
			case strings.HasPrefix(line, "USERNAME"):
				inTable = true
			case inTable && strings.TrimSpace(line) == "":
				go func() { // keep the pipe drained until the process ends
					for range lines {
					}
				}()
				if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(d.url) {
					t.Fatalf("dais demo printed the URL %q", d.url)
				}
				return d
			case inTable:
				// USERNAME  ROLE  UNIT NAME (CODE)  SECRET-or-"-"; the unit name has spaces.
				f := strings.Fields(line)
				if len(f) < 5 {
					t.Fatalf("unexpected line in the logins table: %q", line)
				}
				l := demo.Login{Username: f[0], Role: f[1], UnitName: strings.Join(f[2:len(f)-2], " "),
					UnitCode: strings.Trim(f[len(f)-2], "()"), TOTPSecret: f[len(f)-1]}
				if l.TOTPSecret == "-" {
					l.TOTPSecret = ""
				}
				d.logins[l.Username] = l
			}
		case <-deadline.C:
			t.Fatalf("dais demo did not print its logins within 2 minutes\n%s", d.log())
		}
	}
}

func (d *demoBinary) log() string {
	b, _ := os.ReadFile(d.stderr)
	return string(b)
}

// stop sends SIGINT, as Ctrl-C does, and expects a clean exit.
func (d *demoBinary) stop(t *testing.T) {
	t.Helper()
	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("SIGINT: %v", err)
	}
	select {
	case <-d.exited:
		if d.err != nil {
			t.Fatalf("dais demo after SIGINT: %v, want exit 0\n%s", d.err, d.log())
		}
	case <-time.After(time.Minute):
		d.cmd.Process.Kill()
		<-d.exited
		t.Fatalf("dais demo did not exit within a minute of SIGINT\n%s", d.log())
	}
}

// checkDemoWeb drives the demo over plain HTTP: health check, the login redirect, a
// member's password login and an officer's password + TOTP login.
func checkDemoWeb(t *testing.T, d *demoBinary) {
	t.Helper()
	anon := newE2EClient(t, d.url)
	if st, _, body := anon.do("GET", "/healthz", nil); st != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("GET /healthz = %d %q, want 200 ok", st, body)
	}
	if st, loc, _ := anon.do("GET", "/", nil); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Errorf("anonymous GET / = %d to %q, want 303 to /login", st, loc)
	}

	for _, tc := range []struct {
		user     string
		officer  bool   // has a TOTP secret: the password leads to /login/2fa
		wantText string // on the home page, besides the user's unit
	}{
		{"dangvien", false, "Bùi Văn Nam"},
		{"bithu", true, "Đảng bộ tỉnh Bắc Ninh"},
	} {
		t.Run(tc.user, func(t *testing.T) {
			l, ok := d.logins[tc.user]
			if !ok {
				t.Fatalf("%s is not in the printed logins table", tc.user)
			}
			if got := l.TOTPSecret != ""; got != tc.officer {
				t.Fatalf("%s printed with TOTP secret %q; want a secret: %v", tc.user, l.TOTPSecret, tc.officer)
			}
			c := newE2EClient(t, d.url)
			st, _, body := c.do("GET", "/login", nil)
			csrf := formCSRF(body)
			if st != http.StatusOK || csrf == "" || csrf != c.cookie("dais_csrf") {
				t.Fatalf("GET /login = %d with form token %q and cookie %q; want 200 and the same token", st, csrf, c.cookie("dais_csrf"))
			}
			st, loc, body := c.do("POST", "/login", url.Values{"csrf": {csrf}, "username": {tc.user}, "password": {demo.Password}, "next": {"/"}})
			wantLoc := "/"
			if tc.officer {
				wantLoc = "/login/2fa?next=/"
			}
			if st != http.StatusSeeOther || loc != wantLoc {
				t.Fatalf("POST /login = %d to %q, want 303 to %q\n%s", st, loc, wantLoc, body)
			}
			if tc.officer {
				st, _, body = c.do("GET", loc, nil)
				if st != http.StatusOK || formCSRF(body) == "" {
					t.Fatalf("GET %s = %d, want 200 with a form", loc, st)
				}
				code, err := account.TOTPCode(l.TOTPSecret, time.Now())
				if err != nil {
					t.Fatal(err)
				}
				st, loc, body = c.do("POST", "/login/2fa", url.Values{"csrf": {formCSRF(body)}, "code": {code}, "next": {"/"}})
				if st != http.StatusSeeOther || loc != "/" {
					t.Fatalf("POST /login/2fa = %d to %q, want 303 to /\n%s", st, loc, body)
				}
			}
			st, _, body = c.do("GET", "/", nil)
			if st != http.StatusOK {
				t.Fatalf("GET / after login = %d, want 200", st)
			}
			for _, want := range []string{l.UnitName, tc.wantText} {
				if !strings.Contains(body, want) {
					t.Errorf("home page of %s does not contain %q", tc.user, want)
				}
			}
		})
	}
}

// e2eClient is a cookie-keeping HTTP client that does not follow redirects, so that
// each step's status and Location can be checked.
type e2eClient struct {
	t    *testing.T
	base *url.URL
	c    *http.Client
}

func newE2EClient(t *testing.T, base string) *e2eClient {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	return &e2eClient{t: t, base: u, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a GET, or a form POST when form is not nil, and returns the status, the
// Location header and the body.
func (w *e2eClient) do(method, path string, form url.Values) (int, string, string) {
	w.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, w.base.String()+path, body)
	if err != nil {
		w.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := w.c.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

func (w *e2eClient) cookie(name string) string {
	for _, c := range w.c.Jar.Cookies(w.base) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

var e2eCSRFField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// formCSRF returns the CSRF token of the page's first form.
func formCSRF(page string) string {
	if m := e2eCSRFField.FindStringSubmatch(page); m != nil {
		return m[1]
	}
	return ""
}
