package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"dais/internal/demo"
	"dais/internal/store"
)

// cmdBenchLive measures the live channel: N SSE clients on loopback (in a child process,
// so that the server's memory can be measured alone), M events, delivery latency from
// the publish call to the client's read, lost events and memory per idle connection —
// for a bare net/http SSE loop (the reference), the in-process hub and NATS JetStream,
// the last two through the real server: store, login, bearer session, /live, the unit
// authorizer.
func cmdBenchLive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench live", stderr)
	clients := fs.Int("clients", 2000, "SSE clients to open")
	events := fs.Int("events", 200, "events to publish")
	interval := fs.Duration("interval", 100*time.Millisecond, "pause between two events")
	natsURL := fs.String("nats", firstNonEmpty(os.Getenv("DAIS_NATS_URL"), os.Getenv("DAIS_TEST_NATS")), "NATS server with JetStream to measure as well (empty: skipped)")
	// The load client: this same binary, started by the benchmark.
	loadURL := fs.String("load-client", "", "internal: run as the load client against this /live URL")
	token := fs.String("token", "", "internal: bearer token of the load client")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *loadURL != "" {
		return liveLoadClient(*loadURL, *token, *clients, *events, os.Stdin, stdout)
	}
	if *clients < 1 || *clients > 50_000 || *events < 1 || *events > 100_000 || *interval < 0 {
		return usageError("--clients must be in [1, 50000], --events in [1, 100000], --interval ≥ 0")
	}
	var results []liveResult
	r, err := benchLiveReference(ctx, *clients, *events, *interval, stderr)
	if err != nil {
		return fmt.Errorf("reference: %w", err)
	}
	results = append(results, r)
	targets := []string{""}
	if *natsURL != "" {
		targets = append(targets, *natsURL)
	}
	for _, u := range targets {
		r, err := benchLiveDais(ctx, u, *clients, *events, *interval, stderr)
		if err != nil {
			return fmt.Errorf("bench live (%s): %w", r.Name, err)
		}
		results = append(results, r)
	}
	fmt.Fprintf(stdout, "dais bench live: %d SSE clients (a child process) on loopback, %d events %s apart; %d CPUs, %s/%s, %s\n\n",
		*clients, *events, *interval, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version())
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server\tconnected\tdelivered\tlost\tp50 ms\tp99 ms\tmax ms\tbytes/idle conn (Go)\tbytes/idle conn (RSS)\tconnect s\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.1f\t%.1f\t%.1f\t%d\t%d\t%.1f\t\n", r.Name, r.Connected, r.Delivered, r.Lost, r.P50, r.P99, r.Max, r.BytesPerConn, r.RSSPerConn, r.ConnectSec)
	}
	tw.Flush()
	out := map[string]any{"bench": "live", "clients": *clients, "events": *events, "interval_ms": interval.Milliseconds(), "cpus": runtime.NumCPU()}
	for _, r := range results {
		prefix := r.Name + "_"
		if r.Name == "memory" {
			prefix = "" // the headline figures are the in-process hub's
		}
		out[prefix+"p50_ms"], out[prefix+"p99_ms"], out[prefix+"max_ms"] = r.P50, r.P99, r.Max
		out[prefix+"lost"], out[prefix+"bytes_per_conn"], out[prefix+"rss_bytes_per_conn"] = r.Lost, r.BytesPerConn, r.RSSPerConn
		out[prefix+"connected"] = r.Connected
	}
	line, _ := json.Marshal(out)
	fmt.Fprintln(stdout, string(line))
	return nil
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}

type liveResult struct {
	Name                     string
	Connected, Delivered     int
	Lost                     int
	P50, P99, Max            float64
	BytesPerConn, RSSPerConn int64
	ConnectSec               float64
}

