package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"dais/internal/account"
	"dais/internal/demo"
	"dais/internal/leak"
)

// maxPageBytes is DESIGN.md §8's budget: a page, with its CSS and JS, gzip-compressed.
const maxPageBytes = 60 << 10

// TestBrowser drives headless Chromium through the officer's login (password, then the
// TOTP code) to the home page, runs axe-core on every page on the way and on the unit,
// member list and account pages, in the light and the dark colour scheme, and checks the
// home page's compressed weight. Screenshots go to $DAIS_TEST_SCREENSHOTS when it is set.
func TestBrowser(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		t.Skip("no Chromium: set DAIS_TEST_CHROMIUM or install Debian's chromium at /usr/bin/chromium")
	}
	axeJS := loadAxe(t)
	shots := os.Getenv("DAIS_TEST_SCREENSHOTS")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	base, seeded := startDemo(t, 300)
	var secret string
	for _, l := range seeded.Logins {
		if l.Username == "bithu" {
			secret = l.TOTPSecret
		}
	}
	if secret == "" {
		t.Fatal("the demo has no bithu with a TOTP secret")
	}

	browser := startChromium(t, chromium, 1280, 900)
	problems := watchConsole(t, browser)
	ctx, cancel := context.WithTimeout(browser, 3*time.Minute)
	t.Cleanup(cancel)

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	submit := func(what string) {
		t.Helper()
		// Wait for the load of the page the form's redirect leads to.
		if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
			chromedp.Click(chromedp.CSS("main button[type=submit]")))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	wantPath := func(want string) {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		if u, err := url.Parse(loc); err != nil || u.Path != want {
			t.Fatalf("the browser is at %s, want the path %s", loc, want)
		}
	}
	check := func(name string) {
		t.Helper()
		// htmx loads parts of some pages after the load event (hx-trigger="load"): let it
		// finish, so that axe and the screenshot see the whole page.
		if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](
			`document.readyState === 'complete' && !document.querySelector('.htmx-request')`)); err != nil {
			t.Fatalf("%s: wait for htmx: %v", name, err)
		}
		lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`))
		if err != nil || lang != "vi" {
			t.Errorf("%s: page language %q (%v), want vi", name, lang, err)
		}
		for _, scheme := range []string{"light", "dark"} {
			if err := chromedp.Do(ctx, emulateColorScheme(scheme)); err != nil {
				t.Fatal(err)
			}
			saveScreenshot(t, ctx, shots, name+"-"+scheme)
			t.Run("axe/"+name+"/"+scheme, func(t *testing.T) { runAxe(t, ctx, axeJS) })
		}
		if err := chromedp.Do(ctx, emulateColorScheme("")); err != nil {
			t.Fatal(err)
		}
	}

	do("open /login", chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("username")))
	check("login")

	do("fill in the login form", chromedp.SendKeys(chromedp.ID("username"), "bithu"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password))
	submit("log in")
	wantPath("/login/2fa")
	do("wait for the code field", chromedp.WaitVisible(chromedp.ID("code")))
	check("2fa")

	code, err := account.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	do("type the code", chromedp.SendKeys(chromedp.ID("code"), code))
	submit("second factor")
	wantPath("/")
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	if err != nil || h1 != "Đơn vị của tôi" {
		t.Errorf("home page h1 = %q (%v), want %q", h1, err, "Đơn vị của tôi")
	}
	// The province is the secretary's unit: its card must be visible, not merely present.
	province, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main a[href="/units/BN"]`), chromedp.NodeVisible))
	if err != nil || province != "Đảng bộ tỉnh Bắc Ninh" {
		t.Errorf("home page province link = %q (%v), want %q", province, err, "Đảng bộ tỉnh Bắc Ninh")
	}
	check("home")
	checkPageWeight(t, ctx, base)

	for _, p := range []struct{ name, path, ready string }{
		{"unit", "/units/BN", `a[href="/units/BN/members"]`},
		{"members", "/units/BN/members", "main table tbody tr"},
		{"account", "/account", "#current"},
	} {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(base+p.path))
		if err != nil {
			t.Fatalf("open %s: %v", p.path, err)
		}
		if resp.Status != http.StatusOK {
			t.Fatalf("open %s: status %d, want 200", p.path, resp.Status)
		}
		do("open "+p.path, chromedp.WaitVisible(chromedp.CSS(p.ready)))
		wantPath(p.path)
		check(p.name)
	}

	// A restricted document's page, as Chromium draws it, names its reader: trace-leak
	// decodes the fingerprint from a screenshot of the window.
	do("open the documents", chromedp.Navigate(base+"/documents"), chromedp.WaitVisible(chromedp.CSS("main")))
	docURL, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(Array.from(document.querySelectorAll('main a')).find(a => a.textContent.includes('Đề án nhân sự')) || {}).href || ''`))
	if err != nil || docURL == "" {
		t.Fatalf("no link to the demo's restricted document (%v)", err)
	}
	do("open the restricted document", chromedp.Navigate(docURL), chromedp.WaitVisible(chromedp.CSS("svg.leak-overlay")))
	check("document-restricted")
	copyAttr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("svg.leak-overlay"), "data-copy"))
	if err != nil || !copyAttr.Exists {
		t.Fatalf("the overlay has no copy code (%v)", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	found, err := leak.TraceFile(ctx, shot, leak.TraceOptions{})
	if err != nil || leak.FormatCode(found.ID) != copyAttr.Value {
		t.Errorf("a screenshot of the restricted page traced to %+v (%v), want copy %s", found, err, copyAttr.Value)
	}

	// The congress's polls: the list, a closed election, its projector results.
	do("open the meetings", chromedp.Navigate(base+"/meetings"), chromedp.WaitVisible(chromedp.CSS("main")))
	congress, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(Array.from(document.querySelectorAll('main a')).find(a => a.textContent.includes('Đại hội đại biểu')) || {}).href || ''`))
	if err != nil || congress == "" {
		t.Fatalf("no link to the demo congress (%v)", err)
	}
	do("open the congress's polls", chromedp.Navigate(congress+"/polls"), chromedp.WaitVisible(chromedp.CSS("main li a")))
	check("polls")
	election, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(Array.from(document.querySelectorAll('main li a')).find(a => a.textContent.includes('Bầu')) || {}).href || ''`))
	if err != nil || election == "" {
		t.Fatalf("no election among the congress's polls (%v)", err)
	}
	do("open the election", chromedp.Navigate(election), chromedp.WaitVisible(chromedp.CSS("main h1")))
	check("poll")
	do("open the results", chromedp.Navigate(election+"/results"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	check("results")
	// On the hall's screen: the same results without the navigation.
	do("open the results on the screen", chromedp.Navigate(election+"/results?screen=1"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('header.top, footer.foot, a.skip').length`)); err != nil || n != 0 {
		t.Errorf("the screen view keeps %d navigation elements (%v)", n, err)
	}
	check("results-screen")

	for _, p := range problems() {
		t.Errorf("browser console: %s", p)
	}
}

