package search

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"dais/internal/store"
	"dais/internal/store/storetest"
)

// seedTree makes TW → HN (communes A, B, each with a cell) and DN (commune C) and a few
// members whose names exercise diacritics, tone placement, order and prefixes.
func seedTree(t *testing.T, db *store.DB) *fixture {
	f := newFixture(t, db)
	f.unit(t, "TW", "")
	f.unit(t, "HN", "TW")
	f.unit(t, "HN.A", "HN")
	f.unit(t, "HN.A.CB01", "HN.A")
	f.unit(t, "HN.B", "HN")
	f.unit(t, "HN.B.CB01", "HN.B")
	f.unit(t, "DN", "TW")
	f.unit(t, "DN.C", "DN")
	for _, m := range []tmember{
		{unit: "HN.A.CB01", name: "Nguyễn Thị Hòa", card: "00012345", birth: "1980-05-02", idNumber: "001080012345"},
		{unit: "HN.A.CB01", name: "Nguyễn Thị Hoa", card: "00012346", birth: "1975-01-09"},
		{unit: "HN.A.CB01", name: "Nguyễn Văn An", card: "00020001", birth: "1980-03-03"},
		{unit: "HN.A.CB01", name: "Nguyễn Văn Anh", card: "00020002", birth: "1990-03-03", status: "probationary"},
		{unit: "HN.A.CB01", name: "Nguyễn Thị Văn An", card: "00020003"},
		{unit: "HN.A.CB01", name: "Trần Thị Thuỷ", card: "00030001"},
		{unit: "HN.A", name: "Lê Văn Hùng", card: "00030002"},
		{unit: "HN.B.CB01", name: "Nguyễn Thị Hoà", card: "00012347", birth: "1980-12-31"},
		{unit: "HN.B.CB01", name: "Phạm Văn Hùng", card: "00030003"},
		{unit: "HN.B.CB01", name: "NGUYỄN VĂN AN", card: "00020004"},
		{unit: "DN.C", name: "Nguyễn Văn An", card: "00020005", status: "deceased"},
		{unit: "DN.C", name: "Đặng Thủy", card: "12345678"},
	} {
		f.member(t, m, false)
	}
	return f
}

type want struct {
	total int
	names []string // full names of the hits, in order (when set)
	kinds []Kind   // kinds of the hits, in order (when set)
	cards []string // card numbers of the hits, in order (when set)
}

