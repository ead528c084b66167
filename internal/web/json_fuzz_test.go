package web_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"dais/internal/store"
	"dais/internal/web"
)

// fuzzLimit is the body limit in the fuzzer: small, so the too-large path is reached often.
const fuzzLimit = 512

type fuzzBody struct {
	Name    string            `json:"name"`
	Count   int               `json:"count"`
	Small   int8              `json:"small"`
	Ratio   float64           `json:"ratio"`
	On      *bool             `json:"on"`
	Tags    []string          `json:"tags"`
	Extra   map[string]int    `json:"extra"`
	Nested  struct{ A uint8 } `json:"nested"`
	Pointer *string           `json:"pointer"`
}

// FuzzDecodeJSON feeds arbitrary bodies through DecodeJSON as the server does (JSON content
// type, body behind http.MaxBytesReader): it never panics, and every failure is an
// EINVALID *store.Error or the *http.MaxBytesError the web layer maps to 413.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		``,
		`{}`,
		`{"name":"Đảng bộ phường Từ Sơn","count":3,"small":-128,"ratio":0.5,"on":true,"tags":["a","b"],"extra":{"x":1},"nested":{"A":255},"pointer":null}`,
		`{"name":`,
		`{"name" "x"}`,
		`{"name":"x"} {"name":"y"}`,
		`{"name":"x"}]`,
		`{"name":"x"}   `,
		`{"unknown":1}`,
		`{"NAME":"case folded"}`,
		`{"count":1e400}`,
		`{"count":99999999999999999999999}`,
		`{"count":1.5}`,
		`{"count":"1"}`,
		`{"small":128}`,
		`{"nested":{"A":-1}}`,
		`{"ratio":-0}`,
		`{"extra":{"x":null}}`,
		`{"tags":"not a list"}`,
		`[1,2,3]`,
		`"a string"`,
		`null`,
		`nul`,
		`{"name":"\ud800"}`,
		`{"name":"\u0000"}`,
		"{\"name\":\"\xff\xfe\"}",
		"\xef\xbb\xbf{}",
		`{"name":"` + strings.Repeat("a", fuzzLimit) + `"}`,
		`{"tags":[` + strings.Repeat(`"x",`, 200) + `"x"]}`,
		strings.Repeat("[", 300),
		`{"name":"a","name":"b"}`,
		`/* comment */ {}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/api/v1/fuzz", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json; charset=utf-8")
		r.Body = http.MaxBytesReader(w, r.Body, fuzzLimit)
		var v fuzzBody
		err := web.DecodeJSON(r, &v)
		if err == nil {
			if len(body) > fuzzLimit {
				t.Fatalf("accepted a %d-byte body over the %d-byte limit", len(body), fuzzLimit)
			}
			return
		}
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			if len(body) <= fuzzLimit {
				t.Fatalf("MaxBytesError for a %d-byte body", len(body))
			}
			if web.Status(err) != http.StatusRequestEntityTooLarge {
				t.Fatalf("MaxBytesError maps to %d", web.Status(err))
			}
			return
		}
		var se *store.Error
		if !errors.As(err, &se) || se.Code != store.EINVALID {
			t.Fatalf("error %T %v, want an EINVALID *store.Error", err, err)
		}
		if se.Message == "" || se.Key == "" {
			t.Fatalf("error without a message or key: %+v", se)
		}
		if web.Status(err) != http.StatusUnprocessableEntity {
			t.Fatalf("EINVALID maps to %d", web.Status(err))
		}
		// The message names the problem without echoing the client's bytes at length.
		if len(se.Message) > 200 {
			t.Fatalf("message of %d bytes: %q", len(se.Message), se.Message)
		}
	})
}

// FuzzDecodeJSONContentType: any content type other than JSON is an EINVALID error.
func FuzzDecodeJSONContentType(f *testing.F) {
	for _, ct := range []string{"", "application/json", "APPLICATION/JSON; charset=utf-8", "text/plain", "application/json;", "application/json; ;;==",
		"multipart/form-data; boundary=x", "application/jsonx", "application/problem+json", "application/json\x00"} {
		f.Add(ct)
	}
	f.Fuzz(func(t *testing.T, ct string) {
		r := httptest.NewRequest("POST", "/api/v1/fuzz", strings.NewReader(`{"name":"x"}`))
		r.Header["Content-Type"] = []string{ct}
		var v fuzzBody
		err := web.DecodeJSON(r, &v)
		if err == nil {
			return
		}
		var se *store.Error
		if !errors.As(err, &se) || se.Code != store.EINVALID {
			t.Fatalf("content type %q: error %T %v, want EINVALID", ct, err, err)
		}
	})
}
