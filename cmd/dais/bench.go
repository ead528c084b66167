package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"dais/internal/demo"
	"dais/internal/store"
)

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "import" {
		return cmdBenchImport(ctx, args[1:], stdout, stderr) // bench_import.go
	}
	if len(args) > 0 && args[0] == "live" {
		return cmdBenchLive(ctx, args[1:], stdout, stderr) // bench_live.go
	}
	if len(args) > 0 && args[0] == "vote" {
		return cmdBenchVote(ctx, args[1:], stdout, stderr) // bench_vote.go
	}
	if len(args) > 0 && args[0] == "search" {
		return cmdBenchSearch(ctx, args[1:], stdout, stderr) // bench_search.go
	}
	if len(args) == 0 || args[0] != "http" {
		return usageError("usage: dais bench http|import|search|live|vote [flags] (dais bench KIND -h for the flags)")
	}
	fs := newFlags("bench http", stderr)
	pg := fs.String("pg", os.Getenv("DAIS_TEST_PG"), "PostgreSQL URL to measure as well (a temporary schema is created and dropped)")
	dur := fs.Duration("duration", 10*time.Second, "how long each measurement runs")
	conc := fs.Int("concurrency", 16, "concurrent connections of the load generator")
	members := fs.Int("members", 3000, "demo members seeded in each store")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *dur <= 0 || *dur > 10*time.Minute || *conc < 1 || *conc > 1024 {
		return usageError("--duration must be in (0, 10m] and --concurrency in [1, 1024]")
	}
	type target struct{ dialect, url string }
	targets := []target{{"sqlite", ""}}
	if *pg != "" {
		targets = append(targets, target{"postgres", *pg})
	}
	var results []benchResult
	for _, t := range targets {
		rs, err := benchStore(ctx, t.dialect, t.url, *dur, *conc, *members, stderr)
		if err != nil {
			return fmt.Errorf("bench %s: %w", t.dialect, err)
		}
		results = append(results, rs...)
	}
	fmt.Fprintf(stdout, "dais bench http: %d connections, %s each, Go load generator in-process on loopback; %d CPUs, %s/%s\n\n",
		*conc, *dur, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "store\tendpoint\trequests\terrors\treq/s\tp50 ms\tp99 ms\tmax ms\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t\n", r.Store, r.Endpoint, r.Requests, r.Errors, r.RPS, r.P50, r.P99, r.Max)
	}
	tw.Flush()
	line, _ := json.Marshal(map[string]any{"bench": "http", "concurrency": *conc, "duration_s": dur.Seconds(), "cpus": runtime.NumCPU(), "results": results})
	fmt.Fprintln(stdout, string(line))
	return nil
}

type benchResult struct {
	Store    string  `json:"store"`
	Endpoint string  `json:"endpoint"`
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	RPS      float64 `json:"rps"`
	P50      float64 `json:"p50_ms"`
	P99      float64 `json:"p99_ms"`
	Max      float64 `json:"max_ms"`
}

// benchStore seeds a fresh store, serves it on loopback and measures /healthz (the
// reference: no store, no session) and an authenticated unit page.
func benchStore(ctx context.Context, dialect, pgURL string, dur time.Duration, conc, members int, stderr io.Writer) ([]benchResult, error) {
	env, err := newBenchEnv(ctx, dialect, pgURL, "", stderr)
	if err != nil {
		return nil, err
	}
	defer env.close()
	db, c, log := env.db, env.c, env.log
	if _, err := demo.Seed(ctx, db, demo.Options{Seed: 1, Members: members}, nil); err != nil {
		return nil, err
	}
	a, err := newApp(db, c, log)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	urlc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- a.serve(sctx, "127.0.0.1:0", func(u string) { urlc <- u }) }()
	var base string
	select {
	case base = <-urlc:
	case err := <-errc:
		return nil, err
	}
	cookie, err := benchLogin(base)
	if err != nil {
		return nil, err
	}
	var out []benchResult
	for _, ep := range []struct {
		path   string
		cookie string
	}{{"/healthz", ""}, {"/units/BN", cookie}} {
		r := loadTest(ctx, base+ep.path, ep.cookie, dur, conc)
		r.Store, r.Endpoint = dialect, ep.path
		out = append(out, r)
	}
	cancel()
	<-errc
	return out, nil
}

