package search

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"dais/internal/demo/gen"
	"dais/internal/store"
	"dais/internal/vntext"
)

func memIndex(t testing.TB, n int) (*Index, []string) {
	r := rand.New(rand.NewPCG(1, 2))
	tmp := newState()
	root := gen.NationalTree(r, max(n/35, 40))
	var leaves []uint32
	var walk func(u gen.Unit, path string)
	walk = func(u gen.Unit, path string) {
		id := store.NewID()
		p := path + id + "/"
		tmp.units.set(unitRow{id, u.Code, p})
		if len(u.Children) == 0 {
			leaves = append(leaves, tmp.units.byID[id])
		}
		for _, c := range u.Children {
			walk(c, p)
		}
	}
	walk(root, "/")
	cards := gen.NewCards(1)
	var names []string
	var buf []uint32
	for i := 0; i < n; i++ {
		p := gen.NewPerson(r)
		rw := row{id: store.NewID(), fullName: p.FullName, birthDate: p.BirthDate.Format(time.DateOnly), card: cards.Next(), status: "official"}
		pn := tmp.v.parseName(rw.fullName, buf)
		buf = pn.syl
		tmp.appendColumns(&rw, leaves[r.IntN(len(leaves))], pn)
		if i%100 == 0 {
			names = append(names, p.FullName)
		}
	}
	st := tmp.layOut()
	x := &Index{}
	x.cur.Store(st)
	return x, names
}

func TestProf(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PROF_N"))
	if n == 0 {
		t.Skip()
	}
	t0 := time.Now()
	x, names := memIndex(t, n)
	t.Logf("built %d in %s, stats %+v", n, time.Since(t0), x.Stats())
	ctx := context.Background()
	r := rand.New(rand.NewPCG(3, 4))
	for _, q := range []string{"Nguyễn", "nguyen", "Trần", "Lò", "Văn", "Thị", "Nguyễn Văn", "Nguyễn Văn Th", "Nguyễn Thị H", "Hùng", "ng", "t", "Nguyễn Văn Hùng", "nguyen van hung", "Nguyen Van Hugn"} {
		for i := 0; i < 3; i++ {
			t0 := time.Now()
			res, err := x.Search(ctx, System(), Query{Text: q})
			if err != nil {
				t.Fatal(err)
			}
			if i == 2 {
				t.Logf("%-20q %8d %v", q, res.Total, time.Since(t0))
			}
		}
	}
	var worst time.Duration
	worstQ := ""
	for i := 0; i < 300; i++ {
		q := mutate(r, names[r.IntN(len(names))])
		t0 := time.Now()
		if _, err := x.Search(ctx, System(), Query{Text: q}); err != nil {
			continue
		}
		if d := time.Since(t0); d > worst {
			worst, worstQ = d, q
		}
	}
	t.Logf("worst random: %q %v", worstQ, worst)
	_ = vntext.Fold
}

func TestProf2(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("PROF_N"))
	q := os.Getenv("PROF_Q")
	if n == 0 || q == "" {
		t.Skip()
	}
	x, _ := memIndex(t, n)
	ctx := context.Background()
	t0 := time.Now()
	for i := 0; i < 20; i++ {
		x.Search(ctx, System(), Query{Text: q})
	}
	t.Logf("%q: %v per query", q, time.Since(t0)/20)
}