// startChromium starts a headless Chromium for the test (stopped when it ends), with
// the flags of DESIGN.md §9, Vietnamese first as the product's users, a window of w×h.
func startChromium(t *testing.T, chromium string, w, h int) context.Context {
	t.Helper()
	allocCtx, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("accept-lang", "vi"),
		chromedp.WindowSize(w, h),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancel)
	browser, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(browser); err != nil { // starts Chromium; no deadline on this one
		t.Fatalf("start %s: %v", chromium, err)
	}
	return browser
}

// findChromium returns $DAIS_TEST_CHROMIUM or Debian's chromium, whichever exists first.
func findChromium() string {
	for _, p := range []string{os.Getenv("DAIS_TEST_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// loadAxe reads axe-core from $DAIS_TEST_AXE, else from node_modules at the module's
// root (found by walking up to go.mod). It returns "" when there is none: the axe
// checks then skip, the rest of the test still runs.
func loadAxe(t *testing.T) string {
	path := os.Getenv("DAIS_TEST_AXE")
	if path == "" {
		dir, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				path = filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return ""
			}
			dir = parent
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Logf("axe-core not found (%v): accessibility checks skipped; run npm ci", err)
		return ""
	}
	return string(b)
}

func emulateColorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		p := emulation.SetEmulatedMediaParams{}
		if scheme != "" {
			p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
		}
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, p)
		return err
	})
}

