package document

import (
	"bytes"
	"encoding/json"
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

// The pages and API through the real web layer (sessions, CSRF, error rendering) on a
// real store, once per database, with the store fixture's people.

type httpFixture struct {
	*fixture
	t   *testing.T
	srv *web.Server
}

func newHTTPFixture(t *testing.T, db *store.DB) *httpFixture {
	f := &httpFixture{fixture: newFixture(t, db), t: t}
	auth := webtest.Sessions{}
	for name, p := range f.who {
		auth.Login(name, p)
	}
	f.srv = webtest.NewServer(t, web.Config{}, auth, Messages, "document", Templates())
	Routes(f.srv, f.svc)
	return f
}

func (f *httpFixture) send(user string, r *http.Request) *httptest.ResponseRecorder {
	return webtest.Send(f.srv, user, r)
}

func (f *httpFixture) get(user, target string) *httptest.ResponseRecorder {
	return webtest.Get(f.srv, user, target)
}

func (f *httpFixture) post(user, target string, form url.Values) *httptest.ResponseRecorder {
	return webtest.PostForm(f.srv, user, target, form)
}

func (f *httpFixture) multipart(user, target string, fields map[string]string, filename string, data []byte) *httptest.ResponseRecorder {
	return webtest.Multipart(f.srv, user, target, fields, "file", filename, data)
}

func expect(t *testing.T, name string, w *httptest.ResponseRecorder, status int, contains ...string) string {
	t.Helper()
	body := w.Body.String()
	if w.Code != status {
		t.Errorf("%s: status %d, want %d: %.400s", name, w.Code, status, body)
	}
	for _, s := range contains {
		if !strings.Contains(body, s) {
			t.Errorf("%s: body lacks %q: %.600s", name, s, body)
		}
	}
	return body
}

func TestHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newHTTPFixture(t, db)
		expect(t, "anonymous", f.get("", "/documents"), http.StatusSeeOther)
		expect(t, "form", f.get("sec", "/documents/new"), 200, `name="unit_code"`, `value="P"`, "Tài liệu mật, tối mật, tuyệt mật")
		expect(t, "form for a delegate", f.get("del", "/documents/new"), 403)

		fields := map[string]string{"unit_code": "P", "title": "Dự thảo Báo cáo", "classification": "internal", "read_roles": "delegate|member", "note": "Lần 1"}
		w := f.multipart("sec", "/documents", fields, "bao-cao.docx", MakeDOCX([]DocxPara{{Style: "Heading1", Runs: []string{"Mở đầu"}}, {Runs: []string{"Nội dung ", "**chính", "."}}}))
		expect(t, "upload", w, http.StatusSeeOther)
		loc := w.Header().Get("Location")
		id := strings.TrimPrefix(loc, "/documents/")
		if !validID(id) {
			t.Fatalf("redirect to %q", loc)
		}
		// Refusals re-show the form with the reason, in Vietnamese.
		for _, c := range []struct {
			name, file, class string
			data              []byte
			want              string
		}{
			{"confidential", "a.md", "tuyệt mật", []byte("x"), "Tài liệu mật, tối mật, tuyệt mật không được đưa lên Dais"},
			{"stamp", "a.md", "internal", []byte("MẬT\n\nNội dung"), "dấu độ mật"},
			{"mismatch", "a.pdf", "internal", []byte("<html><body>x</body></html>"), "Tên tệp ghi là .pdf"},
			{"bomb", "a.docx", "internal", zipOf(t, map[string]string{"[Content_Types].xml": "wordprocessingml.document.main+xml", "word/document.xml": strings.Repeat(" ", 4<<20)}), "giải nén ra quá lớn"},
			{"no file", "", "internal", nil, "Vui lòng chọn tệp"},
		} {
			fl := map[string]string{"unit_code": "P", "title": "Thử", "classification": c.class}
			body := expect(t, c.name, f.multipart("sec", "/documents", fl, c.file, c.data), http.StatusUnprocessableEntity, c.want, `value="Thử"`)
			if strings.Contains(body, "<script") && !strings.Contains(body, `src="/static/`) {
				t.Errorf("%s: script in the page", c.name)
			}
		}
		// Over the body limit: 413 before the handler reads it all.
		big := bytes.Repeat([]byte("a"), int(f.svc.MaxBytes())+2<<20)
		expect(t, "too large", f.multipart("sec", "/documents", fields, "big.md", big), http.StatusRequestEntityTooLarge)
		// No CSRF token: refused.
		r := httptest.NewRequest("POST", "/documents/"+id+"/v/1/notes", strings.NewReader("para=1&body=x"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		expect(t, "note without csrf", f.send("del", r), 403)

		page := expect(t, "reader", f.get("del", loc), 200, `<h1 id="p-1" data-n="1">Mở đầu</h1>`, `<strong>chính</strong>`,
			`/static/document/reader.js`, `/documents/`+id+`/v/1/epub`, `/documents/`+id+`/v/1/pdf`, "Ghi chú và đánh dấu của tôi")
		if strings.Contains(page, "Tải lên phiên bản mới") || strings.Contains(page, "/original") {
			t.Error("a delegate sees the version form or an original download for a DOCX")
		}
		if strings.Contains(page, "leak-overlay") {
			t.Error("an internal document's page carries a restricted copy's marks")
		}
		expect(t, "reader for another", f.get("cit", loc), 404)
		// A restricted document's page carries the reader's marks, recorded as a copy.
		rw := f.multipart("sec", "/documents", map[string]string{"unit_code": "P", "title": "Đề án nhân sự", "classification": "restricted", "read_roles": "delegate"},
			"de-an.md", []byte("# Đề án\n\nCơ cấu 53 đồng chí."))
		expect(t, "restricted upload", rw, http.StatusSeeOther)
		before := f.count(t, `SELECT COUNT(*) FROM leak_copies WHERE kind = 'html'`)
		expect(t, "restricted reader", f.get("del", rw.Header().Get("Location")), 200, `class="doc-text leak-host"`, `class="leak-overlay"`, `/static/leak/leak.css`)
		if after := f.count(t, `SELECT COUNT(*) FROM leak_copies WHERE kind = 'html'`); after != before+1 {
			t.Errorf("restricted page view recorded %d copies", after-before)
		}
		expect(t, "reader bad version", f.get("del", loc+"/v/x"), 404)
		expect(t, "reader missing version", f.get("del", loc+"/v/7"), 404)

		expect(t, "note", f.post("del", loc+"/v/1/notes", url.Values{"para": {"2"}, "body": {"Đề nghị nêu rõ số liệu"}}), http.StatusSeeOther)
		expect(t, "bookmark", f.post("del", loc+"/v/1/bookmarks", url.Values{"para": {"1"}, "on": {"1"}}), http.StatusSeeOther)
		expect(t, "note bad para", f.post("del", loc+"/v/1/notes", url.Values{"para": {"x"}}), 422, "Vui lòng nhập số đoạn")
		page = expect(t, "reader with marks", f.get("del", loc), 200, `class="has-bookmark"`, `class="has-note"`, "Đề nghị nêu rõ số liệu")
		if body := f.get("mem", loc).Body.String(); strings.Contains(body, "Đề nghị nêu rõ số liệu") || strings.Contains(body, "has-note") {
			t.Error("another reader sees the delegate's note")
		}

		w = f.multipart("sec", loc+"/versions", map[string]string{"base": "1", "note": "Lần 2"}, "v2.md", []byte("# Mở đầu\n\nNội dung chính đã sửa.\n\nĐoạn thêm."))
		expect(t, "new version", w, http.StatusSeeOther)
		if w.Header().Get("Location") != loc+"/v/2" {
			t.Errorf("after a version: %s", w.Header().Get("Location"))
		}
		expect(t, "stale version", f.multipart("sec", loc+"/versions", map[string]string{"base": "1"}, "v3.md", []byte("x")), 409)
		expect(t, "version by delegate", f.multipart("del", loc+"/versions", nil, "v3.md", []byte("x")), 403)
		expect(t, "old version", f.get("del", loc+"/v/1"), 200, "Bạn đang xem phiên bản cũ")
		expect(t, "diff", f.get("del", loc+"/diff"), 200, "1 đoạn thêm, 0 đoạn bỏ, 1 đoạn sửa, 1 đoạn giữ nguyên", "<del>chính.</del>", "<ins>chính đã sửa.</ins>")
		expect(t, "diff bad range", f.get("del", loc+"/diff?from=0"), 422, "Phiên bản phải từ 1 đến 2")

		w = f.get("del", loc+"/v/2/epub")
		expect(t, "epub", w, 200)
		if w.Header().Get("Content-Type") != "application/epub+zip" || !strings.Contains(w.Header().Get("Content-Disposition"), "attachment") {
			t.Errorf("epub headers: %v", w.Header())
		}
		checkEPUB(t, w.Body.Bytes())
		if w = f.get("del", loc+"/v/2/pdf"); w.Code != 200 || !bytes.HasPrefix(w.Body.Bytes(), []byte("%PDF-")) {
			t.Errorf("pdf: %d", w.Code)
		}
		expect(t, "original of a markdown", f.get("del", loc+"/v/2/original"), 403)
		expect(t, "unknown format", f.get("del", loc+"/v/2/exe"), 404)
		expect(t, "list", f.get("mem", "/documents"), 200, "Dự thảo Báo cáo", "Nội bộ")
		expect(t, "asset", f.get("", "/static/document/reader.js"), 200, "localStorage")
		expect(t, "asset missing", f.get("", "/static/document/nope.js"), 404)

		// The API.
		var got struct {
			Documents []Document `json:"documents"`
		}
		w = f.get("mem", "/api/v1/documents")
		expect(t, "api list", w, 200)
		if json.Unmarshal(w.Body.Bytes(), &got); len(got.Documents) != 1 || got.Documents[0].Version != 2 {
			t.Errorf("api list: %s", w.Body)
		}
		expect(t, "api get", f.get("mem", "/api/v1/documents/"+id), 200, `"paragraphs":[{"n":1,"tag":"h1","text":"Mở đầu"}`)
		expect(t, "api versions", f.get("mem", "/api/v1/documents/"+id+"/versions"), 200, `"note":"Lần 2"`)
		expect(t, "api diff", f.get("mem", "/api/v1/documents/"+id+"/diff?from=1&to=2"), 200, `"op":"changed"`, `"aligned":true`)
		expect(t, "api get hidden", f.get("cit", "/api/v1/documents/"+id), 404, `"code":"not_found"`)
		expect(t, "api anonymous", f.get("", "/api/v1/documents"), 401)
		w = f.multipart("sec", "/api/v1/documents", map[string]string{"unit_code": "P", "title": "Qua API", "classification": "public"}, "a.html", []byte("<p onclick=x>Xin chào</p>"))
		expect(t, "api upload", w, 201, `"title":"Qua API"`, `"kind":"html"`)
		expect(t, "api upload refused", f.multipart("sec", "/api/v1/documents", map[string]string{"unit_code": "P", "title": "x", "classification": "mật"}, "a.md", []byte("x")),
			422, `"code":"invalid"`, `"field":"classification"`)
		expect(t, "api version", f.multipart("sec", "/api/v1/documents/"+id+"/versions", map[string]string{"base": "2"}, "v3.md", []byte("Một đoạn.")), 201, `"version":3`)
		apiID := regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(w.Body.String())[1]
		expect(t, "api doc read", f.get("cit", "/documents/"+apiID), 200, `Xin chào`)
		if strings.Contains(f.get("cit", "/documents/"+apiID).Body.String(), "onclick") {
			t.Error("event handler reached the reader")
		}
	})
}
