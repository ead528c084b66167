package imports

import (
	"strings"
	"testing"
)

func templateHeader() []string {
	h := make([]string, len(Columns))
	for i, c := range Columns {
		h[i] = c.Header
	}
	return h
}

func TestMatchHeader(t *testing.T) {
	english := make([]string, len(Columns))
	for i, c := range Columns {
		english[i] = c.Field
	}
	required := []string{"HỌ VÀ TÊN", "ngay sinh", "Gioi tinh", "so the dang vien", "Ma_don_vi", "Ngày vào  Đảng", "ngày chính thức"}
	nfd := "Ho\u0323 va\u0300 te\u0302n" // "Họ và tên" decomposed
	cases := []struct {
		name   string
		header []string
		keys   []string // problem keys expected, in order
	}{
		{"template", templateHeader(), nil},
		{"english", english, nil},
		{"english title case", []string{"Full Name", "Birth Date", "GENDER", "Card-Number", "unit code", "Admission_Date", "official date"}, nil},
		{"folded and spaced", required, nil},
		{"NFD", append([]string{nfd}, required[1:]...), nil},
		{"empty columns ignored", append(append([]string{"", " "}, required...), ""), nil},
		{"unknown", append(required, "Số điện thoại"), []string{"imp.column_unknown"}},
		{"duplicate", append(required, "full_name"), []string{"imp.column_duplicate"}},
		{"missing", required[1:], []string{"imp.column_missing"}},
		{"all wrong", []string{"DANH SÁCH ĐẢNG VIÊN"}, []string{"imp.column_unknown", "imp.column_missing", "imp.column_missing", "imp.column_missing", "imp.column_missing", "imp.column_missing", "imp.column_missing", "imp.column_missing"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cols, probs := matchHeader(c.header, 1)
			var keys []string
			for _, p := range probs {
				keys = append(keys, p.Key)
				if p.Row != 1 || p.Message == "" {
					t.Errorf("problem %+v", p)
				}
			}
			if strings.Join(keys, " ") != strings.Join(c.keys, " ") {
				t.Errorf("problems %v, want %v", probs, c.keys)
			}
			if len(cols) != len(c.header) {
				t.Errorf("%d columns mapped for %d headers", len(cols), len(c.header))
			}
		})
	}
	_, probs := matchHeader(append(required, "Ghi chú", "Họ tên"), 1)
	if len(probs) != 2 || probs[0].Column != "Ghi chú" || !strings.Contains(probs[0].Message, "column H") ||
		probs[1].Column != "Họ tên" || !strings.Contains(probs[1].Message, "columns A and I") {
		t.Errorf("problems name the wrong columns: %v", probs)
	}
}

func TestColumnLetters(t *testing.T) {
	for j, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 27: "AB", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := columnLetters(j); got != want {
			t.Errorf("columnLetters(%d) = %q, want %q", j, got, want)
		}
		if got := cellColumn([]byte(want + "7")); got != j {
			t.Errorf("cellColumn(%s7) = %d, want %d", want, got, j)
		}
	}
}

// FuzzMatchHeader checks that any header maps each cell to at most one column, each
// column to at most one cell, and that a problem always names a column or a field.
func FuzzMatchHeader(f *testing.F) {
	f.Add(strings.Join(templateHeader(), "\t"))
	f.Add("full_name\tFull Name\t\tx")
	f.Add("Ho\u0323 va\u0300 te\u0302n\t\xff")
	f.Fuzz(func(t *testing.T, line string) {
		header := strings.Split(line, "\t")
		cols, probs := matchHeader(header, 1)
		used := map[int]bool{}
		for j, c := range cols {
			if c < -1 || c >= len(Columns) {
				t.Fatalf("cell %d mapped to %d", j, c)
			}
			if c >= 0 && used[c] {
				t.Fatalf("column %s mapped twice", Columns[c].Field)
			}
			used[c] = true
		}
		for _, p := range probs {
			if p.Column == "" && p.Field == "" {
				t.Fatalf("problem names nothing: %+v", p)
			}
		}
	})
}