func check(t *testing.T, res Result, w want) {
	t.Helper()
	var names, cards []string
	var kinds []Kind
	for _, h := range res.Hits {
		names = append(names, h.FullName)
		kinds = append(kinds, h.Kind)
		cards = append(cards, h.CardNumber)
	}
	if res.Total != w.total {
		t.Errorf("total %d, want %d (hits %q %v)", res.Total, w.total, names, kinds)
	}
	if w.names != nil && !slices.Equal(names, w.names) {
		t.Errorf("names %q, want %q", names, w.names)
	}
	if w.kinds != nil && !slices.Equal(kinds, w.kinds) {
		t.Errorf("kinds %v, want %v (names %q)", kinds, w.kinds, names)
	}
	if w.cards != nil && !slices.Equal(cards, w.cards) {
		t.Errorf("cards %q, want %q", cards, w.cards)
	}
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := seedTree(t, db)
		x, err := Build(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		sys := System()
		tests := []struct {
			name string
			p    *store.Principal
			q    Query
			want want
		}{
			{"no diacritics finds every Hòa/Hoa", sys, Query{Text: "nguyen thi hoa"}, want{total: 3,
				names: []string{"Nguyễn Thị Hoa", "Nguyễn Thị Hoà", "Nguyễn Thị Hòa"},
				kinds: []Kind{KindExactFolded, KindExactFolded, KindExactFolded}}},
			{"either tone placement is exact", sys, Query{Text: "Nguyễn Thị Hoà"}, want{total: 3,
				names: []string{"Nguyễn Thị Hoà", "Nguyễn Thị Hòa", "Nguyễn Thị Hoa"},
				kinds: []Kind{KindExact, KindExact, KindExactFolded}}},
			{"the other placement too", sys, Query{Text: "nguyễn thị hòa"}, want{total: 3,
				kinds: []Kind{KindExact, KindExact, KindExactFolded}}},
			{"partial diacritics put the matching tone first", sys, Query{Text: "Nguyen Thi Hòa"}, want{total: 3,
				names: []string{"Nguyễn Thị Hoà", "Nguyễn Thị Hòa", "Nguyễn Thị Hoa"}}},
			{"a mark on one letter is enough", sys, Query{Text: "Nguyen Thi Hoa"}, want{total: 3}},
			{"Thuỷ finds Thủy and Thuỷ", sys, Query{Text: "Thủy"}, want{total: 2,
				names: []string{"Đặng Thủy", "Trần Thị Thuỷ"}, kinds: []Kind{KindWords, KindWords}}},
			{"given name alone", sys, Query{Text: "hùng"}, want{total: 2, names: []string{"Lê Văn Hùng", "Phạm Văn Hùng"}}},
			{"ranking: exact, prefix, any order; case ignored", sys, Query{Text: "Nguyễn Văn An"}, want{total: 5,
				names: []string{"NGUYỄN VĂN AN", "Nguyễn Văn An", "Nguyễn Văn An", "Nguyễn Văn Anh", "Nguyễn Thị Văn An"},
				kinds: []Kind{KindExact, KindExact, KindExact, KindPrefix, KindWords},
				cards: []string{"00020004", "00020001", "00020005", "00020002", "00020003"}}},
			{"prefix of the last syllable", sys, Query{Text: "Nguyễn Văn A"}, want{total: 5,
				kinds: []Kind{KindPrefix, KindPrefix, KindPrefix, KindPrefix, KindWords}}},
			{"prefix alone", sys, Query{Text: "ngu"}, want{total: 8}},
			{"surname", sys, Query{Text: "Đặng"}, want{total: 1, names: []string{"Đặng Thủy"}, kinds: []Kind{KindPrefix}}},
			{"any order", sys, Query{Text: "An Nguyễn"}, want{total: 4}},
			{"typo in a long syllable", sys, Query{Text: "Nguyxn Van Anh"}, want{total: 1,
				names: []string{"Nguyễn Văn Anh"}, kinds: []Kind{KindFuzzy}}},
			{"swapped letters", sys, Query{Text: "Ngyuen Thi Hoa"}, want{total: 3, kinds: []Kind{KindFuzzy, KindFuzzy, KindFuzzy}}},
			{"typo when nothing matches as typed", sys, Query{Text: "Phạm Văn Hưnh"}, want{total: 1, names: []string{"Phạm Văn Hùng"}}},
			{"no typo allowed in short syllables", sys, Query{Text: "Lê Văn Hùn Xy"}, want{total: 0}},
			{"nothing", sys, Query{Text: "Zyxw"}, want{total: 0}},
			{"each syllable needs its own", sys, Query{Text: "Nguyễn Ng"}, want{total: 0}},
			{"a repeated syllable needs two", sys, Query{Text: "Văn Văn"}, want{total: 0}},
			{"a prefix another syllable covers", sys, Query{Text: "Nguyễn Thị H"}, want{total: 3}},
			{"limit and offset keep the exact total", sys, Query{Text: "Nguyễn Văn An", Limit: 2, Offset: 1}, want{total: 5,
				cards: []string{"00020001", "00020005"}}},
			{"commune A never sees commune B", f.principal(store.RoleSecretary, "HN.A"), Query{Text: "nguyen thi hoa"}, want{total: 2,
				names: []string{"Nguyễn Thị Hoa", "Nguyễn Thị Hòa"}}},
			{"commune B", f.principal(store.RoleSecretary, "HN.B"), Query{Text: "Hòa"}, want{total: 1, names: []string{"Nguyễn Thị Hoà"}}},
			{"two grants", f.principal(store.RoleOrgOfficer, "HN.B", "DN"), Query{Text: "nguyen van an"}, want{total: 2,
				cards: []string{"00020004", "00020005"}}},
			{"no member.read grant sees nothing", f.principal(store.RoleCounting, "TW"), Query{Text: "nguyen"}, want{total: 0}},
			{"no grant at all", &store.Principal{}, Query{Text: "nguyen"}, want{total: 0}},
			{"unit filter", sys, Query{Text: "nguyen thi hoa", UnitCode: "hn.b"}, want{total: 1, names: []string{"Nguyễn Thị Hoà"}}},
			{"unit filter outside the grant", f.principal(store.RoleSecretary, "HN.A"), Query{Text: "nguyen", UnitCode: "HN.B"}, want{total: 0}},
			{"unit filter inside the grant", f.principal(store.RoleSecretary, "HN"), Query{Text: "nguyen", UnitCode: "HN.A.CB01"}, want{total: 5}},
			{"birth year", sys, Query{Text: "nguyen", BirthYear: 1980}, want{total: 3,
				cards: []string{"00012347", "00012345", "00020001"}}},
			{"status", sys, Query{Text: "nguyen van", Status: "probationary"}, want{total: 1, names: []string{"Nguyễn Văn Anh"}}},
			{"unknown status", sys, Query{Text: "nguyen", Status: "retired"}, want{total: 0}},
			{"filters alone", sys, Query{BirthYear: 1980}, want{total: 3, kinds: []Kind{KindFilter, KindFilter, KindFilter}}},
			{"unit alone", f.principal(store.RoleSecretary, "TW"), Query{UnitCode: "DN"}, want{total: 2}},
			{"card number with leading zeros", sys, Query{Text: "00012345"}, want{total: 1,
				names: []string{"Nguyễn Thị Hòa"}, kinds: []Kind{KindCardNumber}}},
			{"card number without its zeros is another number", sys, Query{Text: "12345"}, want{total: 0}},
			{"card number out of scope", f.principal(store.RoleSecretary, "HN.B"), Query{Text: "00012345"}, want{total: 0}},
			{"card number with a filter", sys, Query{Text: "00012345", BirthYear: 1981}, want{total: 0}},
			{"ID number through the blind index", sys, Query{Text: "001 080 012 345"}, want{total: 1,
				names: []string{"Nguyễn Thị Hòa"}, kinds: []Kind{KindIDNumber}}},
			{"ID number in scope", f.principal(store.RoleSecretary, "HN.A"), Query{Text: "001080012345"}, want{total: 1}},
			{"ID number out of scope", f.principal(store.RoleSecretary, "DN"), Query{Text: "001080012345"}, want{total: 0}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res, err := x.Search(ctx, tt.p, tt.q)
				if err != nil {
					t.Fatal(err)
				}
				check(t, res, tt.want)
				for _, h := range res.Hits {
					if h.ID == "" || h.UnitCode == "" || h.BirthDate == "" || h.Status == "" {
						t.Errorf("incomplete hit %+v", h)
					}
					if h.ID != f.ids[h.CardNumber] {
						t.Errorf("hit %s has ID %s, want %s", h.CardNumber, h.ID, f.ids[h.CardNumber])
					}
				}
			})
		}
	})
}

