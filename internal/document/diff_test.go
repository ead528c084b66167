package document

import (
	"fmt"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	a := []string{"Tiêu đề", "Đoạn một giữ nguyên.", "Tăng trưởng đạt khoảng 8% mỗi năm.", "Đoạn sẽ bị bỏ đi hoàn toàn.", "Kết luận."}
	b := []string{"Tiêu  đề", "Đoạn một giữ nguyên.", "Đoạn mới chèn vào.", "Tăng trưởng đạt từ 8,5% trở lên mỗi năm.", "Kết luận."}
	rows, ok := Diff(a, b)
	if !ok {
		t.Fatal("not aligned")
	}
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s %d→%d", r.Op, r.From, r.To))
	}
	want := []string{"same 1→1", "same 2→2", "added 0→3", "changed 3→4", "removed 4→0", "same 5→5"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Fatalf("Diff:\n got %v\nwant %v", got, want)
	}
	var words []string
	for _, w := range rows[3].Words {
		words = append(words, string(w.Op)+":"+w.Text)
	}
	if w := strings.Join(words, "|"); w != "same:Tăng trưởng đạt|removed:khoảng 8%|added:từ 8,5% trở lên|same:mỗi năm." {
		t.Errorf("words: %s", w)
	}
}

func TestDiffEdges(t *testing.T) {
	if rows, ok := Diff(nil, nil); len(rows) != 0 || !ok {
		t.Errorf("empty: %v", rows)
	}
	rows, _ := Diff(nil, []string{"a", "b"})
	if len(rows) != 2 || rows[0].Op != Added || rows[1].To != 2 {
		t.Errorf("all added: %+v", rows)
	}
	rows, _ = Diff([]string{"a", "b"}, nil)
	if len(rows) != 2 || rows[0].Op != Removed {
		t.Errorf("all removed: %+v", rows)
	}
	// Too large a differing middle: not aligned, but every paragraph is still accounted for.
	n := 2100
	a, b := make([]string, n), make([]string, n)
	for i := range n {
		a[i], b[i] = fmt.Sprintf("cũ %d", i), fmt.Sprintf("mới %d khác hẳn", i)
	}
	rows, ok := Diff(a, b)
	if ok {
		t.Error("a 2100×2100 middle should not fit the table")
	}
	from, to := 0, 0
	for _, r := range rows {
		if r.From > 0 {
			from++
		}
		if r.To > 0 {
			to++
		}
	}
	if from != n || to != n {
		t.Errorf("accounted %d/%d of %d", from, to, n)
	}
}

// Every paragraph of both sides appears exactly once, in order.
func FuzzDiff(f *testing.F) {
	f.Add("a\nb\nc", "a\nx\nc")
	f.Add("một hai ba\nbốn", "một hai\nbốn năm")
	f.Fuzz(func(t *testing.T, x, y string) {
		a, b := strings.Split(x, "\n"), strings.Split(y, "\n")
		if len(a)*len(b) > 10000 {
			return
		}
		rows, _ := Diff(a, b)
		i, j := 0, 0
		for _, r := range rows {
			if r.From > 0 {
				if r.From != i+1 {
					t.Fatalf("from %d after %d", r.From, i)
				}
				i++
			}
			if r.To > 0 {
				if r.To != j+1 {
					t.Fatalf("to %d after %d", r.To, j)
				}
				j++
			}
		}
		if i != len(a) || j != len(b) {
			t.Fatalf("accounted %d/%d of %d/%d", i, j, len(a), len(b))
		}
	})
}
