package document

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dais/internal/leak"
	"dais/internal/pdfdoc"
	"dais/internal/store"
	"dais/internal/store/storetest"
)

// The store scenarios run on SQLite and PostgreSQL: province P with commune A (cell C1
// under it) and commune B. People: sec (secretary of P), offA (organization officer of
// A), del (delegate on P), mem (member in C1), cit (citizen in B), guest (no unit role; a
// guest of the meeting through the fake Audience).

type fakeAudience map[string]string // userID → role in meeting "m1"

func (f fakeAudience) RoleIn(ctx context.Context, meetingID, userID string) (string, bool, error) {
	if meetingID != "m1" {
		return "", false, nil
	}
	r, ok := f[userID]
	return r, ok, nil
}

type event struct{ topic, typ, data string }

type fakePub struct {
	mu     sync.Mutex
	events []event
}

func (f *fakePub) Publish(ctx context.Context, topic, typ string, data []byte) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.events = append(f.events, event{topic, typ, string(data)})
	return uint64(len(f.events)), nil
}

type fixture struct {
	db    *store.DB
	svc   *Service
	pub   *fakePub
	ctx   context.Context
	units map[string]store.Grant
	who   map[string]*store.Principal
}

func fakePDFText(ctx context.Context, pdf []byte) (string, error) {
	if bytes.Contains(pdf, []byte("BROKEN")) {
		return "", invalid("doc.pdf_broken", "broken")
	}
	return "VĂN BẢN PDF\nĐoạn thứ nhất của tệp PDF.\n", nil
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, pub: &fakePub{}, ctx: store.WithActor(context.Background(), "test"), units: map[string]store.Grant{}, who: map[string]*store.Principal{}}
	err := db.Write(f.ctx, func(tx *store.Tx) error {
		for _, u := range []struct{ code, parent string }{{"P", ""}, {"P.A", "P"}, {"P.A.C1", "P.A"}, {"P.B", "P"}} {
			id := store.NewID()
			path, depth := "/"+id+"/", 0
			var parent any
			if u.parent != "" {
				p := f.units[u.parent]
				path, depth, parent = p.UnitPath+id+"/", strings.Count(p.UnitPath, "/")-1, p.UnitID
			}
			if _, err := tx.ExecContext(f.ctx, `INSERT INTO units (id, code, name, type, parent_id, path, depth, created_at) VALUES (?, ?, ?, 'commune', ?, ?, ?, ?)`,
				id, u.code, "Đơn vị "+u.code, parent, path, depth, store.Now()); err != nil {
				return err
			}
			f.units[u.code] = store.Grant{UnitID: id, UnitPath: path, UnitCode: u.code, UnitName: "Đơn vị " + u.code}
		}
		return tx.Audit(f.ctx, "unit.create", "unit", "P", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ user, role, unit string }{
		{"sec", store.RoleSecretary, "P"}, {"offA", store.RoleOrgOfficer, "P.A"}, {"del", store.RoleDelegate, "P"},
		{"mem", store.RoleMember, "P.A.C1"}, {"cit", store.RoleCitizen, "P.B"}, {"guest", "", ""},
	} {
		pr := &store.Principal{UserID: "u-" + p.user, Username: p.user, Name: "Người " + p.user}
		if p.role != "" {
			g := f.units[p.unit]
			g.Role = p.role
			pr.Grants = []store.Grant{g}
		}
		f.who[p.user] = pr
	}
	f.svc = NewService(db, store.NewBlobs(t.TempDir(), db.Keys), fakeAudience{"u-guest": RoleGuest, "u-del": RoleDelegate}, f.pub,
		Options{MaxBytes: 1 << 20, PDFText: fakePDFText})
	f.svc.now = func() time.Time { return time.Date(2026, 3, 5, 2, 30, 0, 0, time.UTC) }
	return f
}

func (f *fixture) upload(t *testing.T, who string, in NewDocument) (Document, error) {
	t.Helper()
	return f.svc.Upload(f.ctx, f.who[who], in)
}

func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.R().QueryRowContext(f.ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		md := "# Dự thảo\n\nĐoạn một.\n\nĐoạn hai có **chữ đậm**.\n"
		d, err := f.upload(t, "sec", NewDocument{UnitCode: "P", Title: "  Dự thảo Nghị quyết ", Classification: "nội bộ",
			ReadRoles: []string{"member,delegate"}, Filename: "../../du-thao.md", Data: []byte(md)})
		if err != nil {
			t.Fatal(err)
		}
		if d.Title != "Dự thảo Nghị quyết" || d.Classification != Internal || d.State != StateDraft || d.Version != 1 || d.Kind != KindMarkdown ||
			!slices.Equal(d.ReadRoles, []string{"delegate", "member"}) {
			t.Errorf("uploaded: %+v", d)
		}
		// Who reads it.
		for who, can := range map[string]bool{"sec": true, "del": true, "mem": true, "offA": false, "cit": false, "guest": false} {
			_, err := f.svc.Get(f.ctx, f.who[who], d.ID)
			if can != (err == nil) || !can && store.ErrorCode(err) != store.ENOTFOUND {
				t.Errorf("%s reads: %v, want %v", who, err, can)
			}
		}
		if _, err := f.svc.Get(f.ctx, nil, d.ID); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("anonymous reads: %v", err)
		}
		_, v, err := f.svc.Version(f.ctx, f.who["mem"], d.ID, 0)
		if err != nil || len(v.Blocks) != 3 || v.Blocks[2].HTML != "Đoạn hai có <strong>chữ đậm</strong>." || v.Filename != "du-thao.md" {
			t.Errorf("version: %+v, %v", v, err)
		}

		// Who uploads.
		for who, code := range map[string]string{"offA": store.ENOTFOUND, "del": store.EFORBIDDEN, "cit": store.ENOTFOUND} {
			if _, err := f.upload(t, who, NewDocument{UnitCode: "P", Title: "x", Data: []byte("x")}); store.ErrorCode(err) != code {
				t.Errorf("%s uploads for P: %v, want %s", who, err, code)
			}
		}
		if _, err := f.upload(t, "offA", NewDocument{UnitCode: "P.A.C1", Title: "Của chi bộ", Data: []byte("Nội dung")}); err != nil {
			t.Errorf("offA uploads for C1: %v", err)
		}

		// Refusals leave nothing behind.
		before := f.count(t, `SELECT COUNT(*) FROM documents`)
		for _, c := range []struct {
			in  NewDocument
			key string
		}{
			{NewDocument{Title: "Kế hoạch", Classification: "Tuyệt mật", Data: []byte("x")}, "doc.confidential"},
			{NewDocument{Title: "Kế hoạch", Classification: "confidential", Data: []byte("x")}, "doc.confidential"},
			{NewDocument{Title: "MẬT", Data: []byte("x")}, "doc.confidential"},
			{NewDocument{Title: "Kế hoạch", Data: []byte("ĐẢNG BỘ TỈNH\n\nMẬT\n\n# Kế hoạch\n")}, "doc.confidential_stamp"},
			{NewDocument{Title: "Kế hoạch", Data: MakeDOCX([]DocxPara{{Runs: []string{"TUYỆT MẬT"}}, {Runs: []string{"Nội dung"}}})}, "doc.confidential_stamp"},
			{NewDocument{Title: "", Data: []byte("x")}, "doc.required"},
			{NewDocument{Title: "a\x00b", Data: []byte("x")}, "doc.text_invalid"},
			{NewDocument{Title: "x", ReadRoles: []string{"king"}, Data: []byte("x")}, "doc.role"},
			{NewDocument{Title: "x", State: "published", Data: []byte("x")}, "doc.state_bad"},
			{NewDocument{Title: "x", MeetingID: "m 1", Data: []byte("x")}, "doc.meeting_bad"},
			{NewDocument{Title: "x", Data: bytes.Repeat([]byte("a"), 1<<20+1)}, "doc.too_big"},
			{NewDocument{Title: "x", Filename: "a.pdf", Data: []byte("%PDF-1.4\nBROKEN\ntrailer\nstartxref\n0\n%%EOF")}, "doc.pdf_broken"},
			{NewDocument{Title: "x", Filename: "a.pdf", Data: []byte("%PDF-1.4\n<</OpenAction<</S/JavaScript/JS(x)>>>>\nstartxref\n0\n%%EOF")}, "doc.pdf_active"},
		} {
			c.in.UnitCode = "P"
			if _, err := f.upload(t, "sec", c.in); errKey(err) != c.key {
				t.Errorf("upload %q: %v, want %s", c.in.Title, err, c.key)
			}
		}
		if after := f.count(t, `SELECT COUNT(*) FROM documents`); after != before {
			t.Errorf("refused uploads wrote %d documents", after-before)
		}

		// Versions and the diff.
		if _, err := f.svc.AddVersion(f.ctx, f.who["del"], d.ID, NewVersion{Data: []byte("x")}); store.ErrorCode(err) != store.EFORBIDDEN {
			t.Errorf("delegate adds a version: %v", err)
		}
		d2, err := f.svc.AddVersion(f.ctx, f.who["sec"], d.ID, NewVersion{Base: 1, State: StateFinal, Note: "Sửa đoạn hai",
			Filename: "v2.html", Data: []byte("<h1>Dự thảo</h1><p>Đoạn một.</p><p>Đoạn hai có chữ nghiêng.</p><p>Đoạn ba mới.</p><script>x()</script>")})
		if err != nil || d2.Version != 2 || d2.State != StateFinal || d2.Kind != KindHTML {
			t.Fatalf("add version: %+v, %v", d2, err)
		}
		if _, err := f.svc.AddVersion(f.ctx, f.who["sec"], d.ID, NewVersion{Base: 1, Data: []byte("x")}); store.ErrorCode(err) != store.ECONFLICT {
			t.Errorf("stale base: %v", err)
		}
		vs, err := f.svc.Versions(f.ctx, f.who["mem"], d.ID)
		if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[0].Note != "Sửa đoạn hai" || vs[1].Kind != KindMarkdown {
			t.Errorf("versions: %+v, %v", vs, err)
		}
		rows, ok, err := f.svc.Compare(f.ctx, f.who["mem"], d.ID, 1, 2)
		if err != nil || !ok {
			t.Fatal(err)
		}
		var ops []string
		for _, r := range rows {
			ops = append(ops, string(r.Op))
		}
		if strings.Join(ops, " ") != "same same changed added" {
			t.Errorf("diff ops: %v", ops)
		}
		if _, _, err := f.svc.Compare(f.ctx, f.who["mem"], d.ID, 1, 3); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("diff to a missing version: %v", err)
		}

		// Lists.
		ids := func(who, meeting string) []string {
			ds, err := f.svc.List(f.ctx, f.who[who], meeting)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, d := range ds {
				out = append(out, d.Title)
			}
			return out
		}
		if got := ids("mem", ""); !slices.Equal(got, []string{"Dự thảo Nghị quyết"}) {
			t.Errorf("member's list: %v", got)
		}
		if got := ids("cit", ""); len(got) != 0 {
			t.Errorf("citizen's list: %v", got)
		}
		if got := ids("sec", ""); len(got) != 2 {
			t.Errorf("secretary's list: %v", got)
		}

		// Audit: one entry per upload and per version.
		if n := f.count(t, `SELECT COUNT(*) FROM audit_log WHERE object_id = ? AND action IN ('document.create', 'document.version')`, d.ID); n != 2 {
			t.Errorf("%d audit entries for the document", n)
		}
	})
}

