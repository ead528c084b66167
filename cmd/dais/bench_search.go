package main

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"dais/internal/demo/gen"
	"dais/internal/member/search"
	"dais/internal/store"
	"dais/internal/vntext"
)

// cmdBenchSearch runs `dais bench search`: it generates a national organization and N
// members (internal/demo/gen) straight into a fresh store, builds the member search index
// and measures each kind of query; beside it, in the same run, the plain references:
// SQLite FTS5 trigram and PostgreSQL pg_trgm GIN over the unaccented name, unranked,
// LIMIT 20 (and counted). It prints a table, then one JSON line.
//
// The generated rows are written with db.WriteUnaudited in large multi-row INSERTs, with
// the members' secondary indexes dropped during the load and recreated after it:
// benchmark data is not the organization's, and an audit entry per row would measure the
// audit log instead of search.
func cmdBenchSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench search", stderr)
	members := fs.Int("members", 5_600_000, "members to generate")
	pg := fs.String("pg", os.Getenv("DAIS_TEST_PG"), "PostgreSQL URL to measure as well (a temporary schema is created and dropped)")
	perKind := fs.Int("queries", 200, "queries per kind")
	seed := fs.Uint64("seed", 1, "seed of the generated data")
	noSQLite := fs.Bool("no-sqlite", false, "measure PostgreSQL only")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("usage: dais bench search [--members N] [--pg URL] [--queries N] [--seed N] [--no-sqlite]")
	}
	if *members < 100 || *members > 20_000_000 || *perKind < 10 || *perKind > 100_000 {
		return usageError("--members must be in [100, 20000000] and --queries in [10, 100000]")
	}
	var targets []string
	if !*noSQLite {
		targets = append(targets, "sqlite")
	}
	if *pg != "" {
		targets = append(targets, "postgres")
	}
	if len(targets) == 0 {
		return usageError("nothing to measure: --no-sqlite without --pg")
	}
	loadBefore := loadAvg()
	var stores []benchSearchStore
	var results []benchSearchResult
	for _, t := range targets {
		st, rs, err := benchSearchOn(ctx, t, *pg, *members, *perKind, *seed, stderr)
		if err != nil {
			return fmt.Errorf("bench search %s: %w", t, err)
		}
		stores = append(stores, st)
		results = append(results, rs...)
	}

	loadAfter := loadAvg()
	fmt.Fprintf(stdout, "dais bench search: %d generated members, %d queries per kind, one client, %d CPUs (%s), %s/%s, load average %s at the start, %s at the end\n\n",
		*members, *perKind, runtime.NumCPU(), cpuModel(), runtime.GOOS, runtime.GOARCH, loadBefore, loadAfter)
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "store\tload\tload rows/s\tref. index\tsearch index build\theap B/member\tindex B/member\tunits\t")
	for _, s := range stores {
		fmt.Fprintf(tw, "%s\t%.1fs\t%.0f\t%.1fs\t%.1fs\t%.0f\t%.0f\t%d\t\n", s.Store, s.LoadS, float64(s.Members)/s.LoadS, s.RefIndexS, s.BuildS,
			s.HeapBytesPerMember, s.IndexBytesPerMember, s.Units)
	}
	tw.Flush()
	fmt.Fprintln(stdout)
	tw = tabwriter.NewWriter(stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tengine\tquery kind\tranked\tcounted\tqueries\tp50 ms\tp99 ms\tmax ms\tmean total\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%.2f\t%.2f\t%.2f\t%.0f\t\n", r.Store, r.Engine, r.Kind, yesNo(r.Ranked), yesNo(r.Counted),
			r.Queries, r.P50, r.P99, r.Max, r.MeanTotal)
	}
	tw.Flush()
	line, _ := json.Marshal(map[string]any{"bench": "search", "members": *members, "queries_per_kind": *perKind, "cpus": runtime.NumCPU(),
		"cpu": cpuModel(), "loadavg_start": loadBefore, "loadavg_end": loadAfter, "stores": stores, "results": results})
	fmt.Fprintln(stdout, string(line))
	return nil
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

