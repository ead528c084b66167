package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"dais/internal/account"
	"dais/internal/demo"
	"dais/internal/document"
	"dais/internal/meeting"
	"dais/internal/store"
)

// TestTabletBrowser is issue 5's parts 6 and 7 in headless Chromium: two delegates'
// tablet pages follow a new document version and the chair's current item live, without
// reload; then, with the network gone, the tablet page and a document reader page render
// from the service worker's cache, a note typed offline is queued and, once the network
// is back, saved exactly once although the answer to its first send is lost on the way.
// axe-core checks the tablet, the prepare page, the reader and the diff page, and the
// tablet is photographed at phone and tablet widths in both colour schemes
// ($DAIS_TEST_SCREENSHOTS).
func TestTabletBrowser(t *testing.T) {
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
	a, direct, seeded := startDemoApp(t, 100)
	wifi := newFlakyNet(t, direct)
	base := wifi.URL
	ctx := store.WithActor(context.Background(), "test")
	f := newTabletFixture(t, ctx, a)

	browser := startChromium(t, chromium, 1024, 900)
	// Each delegate in a browser context of their own: cookies, storage, service workers.
	tab := func(name string) (context.Context, func() []string) {
		c, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		if err := chromedp.Do(c); err != nil {
			t.Fatalf("open a browser context for %s: %v", name, err)
		}
		problems := watchConsole(t, c)
		c, cancel = context.WithTimeout(c, 4*time.Minute)
		t.Cleanup(cancel)
		return c, problems
	}
	do := func(c context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(c, steps...); err != nil {
			// Say what the page shows, to tell a slow page from a wrong one.
			state, _ := chromedp.Run(c, chromedp.Evaluate[string](`JSON.stringify({url: location.href,
				tablet: Object.assign({}, (document.querySelector('.tablet') || {}).dataset), online: navigator.onLine,
				status: (document.getElementById('note-status') || {}).textContent,
				banner: !(document.getElementById('offline-banner') || {hidden: true}).hidden})`))
			t.Fatalf("%s: %v\n\tpage: %s", what, err, state)
		}
	}
	eval := func(c context.Context, what, js string) string {
		t.Helper()
		s, err := chromedp.Run(c, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return s
	}
	login := func(c context.Context, user, code string) {
		t.Helper()
		do(c, "open /login as "+user, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.SendKeys(chromedp.ID("username"), user), chromedp.SendKeys(chromedp.ID("password"), demo.Password))
		if _, err := chromedp.Run(c, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS("main button[type=submit]")))); err != nil {
			t.Fatalf("log in %s: %v", user, err)
		}
		if code != "" {
			do(c, "second factor for "+user, chromedp.WaitVisible(chromedp.ID("code")), chromedp.SendKeys(chromedp.ID("code"), code))
			if _, err := chromedp.Run(c, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS("main button[type=submit]")))); err != nil {
				t.Fatalf("second factor %s: %v", user, err)
			}
		}
		if loc := eval(c, "location", `location.pathname`); loc != "/" {
			t.Fatalf("%s logged in lands on %s, want /", user, loc)
		}
	}
	tablet := base + "/meetings/" + f.meeting + "/tablet"
	openTablet := func(c context.Context, who string) {
		t.Helper()
		do(c, who+" opens the tablet", chromedp.Navigate(tablet), chromedp.WaitVisible(chromedp.ID("agenda")),
			// connected to /live, and the service worker has kept the pages for offline use
			chromedp.Poll[chromedp.Void](`document.querySelector('.tablet').dataset.live === 'open' &&
				document.querySelector('.tablet').dataset.offline === 'ready'`),
			chromedp.Evaluate[chromedp.Void](`window.__sameDocument = 'kept'`))
	}

	// --- two delegates follow the meeting live ------------------------------------------
	ctxA, problemsA := tab("daibieu")
	ctxB, problemsB := tab("daibieu2")
	login(ctxA, "daibieu", "")
	login(ctxB, "daibieu2", "")
	openTablet(ctxA, "daibieu")
	openTablet(ctxB, "daibieu2")
	for _, c := range []context.Context{ctxA, ctxB} {
		if got := eval(c, "document link", fmt.Sprintf(`(document.querySelector('#agenda a[href="/documents/%s"]') || {}).textContent || ''`, f.doc)); got != f.docTitle {
			t.Fatalf("the tablet lists %q for the attached document, want %q", got, f.docTitle)
		}
	}

	// The secretary publishes version 2 through the document service.
	if _, err := a.documents.AddVersion(ctx, f.bithu, f.doc, document.NewVersion{Base: 1, Filename: "nghi-quyet-v2.md", Note: "Tiếp thu ý kiến các đoàn",
		Data: []byte("# Dự thảo Nghị quyết Đại hội\n\nĐại hội thống nhất thông qua Báo cáo chính trị, có sửa đổi theo ý kiến các đoàn đại biểu.\n")}); err != nil {
		t.Fatal(err)
	}
	newVersion := fmt.Sprintf(`(() => { const b = document.querySelector('#agenda a[href="/documents/%s"] ~ .new-version');
		return !!b && b.dataset.version === '2' && b.textContent.includes('bản 2') && window.__sameDocument === 'kept'; })()`, f.doc)
	for who, c := range map[string]context.Context{"daibieu": ctxA, "daibieu2": ctxB} {
		if err := chromedp.Do(c, chromedp.Poll[chromedp.Void](newVersion, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			t.Fatalf("%s's tablet does not mark version 2 without a reload: %v", who, err)
		}
	}

	// The chair moves the meeting to the next item.
	if err := a.meetings.SetCurrent(ctx, f.chair, f.meeting, f.next.ID); err != nil {
		t.Fatal(err)
	}
	current := fmt.Sprintf(`(() => { const li = document.getElementById('item-%s');
		return !!li && li.classList.contains('current') && li.getAttribute('aria-current') === 'step' &&
			document.querySelectorAll('#agenda li.current').length === 1 &&
			document.querySelector('#current .now-title').textContent.includes(%q) && window.__sameDocument === 'kept'; })()`, f.next.ID, f.next.Title)
	for who, c := range map[string]context.Context{"daibieu": ctxA, "daibieu2": ctxB} {
		if err := chromedp.Do(c, chromedp.Poll[chromedp.Void](current, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
			t.Fatalf("%s's tablet does not highlight the chair's item without a reload: %v", who, err)
		}
	}
	// The version mark survived the agenda's re-render.
	if ok, _ := chromedp.Run(ctxA, chromedp.Evaluate[bool](newVersion)); !ok {
		t.Error("the new-version mark is gone after the agenda was re-rendered")
	}

	// --- offline -----------------------------------------------------------------------
	// until evaluates a promise until it gives true (Poll does not await promises).
	until := func(c context.Context, what, js string) {
		t.Helper()
		for {
			ok, err := chromedp.Run(c, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			if ok {
				return
			}
			select {
			case <-c.Done():
				t.Fatalf("%s: %v", what, c.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	// The worker refreshed its copy of the reader page when version 2 was announced.
	until(ctxA, "the reader page of version 2 is kept", fmt.Sprintf(`caches.open('dais-pages').then(c => c.match('/documents/%s'))
		.then(r => r ? r.text() : '').then(t => t.includes('có sửa đổi theo ý kiến'))`, f.doc))
	offline := func(off bool) {
		t.Helper()
		wifi.setOffline(off)
		cond := []*network.Conditions{{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}}
		if !off {
			cond = []*network.Conditions{}
		}
		err := chromedp.Do(ctxA, chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(c, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
				EmulateOfflineServiceWorker: &off, MatchedNetworkConditions: cond}); err != nil {
				return err
			}
			_, err := chromedp.Call(c, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1})
			return err
		}))
		if err != nil {
			t.Fatalf("network offline=%v: %v", off, err)
		}
	}
	if err := chromedp.Do(ctxA, chromedp.Func(func(c context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(c, network.Enable, network.EnableParams{})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	offline(true)
	before := wifi.served.Load()
	fromCache := func(what, target, ready string) {
		t.Helper()
		resp, err := chromedp.Run(ctxA, chromedp.NavigateResponse(target))
		if err != nil {
			t.Fatalf("offline %s: %v", what, err)
		}
		if resp.Status != http.StatusOK || !resp.FromServiceWorker {
			t.Fatalf("offline %s: status %d, from the service worker %v; want 200 from the worker", what, resp.Status, resp.FromServiceWorker)
		}
		do(ctxA, "offline "+what, chromedp.WaitVisible(chromedp.CSS(ready)))
	}
	fromCache("tablet", tablet, "#offline-banner")
	if h1 := eval(ctxA, "h1", `document.querySelector('main h1').textContent`); h1 != f.title {
		t.Errorf("offline tablet h1 = %q, want %q", h1, f.title)
	}
	// The cached page is from before the chair's move; the fragments kept since are newer.
	if err := chromedp.Do(ctxA, chromedp.Poll[chromedp.Void](fmt.Sprintf(`!!document.querySelector('#item-%s.current')`, f.next.ID))); err != nil {
		t.Errorf("the offline tablet does not show the current item: %v", err)
	}
	fromCache("document reader", base+"/documents/"+f.doc, "#doc-text")
	if h1 := eval(ctxA, "reader h1", `document.querySelector('main h1').textContent`); h1 != f.docTitle {
		t.Errorf("offline reader h1 = %q, want %q", h1, f.docTitle)
	}
	if text := eval(ctxA, "reader text", `document.getElementById('doc-text').textContent + document.querySelector('.doc-meta').textContent`); !strings.Contains(text, "có sửa đổi theo ý kiến") || !strings.Contains(text, "Phiên bản 2") {
		t.Errorf("the offline reader does not show version 2: %q", text)
	}
	if n := wifi.served.Load() - before; n != 0 {
		t.Errorf("%d requests reached the server while offline", n)
	}

	// A note typed offline is queued on the device.
	fromCache("tablet again", tablet, "#note-form")
	const note = "Đề nghị bổ sung chỉ tiêu chuyển đổi số vào Nghị quyết (ghi khi mất mạng)."
	do(ctxA, "type a note offline", chromedp.SetValue(chromedp.ID("note-body"), note),
		chromedp.Click(chromedp.CSS("#note-form button[type=submit]")),
		chromedp.Poll[chromedp.Void](`document.getElementById('note-status').textContent.includes('Chưa có mạng') &&
			document.querySelector('.tablet').dataset.notes === 'queued' && JSON.parse(localStorage.getItem('dais.notes.' + document.querySelector('.tablet').dataset.user) || '[]').length === 1`))
	if n := noteSaves(t, a, f.meeting, f.daibieu.UserID); n != 0 {
		t.Fatalf("%d note saves while offline", n)
	}
	// Meanwhile the chair moves back to the report: the offline page misses the event.
	if err := a.meetings.SetCurrent(ctx, f.chair, f.meeting, f.report.ID); err != nil {
		t.Fatal(err)
	}

	// Back online, the first send reaches the server but its answer is lost; the page keeps
	// the note queued, and the next time the connection returns it sends it again with the
	// same key: the server answers "saved" without a second write.
	wifi.loseNoteAnswers(true)
	offline(false)
	for wifi.notePosts.Load() == 0 {
		select {
		case <-ctxA.Done():
			t.Fatal("the queued note was not sent when the network returned")
		case <-time.After(20 * time.Millisecond):
		}
	}
	// The page noticed the failure: the note is still queued.
	do(ctxA, "the first send's answer is lost", chromedp.Poll[chromedp.Void](`document.querySelector('.tablet').dataset.notes === 'queued' &&
		document.getElementById('note-status').textContent.includes('Chưa có mạng') &&
		JSON.parse(localStorage.getItem('dais.notes.' + document.querySelector('.tablet').dataset.user) || '[]').length === 1`))
	// (Chromium itself may send a POST again on a reset connection: the key dedupes that too.)
	lost := wifi.notePosts.Load()
	if n := noteSaves(t, a, f.meeting, f.daibieu.UserID); n != 1 {
		t.Fatalf("the lost sends wrote the note %d times, want once", n)
	}
	wifi.loseNoteAnswers(false)
	offline(true)
	offline(false)
	do(ctxA, "the note is replayed", chromedp.Poll[chromedp.Void](`document.getElementById('note-status').textContent === 'Đã lưu ghi chép.' &&
		JSON.parse(localStorage.getItem('dais.notes.' + document.querySelector('.tablet').dataset.user) || '[]').length === 0`))
	if n := wifi.notePosts.Load(); n <= lost {
		t.Errorf("%d note posts reached the server, want more than the %d lost", n, lost)
	}
	if n := noteSaves(t, a, f.meeting, f.daibieu.UserID); n != 1 {
		t.Errorf("the note was written %d times, want once", n)
	}
	if got, err := a.meetings.Note(ctx, f.daibieu, f.meeting); err != nil || got != note {
		t.Errorf("stored note %q (%v), want %q", got, err, note)
	}
	// And the page caught up: the change made while it was offline shows, the stream is
	// open again, and a change made now arrives live.
	do(ctxA, "caught up after the break", chromedp.Poll[chromedp.Void](fmt.Sprintf(`!!document.querySelector('#item-%s.current') &&
		document.querySelector('.tablet').dataset.live === 'open' && document.getElementById('offline-banner').hidden &&
		window.__sameDocument === undefined`, f.report.ID)))
	do(ctxA, "mark the document", chromedp.Evaluate[chromedp.Void](`window.__sameDocument = 'kept'`))
	if err := a.meetings.SetCurrent(ctx, f.chair, f.meeting, f.next.ID); err != nil {
		t.Fatal(err)
	}
	do(ctxA, "live again", chromedp.Poll[chromedp.Void](current))

	// --- accessibility and screenshots ----------------------------------------------------
	check := func(c context.Context, name string) {
		t.Helper()
		do(c, name+": wait for htmx", chromedp.Poll[chromedp.Void](`document.readyState === 'complete' && !document.querySelector('.htmx-request')`))
		for _, scheme := range []string{"light", "dark"} {
			do(c, "colour scheme", emulateColorScheme(scheme))
			t.Run("axe/"+name+"/"+scheme, func(t *testing.T) { runAxe(t, c, axeJS) })
		}
		do(c, "colour scheme", emulateColorScheme(""))
	}
	do(ctxA, "open the tablet", chromedp.Navigate(tablet), chromedp.WaitVisible(chromedp.ID("agenda")))
	// The mark of the new version stays, after a reload, until the delegate opens it.
	if ok, _ := chromedp.Run(ctxA, chromedp.Evaluate[bool](strings.Replace(newVersion, "window.__sameDocument === 'kept'", "true", 1))); !ok {
		t.Error("the new-version mark is gone after a reload")
	}
	check(ctxA, "tablet")
	for _, w := range []struct {
		name string
		w, h int64
	}{{"phone", 390, 844}, {"tablet", 1024, 768}} {
		do(ctxA, "viewport", chromedp.EmulateViewport(w.w, w.h))
		for _, scheme := range []string{"light", "dark"} {
			do(ctxA, "colour scheme", emulateColorScheme(scheme))
			if over, _ := chromedp.Run(ctxA, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)); over {
				t.Errorf("the tablet page scrolls sideways at %d px (%s)", w.w, scheme)
			}
			saveScreenshot(t, ctxA, shots, "tablet-"+w.name+"-"+scheme)
		}
	}
	do(ctxA, "reset", emulateColorScheme(""), chromedp.ResetViewport())
	do(ctxA, "open the reader", chromedp.Navigate(base+"/documents/"+f.doc), chromedp.WaitVisible(chromedp.ID("doc-text")))
	check(ctxA, "reader")
	saveScreenshot(t, ctxA, shots, "reader")
	do(ctxA, "open the diff", chromedp.Navigate(base+"/documents/"+f.doc+"/diff"), chromedp.WaitVisible(chromedp.CSS("table.doc-diff")))
	check(ctxA, "diff")
	saveScreenshot(t, ctxA, shots, "diff")

	ctxC, problemsC := tab("bithu")
	code, err := account.TOTPCode(f.bithuSecret(seeded), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	login(ctxC, "bithu", code)
	do(ctxC, "open the prepare page", chromedp.Navigate(base+"/meetings/"+f.meeting), chromedp.WaitVisible(chromedp.ID("agenda")))
	check(ctxC, "prepare")
	saveScreenshot(t, ctxC, shots, "prepare")

	// The offline part makes the browser log failed requests; scripts must not fail.
	for who, problems := range map[string]func() []string{"daibieu": problemsA, "daibieu2": problemsB, "bithu": problemsC} {
		for _, p := range problems() {
			if strings.HasPrefix(p, "exception") || strings.Contains(p, "Content Security Policy") || strings.Contains(p, "Refused to") {
				t.Errorf("%s's browser: %s", who, p)
			} else {
				t.Logf("%s's browser (expected while offline): %s", who, p)
			}
		}
	}
}

// tabletFixture is what the test adds to the demo: a second delegate, a document of the
// congress attached to the political report, and the principals that act on the server.
type tabletFixture struct {
	meeting, title string
	report, next   meeting.Item
	doc, docTitle  string
	bithu, chair   *store.Principal
	daibieu        *store.Principal
}

func newTabletFixture(t *testing.T, ctx context.Context, a *app) *tabletFixture {
	t.Helper()
	f := &tabletFixture{}
	as := func(user string) *store.Principal {
		u, err := a.accounts.UserByName(ctx, user)
		if err != nil {
			t.Fatalf("user %s: %v", user, err)
		}
		gs, err := a.accounts.Grants(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return &store.Principal{UserID: u.ID, Username: user, Name: u.DisplayName, Grants: gs}
	}
	f.bithu, f.chair, f.daibieu = as("bithu"), as("chutoa"), as("daibieu")
	if err := a.db.R().QueryRowContext(ctx, `SELECT id, title FROM meetings WHERE kind = 'congress' ORDER BY starts_at LIMIT 1`).Scan(&f.meeting, &f.title); err != nil {
		t.Fatalf("the demo congress: %v", err)
	}
	_, ag, err := a.meetings.Agenda(ctx, f.bithu, f.meeting)
	if err != nil {
		t.Fatal(err)
	}
	var items []meeting.Item
	for _, se := range ag.Sessions {
		items = append(items, se.Items...)
	}
	for i, it := range items {
		if it.Current && i+1 < len(items) {
			f.report, f.next = it, items[i+1]
		}
	}
	if f.report.ID == "" {
		t.Fatal("the demo congress has no current item with one after it")
	}

	// A second delegate of the province, invited to the congress.
	u, err := a.accounts.CreateUser(ctx, account.NewUser{Username: "daibieu2", DisplayName: "Lê Văn Bình", Password: demo.Password})
	if err != nil {
		t.Fatal(err)
	}
	var bn string
	if err := a.db.R().QueryRowContext(ctx, `SELECT id FROM units WHERE code = 'BN'`).Scan(&bn); err != nil {
		t.Fatal(err)
	}
	if err := a.accounts.Grant(ctx, u.ID, store.RoleDelegate, bn); err != nil {
		t.Fatal(err)
	}
	if _, err := a.meetings.AddParticipant(ctx, f.bithu, f.meeting, meeting.ParticipantInput{Username: "daibieu2", Role: meeting.RoleDelegate, DelegateNumber: "126"}); err != nil {
		t.Fatal(err)
	}

	// The draft resolution, a document of the congress (its versions are announced on the
	// meeting's topic), attached to the political report.
	f.docTitle = "Dự thảo Nghị quyết Đại hội đại biểu Đảng bộ tỉnh lần thứ XXI"
	d, err := a.documents.Upload(ctx, f.bithu, document.NewDocument{UnitCode: "BN", MeetingID: f.meeting, Title: f.docTitle,
		Classification: "internal", ReadRoles: []string{document.RolePresidium, document.RoleSecretariat, document.RoleDelegate},
		Filename: "nghi-quyet.md", Data: []byte("# Dự thảo Nghị quyết Đại hội\n\nĐại hội thống nhất thông qua Báo cáo chính trị.\n")})
	if err != nil {
		t.Fatal(err)
	}
	f.doc = d.ID
	in := meeting.ItemInput{SessionID: f.report.SessionID, Title: f.report.Title, PlannedStart: f.report.PlannedStart, DurationMin: f.report.DurationMin,
		Presenter: f.report.Presenter, Notes: f.report.Notes, Documents: append(append([]string(nil), f.report.Documents...), d.ID)}
	if err := a.meetings.UpdateItem(ctx, f.bithu, f.meeting, f.report.ID, in); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *tabletFixture) bithuSecret(res demo.Result) string {
	for _, l := range res.Logins {
		if l.Username == "bithu" {
			return l.TOTPSecret
		}
	}
	return ""
}

// noteSaves counts the audited writes of a user's notes on a meeting.
func noteSaves(t *testing.T, a *app, meetingID, userID string) int {
	t.Helper()
	var n int
	if err := a.db.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.note' AND object_id = ?`,
		meetingID+"/"+userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// flakyNet stands between the browser and the server like the hall's Wi-Fi: it forwards
// requests, or, offline, drops every connection (open streams included); it can also
// let note saves reach the server and lose their answers on the way back.
type flakyNet struct {
	*httptest.Server
	offline   atomic.Bool
	loseNote  atomic.Bool
	served    atomic.Int64 // requests forwarded to the server
	notePosts atomic.Int64 // note saves forwarded
	mu        sync.Mutex
	open      map[*http.Request]context.CancelFunc
}

func newFlakyNet(t *testing.T, target string) *flakyNet {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	n := &flakyNet{open: map[*http.Request]context.CancelFunc{}}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)
	drop := func(w http.ResponseWriter) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0) // a reset, as when the Wi-Fi goes
			}
			conn.Close()
		}
	}
	n.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.offline.Load() {
			drop(w)
			return
		}
		ctx, cancel := context.WithCancel(r.Context())
		r = r.WithContext(ctx)
		n.mu.Lock()
		n.open[r] = cancel
		n.mu.Unlock()
		defer func() {
			n.mu.Lock()
			delete(n.open, r)
			n.mu.Unlock()
			cancel()
		}()
		n.served.Add(1)
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/notes") {
			n.notePosts.Add(1)
			if n.loseNote.Load() {
				proxy.ServeHTTP(httptest.NewRecorder(), r) // the server saves…
				drop(w)                                    // …and the answer never arrives
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		n.setOffline(true)
		n.Close()
	})
	return n
}

func (n *flakyNet) setOffline(off bool) {
	n.offline.Store(off)
	if off {
		n.mu.Lock()
		for _, cancel := range n.open {
			cancel() // ends the open event streams
		}
		n.mu.Unlock()
	}
}

func (n *flakyNet) loseNoteAnswers(on bool) { n.loseNote.Store(on) }
