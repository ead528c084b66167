// Package search finds party members by name, card number or citizen ID number, ranked,
// scoped to the caller's grants and counted exactly, at national scale (5.6 million
// members) within tens of milliseconds on two cores.
//
// Names are answered from an in-memory index built from the store at start-up: members in
// compact columns, units numbered in depth-first order so that a unit's subtree is a range
// of ordinals, and an inverted index from folded syllable ("nguyen") to the sorted list of
// members whose name holds it. A query's syllables are intersected smallest list first;
// every match in scope is counted, and the best are kept in a heap by rank:
//
//	exact          the name, tone placement ignored ("Hoà" = "Hòa")
//	exact_folded   the name once diacritics are removed ("Nguyen Thi Hoa")
//	prefix         the name starts with the query ("Nguyễn Văn Th")
//	words          every query syllable is in the name, in any order ("Hòa Nguyễn")
//	fuzzy          one typo allowed per syllable of four letters or more, used only for a
//	               syllable no name has, or when nothing matched otherwise
//
// Within a rank, names that carry the diacritics the query was typed with come first
// (a query "Hòa" puts "Hòa" before "Hoa"), then by name (folded, then as written), then by
// card number. Card and citizen ID numbers go to the store's indexes (the ID through its
// keyed blind index: the plaintext is never stored).
//
// Freshness: Refresh reads what changed since the last build or refresh (members whose
// updated_at moved, units named in the audit log) and applies it in place; Run does so
// every few seconds. Each replica of `dais serve` holds and refreshes its own index: a
// change made on one replica shows in another's search after at most one refresh interval.
// Deleted member rows (the product never deletes members: it changes their status) are only
// noticed by the next full build, which Run starts when the tree moved or many records
// changed.
package search

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"dais/internal/store"
)

// Kind says why a hit matched.
type Kind string

// Kinds of hits, best first for names.
const (
	KindExact       Kind = "exact"
	KindExactFolded Kind = "exact_folded"
	KindPrefix      Kind = "prefix"
	KindWords       Kind = "words"
	KindFuzzy       Kind = "fuzzy"
	KindFilter      Kind = "filter" // no text: the filters alone
	KindCardNumber  Kind = "card_number"
	KindIDNumber    Kind = "id_number"
)

// Hit is one member found.
type Hit struct {
	ID         string `json:"id"`
	FullName   string `json:"full_name"`
	CardNumber string `json:"card_number"`
	UnitID     string `json:"unit_id"`
	UnitCode   string `json:"unit_code"`
	BirthDate  string `json:"birth_date"`
	Status     string `json:"status"`
	Kind       Kind   `json:"kind"`
}

// Result is a page of hits and the exact number of members that match in scope.
type Result struct {
	Total int   `json:"total"`
	Hits  []Hit `json:"hits"`
}

// Index is the member search index. It is safe for concurrent use: searches read one
// generation while a refresh applies changes to it (briefly exclusive) or a rebuild
// prepares the next one.
type Index struct {
	db  *store.DB
	cur atomic.Pointer[state]
	mu  sync.Mutex // serializes Refresh and Rebuild

	// Overlap is how far before the last seen change a refresh looks again, to catch
	// transactions that committed after rows with a later updated_at were read (and
	// replicas' clocks that differ a little). Applying a row twice is harmless.
	Overlap time.Duration
}

// DefaultOverlap is the default of Index.Overlap.
const DefaultOverlap = 10 * time.Second

// Build reads every unit and member from the store and returns the index.
func Build(ctx context.Context, db *store.DB) (*Index, error) {
	x := New(db)
	if err := x.Rebuild(ctx); err != nil {
		return nil, err
	}
	return x, nil
}

// New returns an index that holds nothing yet: number queries (answered by the store)
// work at once, names once Rebuild or Refresh has run.
func New(db *store.DB) *Index {
	x := &Index{db: db, Overlap: DefaultOverlap}
	st := newState()
	st.units.order()
	st.units.baseFirst = []uint32{0}
	x.cur.Store(st)
	return x
}

// IsNumber reports whether a query text is a card or ID number (answered by the store,
// without the in-memory index).
func IsNumber(text string) bool {
	p, err := parseText(text)
	return err == nil && p.number != ""
}

