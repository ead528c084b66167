// Command dais is the whole Dais product in one binary: the web server, the demo, the
// store's migrations, account administration, audit verification and benchmarks.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"dais/internal/account"
	"dais/internal/audit"
	"dais/internal/demo"
	"dais/internal/store"
)

const usage = `dais — paperless party work: member records, meetings, votes, consultation.

Usage: dais COMMAND [flags]

Commands:
  serve           run the web server
  demo            seed demo data into an empty store, print the logins, then serve
  migrate         apply the store's migrations and exit
  user            manage accounts: add, grant, list, reset-2fa, code
  audit verify    check the audit log's chain and signed checkpoints
  audit checkpoint sign the current head of the audit log
  import members  check and import member records from CSV or XLSX (--dry-run: check only)
  search members  find members by name (any diacritics), card or ID number
  trace-leak      name the reader of a leaked restricted copy (PDF, EPUB, photo or screenshot)
  verify-election check a verifiable election's record (every proof, the tally, the result)
  bench http      measure an authenticated page and /healthz under load
  bench import    measure member import (parse, validate, write with history and audit)
  bench search    measure member search at national scale (5.6 M generated members)
  bench live      measure live delivery to many SSE clients (in-process hub, NATS)
  bench vote      measure an election: ballots cast through the server, or the verifiable pipeline
  config-doc      print docs/configuration.md
  version         print the version

Run "dais COMMAND -h" for a command's flags. Every flag has a DAIS_* environment default.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintln(os.Stderr, "dais:", err)
			os.Exit(2)
		}
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "dais:", err)
		os.Exit(1)
	}
}

type usageError string

func (e usageError) Error() string { return string(e) }

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr, false)
	case "demo":
		return cmdServe(ctx, rest, stdout, stderr, true)
	case "migrate":
		return cmdMigrate(ctx, rest, stdout, stderr)
	case "user":
		return cmdUser(ctx, rest, stdin, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, rest, stdout, stderr)
	case "import":
		return cmdImport(ctx, rest, stdout, stderr)
	case "search":
		return cmdSearch(ctx, rest, stdout, stderr)
	case "trace-leak":
		return cmdTraceLeak(ctx, rest, stdout, stderr)
	case "verify-election":
		return cmdVerifyElection(ctx, rest, stdout, stderr)
	case "bench":
		return cmdBench(ctx, rest, stdout, stderr)
	case "config-doc":
		writeConfigDoc(stdout)
		return nil
	case "version", "-v", "--version":
		fmt.Fprintln(stdout, "dais", appVersion())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError(fmt.Sprintf("unknown command %q", cmd))
}

// parseArgs parses flags and collects the positional arguments around them, in order:
// before, between or after the flags (dais import members FILE --dry-run, or the other way).
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for rest := args; ; rest = fs.Args()[1:] {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
	}
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("dais "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer, withDemo bool) error {
	name := "serve"
	if withDemo {
		name = "demo"
	}
	fs := newFlags(name, stderr)
	c := bind(fs, "addr", "data", "db", "nats-url", "key-file", "secure-cookies", "place", "log-level")
	seed := fs.Uint64("seed", 2026, "demo: seed of the generated data (same seed, same data)")
	members := fs.Int("members", 3000, "demo: number of generated members")
	communes := fs.Int("communes", 12, "demo: number of communes and wards in the province")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("unexpected arguments: " + strings.Join(fs.Args(), " "))
	}
	if withDemo && (*members < 1 || *members > 10_000_000) {
		return usageError("--members must be between 1 and 10000000")
	}
	if withDemo && (*communes < 2 || *communes > 500) {
		return usageError("--communes must be between 2 and 500")
	}
	log := newLogger(stderr, c.get("log-level"))
	db, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	var logins []demo.Login
	if withDemo {
		seeded, err := demo.Seeded(ctx, db)
		if err != nil {
			return err
		}
		if !seeded {
			fmt.Fprintf(stdout, "Seeding demo data (seed %d, %d members)…\n", *seed, *members)
			res, err := demo.Seed(ctx, db, demo.Options{Seed: *seed, Members: *members, Communes: *communes}, stdout)
			if err != nil {
				return err
			}
			logins = res.Logins
		} else if logins, err = demo.Logins(ctx, db, *seed); err != nil {
			return err
		}
	}
	a, err := newApp(db, c, log)
	if err != nil {
		return err
	}
	if withDemo {
		if err := a.seedDemo(ctx); err != nil {
			return fmt.Errorf("seed demo meetings and documents: %w", err)
		}
	}
	return a.serve(ctx, c.get("addr"), func(url string) {
		if withDemo {
			printLogins(stdout, url, c.get("data"), logins)
		} else {
			fmt.Fprintf(stdout, "Dais is serving on %s\n", url)
		}
	})
}

func printLogins(w io.Writer, url, dataDir string, logins []demo.Login) {
	fmt.Fprintf(w, "\nDais demo is running: open %s\n", url)
	fmt.Fprintf(w, "Every demo account's password is: %s\n", demo.Password)
	fmt.Fprintln(w, "Officer accounts need a 6-digit code: add the TOTP secret to an authenticator app,")
	dataFlag := ""
	if dataDir != "./dais-data" && dataDir != "dais-data" {
		dataFlag = " --data " + dataDir
	}
	fmt.Fprintf(w, "or print the current code with: go run ./cmd/dais user code USERNAME%s\n", dataFlag)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tROLE\tUNIT\tTOTP SECRET")
	for _, l := range logins {
		secret := "-"
		if l.TOTPSecret != "" {
			secret = l.TOTPSecret
		}
		fmt.Fprintf(tw, "%s\t%s\t%s (%s)\t%s\n", l.Username, l.Role, l.UnitName, l.UnitCode, secret)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

func cmdMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	c := bind(fs, "data", "db", "key-file", "log-level")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openStore(ctx, c, newLogger(stderr, c.get("log-level")))
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "store (%s) is at schema version %d\n", db.Dialect, v)
	return nil
}

func cmdAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "checkpoint") {
		return usageError("usage: dais audit verify|checkpoint [flags]")
	}
	fs := newFlags("audit "+args[0], stderr)
	c := bind(fs, "data", "db", "key-file", "log-level")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	log := newLogger(stderr, c.get("log-level"))
	// Verification must not create a key: a missing key file means nothing can be checked.
	keyFile := c.get("key-file")
	if keyFile == "" {
		keyFile = c.get("data") + "/dais.key"
	}
	if _, err := store.LoadKeys(keyFile, false); err != nil {
		return fmt.Errorf("audit needs the store's key file: %w", err)
	}
	db, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "checkpoint" {
		cp, err := audit.MakeCheckpoint(store.WithActor(ctx, "cli"), db)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "checkpoint: %d entries, root %s\n", cp.TreeSize, cp.Root)
		return nil
	}
	rep, err := audit.Verify(ctx, db)
	if err != nil {
		var p *audit.Problem
		if errors.As(err, &p) {
			fmt.Fprintf(stdout, "TAMPERED: %s\n", p.Error())
			if p.Seq > 0 {
				fmt.Fprintf(stdout, "first bad entry: %d\n", p.Seq)
			}
		}
		return fmt.Errorf("audit log verification failed: %w", err)
	}
	fmt.Fprintf(stdout, "audit log OK: %d entries, %d signed checkpoints verified\n", rep.Entries, rep.Checkpoints)
	return nil
}

func cmdUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	const help = "usage: dais user add USERNAME --name NAME [--password-stdin] | grant USERNAME ROLE UNIT_CODE | list | reset-2fa USERNAME | code USERNAME"
	if len(args) == 0 {
		return usageError(help)
	}
	sub := args[0]
	fs := newFlags("user "+sub, stderr)
	c := bind(fs, "data", "db", "key-file", "log-level")
	name := fs.String("name", "", "add: the user's full name")
	pwStdin := fs.Bool("password-stdin", false, "add: read the password from standard input (otherwise one is generated and printed)")
	pos, err := parseArgs(fs, args[1:]) // dais user grant bithu secretary BN --data …
	if err != nil {
		return err
	}
	want := map[string]int{"add": 1, "grant": 3, "list": 0, "reset-2fa": 1, "code": 1}
	n, ok := want[sub]
	if !ok || len(pos) != n {
		return usageError(help)
	}
	db, err := openStore(ctx, c, newLogger(stderr, c.get("log-level")))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx = store.WithActor(ctx, "cli:"+cliUser())
	accts := account.NewService(db)
	switch sub {
	case "add":
		pw := ""
		if *pwStdin {
			line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
			if err != nil && !errors.Is(err, io.EOF) {
				return fmt.Errorf("read password: %w", err)
			}
			pw = strings.TrimRight(line, "\r\n")
		} else {
			pw = generatePassword()
		}
		u, err := accts.CreateUser(ctx, account.NewUser{Username: pos[0], DisplayName: *name, Password: pw})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "created user %s (%s)\n", u.Username, u.ID)
		if !*pwStdin {
			fmt.Fprintf(stdout, "password: %s\n", pw)
		}
	case "grant":
		u, err := accts.UserByName(ctx, pos[0])
		if err != nil {
			return err
		}
		var unitID string
		if err := db.R().QueryRowContext(ctx, `SELECT id FROM units WHERE code = ?`, strings.ToUpper(pos[2])).Scan(&unitID); err != nil {
			return fmt.Errorf("unit %s: %w", pos[2], store.NotFound("unit"))
		}
		if err := accts.Grant(ctx, u.ID, pos[1], unitID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "granted %s to %s on %s\n", pos[1], u.Username, strings.ToUpper(pos[2]))
		if store.OfficerRole(pos[1]) && !u.TOTPEnabled {
			fmt.Fprintln(stdout, "this is an officer role: the user will be asked to set up two-factor authentication at the next login")
		}
	case "list":
		us, err := accts.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "USERNAME\tNAME\t2FA\tROLES")
		for _, u := range us {
			gs, err := accts.Grants(ctx, u.ID)
			if err != nil {
				return err
			}
			var roles []string
			for _, g := range gs {
				roles = append(roles, g.Role+"@"+g.UnitCode)
			}
			fmt.Fprintf(tw, "%s\t%s\t%v\t%s\n", u.Username, u.DisplayName, u.TOTPEnabled, strings.Join(roles, ", "))
		}
		tw.Flush()
	case "reset-2fa":
		u, err := accts.UserByName(ctx, pos[0])
		if err != nil {
			return err
		}
		if err := accts.ResetTOTP(ctx, u.ID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "two-factor authentication reset for %s; their sessions were ended\n", u.Username)
	case "code":
		u, err := accts.UserByName(ctx, pos[0])
		if err != nil {
			return err
		}
		code, err := accts.CurrentCode(ctx, u.ID)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, code)
	}
	return nil
}

func cliUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "unknown"
}

func generatePassword() string {
	// 16 random bytes as hex, grouped for reading aloud: 128 bits.
	t := strings.ToLower(randomHex(16))
	return t[:8] + "-" + t[8:16] + "-" + t[16:24] + "-" + t[24:]
}
