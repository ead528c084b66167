package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"dais/internal/demo/gen"
	"dais/internal/member/imports"
	"dais/internal/org"
	"dais/internal/store"
)

// cmdBenchImport measures `dais import members` end to end — parse, validate, write with
// versions and audit — against a plain reference in the same run: the same rows inserted
// by one prepared statement into a bare table (no validation, history or audit).
func cmdBenchImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dais bench import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("members", 200_000, "generated members in the file")
	pg := fs.String("pg", os.Getenv("DAIS_TEST_PG"), "PostgreSQL URL to measure as well (a temporary schema is created and dropped)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured runs to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *n < 1000 || *n > 10_000_000 {
		return usageError("--members must be between 1000 and 10000000")
	}
	dir, err := os.MkdirTemp("", "dais-bench-import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Fprintf(stderr, "generating %d members…\n", *n)
	file := filepath.Join(dir, "members.csv")
	tree, err := writeBenchCSV(file, *n)
	if err != nil {
		return err
	}
	st, _ := os.Stat(file)
	targets := []struct{ dialect, url string }{{"sqlite", ""}}
	if *pg != "" {
		targets = append(targets, struct{ dialect, url string }{"postgres", *pg})
	}
	var results []map[string]any
	for _, t := range targets {
		r, err := benchImportOne(ctx, t.dialect, t.url, dir, file, tree, *n, stderr)
		if err != nil {
			return fmt.Errorf("bench import %s: %w", t.dialect, err)
		}
		results = append(results, r)
		// Each store's figures as soon as they are known: a national run takes an hour.
		fmt.Fprintf(stderr, "%s: check %.1f s, import %.1f s, %.0f records/s, peak heap %.0f MB; reference %.1f s, %.0f records/s\n",
			t.dialect, r["check_s"], r["import_s"], r["records_per_s"], r["peak_heap_mb"], r["reference_s"], r["reference_records_per_s"])
	}
	fmt.Fprintf(stdout, "dais bench import: %d members, CSV %.1f MB; %d CPUs, %s/%s\n\n", *n, float64(st.Size())/1e6, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tcheck s\timport s\trecords/s\tpeak heap MB\treference s\treference records/s\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.0f\t%.0f\t%.1f\t%.0f\t\n", r["store"], r["check_s"], r["import_s"], r["records_per_s"],
			r["peak_heap_mb"], r["reference_s"], r["reference_records_per_s"])
	}
	tw.Flush()
	line, _ := json.Marshal(map[string]any{"bench": "import", "members": *n, "file_bytes": st.Size(), "cpus": runtime.NumCPU(), "results": results})
	fmt.Fprintln(stdout, string(line))
	return nil
}

// writeBenchCSV writes n generated members, in the documented template, spread over the
// cells of a generated national tree, and returns the tree.
func writeBenchCSV(path string, n int) (gen.Unit, error) {
	r := rand.New(rand.NewPCG(11, 12))
	tree := gen.NationalTree(r, max(100, n/25))
	var cells []string
	var walk func(u gen.Unit)
	walk = func(u gen.Unit) {
		if u.Type == org.TypeCell {
			cells = append(cells, u.Code)
		}
		for _, c := range u.Children {
			walk(c)
		}
	}
	walk(tree)
	f, err := os.Create(path)
	if err != nil {
		return tree, err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write([]string{"Họ và tên", "Giới tính", "Ngày sinh", "Số thẻ đảng viên", "Mã đơn vị", "Ngày vào Đảng", "Ngày chính thức", "Dân tộc", "Quê quán"})
	cards := gen.NewCards(11)
	for range n {
		p := gen.NewPerson(r)
		off := ""
		if !p.OfficialDate.IsZero() {
			off = p.OfficialDate.Format("02/01/2006")
		}
		g := "Nam"
		if p.Gender == "female" {
			g = "Nữ"
		}
		w.Write([]string{p.FullName, g, p.BirthDate.Format("02/01/2006"), cards.Next(), cells[r.IntN(len(cells))],
			p.AdmissionDate.Format("02/01/2006"), off, p.Ethnicity, p.Hometown})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return tree, err
	}
	return tree, bw.Flush()
}

func benchImportOne(ctx context.Context, dialect, pgURL, dir, file string, tree gen.Unit, n int, stderr io.Writer) (map[string]any, error) {
	env, err := newBenchEnv(ctx, dialect, pgURL, filepath.Join(dir, dialect), stderr)
	if err != nil {
		return nil, err
	}
	defer env.close()
	db := env.db
	ctx = store.WithActor(ctx, "bench")
	// The organization first, as a real import finds it.
	err = db.Write(ctx, func(tx *store.Tx) error {
		bulk := org.NewBulk(tx)
		var walk func(g gen.Unit, parent *org.Unit) error
		walk = func(g gen.Unit, parent *org.Unit) error {
			u, err := bulk.Add(ctx, org.NewUnit{Code: g.Code, Name: g.Name, Type: g.Type}, parent)
			if err != nil {
				return err
			}
			for _, c := range g.Children {
				if err := walk(c, &u); err != nil {
					return err
				}
			}
			return nil
		}
		if err := walk(tree, nil); err != nil {
			return err
		}
		return bulk.Finish(ctx)
	})
	if err != nil {
		return nil, err
	}
	var peak atomic.Uint64
	stop := make(chan struct{})
	go func() { // sample the heap: peak memory of check + import
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
	}()
	runtime.GC()
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, _ := f.Stat()
	rd, err := imports.Open(f, st.Size(), "members.csv", imports.Options{})
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	known, lookupErr := unitLookup(ctx, db)
	rep, err := imports.Check(ctx, rd, time.Now(), known)
	if err == nil {
		err = *lookupErr
	}
	if err != nil {
		return nil, err
	}
	if !rep.OK() {
		return nil, fmt.Errorf("generated file has %d problems, first: %v", rep.ProblemCount, rep.Problems[0])
	}
	checkD := time.Since(t0)
	t1 := time.Now()
	counts, err := importMembers(ctx, db, rd, "bench")
	if err != nil {
		return nil, err
	}
	importD := time.Since(t1)
	close(stop)
	if counts.Created != n {
		return nil, fmt.Errorf("created %d of %d", counts.Created, n)
	}
	refD, err := referenceInsert(ctx, db, file)
	if err != nil {
		return nil, err
	}
	total := checkD + importD
	return map[string]any{"store": dialect, "check_s": checkD.Seconds(), "import_s": importD.Seconds(),
		"records_per_s": float64(n) / total.Seconds(), "peak_heap_mb": float64(peak.Load()) / 1e6,
		"reference_s": refD.Seconds(), "reference_records_per_s": float64(n) / refD.Seconds()}, nil
}

// referenceInsert loads the same CSV rows into a bare table with one prepared INSERT in
// one transaction: what the database itself costs, without Dais's checks and history.
func referenceInsert(ctx context.Context, db *store.DB, file string) (time.Duration, error) {
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	t0 := time.Now()
	err = db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE bench_reference (full_name TEXT, gender TEXT, birth_date TEXT, card_number TEXT PRIMARY KEY,
			unit_code TEXT, admission_date TEXT, official_date TEXT, ethnicity TEXT, hometown TEXT)`); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO bench_reference VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
		r.ReuseRecord = true
		if _, err := r.Read(); err != nil {
			return err
		}
		args := make([]any, 9)
		for {
			rec, err := r.Read()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			for i := range args {
				args[i] = strings.Clone(rec[i])
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return err
			}
		}
	})
	return time.Since(t0), err
}