// Rebuild reads everything again and swaps the new generation in; searches keep using
// the old one meanwhile.
func (x *Index) Rebuild(ctx context.Context) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	st, err := load(ctx, x.db)
	if err != nil {
		return err
	}
	x.cur.Store(st)
	return nil
}

// NeedsRebuild reports whether a full build would pay: a unit of the last build moved
// (subtrees are no longer ranges of ordinals, so scoped queries test every member's unit),
// or a quarter of the members were appended or replaced since.
func (x *Index) NeedsRebuild() bool {
	st := x.cur.Load()
	st.mu.RLock()
	defer st.mu.RUnlock()
	changed := int(st.n()-st.base) + st.dead
	return st.units.stale || changed > 1000 && changed > int(st.base)/4
}

// Run refreshes the index every interval until ctx ends, rebuilding it when NeedsRebuild.
// Errors are logged and retried at the next tick.
func (x *Index) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := x.Refresh(ctx); err != nil && ctx.Err() == nil {
			log.Warn("member search: refresh failed", "err", err)
			continue
		}
		if x.NeedsRebuild() {
			start := time.Now()
			if err := x.Rebuild(ctx); err != nil && ctx.Err() == nil {
				log.Warn("member search: rebuild failed", "err", err)
			} else {
				log.Info("member search: index rebuilt", "took", time.Since(start).Round(time.Millisecond))
			}
		}
	}
}

// System is the principal of the command line and other trusted callers: member.read
// over every unit ("/" is the prefix of every unit path).
func System() *store.Principal {
	return &store.Principal{Username: "system", Name: "system", Grants: []store.Grant{{Role: store.RoleAdmin, UnitPath: "/"}}}
}

// Search answers q for p: only members in the subtrees where p may read members are
// found or counted.
func (x *Index) Search(ctx context.Context, p *store.Principal, q Query) (Result, error) {
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	if err := q.normalize(); err != nil {
		return Result{}, err
	}
	pq, err := parseText(q.Text)
	if err != nil {
		return Result{}, err
	}
	if pq.number == "" && len(pq.syl) == 0 && q.UnitCode == "" && q.BirthYear == 0 && q.Status == "" {
		return Result{}, store.Invalid("q", "search.query_required", "type a name, a card number or an ID number, or choose a filter")
	}
	if pq.number != "" {
		return x.searchNumber(ctx, p, q, pq.number)
	}
	st := x.cur.Load()
	st.mu.RLock()
	defer st.mu.RUnlock()
	unitPath := ""
	if q.UnitCode != "" {
		u, ok := st.units.byCode[q.UnitCode]
		if !ok {
			return Result{}, store.NotFound("unit " + q.UnitCode)
		}
		unitPath = st.units.path[u]
	}
	sc := st.scopeFor(p, unitPath)
	res := Result{Hits: []Hit{}}
	if len(sc.segs) == 0 {
		return res, nil
	}
	var hits []hit
	if pl := st.newPlan(pq, q, sc, false); pl != nil {
		res.Total, hits = pl.run()
	}
	if res.Total == 0 && len(pq.syl) > 0 {
		// Nothing matched as typed: allow one typo in every long syllable.
		if pl := st.newPlan(pq, q, sc, true); pl != nil && pl.fuzzy {
			res.Total, hits = pl.run()
		}
	}
	for i := q.Offset; i < len(hits) && i < q.Offset+q.Limit; i++ {
		o := hits[i].o
		u := st.unit[o]
		res.Hits = append(res.Hits, Hit{ID: st.idString(o), FullName: st.fullName(o), CardNumber: st.cardString(o),
			UnitID: st.units.id[u], UnitCode: st.units.code[u], BirthDate: st.birthString(o),
			Status: st.statuses[st.status[o]], Kind: rankKinds[hits[i].key>>40]})
	}
	return res, nil
}

// BlindDomain is the domain of the citizen ID number's blind index (members.id_number_blind).
const BlindDomain = "member.id_number"

