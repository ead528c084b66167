package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"dais/internal/account"
	"dais/internal/audit"
	"dais/internal/document"
	"dais/internal/leak"
	"dais/internal/live"
	"dais/internal/meeting"
	"dais/internal/member"
	"dais/internal/member/export"
	"dais/internal/member/imports"
	"dais/internal/member/ocr"
	"dais/internal/member/search"
	"dais/internal/org"
	"dais/internal/store"
	"dais/internal/vote"
	"dais/internal/web"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise it comes
// from the module's VCS information.
var version = ""

func appVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			if dirty {
				rev += "+"
			}
			return "dev-" + rev
		}
	}
	return "dev"
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// openStore opens and migrates the store named by the config.
func openStore(ctx context.Context, c config, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, store.Options{DataDir: c.get("data"), URL: c.get("db"), KeyFile: c.get("key-file"), Logger: log})
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("store migrated", "dialect", db.Dialect, "applied", n)
	}
	return db, nil
}

// app is the wired product: services and the web server.
type app struct {
	db        *store.DB
	accounts  *account.Service
	units     *org.Service
	members   *member.Service
	index     *search.Index
	meetings  *meeting.Service
	documents *document.Service
	votes     *vote.Service
	live      live.Hub    // live events: publish after commit; see newLive
	liveAuth  *live.Kinds // who may follow which topic; the meeting package adds "meeting"
	web       *web.Server
	log       *slog.Logger
}

// newApp wires every package; the one place that knows them all.
func newApp(db *store.DB, c config, log *slog.Logger) (*app, error) {
	catalog, err := web.NewCatalog(web.BaseMessages(), account.Messages, org.Messages, org.OpsMessages, member.Messages, member.RecordMessages, ocr.Messages, imports.Messages, search.Messages, live.Messages,
		meeting.Messages, document.Messages, leak.Messages, vote.Messages)
	if err != nil {
		return nil, err
	}
	v := appVersion()
	rd, err := web.NewRenderer(catalog, v)
	if err != nil {
		return nil, err
	}
	for _, p := range []struct {
		ns  string
		fsf func() fs.FS
	}{{"account", account.Templates}, {"org", org.Templates}, {"member", member.Templates}, {"ocr", ocr.Templates}, {"import", imports.Templates}, {"search", search.Templates},
		{"meeting", meeting.Templates}, {"document", document.Templates}, {"vote", vote.Templates}} {
		if err := rd.AddPages(p.ns, p.fsf()); err != nil {
			return nil, err
		}
	}
	a := &app{db: db, accounts: account.NewService(db), units: org.NewService(db), members: member.NewService(db), log: log}
	a.web = web.NewServer(web.Config{Logger: log, Auth: a.accounts, Ready: db, Catalog: catalog, Renderer: rd,
		SecureCookies: c.bool("secure-cookies"), Version: v})
	if err := a.newLive(c); err != nil {
		return nil, err
	}
	blobs := store.NewBlobs(filepath.Join(c.get("data"), "blobs"), db.Keys)
	a.meetings = meeting.NewService(db, a.live, log)
	a.liveAuth.Handle("meeting", a.meetings)
	a.documents = document.NewService(db, blobs, meetingAudience{a.meetings}, a.live, document.Options{Logger: log})
	account.Routes(a.web, a.accounts)
	org.Routes(a.web, a.units, a.members, a.members, a.accounts, a.meetings)
	member.Routes(a.web, a.members, a.units)
	export.Routes(a.web, a.members, a.units, c.get("place"))
	a.members.SetBlobs(blobs)
	a.index = search.New(db)
	search.Routes(a.web, a.index)
	imports.Routes(a.web, db, filepath.Join(c.get("data"), "imports"), log)
	ocr.Routes(a.web, ocr.NewService(db, filepath.Join(c.get("data"), "blobs"), ocr.Options{Logger: log}), a.members)
	meeting.Routes(a.web, a.meetings, meeting.Options{Documents: a.documents, Place: c.get("place")})
	document.Routes(a.web, a.documents)
	a.votes = vote.NewService(db, a.meetings, a.live, log)
	vote.Routes(a.web, a.votes, vote.Options{Place: c.get("place")})
	leakCSS, err := fs.Sub(leak.Static, "static")
	if err != nil {
		return nil, err
	}
	a.web.Handle("GET /static/leak/", http.StripPrefix("/static/leak/", http.FileServerFS(leakCSS)))
	return a, nil
}