func TestMeetingDocuments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d, err := f.upload(t, "sec", NewDocument{UnitCode: "P", MeetingID: "m1", Title: "Chương trình Đại hội", Classification: "internal",
			ReadRoles: []string{RoleGuest}, Data: []byte("Chương trình làm việc.")})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.pub.events) != 1 || f.pub.events[0].topic != "meeting.m1" || f.pub.events[0].typ != "documents" || !strings.Contains(f.pub.events[0].data, d.ID) {
			t.Errorf("events: %+v", f.pub.events)
		}
		for who, can := range map[string]bool{"guest": true, "del": false, "mem": false} {
			if _, err := f.svc.Get(f.ctx, f.who[who], d.ID); can != (err == nil) {
				t.Errorf("%s reads the guests' document: %v", who, err)
			}
		}
		ds, err := f.svc.List(f.ctx, f.who["guest"], "m1")
		if err != nil || len(ds) != 1 {
			t.Errorf("guest's meeting list: %v, %v", ds, err)
		}
		if _, err := f.svc.AddVersion(f.ctx, f.who["sec"], d.ID, NewVersion{Data: []byte("Chương trình sửa.")}); err != nil || len(f.pub.events) != 2 {
			t.Errorf("version event: %v, %d events", err, len(f.pub.events))
		}
		// A document without a meeting publishes nothing.
		if _, err := f.upload(t, "sec", NewDocument{UnitCode: "P", Title: "Khác", Data: []byte("x")}); err != nil || len(f.pub.events) != 2 {
			t.Errorf("unit document published: %v, %d", err, len(f.pub.events))
		}
	})
}

