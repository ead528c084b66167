package imports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Limits of the XLSX reader against zip bombs and crafted workbooks. Every part is
// checked by its declared size before it is read (and archive/zip refuses a part that
// inflates past its declaration), and the sheet is streamed, never held whole.
const (
	maxZipEntries    = 10000
	maxZipDir        = 4 << 20   // bytes of zip central directory
	maxSmallPart     = 16 << 20  // workbook.xml, its relationships, styles.xml
	maxSharedStrings = 512 << 20 // sharedStrings.xml, held in memory as text
	maxRatio         = 200       // uncompressed:compressed beyond which a part (over 1 MiB) is refused
	ratioFloor       = 1 << 20
	maxColumns       = 16384 // XFD, the last column a spreadsheet has
)

// xlsxSource reads the rows of the first visible sheet of a workbook.
type xlsxSource struct {
	sheet     *zip.File
	sheetName string
	sst       *sharedStrings
	dateStyle []bool // by cell style index: the number format is a date
	date1904  bool
	fontTCVN3 bool // text was typed in a TCVN3 font: decode it (fromANSIFontText)
	maxField  int
	maxBytes  int64
}

func fileError(format string, args ...any) *FileError {
	return &FileError{Problems: []Problem{{Key: "imp.file", Message: fmt.Sprintf(format, args...)}}}
}

// zipDirectory reads the end of a zip file and refuses one whose directory is too big to
// read safely.
func zipDirectory(r io.ReaderAt, size int64) error {
	n := int64(min(size, 22+65535))
	tail := make([]byte, n)
	if _, err := r.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return err
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || len(tail)-i < 22 {
		return fileError("the file looks like a zip archive but is damaged (no end of directory)")
	}
	entries := binary.LittleEndian.Uint16(tail[i+10:])
	dirSize := binary.LittleEndian.Uint32(tail[i+12:])
	if entries > maxZipEntries || dirSize > maxZipDir {
		return fileError("the workbook has %d parts (%d bytes of directory): more than a spreadsheet of members needs", entries, dirSize)
	}
	return nil
}

// checkPart refuses a part whose declared size is over limit or whose compression ratio
// is that of a zip bomb.
func checkPart(f *zip.File, limit int64) error {
	u, c := f.UncompressedSize64, f.CompressedSize64
	if u > uint64(limit) {
		return fileError("the workbook's part %s unpacks to %d bytes, more than the limit of %d: refused (a zip bomb?)", f.Name, u, limit)
	}
	if u > ratioFloor && u > c*maxRatio {
		return fileError("the workbook's part %s unpacks %d times its packed size: refused (a zip bomb?)", f.Name, u/max(c, 1))
	}
	return nil
}

type partReader struct {
	io.Reader
	io.Closer
}

func openPart(f *zip.File, limit int64) (io.ReadCloser, error) {
	if err := checkPart(f, limit); err != nil {
		return nil, err
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fileError("the workbook's part %s cannot be read: %v", f.Name, err)
	}
	return partReader{&zipErrReader{r: io.LimitReader(rc, int64(f.UncompressedSize64)+1), name: f.Name}, rc}, nil
}

// zipErrReader turns archive/zip's errors (a part longer than declared, a bad checksum)
// into a message about the workbook.
type zipErrReader struct {
	r    io.Reader
	name string
}

func (z *zipErrReader) Read(p []byte) (int, error) {
	n, err := z.r.Read(p)
	switch {
	case errors.Is(err, zip.ErrFormat):
		err = fileError("the workbook's part %s is damaged: it unpacks to more than it declares (a zip bomb?)", z.name)
	case errors.Is(err, zip.ErrChecksum):
		err = fileError("the workbook's part %s is damaged: it fails its checksum", z.name)
	case err != nil && err != io.EOF:
		err = fileError("the workbook's part %s is damaged: %v", z.name, err)
	}
	return n, err
}

func readSmallPart(f *zip.File, v any) error {
	rc, err := openPart(f, maxSmallPart)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(rc).Decode(v); err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return fe
		}
		return fileError("the workbook's part %s is not valid XML: %v", f.Name, err)
	}
	return nil
}

