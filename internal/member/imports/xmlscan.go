package imports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// xmlScanner is a small streaming XML tokenizer for the two big parts of a workbook (the
// sheet and its shared strings). It exists because encoding/xml holds any one token —
// a text run, a CDATA section, a comment — whole in memory, however large, and a crafted
// sheet can make that token gigabytes long; here every token is refused beyond maxTok
// bytes, and text the reader does not want is skipped without being kept. It reads
// elements, attributes, text with the predefined and numeric entities, CDATA sections, and
// skips comments, processing instructions and DOCTYPE declarations (whose entities are
// not expanded). Names are reduced to their local part ("x:row" → "row").
type xmlScanner struct {
	src      io.Reader
	buf      []byte
	pos, end int
	eof      bool
	rerr     error
	maxTok   int

	// The current token.
	kind      xmlTok
	name      []byte // local name of a start or end tag
	selfClose bool   // a start tag written <name/>
	attrs     []xmlAttr
	abuf      []byte // attribute names and values
	text      []byte // text of a tokText, when keepText was set
	keepText  bool   // set by the caller: keep the next text tokens (else they are skipped)
}

type xmlTok uint8

const (
	tokStart xmlTok = iota + 1
	tokEnd
	tokText
)

type xmlAttr struct{ name, value [2]int } // offsets into abuf

var errXML = errors.New("malformed XML")

func newXMLScanner(src io.Reader, maxTok int) *xmlScanner {
	return &xmlScanner{src: src, buf: make([]byte, 64<<10), maxTok: maxTok}
}

// ensure makes n bytes available at buf[pos:]; false if the input ends first.
func (s *xmlScanner) ensure(n int) bool {
	for s.end-s.pos < n {
		if s.eof {
			return false
		}
		if s.pos > 0 {
			copy(s.buf, s.buf[s.pos:s.end])
			s.end -= s.pos
			s.pos = 0
		}
		m, err := s.src.Read(s.buf[s.end:])
		s.end += m
		if err != nil {
			if err != io.EOF {
				s.rerr = err
			}
			s.eof = true
		}
	}
	return true
}

func (s *xmlScanner) errorf(format string, args ...any) error {
	if s.rerr != nil {
		return s.rerr
	}
	return fmt.Errorf("%w: "+format, append([]any{errXML}, args...)...)
}

func (s *xmlScanner) tooLong() error {
	if s.rerr != nil {
		return s.rerr
	}
	return &tokenTooLongError{s.maxTok}
}

type tokenTooLongError struct{ max int }

func (e *tokenTooLongError) Error() string {
	return fmt.Sprintf("holds more than %d bytes of XML in one piece", e.max)
}

// attr returns the value of the attribute with this local name, or nil.
func (s *xmlScanner) attr(name string) []byte {
	for _, a := range s.attrs {
		if string(s.abuf[a.name[0]:a.name[1]]) == name {
			return s.abuf[a.value[0]:a.value[1]]
		}
	}
	return nil
}

// next reads the next token; io.EOF at the end of the input.
func (s *xmlScanner) next() error {
	if !s.ensure(1) {
		if s.rerr != nil {
			return s.rerr
		}
		return io.EOF
	}
	if s.buf[s.pos] != '<' {
		return s.readText()
	}
	if !s.ensure(2) {
		return s.errorf("input ends inside a tag")
	}
	switch s.buf[s.pos+1] {
	case '/':
		s.pos += 2
		return s.readTag(tokEnd)
	case '?':
		s.pos += 2
		if err := s.skipPast("?>"); err != nil {
			return err
		}
		return s.next()
	case '!':
		switch {
		case s.ensure(4) && string(s.buf[s.pos:s.pos+4]) == "<!--":
			s.pos += 4
			if err := s.skipPast("-->"); err != nil {
				return err
			}
			return s.next()
		case s.ensure(9) && string(s.buf[s.pos:s.pos+9]) == "<![CDATA[":
			s.pos += 9
			return s.readCDATA()
		}
		s.pos += 2
		if err := s.skipDirective(); err != nil {
			return err
		}
		return s.next()
	}
	s.pos++
	return s.readTag(tokStart)
}