func TestMarks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d, err := f.upload(t, "sec", NewDocument{UnitCode: "P", Title: "Báo cáo", Classification: "public", Data: []byte("Một.\n\nHai.\n\nBa.")})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetNote(f.ctx, f.who["del"], d.ID, 1, 2, "Cần bổ sung số liệu\nnăm 2025"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetBookmark(f.ctx, f.who["del"], d.ID, 1, 3, true); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.SetNote(f.ctx, f.who["del"], d.ID, 1, 2, "Cần bổ sung số liệu năm 2025"); err != nil {
			t.Fatal(err)
		}
		ms, err := f.svc.Marks(f.ctx, f.who["del"], d.ID, 1)
		if err != nil || len(ms) != 2 || ms[0].Para != 2 || ms[0].Body != "Cần bổ sung số liệu năm 2025" || ms[1].Kind != "bookmark" {
			t.Errorf("delegate's marks: %+v, %v", ms, err)
		}
		// Private: another reader of the same public document sees none of them.
		if ms, err := f.svc.Marks(f.ctx, f.who["cit"], d.ID, 1); err != nil || len(ms) != 0 {
			t.Errorf("citizen sees marks: %+v, %v", ms, err)
		}
		for _, c := range []struct {
			para int
			key  string
		}{{0, "doc.para_bad"}, {4, "doc.para_bad"}} {
			if err := f.svc.SetNote(f.ctx, f.who["del"], d.ID, 1, c.para, "x"); errKey(err) != c.key {
				t.Errorf("note on paragraph %d: %v", c.para, err)
			}
		}
		if err := f.svc.SetNote(f.ctx, f.who["del"], d.ID, 1, 1, strings.Repeat("x", maxNote+1)); errKey(err) != "err.too_long" {
			t.Errorf("long note: %v", err)
		}
		if err := f.svc.SetNote(f.ctx, f.who["del"], d.ID, 9, 1, "x"); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("note on a missing version: %v", err)
		}
		// Clearing: the note and the bookmark go; clearing again is a no-op.
		for i := 0; i < 2; i++ {
			if err := f.svc.SetNote(f.ctx, f.who["del"], d.ID, 1, 2, " "); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.SetBookmark(f.ctx, f.who["del"], d.ID, 1, 3, false); err != nil {
				t.Fatal(err)
			}
		}
		if ms, _ := f.svc.Marks(f.ctx, f.who["del"], d.ID, 1); len(ms) != 0 {
			t.Errorf("marks after clearing: %+v", ms)
		}
		if n := f.count(t, `SELECT COUNT(*) FROM audit_log WHERE object_type = 'document_mark'`); n != 5 {
			t.Errorf("%d mark audit entries, want 5 (add, add, update, delete, delete)", n)
		}
		// A reader who loses access loses the marks' page too.
		if err := f.svc.SetNote(f.ctx, f.who["guest"], d.ID, 1, 1, "x"); err != nil {
			t.Errorf("guest on a public document: %v", err)
		}
	})
}