// searchNumber finds members by exact card number (a string: leading zeros matter) or
// citizen ID number, through the store's indexes.
func (x *Index) searchNumber(ctx context.Context, p *store.Principal, q Query, digits string) (Result, error) {
	r := x.db.R()
	unitPath := ""
	if q.UnitCode != "" {
		err := r.QueryRowContext(ctx, `SELECT path FROM units WHERE code = ?`, q.UnitCode).Scan(&unitPath)
		if errors.Is(err, sql.ErrNoRows) {
			return Result{}, store.NotFound("unit " + q.UnitCode)
		}
		if err != nil {
			return Result{}, fmt.Errorf("find unit: %w", err)
		}
	}
	blind := hex.EncodeToString(x.db.Keys.Blind(BlindDomain, digits))
	scope, sargs := p.ScopeSQL(store.PermMemberRead, "u.path")
	where := `(m.card_number = ? OR m.id_number_blind = ?) AND ` + scope
	args := append([]any{digits, blind}, sargs...)
	if unitPath != "" {
		where += ` AND u.path >= ? AND u.path < ?`
		args = append(args, unitPath, unitPath+"~")
	}
	if q.BirthYear != 0 {
		where += ` AND m.birth_date >= ? AND m.birth_date < ?`
		args = append(args, fmt.Sprintf("%04d-", q.BirthYear), fmt.Sprintf("%04d-", q.BirthYear+1))
	}
	if q.Status != "" {
		where += ` AND m.status = ?`
		args = append(args, q.Status)
	}
	res := Result{Hits: []Hit{}}
	if err := r.QueryRowContext(ctx, `SELECT COUNT(*) FROM members m JOIN units u ON u.id = m.unit_id WHERE `+where, args...).Scan(&res.Total); err != nil {
		return Result{}, fmt.Errorf("count members by number: %w", err)
	}
	if res.Total <= q.Offset {
		return res, nil
	}
	rows, err := r.QueryContext(ctx, `SELECT m.id, m.full_name, m.card_number, m.unit_id, u.code, m.birth_date, m.status
		FROM members m JOIN units u ON u.id = m.unit_id WHERE `+where+` ORDER BY m.full_name, m.card_number, m.id LIMIT ? OFFSET ?`,
		append(args, q.Limit, q.Offset)...)
	if err != nil {
		return Result{}, fmt.Errorf("find members by number: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.ID, &h.FullName, &h.CardNumber, &h.UnitID, &h.UnitCode, &h.BirthDate, &h.Status); err != nil {
			return Result{}, fmt.Errorf("scan member: %w", err)
		}
		h.Kind = KindIDNumber
		if h.CardNumber == digits {
			h.Kind = KindCardNumber
		}
		res.Hits = append(res.Hits, h)
	}
	return res, rows.Err()
}

// Stats describe the index.
type Stats struct {
	Members   int   `json:"members"`   // live members
	Base      int   `json:"base"`      // ordinals laid out by the last full build
	Appended  int   `json:"appended"`  // ordinals appended since
	Dead      int   `json:"dead"`      // ordinals replaced or gone
	Units     int   `json:"units"`     // units known
	Syllables int   `json:"syllables"` // distinct syllables as written
	Folded    int   `json:"folded"`    // distinct folded syllables
	Bytes     int64 `json:"bytes"`     // memory held by the columns, postings and vocabulary (estimate)
	Stale     bool  `json:"stale"`     // a unit moved since the build
}

// Stats returns the index's figures.
func (x *Index) Stats() Stats {
	st := x.cur.Load()
	st.mu.RLock()
	defer st.mu.RUnlock()
	n := int(st.n())
	s := Stats{Members: n - st.dead, Base: int(st.base), Appended: n - int(st.base), Dead: st.dead, Units: len(st.units.id),
		Syllables: len(st.v.surf), Folded: len(st.v.fold), Stale: st.units.stale}
	b := int64(cap(st.ids))*16 + int64(cap(st.nameOff)+cap(st.names)+cap(st.unit)+cap(st.birth)+cap(st.sortKey)+cap(st.byID)+cap(st.byName))*4 +
		int64(cap(st.nameInfo)+cap(st.status)+cap(st.cardLen)) + int64(cap(st.card)+cap(st.alive))*8
	for _, p := range st.post {
		b += int64(cap(p)) * 4
	}
	b += int64(len(st.extras)) * 120
	b += int64(len(st.delta)+len(st.otherIDs)) * 80
	for _, sy := range st.v.surf {
		b += int64(len(sy.s)) + 64
	}
	for _, c := range st.v.canon {
		b += int64(len(c.s)+len(c.toneless)) + 80
	}
	for i := range st.units.id {
		b += int64(len(st.units.id[i])+len(st.units.code[i])+len(st.units.path[i])) + 3*16 + 2*48 + 8
	}
	s.Bytes = b
	return s
}
