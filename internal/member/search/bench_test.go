package search

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"dais/internal/demo/gen"
	"dais/internal/store"
)

// memIndex builds an index of n generated members without a store (for benchmarks; the
// full measurement with a store and the references is `dais bench search`).
func memIndex(n int) (*Index, []string) {
	r := rand.New(rand.NewPCG(1, 2))
	tmp := newState()
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
	walk(gen.NationalTree(r, max(n/35, 40)), "/")
	cards := gen.NewCards(1)
	var names []string
	var buf []uint32
	for i := range n {
		p := gen.NewPerson(r)
		rw := row{id: store.NewID(), fullName: p.FullName, birthDate: p.BirthDate.Format(time.DateOnly), card: cards.Next(), status: "official"}
		pn := tmp.v.parseName(rw.fullName, buf)
		buf = pn.syl
		tmp.appendColumns(&rw, leaves[r.IntN(len(leaves))], pn)
		if i%50 == 0 {
			names = append(names, p.FullName)
		}
	}
	x := &Index{}
	x.cur.Store(tmp.layOut())
	return x, names
}

func BenchmarkSearch(b *testing.B) {
	x, names := memIndex(300_000)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		text func(r *rand.Rand) string
	}{
		{"full name", func(r *rand.Rand) string { return names[r.IntN(len(names))] }},
		{"mutated", func(r *rand.Rand) string { return mutate(r, names[r.IntN(len(names))]) }},
		{"surname", func(r *rand.Rand) string { return "Nguyễn" }},
		{"prefix", func(r *rand.Rand) string { return "Nguyễn Văn Th" }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := rand.New(rand.NewPCG(3, 4))
			for b.Loop() {
				if _, err := x.Search(ctx, System(), Query{Text: bc.text(r)}); err != nil && store.ErrorCode(err) != store.EINVALID {
					b.Fatal(err)
				}
			}
		})
	}
}