func TestServe(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		d, err := f.upload(t, "sec", NewDocument{UnitCode: "P", Title: "Đề án nhân sự", Classification: "restricted", ReadRoles: []string{"delegate"},
			Data: MakeDOCX([]DocxPara{{Style: "Heading1", Runs: []string{"Cơ cấu"}}, {Runs: []string{"Số lượng ", "**53 đồng chí", "."}}, {List: "ol", Runs: []string{"Một"}}})})
		if err != nil {
			t.Fatal(err)
		}
		mark := "HẠN CHẾ — Bản của Người del, tải lúc 09:30 05/03/2026"
		ep, err := f.svc.Serve(f.ctx, f.who["del"], d.ID, 0, FormatEPUB, "vi")
		if err != nil {
			t.Fatal(err)
		}
		files := checkEPUB(t, ep.Body)
		if x := files["OEBPS/text.xhtml"]; !strings.Contains(x, mark) || !strings.Contains(x, "<strong>53 đồng chí</strong>") || !strings.Contains(x, `<ol><li id="p-3">Một</li></ol>`) {
			t.Errorf("text.xhtml: %s", x)
		}
		if !strings.Contains(files["OEBPS/nav.xhtml"], `<a href="text.xhtml#p-1">Cơ cấu</a>`) {
			t.Errorf("nav.xhtml: %s", files["OEBPS/nav.xhtml"])
		}
		pdf, err := f.svc.Serve(f.ctx, f.who["del"], d.ID, 1, FormatPDF, "vi")
		if err != nil || !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) || pdf.Filename != "Đề-án-nhân-sự-v1.pdf" {
			t.Fatalf("pdf: %v %q", err, pdf.Filename)
		}
		// The fingerprint's diagonal line interleaves with the body in extracted text: look
		// for the parts, then trace the copy back to its reader.
		if txt := pdfText(t, pdf.Body); txt != "" && (!strings.Contains(txt, "HẠN CHẾ — Bản của") || !strings.Contains(txt, "Số lượng") || !strings.Contains(txt, "53 đồng chí.")) {
			t.Errorf("pdf text lacks the watermark or the body:\n%s", txt)
		}
		for name, body := range map[string][]byte{"pdf": pdf.Body, "epub": ep.Body} {
			found, err := leak.TraceFile(f.ctx, body, leak.TraceOptions{})
			if err != nil {
				t.Fatalf("trace the %s: %v", name, err)
			}
			c, err := leak.Lookup(f.ctx, f.db.R(), found.ID)
			if err != nil || c.ReaderID != f.who["del"].UserID || c.DocumentID != d.ID || c.Kind != name {
				t.Errorf("traced %s copy: %+v, %v", name, c, err)
			}
		}
		if _, err := f.svc.Serve(f.ctx, f.who["del"], d.ID, 1, FormatOriginal, "vi"); store.ErrorCode(err) != store.EFORBIDDEN {
			t.Errorf("restricted original: %v", err)
		}
		if _, err := f.svc.Serve(f.ctx, f.who["cit"], d.ID, 1, FormatPDF, "vi"); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("citizen download: %v", err)
		}
		// An internal image: the original is the re-encoded picture, and EPUB/PDF embed it.
		img, err := f.upload(t, "sec", NewDocument{UnitCode: "P", Title: "Sơ đồ hội trường", Classification: "internal", Filename: "so-do.png", Data: tinyPNG(t)})
		if err != nil {
			t.Fatal(err)
		}
		o, err := f.svc.Serve(f.ctx, f.who["sec"], img.ID, 1, FormatOriginal, "vi")
		if err != nil || o.ContentType != "image/png" || !bytes.HasPrefix(o.Body, []byte("\x89PNG")) {
			t.Errorf("image original: %v %s", err, o.ContentType)
		}
		ep, err = f.svc.Serve(f.ctx, f.who["sec"], img.ID, 1, FormatEPUB, "vi")
		if err != nil {
			t.Fatal(err)
		}
		if files := checkEPUB(t, ep.Body); !strings.Contains(files["OEBPS/text.xhtml"], `<img src="image.png" alt="Sơ đồ hội trường"/>`) || files["OEBPS/image.png"] == "" {
			t.Errorf("image epub: %v", files["OEBPS/text.xhtml"])
		}
		if _, err := f.svc.Serve(f.ctx, f.who["sec"], img.ID, 1, FormatPDF, "vi"); err != nil {
			t.Errorf("image pdf: %v", err)
		}
	})
}

