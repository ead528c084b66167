package store

import (
	"errors"
	"fmt"
	"strings"
)

// Application error codes. internal/web maps each to one HTTP status in one table.
const (
	EINVALID      = "invalid"      // the caller sent something wrong: 400/422
	ENOTFOUND     = "not_found"    // no such object, or not visible to the caller: 404
	ECONFLICT     = "conflict"     // the object changed or already exists: 409
	EUNAUTHORIZED = "unauthorized" // no valid session: 401
	EFORBIDDEN    = "forbidden"    // visible but not allowed: 403
	ETOOMANY      = "too_many"     // rate limited: 429
	EINTERNAL     = "internal"     // a bug or an outage: 500, message never shown
)

// Error is an application error: a code, a message key the web layer translates, and
// arguments for that message. Message is the English text used in logs and the CLI.
type Error struct {
	Code    string
	Key     string // i18n key, e.g. "err.password_short"; empty → generic message for Code
	Args    []any
	Field   string // the form or JSON field at fault, when there is one
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" && !strings.HasPrefix(e.Message, e.Field+":") {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Errorf returns an *Error with a code and an English message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error for a field with a translatable key.
func Invalid(field, key, english string, args ...any) *Error {
	return &Error{Code: EINVALID, Key: key, Args: args, Field: field, Message: fmt.Sprintf(english, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL otherwise.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// NotFound is the error for a missing or invisible object.
func NotFound(what string) *Error {
	return &Error{Code: ENOTFOUND, Key: "err.not_found", Message: what + " not found"}
}