func TestSearchInvalid(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	seedTree(t, db)
	x, err := Build(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		q    Query
		code string
	}{
		{Query{}, store.EINVALID},
		{Query{Text: "   "}, store.EINVALID},
		{Query{Text: "an", Limit: MaxLimit + 1}, store.EINVALID},
		{Query{Text: "an", Limit: -1}, store.EINVALID},
		{Query{Text: "an", Offset: -1}, store.EINVALID},
		{Query{Text: "an", Offset: MaxOffset + 1}, store.EINVALID},
		{Query{Text: "an", BirthYear: 12}, store.EINVALID},
		{Query{Text: "an", Status: "DROP TABLE"}, store.EINVALID},
		{Query{Text: strings.Repeat("a", MaxTextRunes+1)}, store.EINVALID},
		{Query{Text: "a b c d e f g h i"}, store.EINVALID},
		{Query{Text: "an\x00"}, store.EINVALID},
		{Query{Text: "\xff"}, store.EINVALID},
		{Query{Text: strings.Repeat("1", MaxDigits+1)}, store.EINVALID},
		{Query{Text: "an", UnitCode: "NOPE"}, store.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%+v", tt.q)[:min(40, len(fmt.Sprintf("%+v", tt.q)))], func(t *testing.T) {
			_, err := x.Search(ctx, System(), tt.q)
			if store.ErrorCode(err) != tt.code {
				t.Errorf("Search(%+v) = %v, want code %s", tt.q, err, tt.code)
			}
		})
	}
}

