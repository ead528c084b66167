package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/jpeg"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"dais/internal/leak"
	"dais/internal/leak/leaktest"
	"dais/internal/pdfdoc"
	"dais/internal/store"
)

// TestTraceLeak issues copies of a restricted document to two readers, leaks them the
// ways a reader would — the PDF itself, a phone photo of a printed page, a screenshot
// photo, a PDF re-made from a scan — and checks that `dais trace-leak` names the right
// reader each time, and refuses a page that carries no fingerprint.
func TestTraceLeak(t *testing.T) {
	ctx := store.WithActor(context.Background(), "test")
	dir := t.TempDir()
	db, err := openStore(ctx, config{"data": dir, "db": "", "key-file": ""}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 25, 7, 3, 0, 0, time.UTC)
	hoa, err := leak.Record(ctx, db, leak.Copy{ReaderID: "u-hoa", ReaderName: "Nguyễn Thị Hoa", Delegate: "214",
		DocumentID: "doc-bcct", Version: 3, Kind: leak.KindPDF, IssuedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	binh, err := leak.Record(ctx, db, leak.Copy{ReaderID: "u-binh", ReaderName: "Trần Văn Bình", Delegate: "87",
		DocumentID: "doc-bcct", Version: 3, Kind: leak.KindHTML, IssuedAt: at.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	trace := func(t *testing.T, file string, extra ...string) (string, error) {
		t.Helper()
		var out, errb bytes.Buffer
		args := append([]string{"trace-leak", file, "--data", dir, "--db", ""}, extra...)
		err := run(ctx, args, nil, &out, &errb)
		return out.String(), err
	}
	traceJSON := func(t *testing.T, file string) traceReport {
		t.Helper()
		out, err := trace(t, file, "--json")
		if err != nil {
			t.Fatalf("trace-leak %s: %v", filepath.Base(file), err)
		}
		var rep traceReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		return rep
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	rng := rand.New(rand.NewPCG(2026, 11))

	// Hoa's PDF, made as internal/document makes a restricted copy.
	pdfFile := write("bao-cao-chinh-tri.pdf", restrictedPDF(t, hoa))

	t.Run("leaked PDF", func(t *testing.T) {
		rep := traceJSON(t, pdfFile)
		if rep.Copy != hoa || rep.Channel != leak.ChannelPDFText || rep.Confidence != 1 || rep.Code != hoa.Code() {
			t.Fatalf("got %+v, want Hoa's copy from the PDF's text", rep)
		}
		out, err := trace(t, pdfFile)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Nguyễn Thị Hoa (user u-hoa), delegate no. 214", "doc-bcct, version 3", hoa.Code() + " (pdf)",
			"2026-11-25 14:03:00 +07:00", "hidden text"} {
			if !strings.Contains(out, want) {
				t.Errorf("report lacks %q:\n%s", want, out)
			}
		}
	})

	havePoppler := func(t *testing.T) {
		if _, err := exec.LookPath("pdftoppm"); err != nil {
			t.Skip("pdftoppm (poppler-utils) not installed")
		}
	}

	// Page 1 of Hoa's PDF as printed and photographed.
	var page1 []byte
	t.Run("photo of a printed page", func(t *testing.T) {
		havePoppler(t)
		out, err := exec.Command("pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", "-singlefile", pdfFile, filepath.Join(dir, "page1")).CombinedOutput()
		if err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
		if page1, err = os.ReadFile(filepath.Join(dir, "page1.png")); err != nil {
			t.Fatal(err)
		}
		img, _, err := leak.DecodeImage(page1)
		if err != nil {
			t.Fatal(err)
		}
		p := leaktest.PhotoOptions{Scale: 0.68, Angle: -3.1, Crop: 0.42, Quality: 66, Noise: 4, Shade: 0.15}
		photo := write("photo.jpg", leaktest.Photo(img, p, rng))
		if _, err := jpeg.DecodeConfig(bytes.NewReader(mustRead(t, photo))); err != nil {
			t.Fatal(err)
		}
		rep := traceJSON(t, photo)
		if rep.Copy != hoa || rep.Channel != leak.ChannelImage || rep.Format != "jpeg" || rep.Confidence < 0.9 {
			t.Fatalf("photo (%v): got %+v, want Hoa's copy", p, rep)
		}
	})

	t.Run("PDF re-made from a scan", func(t *testing.T) {
		havePoppler(t)
		if page1 == nil {
			t.Skip("no page image")
		}
		f := fpdf.New("P", "mm", "A4", "")
		f.AddPage()
		opt := fpdf.ImageOptions{ImageType: "PNG"}
		f.RegisterImageOptionsReader("scan", opt, bytes.NewReader(page1))
		f.ImageOptions("scan", 0, 0, 210, 297, false, opt, 0, "")
		var b bytes.Buffer
		if err := f.Output(&b); err != nil {
			t.Fatal(err)
		}
		rep := traceJSON(t, write("scan.pdf", b.Bytes()))
		if rep.Copy != hoa || rep.Channel != leak.ChannelPDFRaster || rep.Page != 1 {
			t.Fatalf("re-made PDF: got %+v, want Hoa's copy from page 1's fingerprint", rep)
		}
	})

	// Bình read the document on screen: a photo of his page, drawn with the reader's
	// fonts and the overlay's tile at screen scale.
	t.Run("photo of a screen", func(t *testing.T) {
		page, err := leaktest.Page(leaktest.PageOptions{Width: 1100, Height: 1400, ID: binh.ID, CellPx: leak.HTMLCellPx * 1.25, TextPt: 10})
		if err != nil {
			t.Fatal(err)
		}
		p := leaktest.PhotoOptions{Scale: 0.75, Angle: 2.4, Crop: 0.35, Quality: 70, Noise: 5, Shade: 0.15}
		rep := traceJSON(t, write("screen.jpg", leaktest.Photo(page, p, rng)))
		if rep.Copy != binh || rep.Channel != leak.ChannelImage {
			t.Fatalf("screen photo (%v): got %+v, want Bình's copy", p, rep)
		}
		if rep.Copy.ID == hoa.ID {
			t.Fatal("two readers' copies decode to one ID")
		}
	})

	t.Run("no fingerprint", func(t *testing.T) {
		page, err := leaktest.Page(leaktest.PageOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p := leaktest.PhotoOptions{Scale: 0.7, Angle: 3, Crop: 0.4, Quality: 70, Noise: 4}
		out, err := trace(t, write("plain.jpg", leaktest.Photo(page, p, rng)))
		if err == nil || !strings.Contains(err.Error(), "no reader fingerprint found") || out != "" {
			t.Fatalf("plain page: %q, %v; want a refusal", out, err)
		}
		if _, err := trace(t, write("notes.txt", []byte("biên bản họp chi bộ"))); err == nil || !strings.Contains(err.Error(), "not a PDF, PNG or JPEG") {
			t.Fatalf("text file: %v", err)
		}
	})

	t.Run("copy unknown to the store", func(t *testing.T) {
		stranger := hoa
		stranger.ID = hoa.ID ^ 0x5555
		_, err := trace(t, write("other.pdf", restrictedPDF(t, stranger)))
		if err == nil || !strings.Contains(err.Error(), "served no such copy") || !strings.Contains(err.Error(), stranger.Code()) {
			t.Fatalf("unknown copy: %v", err)
		}
	})

	t.Run("usage", func(t *testing.T) {
		var ue usageError
		if err := run(ctx, []string{"trace-leak"}, nil, &bytes.Buffer{}, &bytes.Buffer{}); !errors.As(err, &ue) {
			t.Fatalf("no file: %v", err)
		}
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// restrictedPDF lays out a few pages with internal/pdfdoc and marks every page with
// leak.PDFMarker, as internal/document's renderFor does for a restricted PDF.
func restrictedPDF(t *testing.T, c leak.Copy) []byte {
	t.Helper()
	doc := pdfdoc.New(pdfdoc.Options{Title: "Dự thảo Báo cáo chính trị", Created: c.IssuedAt})
	f := doc.PDF()
	m := leak.NewPDFMarker(f, c, "vi")
	m.Page()
	f.SetHeaderFunc(m.Page)
	doc.Title("Dự thảo Báo cáo chính trị")
	for range 8 {
		doc.Paragraph(strings.ReplaceAll(leaktest.Text, "\n", " "))
	}
	var b bytes.Buffer
	if err := doc.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
