package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"dais/internal/leak"
	"dais/internal/store"
)

const traceLeakHelp = "usage: dais trace-leak FILE [--json] [--pages N] [--data DIR] [--db URL]"

// traceReport is what `dais trace-leak --json` prints.
type traceReport struct {
	Code       string    `json:"code"`
	Copy       leak.Copy `json:"copy"`
	Format     string    `json:"format"`
	Channel    string    `json:"channel"`
	Confidence float64   `json:"confidence"`
	Corrected  int       `json:"corrected,omitempty"`
	Page       int       `json:"page,omitempty"`
	Others     []string  `json:"other_codes,omitempty"`
}

// cmdTraceLeak runs `dais trace-leak FILE`: it reads the copy ID from a leaked PDF,
// EPUB, photo or screenshot (internal/leak), looks the copy up in the store and prints
// who it was served to, what, and when. No fingerprint, or one the store does not know,
// is an error (exit status 1) with the reason.
func cmdTraceLeak(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("trace-leak", stderr)
	c := bind(fs, "data", "db", "key-file", "log-level")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	pages := fs.Int("pages", 4, "PDF pages to rasterize when the PDF's text carries no copy code")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError(traceLeakHelp)
	}
	if *pages < 1 || *pages > 200 {
		return usageError("--pages must be between 1 and 200")
	}
	path := pos[0]
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Size() > leak.MaxFileSize {
		return fmt.Errorf("%s: larger than %d MiB", path, leak.MaxFileSize>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	found, err := leak.TraceFile(ctx, data, leak.TraceOptions{Pages: *pages})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	db, err := openStore(ctx, c, newLogger(stderr, c.get("log-level")))
	if err != nil {
		return err
	}
	defer db.Close()
	cp, err := leak.Lookup(ctx, db.R(), found.ID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return fmt.Errorf("%s: copy code %s read (%s), but this store served no such copy: wrong --data/--db, or a forged mark",
			path, leak.FormatCode(found.ID), found.Channel)
	}
	if err != nil {
		return err
	}
	rep := traceReport{Code: cp.Code(), Copy: cp, Format: found.Format, Channel: found.Channel, Confidence: found.Confidence, Page: found.Page}
	if found.Detection != nil {
		rep.Corrected = found.Detection.Corrected
	}
	for _, o := range found.Others {
		rep.Others = append(rep.Others, leak.FormatCode(o))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	reader := fmt.Sprintf("%s (user %s)", cp.ReaderName, cp.ReaderID)
	if cp.Delegate != "" {
		reader += ", delegate no. " + cp.Delegate
	}
	fmt.Fprintf(tw, "Reader:\t%s\n", reader)
	fmt.Fprintf(tw, "Document:\t%s, version %d\n", cp.DocumentID, cp.Version)
	fmt.Fprintf(tw, "Copy:\t%s (%s)\n", cp.Code(), cp.Kind)
	fmt.Fprintf(tw, "Served at:\t%s\n", cp.IssuedAt.In(leak.Zone).Format("2006-01-02 15:04:05 -07:00"))
	how := map[string]string{
		leak.ChannelPDFText:   "the PDF's hidden text (exact)",
		leak.ChannelEPUBText:  "the EPUB's hidden text (exact)",
		leak.ChannelImage:     "the fingerprint in the image",
		leak.ChannelPDFRaster: fmt.Sprintf("the fingerprint on page %d of the PDF", found.Page),
	}[found.Channel]
	fmt.Fprintf(tw, "Read from:\t%s\n", how)
	if d := found.Detection; d != nil {
		fmt.Fprintf(tw, "Confidence:\t%.3f (%d of 256 cells as expected; %d of 5 correctable bytes corrected; tile %.0f px at %.1f°, %.0f tiles averaged)\n",
			d.Confidence, int(d.Confidence*256+0.5), d.Corrected, d.Period, d.Angle, d.Tiles)
	} else {
		fmt.Fprintf(tw, "Confidence:\t%.3f\n", found.Confidence)
	}
	if len(rep.Others) > 0 {
		fmt.Fprintf(tw, "Also found:\t%s (more than one copy in this file)\n", strings.Join(rep.Others, ", "))
	}
	return tw.Flush()
}