// skipPast skips input up to and including term.
func (s *xmlScanner) skipPast(term string) error {
	n := 0
	for {
		if !s.ensure(len(term)) {
			return s.errorf("input ends before %q", term)
		}
		chunk := s.buf[s.pos:s.end]
		if i := bytes.Index(chunk, []byte(term)); i >= 0 {
			s.pos += i + len(term)
			return nil
		}
		adv := len(chunk) - len(term) + 1
		s.pos += adv
		if n += adv; n > s.maxTok {
			return s.tooLong()
		}
	}
}

// skipDirective skips <!DOCTYPE …> and the like after "<!", as encoding/xml does: to the
// '>' that closes it, counting nested '<' '>' outside quotes, and skipping comments.
func (s *xmlScanner) skipDirective() error {
	depth, quote := 0, byte(0)
	first := true
	for n := 0; ; n++ {
		if n > s.maxTok {
			return s.tooLong()
		}
		if !s.ensure(1) {
			return s.errorf("input ends inside a declaration")
		}
		c := s.buf[s.pos]
		s.pos++
		if first { // the byte after "<!" is the directive's name, never markup
			first = false
			continue
		}
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>' && depth == 0:
			return nil
		case c == '>':
			depth--
		case c == '<':
			if s.ensure(3) && string(s.buf[s.pos:s.pos+3]) == "!--" {
				s.pos += 3
				if err := s.skipPast("-->"); err != nil {
					return err
				}
				continue
			}
			depth++
		}
	}
}

func (s *xmlScanner) readCDATA() error {
	s.kind, s.text = tokText, s.text[:0]
	n := 0
	for {
		if !s.ensure(3) {
			return s.errorf("input ends inside CDATA")
		}
		chunk := s.buf[s.pos:s.end]
		if i := bytes.Index(chunk, []byte("]]>")); i >= 0 {
			if s.keepText {
				s.text = append(s.text, chunk[:i]...)
			}
			s.pos += i + 3
			if n += i; n > s.maxTok {
				return s.tooLong()
			}
			return nil
		}
		adv := len(chunk) - 2
		if s.keepText {
			s.text = append(s.text, chunk[:adv]...)
		}
		s.pos += adv
		if n += adv; n > s.maxTok {
			return s.tooLong()
		}
	}
}

func (s *xmlScanner) readText() error {
	s.kind, s.text = tokText, s.text[:0]
	n, amp := 0, false
	for s.ensure(1) {
		chunk := s.buf[s.pos:s.end]
		i := bytes.IndexByte(chunk, '<')
		if i < 0 {
			i = len(chunk)
		}
		if s.keepText {
			s.text = append(s.text, chunk[:i]...)
			amp = amp || bytes.IndexByte(chunk[:i], '&') >= 0
		}
		s.pos += i
		if n += i; n > s.maxTok {
			return s.tooLong()
		}
		if i < len(chunk) {
			break
		}
	}
	if s.rerr != nil {
		return s.rerr
	}
	if amp {
		t, err := unescape(s.text)
		if err != nil {
			return s.errorf("%v", err)
		}
		s.text = t
	}
	return nil
}

func isNameByte(c byte) bool {
	return c > ' ' && c != '>' && c != '/' && c != '=' && c != '<' && c != '"' && c != '\''
}

// tagEnd makes the rest of the current tag available in buf and returns the index of the
// '>' that closes it (outside quoted attribute values), growing buf up to maxTok.
func (s *xmlScanner) tagEnd() (int, error) {
	quote := byte(0)
	for i := s.pos; ; i++ {
		if i == s.end {
			if i-s.pos > s.maxTok {
				return 0, s.tooLong()
			}
			if s.end == len(s.buf) && s.pos == 0 {
				s.buf = append(s.buf, make([]byte, len(s.buf))...)
			}
			off := s.pos
			if !s.ensure(s.end - s.pos + 1) {
				return 0, s.errorf("input ends inside a tag")
			}
			i -= off - s.pos // ensure may have moved the data to the start of buf
		}
		switch c := s.buf[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return i, nil
		}
	}
}

