package export

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"dais/internal/member"
)

// bom is the UTF-8 byte order mark: without it Excel reads a CSV file in the machine's
// ANSI code page and garbles Vietnamese.
const bom = "\uFEFF"

// CSV writes ms as comma-separated values with the same columns, headers and
// neutralization as XLSX, after a UTF-8 BOM, with CRLF line ends. Every field is quoted
// (OWASP): a separator inside a value — Vietnamese Windows may use ";" — can then never
// start a new, unneutralized cell. Excel drops the leading zeros of card numbers when it
// opens a CSV file by double-click; the XLSX export keeps them. unitName is unused (a CSV
// file has no place for a title; the first row stays the import template's header).
func CSV(w io.Writer, unitName string, ms []member.Member, lang string) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(bom)
	writeCSVRow(bw, header(lang))
	for i := range ms {
		writeCSVRow(bw, row(&ms[i], lang))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("csv write: %w", err)
	}
	return nil
}

func writeCSVRow(w *bufio.Writer, cells []string) {
	for i, c := range cells {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(cell(c), `"`, `""`))
		w.WriteByte('"')
	}
	w.WriteString("\r\n")
}