type workbookXML struct {
	Pr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"id,attr"`
	} `xml:"sheets>sheet"`
}

type relsXML struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

type stylesXML struct {
	NumFmts []struct {
		ID   int    `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	CellXfs []struct {
		NumFmtID int `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

// openXLSX prepares the reading of a workbook's first visible sheet.
func openXLSX(r io.ReaderAt, size int64, opts Options) (*xlsxSource, error) {
	if err := zipDirectory(r, size); err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fileError("the file looks like a zip archive but cannot be read: %v", err)
	}
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[strings.ToLower(strings.ReplaceAll(f.Name, "\\", "/"))] = f
	}
	wbFile := parts["xl/workbook.xml"]
	if wbFile == nil {
		return nil, fileError("the file is a zip archive but not an Excel workbook (no xl/workbook.xml): save it as .xlsx or CSV")
	}
	var wb workbookXML
	if err := readSmallPart(wbFile, &wb); err != nil {
		return nil, err
	}
	x := &xlsxSource{maxField: opts.MaxFieldBytes, maxBytes: opts.MaxBytes}
	x.date1904 = wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"
	rid := ""
	for _, s := range wb.Sheets {
		if s.State == "" || s.State == "visible" {
			x.sheetName, rid = s.Name, s.RID
			break
		}
	}
	if x.sheetName == "" {
		return nil, fileError("the workbook has no visible sheet")
	}
	target := "xl/worksheets/sheet1.xml"
	if f := parts["xl/_rels/workbook.xml.rels"]; f != nil {
		var rels relsXML
		if err := readSmallPart(f, &rels); err != nil {
			return nil, err
		}
		for _, rel := range rels.Rels {
			if rel.ID == rid {
				if t := strings.ReplaceAll(rel.Target, "\\", "/"); strings.HasPrefix(t, "/") {
					target = path.Clean(t[1:])
				} else {
					target = path.Join("xl", t)
				}
			}
		}
	}
	if x.sheet = parts[strings.ToLower(target)]; x.sheet == nil {
		return nil, fileError("the workbook's sheet %q is missing (%s)", x.sheetName, target)
	}
	if err := checkPart(x.sheet, opts.MaxBytes); err != nil {
		return nil, err
	}
	if f := parts["xl/styles.xml"]; f != nil {
		var st stylesXML
		if err := readSmallPart(f, &st); err != nil {
			return nil, err
		}
		custom := map[int]string{}
		for _, nf := range st.NumFmts {
			custom[nf.ID] = nf.Code
		}
		x.dateStyle = make([]bool, len(st.CellXfs))
		for i, xf := range st.CellXfs {
			code, ok := custom[xf.NumFmtID]
			x.dateStyle[i] = isDateFormat(xf.NumFmtID, code, ok)
		}
	}
	x.sst = &sharedStrings{}
	if f := parts["xl/sharedstrings.xml"]; f != nil {
		if x.sst, err = loadSharedStrings(f, min(opts.MaxBytes, maxSharedStrings), opts.MaxFieldBytes); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// isDateFormat reports whether a number format shows a date: one of the built-in date
// formats, or a custom code with a day, month or year in it (outside quoted text, escapes
// and [colour] or [$-locale] brackets; an m beside h or s is minutes).
func isDateFormat(id int, code string, custom bool) bool {
	if !custom {
		return (id >= 14 && id <= 17) || id == 22 || (id >= 27 && id <= 36) || (id >= 50 && id <= 58)
	}
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			if j := strings.IndexByte(code[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(code)
			}
		case '\\', '_', '*':
			i++
		case '[':
			if j := strings.IndexByte(code[i:], ']'); j >= 0 {
				i += j
			}
		default:
			b.WriteByte(c | 0x20)
		}
	}
	f := b.String()
	if i := strings.IndexByte(f, ';'); i >= 0 {
		f = f[:i]
	}
	return strings.ContainsAny(f, "dy") || (strings.Contains(f, "m") && !strings.ContainsAny(f, "hs"))
}

// sharedStrings is a workbook's table of strings, kept as one block of NFC text.
type sharedStrings struct {
	data []byte
	ends []uint32 // where each string ends in data; ends[i] = data end for a too-long string's empty text
	long map[int]bool
}

func (t *sharedStrings) get(i int) (string, bool, bool) {
	if i < 0 || i >= len(t.ends) {
		return "", false, false
	}
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return string(t.data[start:t.ends[i]]), true, t.long[i]
}

func loadSharedStrings(f *zip.File, limit int64, maxField int) (*sharedStrings, error) {
	rc, err := openPart(f, limit)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	t := &sharedStrings{long: map[int]bool{}}
	sc := newXMLScanner(rc, maxToken(maxField))
	var si []byte
	inSI, inT, inRPh, long := false, false, 0, false
	for {
		err := sc.next()
		if err == io.EOF {
			return t, nil
		}
		if err != nil {
			return nil, partError(f.Name, err)
		}
		switch sc.kind {
		case tokStart:
			switch string(sc.name) {
			case "si":
				inSI, si, long = !sc.selfClose, si[:0], false
				if sc.selfClose {
					t.ends = append(t.ends, uint32(len(t.data)))
				}
			case "t":
				inT = inSI && inRPh == 0 && !sc.selfClose
			case "rPh":
				if !sc.selfClose {
					inRPh++
				}
			}
		case tokEnd:
			switch string(sc.name) {
			case "si":
				if !inSI {
					continue
				}
				inSI = false
				if long {
					t.long[len(t.ends)] = true
				} else if norm.NFC.IsNormal(si) {
					t.data = append(t.data, si...)
				} else {
					t.data = norm.NFC.Append(t.data, si...)
				}
				if len(t.data) > 1<<31 {
					return nil, fileError("the workbook's shared strings are too large")
				}
				t.ends = append(t.ends, uint32(len(t.data)))
			case "t":
				inT = false
			case "rPh":
				inRPh = max(inRPh-1, 0)
			}
		case tokText:
			if inT && !long {
				si = append(si, sc.text...)
				long = len(si) > maxField
			}
		}
		sc.keepText = inT
	}
}

// maxToken is the longest piece of XML accepted: a cell's text may be escaped (&amp; is
// five bytes for one) and a tag carries attributes.
func maxToken(maxField int) int { return 6*maxField + 64<<10 }

func partError(name string, err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		return fe
	}
	var tl *tokenTooLongError
	if errors.As(err, &tl) {
		return fileError("the workbook's part %s %s", name, tl.Error())
	}
	return fileError("the workbook's part %s is not valid XML: %v", name, err)
}

// scan streams the sheet's rows. Row numbers are the sheet's own (r="…"); rows and cells
// the sheet leaves out are empty.
func (x *xlsxSource) scan(ctx context.Context, fn func(row int, cells []cell) error) error {
	rc, err := openPart(x.sheet, x.maxBytes)
	if err != nil {
		return err
	}
	defer rc.Close()
	sc := newXMLScanner(rc, maxToken(x.maxField))
	var (
		cells              []cell
		row, col, n        int
		rowBytes           int
		inRow, inCell, inV bool
		inIS, inT          bool
		inRPh              int
		typ                string
		style              int
		val                []byte
		long               bool
	)
	fail := func(format string, args ...any) error {
		return &rowError{Row: row, Col: col, Key: "imp.xlsx", Message: fmt.Sprintf(format, args...)}
	}
	for {
		err := sc.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var tl *tokenTooLongError
			if errors.As(err, &tl) {
				return &rowError{Row: row, Col: col, Key: "imp.cell_too_long", Message: fmt.Sprintf("is longer than %d bytes", x.maxField)}
			}
			return partError(x.sheet.Name, err)
		}
		switch sc.kind {
		case tokStart:
			switch string(sc.name) {
			case "row":
				r := row + 1
				if v := sc.attr("r"); v != nil {
					if r, err = strconv.Atoi(string(v)); err != nil || r <= row {
						return fail("the sheet's rows are out of order or misnumbered (row %q after row %d)", v, row)
					}
				}
				if n++; n%4096 == 0 && ctx.Err() != nil {
					return ctx.Err()
				}
				row, col, cells, inRow, rowBytes = r, -1, cells[:0], !sc.selfClose, 0
			case "c":
				if !inRow {
					continue
				}
				c := col + 1
				if v := sc.attr("r"); v != nil {
					if c = cellColumn(v); c <= col {
						return fail("the sheet's cells are out of order or misnamed (%q)", v)
					}
				}
				if c >= maxColumns {
					return fail("has a cell beyond the last column (%d)", c+1)
				}
				col, typ, style, val, long = c, string(sc.attr("t")), -1, val[:0], false
				if v := sc.attr("s"); v != nil {
					style, _ = strconv.Atoi(string(v))
				}
				inCell = !sc.selfClose
			case "v":
				inV = inCell && !sc.selfClose
			case "is":
				inIS = inCell && !sc.selfClose
			case "t":
				inT = inIS && inRPh == 0 && !sc.selfClose
			case "rPh":
				if !sc.selfClose {
					inRPh++
				}
			}
		case tokEnd:
			switch string(sc.name) {
			case "v":
				inV = false
			case "t":
				inT = false
			case "rPh":
				inRPh = max(inRPh-1, 0)
			case "is":
				inIS = false
			case "c":
				if !inCell {
					continue
				}
				inCell = false
				c := x.cell(typ, style, val, long)
				if c.text == "" && c.kind != kindBad {
					continue
				}
				if rowBytes += len(c.text); rowBytes > maxRowCells*x.maxField {
					return &rowError{Row: row, Col: col, Key: "imp.row_too_long", Message: fmt.Sprintf("ends a row longer than %d bytes", maxRowCells*x.maxField)}
				}
				for len(cells) < col {
					cells = append(cells, cell{})
				}
				cells = append(cells, c)
			case "row":
				if !inRow {
					continue
				}
				inRow = false
				empty := true
				for _, c := range cells {
					empty = empty && (c.kind != kindBad && isBlank(c.text))
				}
				if !empty {
					if err := fn(row, cells); err != nil {
						return err
					}
				}
			case "sheetData":
				return nil
			}
		case tokText:
			if (inV || inT) && !long {
				val = append(val, sc.text...)
				long = len(val) > x.maxField
			}
		}
		sc.keepText = inV || inT
	}
}

// cellColumn turns a cell reference ("AB12") into its 0-based column; -1 if malformed.
func cellColumn(ref []byte) int {
	c := 0
	i := 0
	for ; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z'; i++ {
		c = c*26 + int(ref[i]-'A'+1)
		if c > maxColumns {
			return maxColumns
		}
	}
	if i == 0 {
		return -1
	}
	return c - 1
}

// cell makes a cell from what the sheet says of it.
func (x *xlsxSource) cell(typ string, style int, val []byte, long bool) cell {
	if long {
		return cell{kind: kindBad, text: fmt.Sprintf("is longer than %d bytes", x.maxField)}
	}
	text := func(s string) cell { // shared strings are NFC already
		if typ != "s" && !norm.NFC.IsNormalString(s) {
			s = norm.NFC.String(s)
		}
		if x.fontTCVN3 {
			if t, ok := fromANSIFontText(s); ok {
				s = t
			}
		}
		return cell{text: s}
	}
	switch typ {
	case "s":
		i, err := strconv.Atoi(strings.TrimSpace(string(val)))
		s, ok, tooLong := x.sst.get(i)
		switch {
		case err != nil || !ok:
			return cell{kind: kindBad, text: fmt.Sprintf("refers to shared string %q, which the workbook lacks (a damaged file?)", val)}
		case tooLong:
			return cell{kind: kindBad, text: fmt.Sprintf("is longer than %d bytes", x.maxField)}
		}
		return text(s)
	case "inlineStr", "str":
		return text(string(val))
	case "b":
		if strings.TrimSpace(string(val)) == "1" {
			return cell{kind: kindBool, text: "TRUE"}
		}
		return cell{kind: kindBool, text: "FALSE"}
	case "e":
		return cell{kind: kindError, text: string(val)}
	case "d":
		return cell{kind: kindISODate, text: strings.TrimSpace(string(val))}
	}
	v := strings.TrimSpace(string(val))
	if v == "" {
		return cell{}
	}
	if style >= 0 && style < len(x.dateStyle) && x.dateStyle[style] {
		return cell{kind: kindDate, text: v}
	}
	return cell{kind: kindNumber, text: v}
}