// benchLogin logs in as the demo delegate (no second factor) and returns the cookie.
func benchLogin(base string) (string, error) {
	jar, _ := cookiejar.New(nil)
	cl := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := cl.Get(base + "/login")
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	csrf := ""
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "dais_csrf" {
			csrf = ck.Value
		}
	}
	resp, err = cl.PostForm(base+"/login", url.Values{"csrf": {csrf}, "username": {"daibieu"}, "password": {demo.Password}, "next": {"/"}})
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "dais_session" {
			return ck.Name + "=" + ck.Value, nil
		}
	}
	return "", fmt.Errorf("login as daibieu failed: status %d", resp.StatusCode)
}

// loadTest runs conc workers issuing GETs for dur and reports throughput and latencies.
func loadTest(ctx context.Context, target, cookie string, dur time.Duration, conc int) benchResult {
	tr := &http.Transport{MaxIdleConnsPerHost: conc, MaxConnsPerHost: conc, DisableCompression: false}
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	deadline := time.Now().Add(dur)
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for time.Now().Before(deadline) && ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
				req.Header.Set("Accept-Encoding", "gzip")
				if cookie != "" {
					req.Header.Set("Cookie", cookie)
				}
				t0 := time.Now()
				resp, err := cl.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return ms(lat[min(len(lat)-1, int(p*float64(len(lat))))])
	}
	r := benchResult{Requests: len(lat), Errors: errs, RPS: float64(len(lat)) / elapsed.Seconds(), P50: pct(0.50), P99: pct(0.99)}
	if len(lat) > 0 {
		r.Max = ms(lat[len(lat)-1])
	}
	return r
}

// benchEnv is a fresh, migrated store for one measured run, with the config and logger
// to wire an app on it.
type benchEnv struct {
	db    *store.DB
	c     config
	log   *slog.Logger
	close func() // closes the store and removes what newBenchEnv made
}

// newBenchEnv opens a fresh store: SQLite in data ("" → a new temporary directory), or
// PostgreSQL (dialect "postgres") in a throw-away schema of pgURL.
func newBenchEnv(ctx context.Context, dialect, pgURL, data string, stderr io.Writer) (*benchEnv, error) {
	var undo []func()
	cleanup := func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	if data == "" {
		dir, err := os.MkdirTemp("", "dais-bench-")
		if err != nil {
			return nil, err
		}
		data = dir
		undo = append(undo, func() { os.RemoveAll(dir) })
	}
	dbURL := ""
	if dialect == "postgres" {
		u, drop, err := tempSchema(ctx, pgURL)
		if err != nil {
			cleanup()
			return nil, err
		}
		undo = append(undo, drop)
		dbURL = u
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c := config{"data": data, "db": dbURL, "key-file": "", "secure-cookies": "false", "place": "Bắc Ninh"}
	db, err := openStore(ctx, c, log)
	if err != nil {
		cleanup()
		return nil, err
	}
	undo = append(undo, func() { db.Close() })
	return &benchEnv{db: db, c: c, log: log, close: cleanup}, nil
}

// tempSchema creates a fresh schema on the PostgreSQL server and returns a URL whose
// search_path points at it, and a function that drops it.
func tempSchema(ctx context.Context, base string) (string, func(), error) {
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "bench_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create schema: %w", err)
	}
	drop := func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	}
	u, err := url.Parse(base)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	if !strings.HasPrefix(u.Scheme, "postgres") {
		drop()
		return "", nil, fmt.Errorf("--pg must be a postgres:// URL")
	}
	return u.String(), drop, nil
}
