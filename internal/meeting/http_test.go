package meeting

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"dais/internal/store"
	"dais/internal/store/storetest"
	"dais/internal/web"
	"dais/internal/web/webtest"
)

// The HTTP scenarios run the meeting routes on a real web.Server (templates, messages,
// CSRF, error rendering) over a real store, with sessions from a fake authenticator.

type httpEnv struct {
	t   *testing.T
	srv *web.Server
	f   *fixture
	svc *Service
	ev  *events
}

func newHTTPEnv(t *testing.T, db *store.DB) *httpEnv {
	t.Helper()
	f := newFixture(t, db)
	auth := webtest.Sessions{}
	for user, role := range map[string][2]string{
		"bithu": {store.RoleSecretary, "P"}, "thuky": {"", ""}, "daibieu": {store.RoleDelegate, "P"}, "ngoai": {store.RoleMember, "P.B"},
		"chutoa": {store.RoleChair, "P"},
	} {
		auth.Login("tok-"+user, f.as(user, role[0], role[1]))
	}
	srv := webtest.NewServer(t, web.Config{}, auth, Messages, "meeting", Templates())
	ev := &events{}
	svc := NewService(db, ev, nil)
	Routes(srv, svc, Options{Place: "Bắc Ninh"})
	return &httpEnv{t: t, srv: srv, f: f, svc: svc, ev: ev}
}

// do sends a request as user ("" anonymous): pages with the cookie (and the CSRF token in
// the form), /api/ with a bearer token. It returns the status, headers and the body.
func (e *httpEnv) do(user, method, target, body string) (int, http.Header, string) {
	e.t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	api := strings.HasPrefix(target, "/api/")
	if user != "" {
		if api {
			r.Header.Set("Authorization", "Bearer tok-"+user)
		} else {
			r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: "tok-" + user})
		}
	}
	switch {
	case api && body != "":
		r.Header.Set("Content-Type", "application/json")
	case body != "":
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	w := httptest.NewRecorder()
	e.srv.ServeHTTP(w, r)
	return w.Code, w.Header(), w.Body.String()
}