// readTag reads a tag after "<" or "</".
func (s *xmlScanner) readTag(kind xmlTok) error {
	s.kind, s.selfClose, s.attrs, s.abuf = kind, false, s.attrs[:0], s.abuf[:0]
	end, err := s.tagEnd()
	if err != nil {
		return err
	}
	t := s.buf[s.pos:end]
	s.pos = end + 1
	i := 0
	for i < len(t) && isNameByte(t[i]) {
		i++
	}
	if i == 0 {
		return s.errorf("a tag without a name")
	}
	s.abuf = append(s.abuf, t[:i]...)
	nameLen := len(s.abuf)
	space := func() {
		for i < len(t) && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r') {
			i++
		}
	}
	for {
		space()
		switch {
		case i == len(t):
			s.name = localName(s.abuf[:nameLen])
			return nil
		case t[i] == '/' && kind == tokStart && i == len(t)-1:
			s.selfClose = true
			s.name = localName(s.abuf[:nameLen])
			return nil
		case t[i] == '/' && kind == tokStart:
			return s.errorf("'/' not followed by '>' in a tag")
		case kind == tokEnd || !isNameByte(t[i]):
			return s.errorf("unexpected %q in a tag", t[i])
		}
		var a xmlAttr
		a.name[0] = len(s.abuf)
		for i < len(t) && isNameByte(t[i]) {
			s.abuf = append(s.abuf, t[i])
			i++
		}
		a.name[1] = len(s.abuf)
		space()
		if i == len(t) || t[i] != '=' {
			return s.errorf("attribute without a value")
		}
		i++
		space()
		if i == len(t) || (t[i] != '"' && t[i] != '\'') {
			return s.errorf("attribute value not quoted")
		}
		q := t[i]
		j := bytes.IndexByte(t[i+1:], q)
		if j < 0 {
			return s.errorf("attribute value not closed")
		}
		v := t[i+1 : i+1+j]
		i += j + 2
		a.value[0] = len(s.abuf)
		s.abuf = append(s.abuf, v...)
		if bytes.IndexByte(v, '&') >= 0 {
			u, err := unescape(s.abuf[a.value[0]:])
			if err != nil {
				return s.errorf("%v", err)
			}
			s.abuf = s.abuf[:a.value[0]+len(u)]
		}
		a.value[1] = len(s.abuf)
		local := localName(s.abuf[a.name[0]:a.name[1]])
		a.name[0] = a.name[1] - len(local)
		s.attrs = append(s.attrs, a)
	}
}

// localName drops a name's prefix as encoding/xml does: "x:row" → "row", while names
// with an empty side or more than one colon stay whole.
func localName(b []byte) []byte {
	if i := bytes.IndexByte(b, ':'); i > 0 && i < len(b)-1 && bytes.Count(b, []byte(":")) == 1 {
		return b[i+1:]
	}
	return b
}

// unescape replaces entities in b, in place.
func unescape(b []byte) ([]byte, error) {
	out := b[:0]
	for i := 0; i < len(b); {
		if b[i] != '&' {
			out = append(out, b[i])
			i++
			continue
		}
		j := bytes.IndexByte(b[i:], ';')
		if j < 0 || j > 12 {
			return nil, fmt.Errorf("unterminated entity")
		}
		ent := string(b[i+1 : i+j])
		i += j + 1
		switch ent {
		case "lt":
			out = append(out, '<')
		case "gt":
			out = append(out, '>')
		case "amp":
			out = append(out, '&')
		case "quot":
			out = append(out, '"')
		case "apos":
			out = append(out, '\'')
		default:
			var n uint64
			var err error
			switch {
			case len(ent) > 2 && (ent[:2] == "#x" || ent[:2] == "#X"):
				n, err = strconv.ParseUint(ent[2:], 16, 32)
			case len(ent) > 1 && ent[0] == '#':
				n, err = strconv.ParseUint(ent[1:], 10, 32)
			default:
				return nil, fmt.Errorf("unknown entity &%s;", ent)
			}
			if err != nil || n == 0 || n > utf8.MaxRune || !utf8.ValidRune(rune(n)) {
				return nil, fmt.Errorf("invalid character reference &%s;", ent)
			}
			// A reference is at least 4 bytes ("&#9;") and encodes in at most 4, and a
			// longer one encodes in fewer bytes than it takes, so out never overtakes i.
			out = utf8.AppendRune(out, rune(n))
		}
	}
	return out, nil
}
