package search

import (
	"cmp"
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"dais/internal/demo/gen"
	"dais/internal/store"
	"dais/internal/store/storetest"
	"dais/internal/vntext"
)

// The reference is a plain loop over every member that applies the documented rules
// directly. The index must agree with it on totals and on the order of hits.

type refMember struct {
	id, name, card, unit, status string
	birth                        int
	surf, folded, canon          []string
}

func newRefMember(id, name, card, unit, status string, birth int) *refMember {
	m := &refMember{id: id, name: name, card: card, unit: unit, status: status, birth: birth}
	for _, w := range vntext.Syllables(name) {
		m.surf = append(m.surf, w)
		c := strings.ToLower(vntext.Canon(w))
		m.canon = append(m.canon, c)
		m.folded = append(m.folded, vntext.Fold(c))
	}
	return m
}

type refIndex struct {
	members map[string]*refMember // by ID
	order   []string              // IDs in insertion order
	paths   map[string]string     // unit code → path
	vocab   map[string]bool       // folded syllables of every name ever indexed
}

func (ri *refIndex) add(m *refMember) {
	if ri.members[m.id] == nil {
		ri.order = append(ri.order, m.id)
	}
	ri.members[m.id] = m
	for _, f := range m.folded {
		ri.vocab[f] = true
	}
}

// search answers q for the given subtree roots, like Index.Search for names.
func (ri *refIndex) search(roots []string, q Query) (int, []string) {
	pq, _ := parseText(q.Text)
	if q.Limit == 0 {
		q.Limit = DefaultLimit
	}
	type scored struct {
		m         *refMember
		rank, sub int
	}
	run := func(force bool) []scored {
		k := len(pq.syl)
		sets := make([]map[string]bool, k)
		fuzzy := false
		for i, qs := range pq.syl {
			sets[i] = map[string]bool{}
			for f := range ri.vocab {
				if f == qs.folded || i == k-1 && strings.HasPrefix(f, qs.folded) {
					sets[i][f] = true
				}
			}
			if (len(sets[i]) == 0 || force) && len([]rune(qs.folded)) >= 4 {
				for f := range ri.vocab {
					if within1(qs.folded, f) {
						sets[i][f] = true
					}
				}
				fuzzy = true
			}
			if len(sets[i]) == 0 {
				return nil
			}
		}
		if force && !fuzzy {
			return nil
		}
		var out []scored
		for _, m := range ri.members {
			in := false
			for _, r := range roots {
				in = in || strings.HasPrefix(ri.paths[m.unit], r)
			}
			if q.UnitCode != "" {
				in = in && strings.HasPrefix(ri.paths[m.unit], ri.paths[q.UnitCode])
			}
			if !in || q.BirthYear != 0 && m.birth != q.BirthYear || q.Status != "" && m.status != q.Status {
				continue
			}
			allAt := true
			for i := range pq.syl {
				allAt = allAt && i < len(m.folded) && sets[i][m.folded[i]]
			}
			var match [MaxSyllables]int
			if !assign(k, len(m.folded), func(i, j int) bool { return sets[i][m.folded[j]] }, match[:]) {
				continue
			}
			s := scored{m: m}
			switch {
			case k == 0:
				s.rank = rankFilter
			case fuzzy:
				s.rank = rankFuzzy
			case allAt && len(m.folded) == k:
				s.rank = rankExact
				for i, qs := range pq.syl {
					if m.folded[i] != qs.folded {
						s.rank = rankPrefix
					} else if m.canon[i] != qs.canon && s.rank == rankExact {
						s.rank = rankExactFolded
					}
				}
			case allAt:
				s.rank = rankPrefix
			default:
				s.rank = rankWords
			}
			if s.rank > rankExact && s.rank < rankFuzzy {
				for i, qs := range pq.syl {
					if !qs.diacritics() {
						continue
					}
					j := match[i]
					toneless, tone := vntext.SplitTone(m.canon[j])
					if !agrees(qs, &canonSyl{toneless: toneless, tone: tone}, i == k-1) {
						s.sub++
					}
				}
			}
			out = append(out, s)
		}
		return out
	}
	found := run(false)
	if len(found) == 0 && len(pq.syl) > 0 {
		found = run(true)
	}
	slices.SortFunc(found, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.sub, b.sub), refCmpNames(a.m, b.m), strings.Compare(a.m.card, b.m.card))
	})
	var ids []string
	for i := q.Offset; i < len(found) && i < q.Offset+q.Limit; i++ {
		ids = append(ids, found[i].m.id)
	}
	return len(found), ids
}