type benchSearchStore struct {
	Store               string  `json:"store"`
	Members             int     `json:"members"`
	Units               int     `json:"units"`
	LoadS               float64 `json:"load_s"`      // generating and inserting the rows, recreating the members' indexes
	RefIndexS           float64 `json:"ref_index_s"` // building the FTS5 or pg_trgm reference index
	BuildS              float64 `json:"build_s"`     // building the search index from the store
	HeapBytesPerMember  float64 `json:"heap_bytes_per_member"`
	IndexBytesPerMember float64 `json:"index_bytes_per_member"`
}

type benchSearchResult struct {
	Store     string  `json:"store"`
	Engine    string  `json:"engine"` // index, sql (numbers), fts5_trigram, pg_trgm
	Kind      string  `json:"kind"`
	Ranked    bool    `json:"ranked"`
	Counted   bool    `json:"counted"`
	Queries   int     `json:"queries"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	Max       float64 `json:"max_ms"`
	MeanTotal float64 `json:"mean_total"` // mean exact count (index), or rows returned (references)
	Slowest   string  `json:"slowest"`    // the slowest query's text
}

// benchPerson is what the queries are drawn from: a sample of the generated members.
type benchPerson struct {
	name, card, idNumber string
	province, commune    int // indexes into benchTree's lists
	birthYear            int
}

type benchTree struct {
	provinces, communes []string // unit codes
	leaves              []benchLeaf
	units               int
}

type benchLeaf struct {
	id                string
	province, commune int
}

func benchSearchOn(ctx context.Context, dialect, pgURL string, n, perKind int, seed uint64, stderr io.Writer) (benchSearchStore, []benchSearchResult, error) {
	res := benchSearchStore{Store: dialect, Members: n}
	env, err := newBenchEnv(ctx, dialect, pgURL, "", stderr)
	if err != nil {
		return res, nil, err
	}
	defer env.close()
	db := env.db
	progress := func(format string, args ...any) {
		fmt.Fprintf(stderr, "bench search %s: "+format+"\n", append([]any{dialect}, args...)...)
	}

	start := time.Now()
	tree, sample, err := benchLoad(ctx, db, n, seed, progress)
	if err != nil {
		return res, nil, err
	}
	res.LoadS, res.Units = time.Since(start).Seconds(), tree.units
	progress("%d units and %d members loaded in %.1fs", tree.units, n, res.LoadS)

	start = time.Now()
	if err := benchRefIndex(ctx, db); err != nil {
		return res, nil, err
	}
	res.RefIndexS = time.Since(start).Seconds()
	progress("reference index built in %.1fs", res.RefIndexS)

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start = time.Now()
	x, err := search.Build(ctx, db)
	if err != nil {
		return res, nil, err
	}
	res.BuildS = time.Since(start).Seconds()
	runtime.GC()
	runtime.ReadMemStats(&after)
	res.HeapBytesPerMember = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
	res.IndexBytesPerMember = float64(x.Stats().Bytes) / float64(n)
	progress("search index built in %.1fs: %.0f heap bytes per member", res.BuildS, res.HeapBytesPerMember)

	results, err := benchQueries(ctx, db, x, tree, sample, perKind, seed, progress)
	for i := range results {
		results[i].Store = dialect
	}
	runtime.KeepAlive(x)
	return res, results, err
}

// benchLoad generates the tree and the members into db and returns a sample of them.
func benchLoad(ctx context.Context, db *store.DB, n int, seed uint64, progress func(string, ...any)) (benchTree, []benchPerson, error) {
	r := rand.New(rand.NewPCG(seed, seed^0xbe5c))
	var tree benchTree
	root := gen.NationalTree(r, max(n/35, 40))
	type unitRow struct {
		id, code, name, typ, parent, path string
		depth                             int
	}
	var rows []unitRow
	var walk func(u gen.Unit, parent *unitRow, province, commune int)
	walk = func(u gen.Unit, parent *unitRow, province, commune int) {
		row := unitRow{id: store.NewID(), code: u.Code, name: u.Name, typ: u.Type}
		if parent != nil {
			row.parent, row.path, row.depth = parent.id, parent.path+row.id+"/", parent.depth+1
		} else {
			row.path = "/" + row.id + "/"
		}
		rows = append(rows, row)
		switch u.Type {
		case "province":
			province = len(tree.provinces)
			tree.provinces = append(tree.provinces, u.Code)
		case "commune":
			commune = len(tree.communes)
			tree.communes = append(tree.communes, u.Code)
		}
		if len(u.Children) == 0 && u.Type != "central" {
			tree.leaves = append(tree.leaves, benchLeaf{row.id, province, commune})
		}
		for _, c := range u.Children {
			walk(c, &row, province, commune)
		}
	}
	walk(root, nil, -1, -1)
	tree.units = len(rows)
	now := store.Now()
	err := benchInsert(ctx, db, "units", []string{"id", "code", "name", "type", "parent_id", "path", "depth", "created_at"}, len(rows),
		func(i int, args []any) []any {
			u := rows[i]
			var parent any
			if u.parent != "" {
				parent = u.parent
			}
			return append(args, u.id, u.code, u.name, u.typ, parent, u.path, u.depth, now)
		})
	if err != nil {
		return tree, nil, err
	}

	// Secondary indexes are rebuilt once at the end: much faster than keeping them up to
	// date row by row.
	memberIndexes := []string{
		"CREATE INDEX members_unit ON members (unit_id, full_name)",
		"CREATE INDEX members_id_blind ON members (id_number_blind)",
		"CREATE INDEX members_updated ON members (updated_at)",
	}
	if err := benchExec(ctx, db, "DROP INDEX IF EXISTS members_unit", "DROP INDEX IF EXISTS members_id_blind",
		"DROP INDEX IF EXISTS members_name_key", "DROP INDEX IF EXISTS members_updated"); err != nil {
		return tree, nil, err
	}
	cards := gen.NewCards(seed)
	every := max(n/20_000, 1)
	var sample []benchPerson
	cols := []string{"id", "unit_id", "full_name", "gender", "birth_date", "card_number", "ethnicity", "hometown", "admission_date",
		"official_date", "status", "version", "created_at", "updated_at", "name_key", "id_number_blind"}
	lastReport := time.Now()
	err = benchInsert(ctx, db, "members", cols, n, func(i int, args []any) []any {
		p := gen.NewPerson(r)
		leaf := tree.leaves[r.IntN(len(tree.leaves))]
		card := cards.Next()
		idNumber := fmt.Sprintf("%012d", r.Uint64N(1_000_000_000_000))
		official, status := "", "probationary"
		if !p.OfficialDate.IsZero() {
			official, status = p.OfficialDate.Format(time.DateOnly), "official"
		}
		if i%every == 0 {
			sample = append(sample, benchPerson{name: p.FullName, card: card, idNumber: idNumber, province: leaf.province,
				commune: leaf.commune, birthYear: p.BirthDate.Year()})
		}
		if time.Since(lastReport) > 15*time.Second {
			progress("%d members inserted", i)
			lastReport = time.Now()
		}
		return append(args, store.NewID(), leaf.id, p.FullName, p.Gender, p.BirthDate.Format(time.DateOnly), card, p.Ethnicity,
			p.Hometown, p.AdmissionDate.Format(time.DateOnly), official, status, 1, now, now, vntext.Fold(p.FullName),
			hex.EncodeToString(db.Keys.Blind(search.BlindDomain, idNumber)))
	})
	if err != nil {
		return tree, nil, err
	}
	progress("rows inserted; recreating the members' indexes")
	if err := benchExec(ctx, db, memberIndexes...); err != nil {
		return tree, nil, err
	}
	if db.Dialect == store.Postgres {
		err = benchExec(ctx, db, "ANALYZE members", "ANALYZE units")
	} else {
		err = benchExec(ctx, db, "ANALYZE")
	}
	return tree, sample, err
}

// benchInsert inserts count rows (row(i, args) appends row i's values) in multi-row
// INSERTs of 500 rows, 100,000 rows per transaction.
func benchInsert(ctx context.Context, db *store.DB, table string, cols []string, count int, row func(i int, args []any) []any) error {
	const perStmt, perTx = 500, 100_000
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	stmt := func(rows int) string {
		return "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
	}
	full := stmt(perStmt)
	args := make([]any, 0, perStmt*len(cols))
	for lo := 0; lo < count; lo += perTx {
		hi := min(lo+perTx, count)
		// Rows are generated before the transaction, so a retried transaction writes the
		// same rows and the generator's sequence is not replayed.
		batch := make([][]any, 0, (hi-lo+perStmt-1)/perStmt)
		for s := lo; s < hi; s += perStmt {
			args = args[:0]
			for i := s; i < min(s+perStmt, hi); i++ {
				args = row(i, args)
			}
			batch = append(batch, slices.Clone(args))
		}
		err := db.WriteUnaudited(ctx, func(tx *store.Tx) error {
			if tx.Dialect() == store.SQLite {
				// A big page cache for the load (this connection only).
				if _, err := tx.ExecContext(ctx, "PRAGMA cache_size = -1000000"); err != nil {
					return err
				}
			}
			for _, a := range batch {
				q := full
				if len(a) != perStmt*len(cols) {
					q = stmt(len(a) / len(cols))
				}
				if _, err := tx.ExecContext(ctx, q, a...); err != nil {
					return fmt.Errorf("insert %s: %w", table, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func benchExec(ctx context.Context, db *store.DB, stmts ...string) error {
	return db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		for _, s := range stmts {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				return fmt.Errorf("%s: %w", s, err)
			}
		}
		return nil
	})
}

// benchRefIndex builds the reference: an FTS5 trigram index over name_key (SQLite), or a
// pg_trgm GIN index over it (PostgreSQL).
func benchRefIndex(ctx context.Context, db *store.DB) error {
	if db.Dialect == store.SQLite {
		return benchExec(ctx, db,
			"CREATE VIRTUAL TABLE bench_fts USING fts5(name_key, content='members', content_rowid='rowid', tokenize='trigram')",
			"INSERT INTO bench_fts(bench_fts) VALUES ('rebuild')")
	}
	// pg_trgm: used where it is installed; otherwise installed into the bench's own schema
	// (dropped with it).
	var schema string
	err := db.R().QueryRowContext(ctx, `SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'`).Scan(&schema)
	if errors.Is(err, sql.ErrNoRows) {
		if err = db.R().QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
			return err
		}
		if err := benchExec(ctx, db, "CREATE EXTENSION pg_trgm SCHEMA "+schema); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	return benchExec(ctx, db, "CREATE INDEX bench_trgm ON members USING gin (name_key "+schema+".gin_trgm_ops)", "ANALYZE members")
}