func TestRefresh(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := seedTree(t, db)
		x, err := Build(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		search := func(p *store.Principal, text string) Result {
			t.Helper()
			res, err := x.Search(ctx, p, Query{Text: text})
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		refresh := func() {
			t.Helper()
			if err := x.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
		}
		// Nothing changed: nothing to do.
		refresh()
		if st := x.Stats(); st.Appended != 0 || st.Members != 12 {
			t.Fatalf("stats after an idle refresh: %+v", st)
		}

		// An audited insert.
		id := f.member(t, tmember{unit: "HN.B.CB01", name: "Vũ Thị Khoẻ", card: "00040001"}, true)
		check(t, search(System(), "Vu Thi Khoe"), want{total: 0})
		refresh()
		check(t, search(System(), "Vũ Thị Khỏe"), want{total: 1, kinds: []Kind{KindExact}})
		check(t, search(f.principal(store.RoleSecretary, "HN.A"), "Vu Thi Khoe"), want{total: 0})

		// A rename: the old name goes, the new one comes.
		f.exec(t, "member", id, `UPDATE members SET full_name = ?, updated_at = ? WHERE id = ?`, "Vũ Thị Khuê", store.Now(), id)
		refresh()
		// "Khoe" no longer matches as typed; one typo away, it finds "Khuê".
		check(t, search(System(), "Khoe"), want{total: 1, kinds: []Kind{KindFuzzy}})
		check(t, search(System(), "Vũ Thị Khuê"), want{total: 1, names: []string{"Vũ Thị Khuê"}})

		// A status change is applied in place.
		before := x.Stats().Appended
		f.exec(t, "member", id, `UPDATE members SET status = 'deceased', birth_date = '1999-09-09', updated_at = ? WHERE id = ?`, store.Now(), id)
		refresh()
		if x.Stats().Appended != before {
			t.Errorf("a status change appended the member again")
		}
		res := search(System(), "Khuê")
		if len(res.Hits) != 1 || res.Hits[0].Status != "deceased" || res.Hits[0].BirthDate != "1999-09-09" {
			t.Errorf("after status change: %+v", res.Hits)
		}

		// A move to commune A: A sees the member, B no longer does.
		f.exec(t, "member", id, `UPDATE members SET unit_id = ?, updated_at = ? WHERE id = ?`, f.units["HN.A"].id, store.Now(), id)
		refresh()
		check(t, search(f.principal(store.RoleSecretary, "HN.A"), "Khuê"), want{total: 1})
		check(t, search(f.principal(store.RoleSecretary, "HN.B"), "Khuê"), want{total: 0})

		// A member moved without updated_at (as a unit merge may do) is caught through the
		// units the audit log names.
		hoa := f.ids["00012347"]
		f.exec(t, "unit", f.units["HN.B.CB01"].id, `UPDATE members SET unit_id = ? WHERE id = ?`, f.units["DN.C"].id, hoa)
		refresh()
		check(t, search(f.principal(store.RoleSecretary, "DN"), "Nguyen Thi Hoa"), want{total: 1})
		check(t, search(f.principal(store.RoleSecretary, "HN"), "Nguyen Thi Hoa"), want{total: 2})

		// An unaudited insert (bulk tools) is still caught by its updated_at.
		f.member(t, tmember{unit: "DN.C", name: "Hồ Quý Ly", card: "00050001"}, false)
		refresh()
		check(t, search(System(), "ho quy ly"), want{total: 1})

		// A new unit and a member in it.
		f.unit(t, "DN.D", "DN")
		f.member(t, tmember{unit: "DN.D", name: "Lý Thường Kiệt", card: "00050002"}, true)
		refresh()
		check(t, search(f.principal(store.RoleSecretary, "DN.D"), "Kiet"), want{total: 1})
		check(t, search(f.principal(store.RoleSecretary, "DN"), "Kiet"), want{total: 1})
		check(t, search(f.principal(store.RoleSecretary, "HN"), "Kiet"), want{total: 0})

		// A unit of the build moves (commune B from HN to DN): subtrees are no longer
		// ranges of ordinals until the next build, and scope still holds.
		b := f.units["HN.B"]
		newPath := f.units["DN"].path + b.id + "/"
		f.exec(t, "unit", b.id, `UPDATE units SET path = ? || substr(path, ?), parent_id = ? WHERE path >= ? AND path < ?`,
			newPath, len(b.path)+1, f.units["DN"].id, b.path, b.path+"~")
		refresh()
		if !x.Stats().Stale || !x.NeedsRebuild() {
			t.Errorf("a moved unit should make the index stale: %+v", x.Stats())
		}
		dn, hn := f.principal(store.RoleSecretary, "DN"), f.principal(store.RoleSecretary, "HN")
		for _, p := range []*store.Principal{dn, hn} {
			check(t, search(p, "Phạm Văn Hùng"), want{total: map[*store.Principal]int{dn: 1, hn: 0}[p]})
		}
		if err := x.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		if st := x.Stats(); st.Stale || st.Appended != 0 || st.Members != 15 {
			t.Errorf("after rebuild: %+v", st)
		}
		check(t, search(dn, "Phạm Văn Hùng"), want{total: 1})
		check(t, search(hn, "Phạm Văn Hùng"), want{total: 0})
		check(t, search(System(), "nguyen"), want{total: 8})
	})
}

