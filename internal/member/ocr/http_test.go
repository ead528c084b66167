package ocr

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"dais/internal/member"
	"dais/internal/store"
	"dais/internal/store/storetest"
	"dais/internal/web"
	"dais/internal/web/webtest"
)

// The review queue's scenarios run through the real web layer (sessions, CSRF, error
// pages) on a real store, once per database: province P with communes A and B, and under
// A the cell "Chi bộ Thôn Đông" (P.A.C1). Officer a works for commune A, officer b for B.

type fixture struct {
	t    *testing.T
	db   *store.DB
	svc  *Service
	srv  *web.Server
	unit map[string]store.Grant // by code
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{t: t, db: db, unit: map[string]store.Grant{}}
	ctx := store.WithActor(context.Background(), "test")
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, u := range []struct{ code, name, parent string }{
			{"P", "Tỉnh P", ""}, {"P.A", "Xã A", "P"}, {"P.B", "Xã B", "P"}, {"P.A.C1", "Chi bộ Thôn Đông", "P.A"}, {"P.A.C2", "Chi bộ Thôn Tây", "P.A"},
		} {
			id := store.NewID()
			path, depth := "/"+id+"/", 0
			var parent any
			if u.parent != "" {
				p := f.unit[u.parent]
				path, depth, parent = p.UnitPath+id+"/", strings.Count(p.UnitPath, "/")-1, p.UnitID
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, name, type, parent_id, path, depth, created_at) VALUES (?, ?, ?, 'commune', ?, ?, ?, ?)`,
				id, u.code, u.name, parent, path, depth, store.Now()); err != nil {
				return err
			}
			f.unit[u.code] = store.Grant{Role: store.RoleOrgOfficer, UnitID: id, UnitPath: path, UnitCode: u.code, UnitName: u.name}
		}
		return tx.Audit(ctx, "unit.create", "unit", "P", nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	auth := webtest.Sessions{}
	for user, unit := range map[string]string{"a": "P.A", "b": "P.B"} {
		auth.Login(user, &store.Principal{UserID: "user-" + user, Username: user, Grants: []store.Grant{f.unit[unit]}})
	}
	log := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))
	f.srv = webtest.NewServer(t, web.Config{Logger: log, MaxBody: 32 << 20}, auth, Messages, "ocr", Templates())
	f.svc = NewService(db, t.TempDir(), Options{Logger: log})
	Routes(f.srv, f.svc, member.NewService(db))
	return f
}

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// do sends a request as user ("" = anonymous) with a form (nil: none).
func (f *fixture) do(user, method, target string, form url.Values) *httptest.ResponseRecorder {
	f.t.Helper()
	if method == "POST" && form != nil {
		return webtest.PostForm(f.srv, user, target, form)
	}
	return webtest.Send(f.srv, user, httptest.NewRequest(method, target, nil))
}

func (f *fixture) send(user string, r *http.Request) *httptest.ResponseRecorder {
	return webtest.Send(f.srv, user, r)
}

// upload posts a scan as user through the upload form.
func (f *fixture) upload(user, unit, filename string, data []byte) *httptest.ResponseRecorder {
	f.t.Helper()
	return webtest.Multipart(f.srv, user, "/ocr/intakes", map[string]string{"unit": unit}, "scan", filename, data)
}

// queued puts an intake in the queue as if the scan had been read into fields (no
// Tesseract needed), for the scenarios about reviewing.
func (f *fixture) queued(user, unit string, fields Fields) Intake {
	f.t.Helper()
	ctx := store.WithActor(context.Background(), "user-"+user)
	scan := encoded(f.t, 400, 400, "png")
	scan = append(scan, []byte(store.NewID())...) // a distinct blob per intake
	in, err := f.svc.queue(ctx, f.unit[unit].UnitID, "phieu.png", scan,
		Reading{MediaType: TypePNG, Pages: []Page{{Image: scan, MediaType: TypePNG}}, Fields: fields})
	if err != nil {
		f.t.Fatal(err)
	}
	return in
}

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.R().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

func (f *fixture) state(id string) string {
	f.t.Helper()
	var s string
	if err := f.db.R().QueryRowContext(context.Background(), `SELECT state FROM ocr_intakes WHERE id = ?`, id).Scan(&s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

// readFields is what OCR would make of the first test form, with the confidences given.
func readFields(conf float64) Fields {
	out := Fields{}
	for k, v := range testForms[0].want {
		out[k] = Field{Value: v, Raw: testForms[0].printed(k), Conf: conf}
	}
	return out
}

// approveForm is the review form as submitted: the fields read, as shown, then edited.
func approveForm(edits map[string]string) url.Values {
	want := testForms[0].want
	form := url.Values{}
	for _, ff := range formFields {
		v := want[ff.Name]
		if ff.Kind == "date" {
			v = showDate(v)
		}
		form.Set(ff.Name, v)
	}
	form.Set("unit_code", "P.A.C1")
	for k, v := range edits {
		form.Set(k, v)
	}
	return form
}

func expect(t *testing.T, w *httptest.ResponseRecorder, status int, contains ...string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body:\n%.2000s", w.Code, status, w.Body.String())
	}
	for _, c := range contains {
		if !strings.Contains(w.Body.String(), c) {
			t.Errorf("body lacks %q:\n%.3000s", c, w.Body.String())
		}
	}
	if strings.Contains(w.Body.String(), "%!") {
		t.Errorf("a message was formatted with the wrong arguments:\n%.3000s", w.Body.String())
	}
}

var intakeURL = regexp.MustCompile(`^/ocr/intakes/([0-9a-f-]{36})$`)

func TestReviewQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)

		t.Run("upload, read, review, approve with edits", func(t *testing.T) {
			needTesseract(t)
			scan := degrade(t, render(t, testForms[0], 200), degradations[1], 3)
			w := f.upload("a", "P.A", "phiếu Hòa.jpg", scan)
			if w.Code != http.StatusSeeOther || !intakeURL.MatchString(w.Header().Get("Location")) {
				t.Fatalf("upload: %d %s\n%.2000s", w.Code, w.Header().Get("Location"), w.Body.String())
			}
			id := intakeURL.FindStringSubmatch(w.Header().Get("Location"))[1]
			if f.state(id) != StatePending || f.count(`SELECT COUNT(*) FROM members`) != 0 {
				t.Fatal("the upload did more than queue the scan")
			}
			expect(t, f.do("a", "GET", "/ocr", nil), 200, "Nguyễn Thị Hòa", "/ocr/intakes/"+id)
			// The form is filled from the scan; the cell written on it picks the unit.
			expect(t, f.do("a", "GET", "/ocr/intakes/"+id, nil), 200,
				`value="Nguyễn Thị Hòa"`, `value="17/05/1980"`, `value="00012345"`, `value="001180012345"`, `value="P.A.C1"`,
				`value="26/03/2005"`, `value="26/03/2006"`, `value="Kinh"`, `value="Không"`,
				`<option value="female" selected>`, `src="/ocr/intakes/`+id+`/pages/1"`)
			img := f.do("a", "GET", "/ocr/intakes/"+id+"/pages/1", nil)
			if img.Code != 200 || img.Header().Get("Content-Type") != TypeJPEG || !bytes.Equal(img.Body.Bytes(), scan) ||
				!strings.Contains(img.Header().Get("Cache-Control"), "no-store") {
				t.Fatalf("scan image: %d %v", img.Code, img.Header())
			}
			// The officer corrects the name before approving: the member gets the correction.
			w = f.do("a", "POST", "/ocr/intakes/"+id+"/approve", approveForm(map[string]string{"full_name": "Nguyễn Thị Hoà Bình"}))
			if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/members/") {
				t.Fatalf("approve: %d\n%.2000s", w.Code, w.Body.String())
			}
			memberID := strings.TrimPrefix(w.Header().Get("Location"), "/members/")
			if n := f.count(`SELECT COUNT(*) FROM members WHERE id = ? AND full_name = ? AND card_number = ? AND birth_date = ? AND gender = 'female'`,
				memberID, "Nguyễn Thị Hoà Bình", "00012345", "1980-05-17"); n != 1 || f.count(`SELECT COUNT(*) FROM members`) != 1 {
				t.Fatalf("members with the edited values: %d (of %d)", n, f.count(`SELECT COUNT(*) FROM members`))
			}
			if f.state(id) != StateApproved || f.count(`SELECT COUNT(*) FROM ocr_intakes WHERE member_id = ?`, memberID) != 1 {
				t.Fatal("intake not marked approved with its member")
			}
			// A second approval (a double click) creates nothing more.
			expect(t, f.do("a", "POST", "/ocr/intakes/"+id+"/approve", approveForm(nil)), http.StatusConflict, "đã được duyệt")
			if n := f.count(`SELECT COUNT(*) FROM members`); n != 1 {
				t.Fatalf("%d members after a second approval", n)
			}
			expect(t, f.do("a", "GET", "/ocr/intakes/"+id, nil), 200, "/members/"+memberID)
		})

		t.Run("a PDF's pages are shown as images", func(t *testing.T) {
			needTesseract(t)
			needPdftoppm(t)
			pdf := makePDF(t, [][]byte{degrade(t, render(t, testForms[2], 200), degradations[1], 4)}, 200)
			w := f.upload("a", "P.A", "lo-thi-my.pdf", pdf)
			if w.Code != http.StatusSeeOther {
				t.Fatalf("upload PDF: %d\n%.2000s", w.Code, w.Body.String())
			}
			id := intakeURL.FindStringSubmatch(w.Header().Get("Location"))[1]
			expect(t, f.do("a", "GET", "/ocr/intakes/"+id, nil), 200, `value="Lò Thị Mỷ"`, `value="00907115"`, "/pages/1")
			img := f.do("a", "GET", "/ocr/intakes/"+id+"/pages/1", nil)
			if img.Code != 200 || img.Header().Get("Content-Type") != TypePNG {
				t.Fatalf("PDF page image: %d %s", img.Code, img.Header().Get("Content-Type"))
			}
			if w := f.do("a", "GET", "/ocr/intakes/"+id+"/pages/2", nil); w.Code != http.StatusNotFound {
				t.Errorf("page 2 of 1: %d", w.Code)
			}
			var pdfType string
			if err := f.db.R().QueryRowContext(context.Background(), `SELECT b.media_type FROM blobs b JOIN ocr_intakes i ON i.blob_sha256 = b.sha256 WHERE i.id = ?`, id).Scan(&pdfType); err != nil || pdfType != TypePDF {
				t.Errorf("the upload's blob: %q, %v", pdfType, err)
			}
		})

		t.Run("invalid fields are shown in place and create nothing", func(t *testing.T) {
			in := f.queued("a", "P.A", readFields(0.95))
			before := f.count(`SELECT COUNT(*) FROM members`)
			w := f.do("a", "POST", "/ocr/intakes/"+in.ID+"/approve", approveForm(map[string]string{
				"birth_date": "31/02/1980", "card_number": "12a", "full_name": ""}))
			expect(t, w, http.StatusUnprocessableEntity, "3 trường cần sửa",
				`value="31/02/1980"`, `value="12a"`, "Ngày không hợp lệ", "Số thẻ đảng viên gồm 6 đến 12 chữ số", "Trường này bắt buộc",
				`id="f-birth_date" name="birth_date" value="31/02/1980" maxlength="10" autocomplete="off" spellcheck="false" aria-describedby="n-birth_date" aria-invalid="true"`)
			if f.count(`SELECT COUNT(*) FROM members`) != before || f.state(in.ID) != StatePending {
				t.Fatal("an invalid approval changed something")
			}
			// A unit the officer may not write to is refused by the member service.
			w = f.do("a", "POST", "/ocr/intakes/"+in.ID+"/approve", approveForm(map[string]string{"unit_code": "P.B"}))
			if w.Code != http.StatusUnprocessableEntity && w.Code != http.StatusForbidden {
				t.Fatalf("approve into another commune: %d", w.Code)
			}
			if f.count(`SELECT COUNT(*) FROM members`) != before || f.state(in.ID) != StatePending {
				t.Fatal("an approval into another commune changed something")
			}
			// The hold of the refused approval was released: a correct one goes through.
			w = f.do("a", "POST", "/ocr/intakes/"+in.ID+"/approve", approveForm(map[string]string{"card_number": "00099999"}))
			if w.Code != http.StatusSeeOther || f.count(`SELECT COUNT(*) FROM members`) != before+1 {
				t.Fatalf("corrected approval: %d\n%.2000s", w.Code, w.Body.String())
			}
		})

		t.Run("a card number already on record is shown on its field", func(t *testing.T) {
			in := f.queued("a", "P.A", readFields(0.95))
			before := f.count(`SELECT COUNT(*) FROM members`)
			w := f.do("a", "POST", "/ocr/intakes/"+in.ID+"/approve", approveForm(map[string]string{"card_number": "00099999"}))
			expect(t, w, http.StatusConflict, "Số thẻ đảng viên này đã có trong hồ sơ")
			if f.count(`SELECT COUNT(*) FROM members`) != before || f.state(in.ID) != StatePending {
				t.Fatal("a refused approval changed something")
			}
		})

		t.Run("reject needs a reason and creates nothing", func(t *testing.T) {
			in := f.queued("a", "P.A", readFields(0.95))
			before := f.count(`SELECT COUNT(*) FROM members`)
			expect(t, f.do("a", "POST", "/ocr/intakes/"+in.ID+"/reject", url.Values{"reason": {"  "}}), http.StatusUnprocessableEntity,
				"Vui lòng nhập lý do từ chối")
			w := f.do("a", "POST", "/ocr/intakes/"+in.ID+"/reject", url.Values{"reason": {"Bản quét mờ, đề nghị quét lại"}})
			if w.Code != http.StatusSeeOther {
				t.Fatalf("reject: %d", w.Code)
			}
			if f.state(in.ID) != StateRejected || f.count(`SELECT COUNT(*) FROM members`) != before {
				t.Fatal("reject did not reject, or created a member")
			}
			expect(t, f.do("a", "GET", "/ocr/intakes/"+in.ID, nil), 200, "Bản quét mờ, đề nghị quét lại", "Đã từ chối")
			expect(t, f.do("a", "POST", "/ocr/intakes/"+in.ID+"/approve", approveForm(map[string]string{"card_number": "00077777"})), http.StatusConflict)
			if f.count(`SELECT COUNT(*) FROM members`) != before {
				t.Fatal("a rejected intake was approved")
			}
		})

		t.Run("another commune's officer cannot see or decide", func(t *testing.T) {
			in := f.queued("a", "P.A", readFields(0.95))
			for _, req := range []struct {
				method, path string
				form         url.Values
			}{
				{"GET", "/ocr/intakes/" + in.ID, nil},
				{"GET", "/ocr/intakes/" + in.ID + "/pages/1", nil},
				{"POST", "/ocr/intakes/" + in.ID + "/approve", approveForm(map[string]string{"unit_code": "P.B", "card_number": "00066666"})},
				{"POST", "/ocr/intakes/" + in.ID + "/reject", url.Values{"reason": {"không phải của xã tôi"}}},
			} {
				if w := f.do("b", req.method, req.path, req.form); w.Code != http.StatusNotFound {
					t.Errorf("b %s %s: %d, want 404", req.method, req.path, w.Code)
				}
			}
			if f.state(in.ID) != StatePending {
				t.Fatal("b changed a's intake")
			}
			w := f.do("b", "GET", "/ocr", nil)
			expect(t, w, 200, "Xã B")
			if strings.Contains(w.Body.String(), in.ID) {
				t.Error("b's queue lists a's intake")
			}
			// Nor can b upload for commune A.
			expect(t, f.upload("b", "P.A", "x.png", encoded(t, 400, 400, "png")), http.StatusUnprocessableEntity,
				"Đơn vị không tồn tại hoặc đồng chí không có quyền")
			// Anonymous visitors are sent to log in.
			if w := f.do("", "GET", "/ocr/intakes/"+in.ID+"/pages/1", nil); w.Code != http.StatusSeeOther {
				t.Errorf("anonymous scan image: %d", w.Code)
			}
		})

		t.Run("low confidence is flagged in words, not colour alone", func(t *testing.T) {
			fields := readFields(0.95)
			fields["birth_date"] = Field{Value: "1980-05-17", Raw: "l7/O5/198O", Conf: 0.41}
			delete(fields, "card_number")
			in := f.queued("a", "P.A", fields)
			expect(t, f.do("a", "GET", "/ocr/intakes/"+in.ID, nil), 200,
				"2 trường cần kiểm tra kỹ", `href="#f-birth_date"`, `href="#f-card_number"`,
				"Cần kiểm tra: độ tin cậy 41%", "Cần nhập: không đọc được trên bản quét", "Máy đọc: «l7/O5/198O»",
				`class="ocr-field ocr-low"`)
			expect(t, f.do("a", "GET", "/ocr/intakes/"+in.ID+"?lang=en", nil), 200, "Check this: confidence 41%")
		})

		t.Run("bad uploads are refused with a clear message", func(t *testing.T) {
			before := f.count(`SELECT COUNT(*) FROM ocr_intakes`)
			expect(t, f.upload("a", "P.A", "scan.png", []byte("<html>not an image</html>")), http.StatusUnprocessableEntity,
				"Tệp không phải ảnh PNG, JPEG hay tệp PDF")
			expect(t, f.upload("a", "P.A", "bomb.png", pngHeader(100_000, 100_000)), http.StatusUnprocessableEntity, "quá lớn")
			expect(t, f.upload("a", "P.A", "tiny.png", encoded(t, 100, 100, "png")), http.StatusUnprocessableEntity, "quá nhỏ")
			big := append([]byte("%PDF-1.4\n"), make([]byte, 21<<20)...)
			expect(t, f.upload("a", "P.A", "big.pdf", big), http.StatusUnprocessableEntity, "Tệp quá lớn (tối đa 20 MB)")
			if f.count(`SELECT COUNT(*) FROM ocr_intakes`) != before {
				t.Fatal("a refused upload was queued")
			}
		})

		t.Run("every decision is audited", func(t *testing.T) {
			for _, action := range []string{"ocr.upload", "ocr.approve", "ocr.reject"} {
				if n := f.count(`SELECT COUNT(*) FROM audit_log WHERE action = ?`, action); n == 0 && (action != "ocr.upload" || f.count(`SELECT COUNT(*) FROM ocr_intakes`) > 0) {
					t.Errorf("no %s audit entry", action)
				}
			}
		})
	})
}

// slowCreator holds a member creation until released, to approve twice at once.
type slowCreator struct {
	inner            MemberCreator
	started, release chan struct{}
}

func (c slowCreator) Create(ctx context.Context, p *store.Principal, rec member.Record, reason string) (member.Member, error) {
	c.started <- struct{}{}
	<-c.release
	return c.inner.Create(ctx, p, rec, reason)
}

// TestApproveHoldsIntake: while one approval creates the member, a second approval or a
// rejection of the same intake is refused, and one member results.
func TestApproveHoldsIntake(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		in := f.queued("a", "P.A", readFields(0.95))
		p := &store.Principal{UserID: "user-a", Grants: []store.Grant{f.unit["P.A"]}}
		ctx := store.WithActor(context.Background(), "user-a")
		rec := recordFrom(approveForm(nil))
		slow := slowCreator{inner: member.NewService(db), started: make(chan struct{}), release: make(chan struct{})}
		done := make(chan error)
		go func() {
			_, err := f.svc.Approve(ctx, p, in.ID, rec, slow)
			done <- err
		}()
		<-slow.started
		if _, err := f.svc.Approve(ctx, p, in.ID, rec, member.NewService(db)); store.ErrorCode(err) != store.ECONFLICT {
			t.Errorf("second approval while the first runs: %v", err)
		}
		if err := f.svc.Reject(ctx, p, in.ID, "trùng"); store.ErrorCode(err) != store.ECONFLICT {
			t.Errorf("rejection while an approval runs: %v", err)
		}
		close(slow.release)
		if err := <-done; err != nil {
			t.Fatalf("first approval: %v", err)
		}
		if n := f.count(`SELECT COUNT(*) FROM members`); n != 1 || f.state(in.ID) != StateApproved {
			t.Fatalf("%d members, intake %s", n, f.state(in.ID))
		}
	})
}

// TestScanSealedAtRest: the scan on disk is not the scan (it holds ID numbers), and it
// reads back whole.
func TestScanSealedAtRest(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	s := NewService(db, t.TempDir(), Options{})
	data := []byte("Số CCCD: 001180012345")
	sum, err := s.putBlob(data)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := s.putBlob(data); err != nil || again != sum {
		t.Fatalf("second put: %s, %v", again, err)
	}
	onDisk, err := os.ReadFile(s.blobPath(sum))
	if err != nil || bytes.Contains(onDisk, []byte("001180012345")) {
		t.Fatalf("scan on disk in clear (%v)", err)
	}
	back, err := s.getBlob(sum)
	if err != nil || !bytes.Equal(back, data) {
		t.Fatalf("getBlob: %q, %v", back, err)
	}
}