// benchQuery is one query of a kind: for the index, and as a LIKE/MATCH pattern for the
// references ("" when the reference cannot answer it).
type benchQuery struct {
	p       *store.Principal
	q       search.Query
	pattern string
}

func benchQueries(ctx context.Context, db *store.DB, x *search.Index, tree benchTree, sample []benchPerson, perKind int, seed uint64,
	progress func(string, ...any)) ([]benchSearchResult, error) {
	r := rand.New(rand.NewPCG(seed^0x9e37, 77))
	pick := func() benchPerson { return sample[r.IntN(len(sample))] }
	unitPrincipal := func(code string) (*store.Principal, error) {
		var id, path string
		if err := db.R().QueryRowContext(ctx, `SELECT id, path FROM units WHERE code = ?`, code).Scan(&id, &path); err != nil {
			return nil, fmt.Errorf("unit %s: %w", code, err)
		}
		return &store.Principal{Username: "bench", Grants: []store.Grant{{Role: store.RoleSecretary, UnitID: id, UnitPath: path, UnitCode: code}}}, nil
	}
	sys := search.System()
	kinds := []struct {
		name string
		make func() (benchQuery, error)
	}{
		{"full name", func() (benchQuery, error) {
			p := pick()
			return benchQuery{sys, search.Query{Text: p.name}, vntext.Fold(p.name)}, nil
		}},
		{"rare name", nil}, // drawn below
		{"no diacritics", func() (benchQuery, error) {
			f := vntext.Fold(pick().name)
			return benchQuery{sys, search.Query{Text: f}, f}, nil
		}},
		{"prefix", func() (benchQuery, error) {
			syl := vntext.Syllables(pick().name)
			last := vntext.Fold(syl[len(syl)-1])
			syl[len(syl)-1] = last[:min(2, len(last))]
			t := strings.Join(syl, " ")
			return benchQuery{sys, search.Query{Text: t}, vntext.Fold(t)}, nil
		}},
		{"typo", func() (benchQuery, error) {
			return benchQuery{sys, search.Query{Text: typo(r, vntext.Fold(pick().name))}, ""}, nil
		}},
		{"given name only", func() (benchQuery, error) {
			syl := vntext.Syllables(pick().name)
			return benchQuery{sys, search.Query{Text: syl[len(syl)-1]}, ""}, nil
		}},
		{"surname only", func() (benchQuery, error) {
			return benchQuery{sys, search.Query{Text: vntext.Syllables(pick().name)[0]}, ""}, nil
		}},
		{"card number", func() (benchQuery, error) {
			return benchQuery{sys, search.Query{Text: pick().card}, ""}, nil
		}},
		{"ID number", func() (benchQuery, error) {
			return benchQuery{sys, search.Query{Text: pick().idNumber}, ""}, nil
		}},
		{"name in a province", func() (benchQuery, error) {
			p := pick()
			pr, err := unitPrincipal(tree.provinces[p.province])
			return benchQuery{pr, search.Query{Text: p.name}, ""}, err
		}},
		{"name in a commune", func() (benchQuery, error) {
			p := pick()
			pr, err := unitPrincipal(tree.communes[p.commune])
			return benchQuery{pr, search.Query{Text: p.name}, ""}, err
		}},
		{"surname in a commune", func() (benchQuery, error) {
			p := pick()
			pr, err := unitPrincipal(tree.communes[p.commune])
			return benchQuery{pr, search.Query{Text: vntext.Syllables(p.name)[0]}, ""}, err
		}},
		{"name + birth year", func() (benchQuery, error) {
			p := pick()
			return benchQuery{sys, search.Query{Text: vntext.Fold(p.name), BirthYear: p.birthYear}, ""}, nil
		}},
	}
	// Rare names: of a few thousand sampled names, those with the fewest namesakes.
	type counted struct {
		name  string
		total int
	}
	var pool []counted
	for range min(len(sample), 20*perKind) {
		p := pick()
		res, err := x.Search(ctx, sys, search.Query{Text: p.name, Limit: 1})
		if err != nil {
			return nil, err
		}
		pool = append(pool, counted{p.name, res.Total})
	}
	slices.SortFunc(pool, func(a, b counted) int { return a.total - b.total })
	pool = pool[:min(len(pool), perKind)]
	rare := 0
	kinds[1].make = func() (benchQuery, error) {
		c := pool[rare%len(pool)]
		rare++
		return benchQuery{sys, search.Query{Text: c.name}, vntext.Fold(c.name)}, nil
	}

	var out []benchSearchResult
	for _, k := range kinds {
		qs := make([]benchQuery, perKind)
		for i := range qs {
			var err error
			if qs[i], err = k.make(); err != nil {
				return nil, err
			}
		}
		engine := "index"
		if search.IsNumber(qs[0].q.Text) {
			engine = "sql"
		}
		var sum float64
		lat, slowest, err := measure(qs, func(q benchQuery) error {
			res, err := x.Search(ctx, q.p, q.q)
			sum += float64(res.Total)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k.name, err)
		}
		out = append(out, summarize(engine, k.name, true, true, lat, sum/float64(2*len(qs))))
		out[len(out)-1].Slowest = slowest
		progress("%s: p99 %.2f ms (slowest: %q)", k.name, out[len(out)-1].P99, slowest)
		if qs[0].pattern == "" {
			continue
		}
		// The references, unranked: the first 20 rows, and the count.
		refEngine, list, count := "fts5_trigram",
			`SELECT m.id, m.full_name, m.card_number FROM bench_fts f JOIN members m ON m.rowid = f.rowid WHERE bench_fts MATCH ? LIMIT 20`,
			`SELECT COUNT(*) FROM bench_fts WHERE bench_fts MATCH ?`
		if db.Dialect == store.Postgres {
			refEngine, list, count = "pg_trgm", `SELECT id, full_name, card_number FROM members WHERE name_key LIKE ? LIMIT 20`,
				`SELECT COUNT(*) FROM members WHERE name_key LIKE ?`
		}
		arg := func(q benchQuery) string {
			if db.Dialect == store.Postgres {
				return "%" + q.pattern + "%"
			}
			return `"` + q.pattern + `"` // an FTS5 phrase: with the trigram tokenizer, a substring
		}
		sum = 0
		lat, slowest, err = measure(qs, func(q benchQuery) error {
			rows, err := db.R().QueryContext(ctx, list, arg(q))
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id, name, card string
				if err := rows.Scan(&id, &name, &card); err != nil {
					return err
				}
				sum++
			}
			return rows.Err()
		})
		if err != nil {
			return nil, fmt.Errorf("%s reference: %w", k.name, err)
		}
		out = append(out, summarize(refEngine, k.name, false, false, lat, sum/float64(2*len(qs))))
		out[len(out)-1].Slowest = slowest
		// Counting every match is what the index does for each query; the reference pays
		// for it per match, so fewer queries are run.
		few := qs[:max(len(qs)/10, 5)]
		sum = 0
		lat, _, err = measure(few, func(q benchQuery) error {
			var c int
			err := db.R().QueryRowContext(ctx, count, arg(q)).Scan(&c)
			sum += float64(c)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("%s counted reference: %w", k.name, err)
		}
		out = append(out, summarize(refEngine, k.name, false, true, lat, sum/float64(2*len(few))))
		progress("%s: reference p99 %.2f ms", k.name, out[len(out)-2].P99)
	}
	return out, nil
}

