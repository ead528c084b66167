package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"dais/internal/account"
	"dais/internal/demo"
	"dais/internal/store"
)

// The upload page checks a file, then imports it, and shows progress and the outcome.
func TestImportUpload(t *testing.T) {
	a, base, res := startDemoApp(t, 200)
	var secret string
	for _, l := range res.Logins {
		if l.Username == "tochuc" {
			secret = l.TOTPSecret
		}
	}
	code, _ := account.TOTPCode(secret, time.Now())
	body, _ := json.Marshal(map[string]string{"username": "tochuc", "password": demo.Password, "code": code})
	resp, err := http.Post(base+"/api/v1/session", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct{ Token string }
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if tok.Token == "" {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	sample, err := os.ReadFile("../../docs/import-sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	upload := func(file []byte, dry bool) string {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "danh-sach.csv")
		fw.Write(file)
		if dry {
			mw.WriteField("dry_run", "1")
		}
		mw.Close()
		req, _ := http.NewRequest("POST", base+"/import", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("upload: status %d", resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	// wait polls the job page until it is done and returns its text.
	wait := func(loc string) string {
		t.Helper()
		for range 300 {
			req, _ := http.NewRequest("GET", base+loc, nil)
			req.Header.Set("Authorization", "Bearer "+tok.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("job page: %d", resp.StatusCode)
			}
			if s := string(b); !strings.Contains(s, `hx-trigger="every 1s"`) {
				return s
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatal("import did not finish")
		return ""
	}
	// A dry run reads and checks every row; an officer may only import into units they
	// may write, so rows of other units would be reported, not saved.
	page := wait(upload(sample, true))
	if !strings.Contains(page, "10 dòng dữ liệu") {
		t.Fatalf("dry run page lacks the row count:\n%s", page)
	}
	bad := strings.Replace(string(sample), "12/03/1968", "31/02/1968", 1)
	page = wait(upload([]byte(bad), false))
	if !strings.Contains(page, "không có dòng nào được nhập") || !strings.Contains(page, "<td>2</td>") {
		t.Fatalf("a bad row must be reported by row and import nothing:\n%s", page)
	}
	get := func(path string) string {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok.Token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	// The jobs are in the store: the upload page lists them (any replica would).
	if page := get("/import"); strings.Count(page, "danh-sach.csv") != 2 {
		t.Errorf("the upload page lists %d of the 2 jobs", strings.Count(page, "danh-sach.csv"))
	}
	// A job whose worker stopped (a restart mid-import) says so instead of running forever.
	var owner string
	if err := a.db.R().QueryRowContext(context.Background(), `SELECT id FROM users WHERE username = 'tochuc'`).Scan(&owner); err != nil {
		t.Fatal(err)
	}
	old := store.Now().Add(-10 * time.Minute)
	err = a.db.WriteUnaudited(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ExecContext(context.Background(), `INSERT INTO import_jobs (id, owner_id, file, dry_run, phase, total_bytes, started_at, updated_at)
			VALUES ('job-cut-short', ?, 'lon.csv', FALSE, 'importing', 1000, ?, ?)`, owner, old, old)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if page := get("/import/job-cut-short"); !strings.Contains(page, "Máy chủ đã dừng khi đang nhập tệp này") || strings.Contains(page, `hx-trigger="every 1s"`) {
		t.Errorf("an interrupted job's page:\n%s", page)
	}
}