// memNow is the server's memory after a full collection: Go's view (heap spans in use
// and goroutine stacks) and the process's resident set.
func memNow() (goBytes, rss int64) {
	// Several cycles: each halves the stacks of goroutines using less than a quarter of
	// theirs (a connection's stack grew during login and authorization, deep in SQLite),
	// as the collections of a running server would over a few minutes.
	for range 6 {
		runtime.GC()
	}
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	goBytes = int64(ms.HeapInuse + ms.StackInuse + ms.MSpanInuse)
	if b, err := os.ReadFile("/proc/self/statm"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 1 {
			pages, _ := strconv.ParseInt(f[1], 10, 64)
			rss = pages * int64(os.Getpagesize())
		}
	}
	return goBytes, rss
}

// runLive starts the load client, waits until its connections are open, measures the
// server's memory, publishes the events with publish(i, payload), and collects the
// client's report.
func runLive(ctx context.Context, name, url, token string, clients, events int, interval time.Duration,
	publish func(i int, payload []byte) error, stderr io.Writer) (liveResult, error) {
	res := liveResult{Name: name}
	exe, err := os.Executable()
	if err != nil {
		return res, err
	}
	goBefore, rssBefore := memNow()
	cmd := exec.CommandContext(ctx, exe, "bench", "live", "--load-client", url, "--token", token,
		"--clients", strconv.Itoa(clients), "--events", strconv.Itoa(events))
	cmd.Stderr = stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return res, err
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		return res, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, err
	}
	defer cmd.Wait()
	defer in.Close()
	out := bufio.NewReader(outPipe)
	line, err := out.ReadString('\n')
	if err != nil {
		return res, fmt.Errorf("load client: %w", err)
	}
	var ready struct{ Connected, Failed int }
	if err := json.Unmarshal([]byte(line), &ready); err != nil {
		return res, fmt.Errorf("load client said %q", line)
	}
	res.Connected, res.ConnectSec = ready.Connected, time.Since(start).Seconds()
	if ready.Connected == 0 {
		return res, fmt.Errorf("no client could connect (%d failed)", ready.Failed)
	}
	time.Sleep(time.Second) // let the last handshakes settle into idle
	goAfter, rssAfter := memNow()
	res.BytesPerConn = (goAfter - goBefore) / int64(ready.Connected)
	res.RSSPerConn = (rssAfter - rssBefore) / int64(ready.Connected)
	fmt.Fprintf(stderr, "bench live %s: %d clients connected in %.1fs (%d failed); publishing %d events\n", name, ready.Connected, res.ConnectSec, ready.Failed, events)
	for i := 1; i <= events; i++ {
		payload := fmt.Appendf(nil, `{"n":%d,"ts":%d}`, i, time.Now().UnixNano())
		if err := publish(i, payload); err != nil {
			return res, fmt.Errorf("publish %d: %w", i, err)
		}
		if interval > 0 && i < events {
			time.Sleep(interval)
		}
	}
	if _, err := io.WriteString(in, "done\n"); err != nil {
		return res, err
	}
	line, err = out.ReadString('\n')
	if err != nil {
		return res, fmt.Errorf("load client report: %w", err)
	}
	var rep liveReport
	if err := json.Unmarshal([]byte(line), &rep); err != nil {
		return res, fmt.Errorf("load client report %q: %w", line, err)
	}
	res.Delivered, res.Lost, res.P50, res.P99, res.Max = rep.Delivered, rep.Lost, rep.P50, rep.P99, rep.Max
	return res, nil
}

