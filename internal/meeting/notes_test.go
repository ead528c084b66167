package meeting

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"dais/internal/store"
	"dais/internal/store/storetest"
	"dais/internal/web"
	"dais/internal/web/webtest"
)

// noteWrites counts the audited note saves of a user on a meeting.
func noteWrites(t *testing.T, db *store.DB, meetingID, userID string) int {
	t.Helper()
	var n int
	if err := db.R().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action = 'meeting.note' AND object_id = ?`,
		meetingID+"/"+userID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNoteIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newHTTPEnv(t, db)
		ctx := store.WithActor(context.Background(), "test")
		officer := e.f.as("bithu", store.RoleSecretary, "P")
		m, err := e.svc.Create(ctx, officer, "P", Input{Kind: KindCongress, Title: "Đại hội", StartsAt: day, EndsAt: day.Add(8 * 3600e9)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.AddParticipant(ctx, officer, m.ID, ParticipantInput{Username: "daibieu", Role: RoleDelegate}); err != nil {
			t.Fatal(err)
		}
		delegate := e.f.as("daibieu", "", "")
		uid := e.f.users["daibieu"]

		// The service: a key writes once; the same save again is a replay.
		const key = "0f5b8c1e-6a7d-4e2b-9c3f-1a2b3c4d5e6f"
		for i, want := range []bool{false, true, true} {
			replayed, err := e.svc.SaveNoteOnce(ctx, delegate, m.ID, "Ghi chép khi mất mạng", key)
			if err != nil || replayed != want {
				t.Fatalf("save %d: replayed %v, %v; want %v", i, replayed, err, want)
			}
		}
		if n := noteWrites(t, db, m.ID, uid); n != 1 {
			t.Errorf("%d note writes, want 1", n)
		}
		// The same key with other text, or for another meeting, is a conflict; bad keys
		// are refused; no key always writes.
		if _, err := e.svc.SaveNoteOnce(ctx, delegate, m.ID, "Nội dung khác", key); code(err) != store.ECONFLICT {
			t.Errorf("key reused for other text: %v", err)
		}
		for _, bad := range []string{"short", "có dấu tiếng Việt 123", strings.Repeat("a", 65), "a b c d e f g h", "abc/def/ghi"} {
			if _, err := e.svc.SaveNoteOnce(ctx, delegate, m.ID, "x", bad); code(err) != store.EINVALID {
				t.Errorf("key %q: %v, want EINVALID", bad, err)
			}
		}
		if err := e.svc.SaveNote(ctx, delegate, m.ID, "Ghi chép mới"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.SaveNote(ctx, delegate, m.ID, "Ghi chép mới"); err != nil {
			t.Fatal(err)
		}
		if n := noteWrites(t, db, m.ID, uid); n != 3 {
			t.Errorf("%d note writes, want 3", n)
		}
		// An outsider's key does not reveal or touch anything.
		if _, err := e.svc.SaveNoteOnce(ctx, e.f.as("ngoai", store.RoleMember, "P.B"), m.ID, "x", "outsider-key-1"); code(err) != store.ENOTFOUND {
			t.Errorf("outsider: %v", err)
		}

		// Concurrent replays of one save (the answer to the first was lost): one write.
		const key2 = "concurrent-replay-0001"
		var wg sync.WaitGroup
		replays := make([]bool, 6)
		errs := make([]error, 6)
		for i := range replays {
			wg.Go(func() { replays[i], errs[i] = e.svc.SaveNoteOnce(ctx, delegate, m.ID, "Cùng một lần lưu", key2) })
		}
		wg.Wait()
		fresh := 0
		for i := range replays {
			if errs[i] != nil {
				t.Errorf("concurrent save %d: %v", i, errs[i])
			}
			if !replays[i] {
				fresh++
			}
		}
		if fresh != 1 {
			t.Errorf("%d of %d concurrent saves wrote, want 1", fresh, len(replays))
		}
		if n := noteWrites(t, db, m.ID, uid); n != 4 {
			t.Errorf("%d note writes, want 4", n)
		}

		// Over HTTP: the tablet's script posts with Idempotency-Key and reads JSON.
		post := func(key, body, accept string) (int, string) {
			v := url.Values{"csrf": {webtest.CSRF("tok-daibieu")}, "body": {body}}
			r := httptest.NewRequest("POST", "/meetings/"+m.ID+"/notes", strings.NewReader(v.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: "tok-daibieu"})
			if key != "" {
				r.Header.Set("Idempotency-Key", key)
			}
			if accept != "" {
				r.Header.Set("Accept", accept)
			}
			w := httptest.NewRecorder()
			e.srv.ServeHTTP(w, r)
			return w.Code, w.Body.String()
		}
		var got struct {
			Saved, Replayed bool
			Error           struct{ Code, Message string }
		}
		for i, want := range []bool{false, true} {
			st, body := post("http-key-000000001", "Ghi chép gửi lại", "application/json")
			if err := json.Unmarshal([]byte(body), &got); st != http.StatusOK || err != nil || !got.Saved || got.Replayed != want {
				t.Errorf("post %d: %d %s, want saved, replayed %v", i, st, body, want)
			}
		}
		if n := noteWrites(t, db, m.ID, uid); n != 5 {
			t.Errorf("%d note writes after two keyed posts, want 5", n)
		}
		st, body := post("http-key-000000001", "Khác", "application/json")
		if err := json.Unmarshal([]byte(body), &got); st != http.StatusConflict || err != nil || got.Error.Code != store.ECONFLICT ||
			!strings.Contains(got.Error.Message, "đã dùng") {
			t.Errorf("reused key: %d %s", st, body)
		}
		st, body = post("bad key!", "x", "application/json")
		if err := json.Unmarshal([]byte(body), &got); st != http.StatusUnprocessableEntity || err != nil || !strings.Contains(got.Error.Message, "không hợp lệ") {
			t.Errorf("bad key: %d %s", st, body)
		}
		// A plain form post (no script) still works and is redirected back to the tablet.
		if st, _ := post("", "Không có mã", ""); st != http.StatusSeeOther {
			t.Errorf("plain post: %d", st)
		}
		if n, _ := e.svc.Note(ctx, delegate, m.ID); n != "Không có mã" {
			t.Errorf("note %q", n)
		}
	})
}

func TestTabletScripts(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	e := newHTTPEnv(t, db)
	ctx := store.WithActor(context.Background(), "test")
	officer := e.f.as("bithu", store.RoleSecretary, "P")
	m, err := e.svc.Create(ctx, officer, "P", Input{Kind: KindCongress, Title: "Đại hội", StartsAt: day, EndsAt: day.Add(8 * 3600e9)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.AddParticipant(ctx, officer, m.ID, ParticipantInput{Username: "daibieu", Role: RoleDelegate}); err != nil {
		t.Fatal(err)
	}
	st, h, body := e.do("", "GET", "/meetings/sw.js?v=test", "")
	if st != http.StatusOK || h.Get("Service-Worker-Allowed") != "/" || !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(body, `addEventListener("fetch"`) {
		t.Errorf("sw.js: %d %v", st, h)
	}
	st, h, body = e.do("", "GET", "/meetings/tablet.js?v=test", "")
	if st != http.StatusOK || !strings.Contains(h.Get("Cache-Control"), "immutable") || !strings.Contains(body, "Idempotency-Key") {
		t.Errorf("tablet.js: %d %v", st, h)
	}
	st, _, body = e.do("daibieu", "GET", "/meetings/"+m.ID+"/tablet", "")
	for _, want := range []string{`src="/meetings/tablet.js?v=test"`, `data-sw="/meetings/sw.js?v=test"`, `data-meeting="` + m.ID + `"`,
		`data-user="` + e.f.users["daibieu"] + `"`, `id="offline-banner"`, `id="note-form"`, `data-msg-newver="Có bản mới (bản %d)"`} {
		if st != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("tablet page (%d) lacks %s", st, want)
		}
	}
}

func FuzzParseNoteKey(f *testing.F) {
	for _, s := range []string{"", "0f5b8c1e-6a7d-4e2b-9c3f-1a2b3c4d5e6f", "short", " padded-key-1 ", "a\x00bcdefghi", "ключ-ключ-ключ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := ParseNoteKey(s)
		if err != nil {
			if code(err) != store.EINVALID {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if k != "" && (len(k) < 8 || len(k) > 64 || strings.ContainsFunc(k, func(r rune) bool {
			return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_')
		})) {
			t.Fatalf("%q accepted as %q", s, k)
		}
		if k2, err := ParseNoteKey(k); err != nil || k2 != k {
			t.Fatalf("%q: not stable: %q %v", k, k2, err)
		}
	})
}
