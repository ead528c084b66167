package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"dais/internal/store"
)

// DecodeJSON reads one JSON object from r's body into v: the content type must be JSON,
// the body at most the server's limit, unknown fields and trailing data are refused. Every
// failure is an EINVALID error with a message for the client, never a 500.
func DecodeJSON(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &store.Error{Code: store.EINVALID, Key: "err.content_type", Args: []any{"application/json"}, Message: "content type must be application/json"}
	}
	return decodeJSON(r.Body, v)
}

func decodeJSON(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return err
		}
		if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return &store.Error{Code: store.EINVALID, Key: "err.json_field", Args: []any{strings.Trim(msg, `"`)}, Message: "unknown field " + msg}
		}
		return &store.Error{Code: store.EINVALID, Key: "err.json", Args: []any{jsonProblem(err)}, Message: "invalid JSON: " + jsonProblem(err)}
	}
	if _, err := dec.Token(); err != io.EOF {
		var me *http.MaxBytesError
		if errors.As(err, &me) {
			return err // an object followed by a megabyte of blanks is too large, not malformed
		}
		return &store.Error{Code: store.EINVALID, Key: "err.json", Args: []any{"trailing data after the object"}, Message: "invalid JSON: trailing data"}
	}
	return nil
}

// jsonProblem describes a decoding error without echoing the client's bytes back at length.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be %s", te.Field, te.Type.String())
	case errors.Is(err, io.EOF):
		return "empty body"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of input"
	}
	msg := err.Error()
	if len(msg) > 80 {
		msg = msg[:80]
	}
	return msg
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