// measure runs every query twice: once to warm caches, once timed. It returns the
// latencies and the slowest query.
func measure(qs []benchQuery, run func(benchQuery) error) ([]time.Duration, string, error) {
	for _, q := range qs {
		if err := run(q); err != nil {
			return nil, "", err
		}
	}
	lat := make([]time.Duration, 0, len(qs))
	slowest, worst := "", time.Duration(0)
	for _, q := range qs {
		t0 := time.Now()
		if err := run(q); err != nil {
			return nil, "", err
		}
		d := time.Since(t0)
		lat = append(lat, d)
		if d > worst {
			slowest, worst = q.q.Text, d
		}
	}
	return lat, slowest, nil
}

func summarize(engine, kind string, ranked, counted bool, lat []time.Duration, meanTotal float64) benchSearchResult {
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(p float64) float64 {
		i := int(p*float64(len(lat))+0.999999) - 1
		return ms(lat[min(max(i, 0), len(lat)-1)])
	}
	return benchSearchResult{Engine: engine, Kind: kind, Ranked: ranked, Counted: counted, Queries: len(lat), P50: pct(0.50),
		P99: pct(0.99), Max: ms(lat[len(lat)-1]), MeanTotal: meanTotal}
}

// typo makes one typing mistake in the longest syllable of a folded name (swapped,
// doubled, dropped or replaced letter).
func typo(r *rand.Rand, name string) string {
	syl := strings.Fields(name)
	longest := 0
	for i, s := range syl {
		if len(s) > len(syl[longest]) {
			longest = i
		}
	}
	s := []byte(syl[longest])
	if len(s) < 4 {
		return name
	}
	i := 1 + r.IntN(len(s)-2)
	switch r.IntN(4) {
	case 0:
		s[i], s[i+1] = s[i+1], s[i]
	case 1:
		s = slices.Insert(s, i, s[i])
	case 2:
		s = slices.Delete(s, i, i+1)
	default:
		s[i] = "qwxzj"[r.IntN(5)]
	}
	syl[longest] = string(s)
	return strings.Join(syl, " ")
}

// loadAvg is the 1, 5 and 15-minute load averages of /proc/loadavg, or "".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// cpuModel is the first "model name" of /proc/cpuinfo, or "".
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			if v = strings.TrimSpace(v); utf8.ValidString(v) {
				return v
			}
		}
	}
	return ""
}
