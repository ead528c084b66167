package imports

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"dais/internal/member"
)

var (
	benchFamily = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"}
	benchMiddle = []string{"Văn", "Thị", "Quang", "Minh", "Thu", "Ngọc", "Hữu", "Đức"}
	benchGiven  = []string{"Hùng", "Hằng", "Minh", "Hoà", "Thuỷ", "Anh", "Bảo", "Lan", "Sình", "Khuê", "Phước", "Dũng"}
)

// benchRow returns the i-th generated member as the template's 18 cells.
func benchRow(i int) []string {
	birth := time.Date(1940+i%50, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
	adm := birth.AddDate(20+i%10, i%7, i%11)
	return []string{
		benchFamily[i%10] + " " + benchMiddle[i/10%8] + " " + benchGiven[i/80%12], "", []string{"Nam", "Nữ"}[i%2],
		birth.Format("02/01/2006"), "Xã Phù Chẩn, Từ Sơn, Bắc Ninh", "Phường Đình Bảng, Từ Sơn, Bắc Ninh", "Kinh", "Không",
		fmt.Sprintf("0270%08d", i), fmt.Sprintf("%08d", i), fmt.Sprintf("BN.HL%02d.CB%02d", i%40, i%12),
		adm.Format("02/01/2006"), adm.AddDate(1, 0, 0).Format("02/01/2006"), "", "12/12", "Đại học", "Trung cấp", "",
	}
}

// benchCSV writes a CSV file of n generated members under dir.
func benchCSV(tb testing.TB, dir string, n int) string {
	path := filepath.Join(dir, fmt.Sprintf("members-%d.csv", n))
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(strings.Join(templateHeader(), ",") + "\n")
	for i := range n {
		for j, c := range benchRow(i) {
			if j > 0 {
				w.WriteByte(',')
			}
			if strings.ContainsRune(c, ',') {
				c = `"` + c + `"`
			}
			w.WriteString(c)
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	return path
}

func benchOpen(b *testing.B, path string) *Reader {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	st, _ := f.Stat()
	b.SetBytes(st.Size())
	rd, err := Open(f, st.Size(), path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return rd
}

// BenchmarkCheckCSV is a full Check of a generated file of a million members: reading,
// decoding, normalizing, validating, duplicate cards and unit codes.
func BenchmarkCheckCSV(b *testing.B) {
	const n = 1_000_000
	rd := benchOpen(b, benchCSV(b, b.TempDir(), n))
	units := func(string) bool { return true }
	b.ResetTimer()
	for b.Loop() {
		rep, err := Check(context.Background(), rd, today, units)
		if err != nil || !rep.OK() || rep.Rows != n {
			b.Fatalf("%d rows, %v, %v", rep.Rows, err, rep.Problems[:min(3, len(rep.Problems))])
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkScanCSV is the reading alone: tokenizing and decoding, no records.
func BenchmarkScanCSV(b *testing.B) {
	const n = 1_000_000
	rd := benchOpen(b, benchCSV(b, b.TempDir(), n))
	b.ResetTimer()
	for b.Loop() {
		rows := 0
		if err := rd.src.scan(context.Background(), func(int, []cell) error { rows++; return nil }); err != nil || rows != n+1 {
			b.Fatalf("%d rows, %v", rows, err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkEachCSV is the second pass alone: records streamed to the writer.
func BenchmarkEachCSV(b *testing.B) {
	const n = 1_000_000
	rd := benchOpen(b, benchCSV(b, b.TempDir(), n))
	b.ResetTimer()
	for b.Loop() {
		if err := Each(context.Background(), rd, func(int, member.Record) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkCheckXLSX is Check of a workbook of 200,000 members written by excelize's
// stream writer (cards as text, dates as text).
func BenchmarkCheckXLSX(b *testing.B) {
	const n = 200_000
	path := filepath.Join(b.TempDir(), "members.xlsx")
	f := excelize.NewFile()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	row := make([]any, len(Columns))
	for j, h := range templateHeader() {
		row[j] = h
	}
	sw.SetRow("A1", row)
	for i := range n {
		for j, c := range benchRow(i) {
			row[j] = c
		}
		if err := sw.SetRow(cellName(0, i+2), row); err != nil {
			b.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		b.Fatal(err)
	}
	f.Close()
	rd := benchOpen(b, path)
	b.ResetTimer()
	for b.Loop() {
		rep, err := Check(context.Background(), rd, today, nil)
		if err != nil || !rep.OK() || rep.Rows != n {
			b.Fatalf("%d rows, %v, %v", rep.Rows, err, rep.Problems[:min(3, len(rep.Problems))])
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