// refCmpNames is the documented name order: folded syllables, length, then each syllable
// by (folded, canonical, as written).
func refCmpNames(a, b *refMember) int {
	for i := 0; i < len(a.folded) && i < len(b.folded); i++ {
		if c := strings.Compare(a.folded[i], b.folded[i]); c != 0 {
			return c
		}
	}
	if c := cmp.Compare(len(a.folded), len(b.folded)); c != 0 {
		return c
	}
	for i := range a.folded {
		if c := cmp.Or(strings.Compare(a.canon[i], b.canon[i]), strings.Compare(a.surf[i], b.surf[i])); c != 0 {
			return c
		}
	}
	return 0
}

// oldStyle rewrites some syllables with the other tone placement, upper-cases or strips
// diacritics, as legacy data has them.
func oldStyle(r *rand.Rand, name string) string {
	switch r.IntN(10) {
	case 0:
		return vntext.Fold(name) // no diacritics at all
	case 1:
		return strings.ToUpper(name)
	case 2, 3:
		rep := strings.NewReplacer("òa", "oà", "óa", "oá", "ỏa", "oả", "õa", "oã", "ọa", "oạ", "ủy", "uỷ", "úy", "uý", "ùy", "uỳ", "ũy", "uỹ", "ụy", "uỵ", "ỏe", "oẻ", "òe", "oè")
		return rep.Replace(name)
	}
	return name
}

// mutate makes a query from a name: as is, folded, partly folded, cut short, reordered,
// shortened to some syllables, or with a typo.
func mutate(r *rand.Rand, name string) string {
	syl := vntext.Syllables(name)
	switch r.IntN(11) {
	case 0:
		return vntext.Fold(name)
	case 9: // a prefix the first syllable already covers: "Nguyễn Văn An Ng"
		first := []rune(syl[0])
		syl = append(syl, string(first[:min(2, len(first))]))
	case 10: // a repeated syllable
		syl = append(syl, syl[r.IntN(len(syl))])
	case 1:
		i := r.IntN(len(syl))
		syl[i] = vntext.Fold(syl[i])
	case 2:
		last := []rune(syl[len(syl)-1])
		syl[len(syl)-1] = string(last[:1+r.IntN(len(last))])
	case 3:
		r.Shuffle(len(syl), func(i, j int) { syl[i], syl[j] = syl[j], syl[i] })
	case 4:
		syl = syl[r.IntN(len(syl)):]
	case 5:
		i := r.IntN(len(syl))
		f := []byte(vntext.Fold(syl[i]))
		if len(f) >= 4 {
			j := r.IntN(len(f))
			f[j] = "aeiouxyz"[r.IntN(8)]
			syl[i] = string(f)
		}
	case 6:
		syl = []string{syl[len(syl)-1]}
	case 7:
		return strings.ToLower(oldStyle(r, name))
	}
	return strings.Join(syl, " ")
}