// benchLiveReference is the bare loop: net/http, one channel per client, no store, no
// session, no middleware.
func benchLiveReference(ctx context.Context, clients, events int, interval time.Duration, stderr io.Writer) (liveResult, error) {
	var mu sync.Mutex
	subs := map[chan []byte]struct{}{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /live", func(w http.ResponseWriter, r *http.Request) {
		ch := make(chan []byte, 16)
		mu.Lock()
		subs[ch] = struct{}{}
		mu.Unlock()
		defer func() { mu.Lock(); delete(subs, ch); mu.Unlock() }()
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(200)
		io.WriteString(w, "retry: 3000\n\n")
		w.(http.Flusher).Flush()
		for {
			select {
			case <-r.Context().Done():
				return
			case b := <-ch:
				w.Write(b)
				w.(http.Flusher).Flush()
			}
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return liveResult{}, err
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()
	url := "http://" + ln.Addr().String() + "/live?topics=x.y"
	return runLive(ctx, "reference", url, "-", clients, events, interval, func(i int, payload []byte) error {
		msg := fmt.Appendf(nil, "id: %d\nevent: bench\ndata: %s\n\n", i, payload)
		mu.Lock()
		defer mu.Unlock()
		for ch := range subs {
			select {
			case ch <- msg:
			default: // a full buffer loses the event; the client counts it
			}
		}
		return nil
	}, stderr)
}

// benchLiveDais serves a fresh demo store with the real app and publishes each event
// after committing an audited write, as a feature does.
func benchLiveDais(ctx context.Context, natsURL string, clients, events int, interval time.Duration, stderr io.Writer) (liveResult, error) {
	name := "memory"
	if natsURL != "" {
		name = "nats"
	}
	dir, err := os.MkdirTemp("", "dais-bench-live-")
	if err != nil {
		return liveResult{Name: name}, err
	}
	defer os.RemoveAll(dir)
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	c := config{"data": dir, "db": "", "key-file": "", "secure-cookies": "false", "place": "Bắc Ninh", "nats-url": natsURL}
	db, err := openStore(ctx, c, log)
	if err != nil {
		return liveResult{Name: name}, err
	}
	defer db.Close()
	seed, err := demo.Seed(ctx, db, demo.Options{Seed: 1, Members: 200}, nil)
	if err != nil {
		return liveResult{Name: name}, err
	}
	a, err := newApp(db, c, log)
	if err != nil {
		return liveResult{Name: name}, err
	}
	sctx, cancel := context.WithCancel(ctx)
	urlc, errc := make(chan string, 1), make(chan error, 1)
	go func() { errc <- a.serve(sctx, "127.0.0.1:0", func(u string) { urlc <- u }) }()
	defer func() { cancel(); <-errc }()
	var base string
	select {
	case base = <-urlc:
	case err := <-errc:
		return liveResult{Name: name}, err
	}
	// The delegate's bearer token, through the real login API.
	body := fmt.Sprintf(`{"username":"daibieu","password":%q}`, demo.Password)
	resp, err := http.Post(base+"/api/v1/session", "application/json", strings.NewReader(body))
	if err != nil {
		return liveResult{Name: name}, err
	}
	var tok struct{ Token string }
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.Token == "" {
		return liveResult{Name: name}, fmt.Errorf("login as daibieu: status %d %v", resp.StatusCode, err)
	}
	// The delegate's own unit: the unit authorizer checks the grant on every connection.
	unitCode := ""
	for _, l := range seed.Logins {
		if l.Username == "daibieu" {
			unitCode = l.UnitCode
		}
	}
	var unitID string
	if err := db.R().QueryRowContext(ctx, `SELECT id FROM units WHERE code = ?`, unitCode).Scan(&unitID); err != nil {
		return liveResult{Name: name}, fmt.Errorf("unit of daibieu: %w", err)
	}
	topic := "unit." + unitID
	actx := store.WithActor(ctx, "cli:bench")
	return runLive(ctx, name, base+"/live?topics="+topic, tok.Token, clients, events, interval, func(i int, payload []byte) error {
		// Commit first (an audited write, as every state change is), then publish.
		if err := db.Write(actx, func(tx *store.Tx) error {
			return tx.Audit(actx, "bench.live", "unit", unitID, map[string]int{"n": i})
		}); err != nil {
			return err
		}
		// The latency clock starts at the publish call: rewrite the timestamp.
		payload = fmt.Appendf(nil, `{"n":%d,"ts":%d}`, i, time.Now().UnixNano())
		_, err := a.live.Publish(ctx, topic, "bench", payload)
		return err
	}, stderr)
}

type liveReport struct {
	Delivered, Lost, Duplicates, Failed int
	P50, P99, Max                       float64
}

// liveLoadClient opens n SSE connections to url (each from its own loopback address
// among 127.0.0.2–127.0.0.61, so thousands of closed sockets in TIME_WAIT do not use up
// the ports of one address), reports {"Connected","Failed"} once all are open, then
// records for every event the delay since its "ts" until "done" arrives on stdin and
// every client has all events (or 10 s more have passed), and reports a liveReport.
func liveLoadClient(url, token string, n, events int, stdin io.Reader, stdout io.Writer) error {
	host, path, ok := strings.Cut(strings.TrimPrefix(url, "http://"), "/")
	if !ok {
		return usageError("--load-client must be http://host:port/path")
	}
	type client struct {
		conn net.Conn
		lat  []time.Duration
		seen []bool
		dup  int
	}
	cls := make([]*client, n)
	var connected, failed atomic.Int64
	var wg sync.WaitGroup
	var opened sync.WaitGroup
	gate := make(chan struct{}, 32) // connections being opened at once
	var all atomic.Int64            // events received in total
	for i := range n {
		cl := &client{seen: make([]bool, events+1)}
		cls[i] = cl
		wg.Add(1)
		opened.Add(1)
		go func() {
			defer wg.Done()
			gate <- struct{}{}
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%60))}, Timeout: 30 * time.Second}
			conn, err := d.Dial("tcp", host)
			var br *bufio.Reader
			if err == nil {
				fmt.Fprintf(conn, "GET /%s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nAccept: text/event-stream\r\nAccept-Encoding: gzip\r\n\r\n", path, host, token)
				br = bufio.NewReaderSize(conn, 1024)
				var resp *http.Response
				if resp, err = http.ReadResponse(br, nil); err == nil {
					if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" {
						err = fmt.Errorf("status %d %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
					} else {
						br = bufio.NewReaderSize(resp.Body, 1024)
						_, err = br.ReadString('\n') // the opening "retry:" line
					}
				}
			}
			<-gate
			if err != nil {
				failed.Add(1)
				if failed.Load() <= 3 {
					fmt.Fprintf(os.Stderr, "load client: %v\n", err)
				}
				opened.Done()
				if conn != nil {
					conn.Close()
				}
				return
			}
			cl.conn = conn
			connected.Add(1)
			opened.Done()
			defer conn.Close()
			got := 0
			for got < events {
				line, err := br.ReadSlice('\n')
				if err != nil {
					return
				}
				data, ok := bytes.CutPrefix(line, []byte("data: "))
				if !ok {
					continue
				}
				now := time.Now().UnixNano()
				var ev struct {
					N  int
					TS int64
				}
				if json.Unmarshal(data, &ev) != nil || ev.N < 1 || ev.N > events {
					continue
				}
				if cl.seen[ev.N] {
					cl.dup++
					continue
				}
				cl.seen[ev.N] = true
				cl.lat = append(cl.lat, time.Duration(now-ev.TS))
				got++
				all.Add(1)
			}
		}()
	}
	opened.Wait()
	json.NewEncoder(stdout).Encode(map[string]int64{"Connected": connected.Load(), "Failed": failed.Load()})
	// Wait for "done", then for the stragglers.
	sc := bufio.NewScanner(stdin)
	for sc.Scan() && sc.Text() != "done" {
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	want := connected.Load() * int64(events)
	deadline := time.After(10 * time.Second)
wait:
	for all.Load() < want {
		select {
		case <-finished:
			break wait
		case <-deadline:
			break wait
		case <-time.After(20 * time.Millisecond):
		}
	}
	for _, cl := range cls { // end the stragglers before reading what they recorded
		if cl.conn != nil {
			cl.conn.Close()
		}
	}
	<-finished
	var lat []time.Duration
	rep := liveReport{Failed: int(failed.Load())}
	for _, cl := range cls {
		lat = append(lat, cl.lat...)
		rep.Duplicates += cl.dup
	}
	rep.Delivered = len(lat)
	rep.Lost = int(want) - len(lat)
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	if len(lat) > 0 {
		rep.P50 = ms(lat[len(lat)/2])
		rep.P99 = ms(lat[min(len(lat)-1, len(lat)*99/100)])
		rep.Max = ms(lat[len(lat)-1])
	}
	if err := json.NewEncoder(stdout).Encode(rep); err != nil && !errors.Is(err, io.ErrClosedPipe) {
		return err
	}
	return nil
}