func TestRefreshFromEmptyStore(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	x, err := Build(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := x.Search(ctx, System(), Query{Text: "an"}); err != nil || res.Total != 0 {
		t.Fatalf("empty index: %+v %v", res, err)
	}
	seedTree(t, db)
	if err := x.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := x.Search(ctx, System(), Query{Text: "Nguyễn Văn An"})
	if err != nil {
		t.Fatal(err)
	}
	check(t, res, want{total: 5})
}

// Searches run while refreshes apply changes and a rebuild swaps generations (run with
// -race).
func TestConcurrentSearchAndRefresh(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.SQLite)
	f := seedTree(t, db)
	x, err := Build(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	old := parallelAbove
	parallelAbove = 1 // two workers on every query
	defer func() { parallelAbove = old }()
	done := make(chan struct{})
	errs := make(chan error, 4)
	for g := 0; g < 3; g++ {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				res, err := x.Search(ctx, System(), Query{Text: "nguyen"})
				if err == nil && res.Total < 8 {
					err = fmt.Errorf("total %d, want at least 8", res.Total)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 20 {
		f.member(t, tmember{unit: "HN.A.CB01", name: fmt.Sprintf("Nguyễn Văn Mới %c", 'A'+i), card: fmt.Sprintf("0009%04d", i)}, true)
		if err := x.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			if err := x.Rebuild(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	res, err := x.Search(ctx, System(), Query{Text: "Nguyễn Văn Mới"})
	if err != nil || res.Total != 20 {
		t.Fatalf("after the writes: %d hits, %v", res.Total, err)
	}
}

// Run refreshes on its own, and rebuilds once many records changed.
func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	db := storetest.Open(t, store.SQLite)
	f := seedTree(t, db)
	x := New(db) // empty: the first refresh reads everything, then a rebuild lays it out
	done := make(chan struct{})
	go func() {
		x.Run(ctx, 5*time.Millisecond, slog.New(slog.DiscardHandler))
		close(done)
	}()
	f.member(t, tmember{unit: "DN.C", name: "Phan Bội Châu", card: "00060001"}, true)
	for i := 0; ; i++ {
		res, err := x.Search(ctx, System(), Query{Text: "phan boi chau"})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total == 1 && x.Stats().Members == 13 {
			break
		}
		if i > 1000 {
			t.Fatalf("Run did not pick the new member up: %+v", x.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}