// form encodes kv pairs with the user's CSRF token.
func form(user string, kv ...string) string {
	v := url.Values{"csrf": {webtest.CSRF("tok-" + user)}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}

func TestHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newHTTPEnv(t, db)
		check := func(name string, status int, body string, wantStatus int, want ...string) {
			t.Helper()
			if status != wantStatus {
				t.Errorf("%s: status %d, want %d; body:\n%.2000s", name, status, wantStatus, body)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: body lacks %q", name, w)
				}
			}
		}

		// Create through the form.
		st, h, body := e.do("bithu", "POST", "/units/P.A/meetings", form("bithu", "kind", "congress", "title", "Đại hội Đảng bộ xã A lần thứ V",
			"starts_at", "2026-12-10T08:00", "ends_at", "2026-12-11T11:30", "place", "Hội trường UBND xã"))
		check("create", st, body, http.StatusSeeOther)
		id := strings.TrimPrefix(h.Get("Location"), "/meetings/")
		if !validID(id) {
			t.Fatalf("create redirected to %q", h.Get("Location"))
		}
		st, _, body = e.do("bithu", "POST", "/units/P.A/meetings", form("bithu", "kind", "congress", "title", "Họp", "starts_at", "31/02/2026 08:00"))
		check("create with a bad date", st, body, http.StatusUnprocessableEntity, "Thời gian không đọc được", `value="Họp"`)
		st, _, body = e.do("bithu", "POST", "/units/P.A/meetings", "kind=cell&title=x&starts_at=2026-12-10T08:00")
		check("create without CSRF", st, body, http.StatusForbidden)
		st, _, body = e.do("daibieu", "POST", "/units/P.A/meetings", form("daibieu", "kind", "cell", "title", "x", "starts_at", "2026-12-10T08:00"))
		check("delegate creates", st, body, http.StatusNotFound)

		// The secretary prepares it: agenda, documents, participants.
		st, _, body = e.do("bithu", "GET", "/meetings/"+id, "")
		check("prepare page", st, body, http.StatusOK, "Đại hội Đảng bộ xã A lần thứ V", "08:00 10/12/2026", `action="/meetings/`+id+`/items"`, "Phiên thứ nhất")
		st, _, body = e.do("bithu", "POST", "/meetings/"+id+"/items", form("bithu", "title", "Báo cáo chính trị của Ban Chấp hành",
			"presenter", "Đồng chí Bí thư Đảng ủy", "duration_min", "1h30", "documents", "doc-bc-1\n/documents/doc-bc-2"))
		check("add item", st, body, http.StatusSeeOther)
		st, _, body = e.do("bithu", "POST", "/meetings/"+id+"/items", form("bithu", "title", "Thảo luận", "duration_min", "45 phút"))
		check("add item 2", st, body, http.StatusSeeOther)
		st, _, body = e.do("bithu", "POST", "/meetings/"+id+"/items", form("bithu", "title", " ", "presenter", "Ai đó", "duration_min", "99 giờ"))
		check("add a bad item", st, body, http.StatusUnprocessableEntity, "Thời lượng phải", `value="Ai đó"`)
		for _, u := range [][3]string{{"thuky", "secretariat", ""}, {"daibieu", "delegate", "015"}, {"chutoa", "chair", ""}} {
			st, _, body = e.do("bithu", "POST", "/meetings/"+id+"/participants", form("bithu", "username", u[0], "role", u[1], "delegate_number", u[2]))
			check("invite "+u[0], st, body, http.StatusSeeOther)
		}
		st, _, body = e.do("bithu", "POST", "/meetings/"+id+"/participants", form("bithu", "username", "daibieu2", "role", "delegate", "delegate_number", "015"))
		check("taken number", st, body, http.StatusConflict, "Số đại biểu này đã được dùng")
		st, _, body = e.do("bithu", "GET", "/meetings/"+id+"?lang=en", "")
		check("prepare page in English", st, body, http.StatusOK, "Agenda", "Báo cáo chính trị của Ban Chấp hành", "90 min", "Delegate no.",
			"To remind (no answer yet)", "Hoàng Thị Mai")
		_, ag, _ := e.svc.Agenda(context.Background(), e.f.as("bithu", store.RoleSecretary, "P"), id)
		item1, item2 := ag.Sessions[0].Items[0], ag.Sessions[0].Items[1]
		st, _, body = e.do("bithu", "POST", "/meetings/"+id+"/items/"+item2.ID+"/move", form("bithu", "dir", "up"))
		check("move up", st, body, http.StatusSeeOther)

		// The delegate answers and opens the tablet page.
		st, _, body = e.do("daibieu", "GET", "/meetings/"+id, "")
		check("overview for a delegate", st, body, http.StatusOK, "Mở trang đại biểu", `action="/meetings/`+id+`/answer"`)
		if strings.Contains(body, `/items"`) {
			t.Errorf("a delegate gets the agenda editor")
		}
		st, _, body = e.do("daibieu", "POST", "/meetings/"+id+"/answer", form("daibieu", "answer", "accepted", "back", "tablet"))
		check("answer", st, body, http.StatusSeeOther)
		st, _, body = e.do("daibieu", "GET", "/meetings/"+id+"/tablet", "")
		check("tablet", st, body, http.StatusOK, `hx-ext="sse"`, `sse-connect="/live?topics=meeting.`+id+`&amp;cursor=meeting.`+id+`:`, `hx-trigger="sse:current`,
			`hx-get="/meetings/`+id+`/tablet/agenda"`, `href="/documents/doc-bc-2"`, "Sẽ tham dự", "015", "Chưa bắt đầu mục nào")
		if strings.Index(body, "Thảo luận") > strings.Index(body, "Báo cáo chính trị") {
			t.Errorf("the moved item is not first on the tablet")
		}
		st, _, body = e.do("ngoai", "GET", "/meetings/"+id+"/tablet", "")
		check("tablet of an outsider", st, body, http.StatusNotFound)

		// The chair's console sets the current item; screens get the event and the fragment.
		e.ev.take()
		st, _, body = e.do("daibieu", "POST", "/meetings/"+id+"/current", form("daibieu", "item_id", item1.ID))
		check("delegate sets the current item", st, body, http.StatusForbidden)
		st, _, body = e.do("thuky", "GET", "/meetings/"+id+"/control", "")
		check("console", st, body, http.StatusOK, "Bắt đầu mục này")
		st, _, body = e.do("thuky", "POST", "/meetings/"+id+"/current", form("thuky", "item_id", item1.ID))
		check("set current", st, body, http.StatusSeeOther)
		if got := e.ev.take(); len(got) != 1 || got[0] != "meeting."+id+" current" {
			t.Errorf("events %v", got)
		}
		st, _, body = e.do("daibieu", "GET", "/meetings/"+id+"/tablet/current", "")
		check("current fragment", st, body, http.StatusOK, "Đang thảo luận", "Báo cáo chính trị của Ban Chấp hành")
		if strings.Contains(body, "<html") {
			t.Errorf("the fragment is a whole page")
		}
		st, _, body = e.do("daibieu", "GET", "/meetings/"+id+"/tablet/agenda", "")
		check("agenda fragment", st, body, http.StatusOK, `class="current"`, "Thảo luận")

		// Notes.
		st, _, body = e.do("daibieu", "POST", "/meetings/"+id+"/notes", form("daibieu", "body", "Đề nghị bổ sung chỉ tiêu"))
		check("notes", st, body, http.StatusSeeOther)
		st, _, body = e.do("daibieu", "GET", "/meetings/"+id+"/tablet", "")
		check("notes shown", st, body, http.StatusOK, "Đề nghị bổ sung chỉ tiêu")

		// Minutes: edit, conflict, finalize, PDF.
		st, _, body = e.do("daibieu", "GET", "/meetings/"+id+"/minutes", "")
		check("a delegate opens the draft", st, body, http.StatusForbidden)
		st, _, body = e.do("thuky", "GET", "/meetings/"+id+"/minutes", "")
		check("minutes editor", st, body, http.StatusOK, `name="section.`+item1.ID+`"`, "Phạm Quang Hùng")
		st, _, body = e.do("thuky", "POST", "/meetings/"+id+"/minutes", form("thuky", "version", "0", "chair", "Phạm Quang Hùng", "secretary", "Hoàng Thị Mai",
			"section."+item1.ID, "Đại hội nghe báo cáo chính trị."))
		check("save minutes", st, body, http.StatusSeeOther)
		st, _, body = e.do("thuky", "POST", "/meetings/"+id+"/minutes", form("thuky", "version", "0", "section."+item1.ID, "Bản của người thứ hai"))
		check("stale minutes", st, body, http.StatusConflict, "Biên bản vừa được người khác lưu", "Bản của người thứ hai")
		st, _, body = e.do("thuky", "POST", "/meetings/"+id+"/minutes/finalize", form("thuky", "version", "1"))
		check("finalize", st, body, http.StatusSeeOther)
		st, h, body = e.do("daibieu", "GET", "/meetings/"+id+"/minutes.pdf", "")
		check("minutes PDF", st, body, http.StatusOK, "%PDF-")
		if h.Get("Content-Type") != "application/pdf" || !strings.Contains(h.Get("Content-Disposition"), "bien-ban-v1.pdf") {
			t.Errorf("PDF headers %v", h)
		}
		st, _, body = e.do("daibieu", "GET", "/meetings/"+id+"/minutes.pdf?version=abc", "")
		check("bad version", st, body, http.StatusUnprocessableEntity)
		st, _, body = e.do("daibieu", "GET", "/meetings/"+id+"/minutes.pdf?draft=1", "")
		check("a delegate prints the draft", st, body, http.StatusForbidden)
		st, _, body = e.do("ngoai", "GET", "/meetings/"+id+"/minutes.pdf", "")
		check("an outsider prints the minutes", st, body, http.StatusNotFound)

		// Lists.
		st, _, body = e.do("daibieu", "GET", "/meetings", "")
		check("my meetings", st, body, http.StatusOK, "Đại hội Đảng bộ xã A lần thứ V", "/meetings/"+id+"/tablet")
		st, _, body = e.do("bithu", "GET", "/units/P/meetings", "")
		check("unit meetings", st, body, http.StatusOK, "Đại hội Đảng bộ xã A lần thứ V", "/units/P/meetings/new")
		st, _, body = e.do("ngoai", "GET", "/units/P.A/meetings", "")
		check("unit meetings of an outsider", st, body, http.StatusNotFound)
		st, _, body = e.do("", "GET", "/meetings", "")
		check("anonymous", st, body, http.StatusSeeOther)
	})
}

func TestAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newHTTPEnv(t, db)
		call := func(user, method, target, body string, want int) map[string]any {
			t.Helper()
			st, _, out := e.do(user, method, target, body)
			if st != want {
				t.Fatalf("%s %s: %d, want %d: %s", method, target, st, want, out)
			}
			var v map[string]any
			if out != "" {
				if err := json.Unmarshal([]byte(out), &v); err != nil {
					t.Fatalf("%s %s: not JSON: %s", method, target, out)
				}
			}
			return v
		}
		call("bithu", "POST", "/api/v1/units/P.A/meetings", `{"kind":"cell","title":"x","starts_at":"2026-12-10"}`, http.StatusUnprocessableEntity)
		call("bithu", "POST", "/api/v1/units/P.A/meetings", `{"kind":"cell","title":"x","starts_at":"2026-12-10T08:00:00+07:00","extra":1}`, http.StatusUnprocessableEntity)
		v := call("bithu", "POST", "/api/v1/units/P.A.C/meetings", `{"kind":"cell","title":"Sinh hoạt chi bộ tháng 12","starts_at":"2026-12-10T19:30:00+07:00"}`, http.StatusCreated)
		m := v["meeting"].(map[string]any)
		id := m["id"].(string)
		if m["starts_at"] != "2026-12-10T12:30:00Z" || m["ends_at"] != "2026-12-10T15:30:00Z" {
			t.Errorf("times %v %v", m["starts_at"], m["ends_at"])
		}
		v = call("bithu", "POST", "/api/v1/meetings/"+id+"/items", `{"title":"Kiểm điểm tháng 11","duration_min":40,"documents":["d1"]}`, http.StatusCreated)
		item := v["id"].(string)
		call("bithu", "POST", "/api/v1/meetings/"+id+"/participants", `{"username":"daibieu","role":"member"}`, http.StatusCreated)
		call("bithu", "POST", "/api/v1/meetings/"+id+"/participants", `{"username":"thuky","role":"secretariat"}`, http.StatusCreated)
		v = call("daibieu", "GET", "/api/v1/meetings/"+id, "", http.StatusOK)
		if v["meeting"].(map[string]any)["my_role"] != "member" || len(v["participants"].([]any)) != 2 {
			t.Errorf("detail %v", v)
		}
		sessions := v["agenda"].(map[string]any)["sessions"].([]any)
		items := sessions[0].(map[string]any)["items"].([]any)
		if items[0].(map[string]any)["documents"].([]any)[0] != "d1" {
			t.Errorf("items %v", items)
		}
		call("daibieu", "PUT", "/api/v1/meetings/"+id+"/current", `{"item_id":"`+item+`"}`, http.StatusForbidden)
		call("thuky", "PUT", "/api/v1/meetings/"+id+"/current", `{"item_id":"`+item+`"}`, http.StatusOK)
		call("daibieu", "POST", "/api/v1/meetings/"+id+"/answer", `{"answer":"excused"}`, http.StatusUnprocessableEntity)
		call("daibieu", "POST", "/api/v1/meetings/"+id+"/answer", `{"answer":"excused","reason":"Đi viện"}`, http.StatusOK)
		v = call("thuky", "GET", "/api/v1/meetings/"+id+"/reminders", "", http.StatusOK)
		if n := len(v["participants"].([]any)); n != 1 {
			t.Errorf("reminders %v", v)
		}
		v = call("bithu", "PATCH", "/api/v1/meetings/"+id, `{"place":"Nhà văn hóa thôn"}`, http.StatusOK)
		if v["meeting"].(map[string]any)["place"] != "Nhà văn hóa thôn" || v["meeting"].(map[string]any)["status"] != "open" {
			t.Errorf("patched %v", v)
		}
		call("bithu", "PATCH", "/api/v1/meetings/"+id, `{"version":99,"place":"x"}`, http.StatusConflict)
		v = call("thuky", "GET", "/api/v1/meetings/"+id+"/minutes", "", http.StatusOK)
		mn := v["minutes"].(map[string]any)
		if mn["version"].(float64) != 0 || len(mn["sections"].([]any)) != 1 {
			t.Errorf("minutes %v", mn)
		}
		call("thuky", "PUT", "/api/v1/meetings/"+id+"/minutes", `{"version":0,"sections":[{"item_id":"`+item+`","text":"Chi bộ kiểm điểm."}]}`, http.StatusOK)
		call("thuky", "POST", "/api/v1/meetings/"+id+"/minutes/finalize", `{"version":1}`, http.StatusCreated)
		v = call("daibieu", "GET", "/api/v1/meetings/"+id+"/minutes", "", http.StatusOK)
		if v["minutes"].(map[string]any)["final"].(float64) != 1 {
			t.Errorf("a member reads %v", v)
		}
		v = call("daibieu", "GET", "/api/v1/meetings", "", http.StatusOK)
		if len(v["meetings"].([]any)) != 1 {
			t.Errorf("mine %v", v)
		}
		call("ngoai", "GET", "/api/v1/meetings/"+id, "", http.StatusNotFound)
		call("bithu", "DELETE", "/api/v1/meetings/"+id+"/participants/"+e.f.users["daibieu"], "", http.StatusNoContent)
		call("bithu", "DELETE", "/api/v1/meetings/"+id+"/items/"+item, "", http.StatusNoContent)
		call("bithu", "DELETE", "/api/v1/meetings/"+id+"/items/"+item, "", http.StatusNotFound)
		v = call("bithu", "GET", "/api/v1/units/P/meetings", "", http.StatusOK)
		if len(v["meetings"].([]any)) != 1 {
			t.Errorf("unit list %v", v)
		}
	})
}