// saveScreenshot saves a full-page PNG as DIR/NAME.png when DIR is set.
func saveScreenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Error(err)
	}
}

type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	HelpURL string   `json:"helpUrl"`
	Targets []string `json:"targets"`
}

// runAxe injects axe-core into the current page through the DevTools protocol (which
// the page's CSP, script-src 'self', does not govern) and fails on every serious or
// critical violation.
func runAxe(t *testing.T, ctx context.Context, axeJS string) {
	if axeJS == "" {
		t.Skip("axe-core is not installed")
	}
	// Once per document: the colour-scheme passes share the page.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === 'object'`))
	if err == nil && !loaded {
		loaded, err = chromedp.Run(ctx, chromedp.Evaluate[bool](axeJS+"\n;typeof axe === 'object' && typeof axe.run === 'function'"))
	}
	if err != nil || !loaded {
		t.Fatalf("inject axe-core: loaded %v, %v", loaded, err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ['violations']}).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
			targets: v.nodes.map(n => n.target.join(' '))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	for _, v := range vs {
		msg := fmt.Sprintf("axe %s: %s [%s] %s\n\t%s", v.Impact, v.ID, v.Help, v.HelpURL, strings.Join(v.Targets, "\n\t"))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(msg)
		} else {
			t.Log(msg)
		}
	}
}

// watchConsole records uncaught exceptions and error-level console and browser-log
// messages (a CSP violation is one) from now on; problems returns them.
func watchConsole(t *testing.T, ctx context.Context) (problems func() []string) {
	var mu sync.Mutex
	var out []string
	err := chromedp.Listen(ctx, func(ev any) {
		var p string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			p = "exception: " + ev.ExceptionDetails.Text
			if ex := ev.ExceptionDetails.Exception; ex != nil {
				p += " " + ex.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError {
				p = "console.error"
				for _, a := range ev.Args {
					p += " " + string(a.Value) + a.Description
				}
			}
		case *log.EventEntryAdded:
			// Dais serves no /favicon.ico: the browser's own request for it is not the page's.
			if ev.Entry.Level == log.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				p = fmt.Sprintf("%s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			}
		}
		if p != "" {
			mu.Lock()
			out = append(out, p)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("listen to the console: %v", err)
	}
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), out...)
	}
}

// checkPageWeight fetches the current page and every stylesheet, script and image it
// references as the browser would, asking for gzip, and sums the bytes on the wire.
func checkPageWeight(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
	if err != nil {
		t.Fatal(err)
	}
	var cookie []string
	for _, c := range cookies.Cookies {
		cookie = append(cookie, c.Name+"="+c.Value)
	}
	doc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	assets, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(
		'link[rel=stylesheet][href], link[rel=icon][href], script[src], img[src]')].map(e => e.href || e.src)`))
	if err != nil {
		t.Fatal(err)
	}
	cl := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 30 * time.Second}
	total := 0
	var report strings.Builder
	for _, u := range append([]string{doc}, assets...) {
		if strings.HasPrefix(u, "data:") {
			continue // inline (the empty favicon): no request, counted in the page itself
		}
		if !strings.HasPrefix(u, base+"/") {
			t.Errorf("page weight: %s is not served by Dais", u)
			continue
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("Cookie", strings.Join(cookie, "; "))
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatalf("page weight: %v", err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("page weight: GET %s = %d (%v)", u, resp.StatusCode, err)
		}
		enc := resp.Header.Get("Content-Encoding")
		if ct := resp.Header.Get("Content-Type"); enc != "gzip" && !strings.HasPrefix(ct, "image/") {
			t.Errorf("page weight: %s (%s) is not gzip-compressed", u, ct)
		}
		total += int(n)
		fmt.Fprintf(&report, "\n\t%7d  %-4s  %s", n, enc, strings.TrimPrefix(u, base))
	}
	t.Logf("home page weight, gzip: %d bytes%s", total, report.String())
	if total > maxPageBytes {
		t.Errorf("home page with its CSS and JS is %d bytes gzip-compressed, over the %d-byte budget", total, maxPageBytes)
	}
}