// checkEPUB checks the container rules readers rely on and that every XML part is
// well-formed; it returns the parts.
func checkEPUB(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if zr.File[0].Name != "mimetype" || zr.File[0].Method != zip.Store {
		t.Errorf("first entry %s (method %d), want mimetype stored", zr.File[0].Name, zr.File[0].Method)
	}
	files := map[string]string{}
	for _, zf := range zr.File {
		rc, _ := zf.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		files[zf.Name] = string(body)
		if strings.HasSuffix(zf.Name, ".xml") || strings.HasSuffix(zf.Name, ".xhtml") || strings.HasSuffix(zf.Name, ".opf") {
			dec := xml.NewDecoder(bytes.NewReader(body))
			for {
				_, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Errorf("%s is not well-formed: %v\n%s", zf.Name, err, body)
					break
				}
			}
		}
	}
	if files["mimetype"] != "application/epub+zip" || !strings.Contains(files["META-INF/container.xml"], "OEBPS/content.opf") {
		t.Errorf("epub container: %v", files["mimetype"])
	}
	return files
}

func pdfText(t *testing.T, pdf []byte) string {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Log("pdftotext not installed: PDF text not checked")
		return ""
	}
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestPdftotext runs the real extractor on a PDF made by internal/pdfdoc and on a damaged one.
func TestPdftotext(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext not installed")
	}
	doc := pdfdoc.New(pdfdoc.Options{Title: "Báo cáo"})
	doc.Title("Báo cáo tổng kết")
	doc.Paragraph("Chi bộ đã hoàn thành tốt nhiệm vụ chính trị năm qua.")
	var b bytes.Buffer
	if err := doc.Output(&b); err != nil {
		t.Fatal(err)
	}
	txt, err := Pdftotext(context.Background(), b.Bytes())
	if err != nil || !strings.Contains(txt, "Chi bộ đã hoàn thành tốt nhiệm vụ chính trị năm qua.") {
		t.Errorf("pdftotext: %q, %v", txt, err)
	}
	bs := pdfBlocks(txt)
	if len(bs) < 2 || bs[0].Text != "BÁO CÁO TỔNG KẾT" {
		t.Errorf("blocks: %+v", bs)
	}
	_, err = Pdftotext(context.Background(), []byte("%PDF-1.4\ngarbage\nstartxref\n0\n%%EOF\n"))
	if errKey(err) != "doc.pdf_broken" {
		t.Errorf("damaged PDF: %v", err)
	}
	if errors.Is(err, errNoPdftotext) {
		t.Error("installed but reported missing")
	}
}

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.svc.opts.PDFText = Pdftotext
		ds, err := Seed(f.ctx, f.svc, "P", "m1")
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 4 || ds[0].Version != 2 || ds[3].Classification != Restricted {
			t.Fatalf("seeded: %+v", ds)
		}
		rows, _, err := f.svc.Compare(f.ctx, f.who["del"], ds[0].ID, 1, 2)
		if err != nil {
			t.Fatal(err)
		}
		var changed, added int
		for _, r := range rows {
			switch r.Op {
			case Changed:
				changed++
			case Added:
				added++
			}
		}
		if changed < 2 || added < 1 {
			t.Errorf("report diff: %d changed, %d added", changed, added)
		}
		_, v, err := f.svc.Version(f.ctx, f.who["del"], ds[2].ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		out := renderBlocks(v.Blocks, "/x", nil)
		checkSafe(t, out)
		if !strings.Contains(out, "không in ra giấy") || strings.Contains(out, "alert") {
			t.Errorf("notice: %s", out)
		}
		if _, err := f.svc.Get(f.ctx, f.who["del"], ds[3].ID); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("a delegate reads the personnel document: %v", err)
		}
		if len(f.pub.events) != 5 {
			t.Errorf("%d events for 4 documents and a version", len(f.pub.events))
		}
	})
}