// meetingAudience tells the document package a reader's role in a meeting: the
// meeting's chair (chủ tọa, đoàn chủ tịch) reads what the presidium may read.
type meetingAudience struct{ m *meeting.Service }

func (a meetingAudience) RoleIn(ctx context.Context, meetingID, userID string) (string, bool, error) {
	role, ok, err := a.m.RoleIn(ctx, meetingID, userID)
	if role == meeting.RoleChair {
		role = document.RolePresidium
	}
	return role, ok, err
}

func (a meetingAudience) DelegateNumber(ctx context.Context, meetingID, userID string) (string, error) {
	return a.m.DelegateNumber(ctx, meetingID, userID)
}

// seedDemo adds the meetings, documents and polls of the demo, once: the meetings, with
// the documents of the provincial congress made in the congress (its delegates read them
// by their meeting role) and attached to its political report, then the congress's polls.
func (a *app) seedDemo(ctx context.Context) error {
	var n int
	if err := a.db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM meetings`).Scan(&n); err != nil || n > 0 {
		return err
	}
	congress := ""
	_, err := meeting.Seed(ctx, a.db, meeting.SeedOptions{CongressDocuments: func(congressID string) ([]string, error) {
		congress = congressID
		docs, err := document.Seed(ctx, a.documents, "BN", congressID)
		ids := make([]string, 0, len(docs))
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		return ids, err
	}})
	if err != nil || congress == "" {
		return err
	}
	return vote.Seed(ctx, a.votes, congress)
}

// newLive creates the live hub (in-process when nats-url is empty, NATS JetStream
// otherwise), the topic authorizers and GET /live.
func (a *app) newLive(c config) error {
	url, ok := c["nats-url"]
	if !ok {
		url = os.Getenv("DAIS_NATS_URL") // subcommands that do not bind the flag
	}
	if url == "" {
		a.live = live.NewMemory(live.Options{})
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		h, err := live.NewJetStream(ctx, url, live.JetStreamOptions{Logger: a.log})
		if err != nil {
			return err
		}
		a.live = h
	}
	a.liveAuth = live.NewKinds(a.db)
	live.Routes(a.web, a.live, a.liveAuth)
	return nil
}

// serve runs the HTTP server until ctx ends, with the housekeeping loops: audit
// checkpoints every minute and session expiry every ten.
func (a *app) serve(ctx context.Context, addr string, ready func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: a.web, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	tcp := ln.Addr().(*net.TCPAddr)
	host := tcp.IP.String()
	if tcp.IP.IsUnspecified() {
		host = "localhost" // listening on every interface: print an address a browser can open
	}
	url := "http://" + net.JoinHostPort(host, fmt.Sprint(tcp.Port))
	go a.housekeeping(ctx)
	go a.searchIndex(ctx)
	errc := make(chan error, 1)
	srv.RegisterOnShutdown(func() { a.live.Close() }) // ends the SSE streams so Shutdown need not wait
	go func() { errc <- srv.Serve(ln) }()
	a.log.Info("dais serving", "url", url, "store", a.db.Dialect, "version", appVersion())
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if _, cerr := audit.MakeCheckpoint(sctx, a.db); cerr != nil {
		a.log.Error("final audit checkpoint", "err", cerr)
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func (a *app) housekeeping(ctx context.Context) {
	tick := time.NewTicker(time.Minute)
	defer tick.Stop()
	for n := 0; ; n++ {
		if c, err := audit.MakeCheckpoint(ctx, a.db); err != nil && ctx.Err() == nil {
			a.log.Error("audit checkpoint", "err", err)
		} else if err == nil && c.TreeSize > 0 {
			a.log.Debug("audit checkpoint", "entries", c.TreeSize, "root", c.Root)
		}
		if n%10 == 0 {
			if err := a.accounts.ExpireSessions(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("expire sessions", "err", err)
			}
			if n, err := a.members.ExpireTransfers(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("expire transfers", "err", err)
			} else if n > 0 {
				a.log.Info("transfers expired", "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// searchIndex builds the member search index (number queries work meanwhile) and keeps
// it fresh: every replica follows the store's changes on its own.
func (a *app) searchIndex(ctx context.Context) {
	start := time.Now()
	if err := a.index.Rebuild(ctx); err != nil {
		if ctx.Err() == nil {
			a.log.Error("member search: build failed", "err", err)
		}
	} else {
		a.log.Info("member search: index built", "took", time.Since(start).Round(time.Millisecond))
	}
	a.index.Run(ctx, 3*time.Second, a.log)
}
