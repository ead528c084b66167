package ocr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"dais/internal/store"
)

// Word is one word Tesseract read, with its confidence (0–100) and box.
type Word struct {
	Text                     string
	Conf                     float64
	Left, Top, Width, Height int
}

// Line is one line of words, in reading order.
type Line struct {
	Words []Word
}

// Text is the line's words joined by single spaces.
func (l Line) Text() string {
	parts := make([]string, len(l.Words))
	for i, w := range l.Words {
		parts[i] = w.Text
	}
	return strings.Join(parts, " ")
}

// Text joins lines with newlines: the raw text of a page.
func Text(lines []Line) string {
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l.Text())
	}
	return b.String()
}

// maxTSV bounds what we read from Tesseract: a dense A3 page is well under 1 MB of TSV.
const maxTSV = 8 << 20

// limitedBuffer keeps at most max bytes and remembers that it dropped some.
type limitedBuffer struct {
	bytes.Buffer
	max       int
	truncated bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); len(p) > room {
		b.truncated = true
		b.Buffer.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.Buffer.Write(p)
}

// exitError is a helper program that ran and failed: for pdftoppm, a file it cannot read.
type exitError struct {
	name, stderr string
	err          error
}

func (e *exitError) Error() string { return e.name + ": " + e.err.Error() + ": " + e.stderr }
func (e *exitError) Unwrap() error { return e.err }

// run runs a helper program with a time limit, its output bounded; stdin may be nil.
func (s *Service) run(ctx context.Context, stdin []byte, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	// One thread per run: we already run Workers of them side by side, and Tesseract's
	// OpenMP threads only contend with each other on a busy server.
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	out := &limitedBuffer{max: maxTSV}
	errOut := &limitedBuffer{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = out, errOut
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	err := cmd.Run()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, store.Errorf(store.EINTERNAL, "%s took longer than %s", name, s.opts.Timeout)
	case errors.Is(err, exec.ErrNotFound):
		return nil, store.Errorf(store.EINTERNAL, "%s is not installed: %v", name, err)
	case err != nil:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, &exitError{name: name, err: err, stderr: strings.TrimSpace(errOut.String())}
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	case out.truncated:
		return nil, store.Errorf(store.EINTERNAL, "%s wrote more than %d bytes", name, maxTSV)
	}
	s.opts.Logger.DebugContext(ctx, "ocr: ran "+name, "ms", time.Since(start).Milliseconds())
	return out.Bytes(), nil
}

// tesseract reads a page image (PNG bytes) and returns its lines of words.
func (s *Service) tesseract(ctx context.Context, png []byte, dpi int) ([]Line, error) {
	args := []string{"stdin", "stdout", "-l", s.opts.Lang, "--psm", "6"}
	if dpi > 0 {
		args = append(args, "--dpi", strconv.Itoa(dpi))
	}
	out, err := s.run(ctx, png, s.opts.Tesseract, append(args, "tsv")...)
	if err != nil {
		return nil, err
	}
	return parseTSV(out)
}

// parseTSV reads Tesseract's TSV output (level, page_num, block_num, par_num, line_num,
// word_num, left, top, width, height, conf, text) into lines. Rows of level 5 are words;
// a new (page, block, paragraph, line) starts a new line. Text is NFC; words with invalid
// UTF-8 are repaired rather than dropped.
func parseTSV(b []byte) ([]Line, error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var lines []Line
	var key [4]int
	first := true
	for n := 0; sc.Scan(); n++ {
		f := strings.Split(sc.Text(), "\t")
		if n == 0 && len(f) > 0 && f[0] == "level" {
			continue // the header
		}
		if len(f) < 12 {
			continue
		}
		if f[0] != "5" {
			continue
		}
		var nums [9]int // page, block, paragraph, line, word, left, top, width, height
		ok := true
		for i := range nums {
			v, err := strconv.Atoi(f[i+1])
			if err != nil {
				ok = false
				break
			}
			nums[i] = v
		}
		if !ok {
			continue
		}
		conf, err := strconv.ParseFloat(f[10], 64)
		if err != nil {
			continue
		}
		text := strings.Join(f[11:], " ")
		text = strings.TrimSpace(norm.NFC.String(strings.ToValidUTF8(text, "\uFFFD")))
		if text == "" || !utf8.ValidString(text) {
			continue
		}
		k := [4]int{nums[0], nums[1], nums[2], nums[3]}
		if first || k != key {
			lines = append(lines, Line{})
			key, first = k, false
		}
		l := &lines[len(lines)-1]
		l.Words = append(l.Words, Word{Text: text, Conf: min(max(conf, 0), 100),
			Left: nums[5], Top: nums[6], Width: nums[7], Height: nums[8]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read tesseract output: %w", err)
	}
	return lines, nil
}
