package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"dais/internal/vote/e2e"
)

const verifyElectionHelp = "usage: dais verify-election RECORD [--json] [--workers N]"

// errElectionInvalid is returned (exit status 1) when a record fails a check.
type errElectionInvalid struct{ check, detail string }

func (e errElectionInvalid) Error() string {
	return fmt.Sprintf("election record invalid: %s: %s", e.check, e.detail)
}

// cmdVerifyElection runs `dais verify-election RECORD`: every check of ELECTION.md §7,
// each printed with ok/FAILED (or skipped, after a failure that leaves nothing sound to
// check), without the server or its store. A failing record exits non-zero.
func cmdVerifyElection(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("verify-election", stderr)
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	workers := fs.Int("workers", 0, "goroutines checking ballots (0: one per CPU)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError(verifyElectionHelp)
	}
	st, err := os.Stat(pos[0])
	if err != nil {
		return err
	}
	if st.Size() > e2e.MaxRecordSize {
		return fmt.Errorf("%s: larger than %d MiB", pos[0], e2e.MaxRecordSize>>20)
	}
	data, err := os.ReadFile(pos[0])
	if err != nil {
		return err
	}
	rec, err := e2e.ParseRecord(data)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	rep := e2e.Verify(rec, e2e.Options{Workers: *workers})
	if *asJSON {
		enc := json.NewEncoder(stdout)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, c := range rep.Checks {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", c.Item, c.Name, c.Status, c.Detail)
		}
		tw.Flush()
		if rep.OK {
			fmt.Fprintf(stdout, "record verified: %d cast ballots, %d spoiled, counts %v, elected %v, runoff %v\n",
				rep.Ballots, rep.Spoiled, rep.Counts, rec.Elected, rec.Runoff)
		}
	}
	if f := rep.FirstFailure(); f != nil {
		return errElectionInvalid{f.Name, f.Detail}
	}
	return nil
}