func TestAgainstReference(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(refSeed(), 11))
		f := newFixture(t, db)
		ri := &refIndex{members: map[string]*refMember{}, paths: map[string]string{}, vocab: map[string]bool{}}
		var leaves, communes []string
		var walk func(u gen.Unit, parent string)
		walk = func(u gen.Unit, parent string) {
			tu := f.unit(t, u.Code, parent)
			ri.paths[u.Code] = tu.path
			if u.Type == "commune" {
				communes = append(communes, u.Code)
			}
			if len(u.Children) == 0 {
				leaves = append(leaves, u.Code)
			}
			for _, c := range u.Children {
				walk(c, u.Code)
			}
		}
		walk(gen.Province(r, 6, 3), "")
		cards := gen.NewCards(3)
		statuses := []string{"official", "official", "official", "probationary", "deceased"}
		var names []string
		insert := func(n int) {
			err := db.WriteUnaudited(ctx, func(tx *store.Tx) error {
				for range n {
					p := gen.NewPerson(r)
					m := newRefMember(store.NewID(), oldStyle(r, p.FullName), cards.Next(), leaves[r.IntN(len(leaves))],
						statuses[r.IntN(len(statuses))], p.BirthDate.Year())
					if _, err := tx.ExecContext(ctx, `INSERT INTO members (id, unit_id, full_name, gender, birth_date, card_number,
						admission_date, status, created_at, updated_at) VALUES (?, ?, ?, 'male', ?, ?, '2000-01-01', ?, ?, ?)`,
						m.id, f.units[m.unit].id, m.name, p.BirthDate.Format(time.DateOnly), m.card, m.status, store.Now(), store.Now()); err != nil {
						return err
					}
					ri.add(m)
					names = append(names, m.name)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		insert(3000)
		x, err := Build(ctx, db)
		if err != nil {
			t.Fatal(err)
		}

		compare := func(round string, queries int) {
			for i := range queries {
				q := Query{Text: mutate(r, names[r.IntN(len(names))]), Limit: 1 + r.IntN(40), Offset: r.IntN(5)}
				switch r.IntN(8) {
				case 0:
					q.BirthYear = 1950 + r.IntN(40)
				case 1:
					q.Status = statuses[r.IntN(len(statuses))]
				case 2:
					q.UnitCode = communes[r.IntN(len(communes))]
				case 3:
					q.Text = ""
					q.BirthYear = 1960 + r.IntN(10)
				}
				if _, err := parseText(q.Text); err != nil {
					continue
				}
				p, roots := System(), []string{"/"}
				if i%3 == 1 {
					c1, c2 := communes[r.IntN(len(communes))], communes[r.IntN(len(communes))]
					p = f.principal(store.RoleSecretary, c1, c2)
					roots = []string{ri.paths[c1], ri.paths[c2]}
					for gi := range p.Grants {
						p.Grants[gi].UnitPath = ri.paths[p.Grants[gi].UnitCode]
					}
				}
				parallelAbove = map[bool]int{true: 64, false: 150_000}[i%2 == 0] // both paths
				res, err := x.Search(ctx, p, q)
				if err != nil {
					t.Fatalf("%s: Search(%+v): %v", round, q, err)
				}
				total, ids := ri.search(roots, q)
				if testing.Verbose() && i < 40 {
					t.Logf("%s %+v → %d %v", round, q, total, res.Hits[:min(2, len(res.Hits))])
				}
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.ID)
				}
				if res.Total != total && q.Offset > 0 {
					q.Offset = 0
					res, _ = x.Search(ctx, p, q)
					got = nil
					for _, h := range res.Hits {
						got = append(got, h.ID)
					}
					_, ids = ri.search(roots, q)
				}
				if res.Total != total || !slices.Equal(got, ids) {
					t.Errorf("%s: query %+v (scope %d roots): total %d, want %d\n got  %q\n want %q", round, q, len(roots), res.Total, total,
						ri.namesOf(got), ri.namesOf(ids))
				}
			}
		}
		defer func() { parallelAbove = 150_000 }()
		compare("build", 400)

		// Changes: renames, moves, new members, then a refresh; then a unit move.
		for i := 0; i < 150; i++ {
			m := ri.members[ri.order[r.IntN(len(ri.order))]]
			switch i % 3 {
			case 0:
				nm := oldStyle(r, gen.NewPerson(r).FullName)
				f.exec(t, "member", m.id, `UPDATE members SET full_name = ?, updated_at = ? WHERE id = ?`, nm, store.Now(), m.id)
				ri.add(newRefMember(m.id, nm, m.card, m.unit, m.status, m.birth))
				names = append(names, nm)
			case 1:
				u := leaves[r.IntN(len(leaves))]
				f.exec(t, "member", m.id, `UPDATE members SET unit_id = ?, updated_at = ? WHERE id = ?`, f.units[u].id, store.Now(), m.id)
				m.unit = u
			case 2:
				f.exec(t, "member", m.id, `UPDATE members SET status = 'removed', updated_at = ? WHERE id = ?`, store.Now(), m.id)
				m.status = "removed"
			}
		}
		insert(200)
		if err := x.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		compare("refresh", 300)

		// Move the first commune under the last one's parent's sibling: the tree changes
		// under the index.
		c := communes[0]
		newParent := communes[len(communes)-1]
		old := ri.paths[c]
		np := ri.paths[newParent] + f.units[c].id + "/"
		f.exec(t, "unit", f.units[c].id, `UPDATE units SET path = ? || substr(path, ?), parent_id = ? WHERE path >= ? AND path < ?`,
			np, len(old)+1, f.units[newParent].id, old, old+"~")
		for code, p := range ri.paths {
			if strings.HasPrefix(p, old) {
				ri.paths[code] = np + p[len(old):]
			}
		}
		if err := x.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if !x.Stats().Stale {
			t.Fatal("the index should be stale after a unit move")
		}
		compare("stale", 300)
		if err := x.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		clear(ri.vocab) // a build knows only the names of today
		for _, m := range ri.members {
			for _, f := range m.folded {
				ri.vocab[f] = true
			}
		}
		compare("rebuilt", 300)
	})
}

func (ri *refIndex) namesOf(ids []string) []string {
	var out []string
	for _, id := range ids {
		m := ri.members[id]
		out = append(out, m.name+"/"+m.card)
	}
	return out
}

// refSeed is the seed of the randomized comparison: DAIS_SEARCH_SEED, or 7.
func refSeed() uint64 {
	if s, err := strconv.ParseUint(os.Getenv("DAIS_SEARCH_SEED"), 10, 64); err == nil {
		return s
	}
	return 7
}
