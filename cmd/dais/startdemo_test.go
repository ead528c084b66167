package main

import (
	"context"
	"log/slog"
	"testing"

	"dais/internal/demo"
)

// startDemo seeds a fresh SQLite store with the demo data and serves it on loopback,
// in-process, with the same wiring as `dais demo` (openStore, demo.Seed, newApp,
// seedDemo, serve). It returns the server's base URL and what seeding created; the server
// stops (with its final audit checkpoint) and the store closes when the test ends.
func startDemo(t *testing.T, members int) (string, demo.Result) {
	t.Helper()
	_, u, res := startDemoApp(t, members)
	return u, res
}

// startDemoApp is startDemo that also hands back the wired app, so that a test can act
// through the services.
func startDemoApp(t *testing.T, members int) (*app, string, demo.Result) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	c := config{"data": t.TempDir(), "db": "", "key-file": "", "secure-cookies": "false"}
	db, err := openStore(ctx, c, log)
	if err != nil {
		cancel()
		t.Fatalf("open store: %v", err)
	}
	res, err := demo.Seed(ctx, db, demo.Options{Seed: 2026, Members: members}, nil)
	var a *app
	if err == nil {
		a, err = newApp(db, c, log)
	}
	if err == nil {
		err = a.seedDemo(ctx)
	}
	if err != nil {
		cancel()
		db.Close()
		t.Fatalf("demo: %v", err)
	}
	urlc := make(chan string, 1)
	errc := make(chan error, 1)
	go func() { errc <- a.serve(ctx, "127.0.0.1:0", func(u string) { urlc <- u }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
		db.Close()
	})
	select {
	case u := <-urlc:
		return a, u, res
	case err := <-errc:
		errc <- err // for the cleanup
		t.Fatalf("serve: %v", err)
		return nil, "", res
	}
}
