package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"dais/internal/member/search"
)

const searchHelp = "usage: dais search members QUERY [--unit CODE] [--birth-year YYYY] [--status S] [--limit N] [--offset N] [--json] [--data DIR] [--db URL]"

// cmdSearch runs `dais search members QUERY`: as the system (every unit), it builds the
// member search index (a card or ID number goes straight to the store), runs the query
// and prints a table, or with --json one JSON object per hit and line.
func cmdSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "members" {
		return usageError(searchHelp)
	}
	fs := newFlags("search members", stderr)
	c := bind(fs, "data", "db", "key-file", "log-level")
	unit := fs.String("unit", "", "only members of this unit's subtree (unit code)")
	year := fs.Int("birth-year", 0, "only members born this year")
	status := fs.String("status", "", "only members with this status (official, probationary, …)")
	limit := fs.Int("limit", search.DefaultLimit, fmt.Sprintf("hits to print (at most %d)", search.MaxLimit))
	offset := fs.Int("offset", 0, "hits to skip")
	asJSON := fs.Bool("json", false, "print one JSON object per hit and line")
	// The query may hold spaces: dais search members Nguyễn Văn An --unit HN.
	words, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	q := search.Query{Text: strings.Join(words, " "), UnitCode: *unit, BirthYear: *year, Status: *status, Limit: *limit, Offset: *offset}
	log := newLogger(stderr, c.get("log-level"))
	db, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	var x *search.Index
	if search.IsNumber(q.Text) {
		x = search.New(db) // the store answers numbers: no index to build
	} else {
		start := time.Now()
		if x, err = search.Build(ctx, db); err != nil {
			return err
		}
		log.Debug("member search index built", "took", time.Since(start), "members", x.Stats().Members)
	}
	res, err := x.Search(ctx, search.System(), q)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		for _, h := range res.Hits {
			if err := enc.Encode(h); err != nil {
				return err
			}
		}
		fmt.Fprintf(stderr, "%d of %d members\n", len(res.Hits), res.Total)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FULL NAME\tCARD\tUNIT\tBIRTH DATE\tSTATUS\tMATCH")
	for _, h := range res.Hits {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", h.FullName, h.CardNumber, h.UnitCode, h.BirthDate, h.Status, h.Kind)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d of %d members\n", len(res.Hits), res.Total)
	return nil
}