// TestTabletWeight checks DESIGN.md §8: the delegate's page, with everything it loads
// (layout, styles, htmx and its SSE extension), is at most 60 KB gzip before documents.
func TestTabletWeight(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newHTTPEnv(t, db)
	ctx := store.WithActor(context.Background(), "test")
	officer := e.f.as("bithu", store.RoleSecretary, "P")
	m, err := e.svc.Create(ctx, officer, "P", Input{Kind: KindCongress, Title: "Đại hội đại biểu Đảng bộ tỉnh lần thứ XXI, nhiệm kỳ 2025–2030", StartsAt: day, EndsAt: day.Add(50 * 3600e9)})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 { // a long congress agenda
		if _, err := e.svc.AddItem(ctx, officer, m.ID, ItemInput{Title: "Báo cáo tổng kết việc thực hiện Nghị quyết Đại hội, phương hướng nhiệm kỳ tới, mục " + string(rune('A'+i%26)),
			Presenter: "Đồng chí Ủy viên Ban Thường vụ Tỉnh ủy", DurationMin: 30, Documents: []string{"0193a7b2-5c1e-7f00-9a3b-" + strings.Repeat("0", 10) + string(rune('a'+i%26)) + "1"}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.AddParticipant(ctx, officer, m.ID, ParticipantInput{Username: "daibieu", Role: RoleDelegate, DelegateNumber: "101"}); err != nil {
		t.Fatal(err)
	}
	total := 0
	var scripts []string
	get := func(target string) string {
		r := httptest.NewRequest("GET", target, nil)
		r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: "tok-daibieu"})
		r.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		e.srv.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", target, w.Code)
		}
		total += w.Body.Len()
		if w.Header().Get("Content-Encoding") != "gzip" {
			t.Fatalf("GET %s: not compressed", target)
		}
		zr, err := gzip.NewReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		return string(b)
	}
	page := get("/meetings/" + m.ID + "/tablet")
	for _, ref := range regexp.MustCompile(`(?:src|href)="(/(?:static|meetings)/[^"]+\.(?:js|css)[^"]*)"`).FindAllStringSubmatch(page, -1) {
		scripts = append(scripts, ref[1])
		get(ref[1])
	}
	if len(scripts) < 4 {
		t.Errorf("found only %v on the page", scripts)
	}
	t.Logf("tablet page with %d assets: %d bytes gzip", len(scripts), total)
	if total > 60*1024 {
		t.Errorf("tablet page weighs %d bytes gzip, more than 60 KB", total)
	}
}
