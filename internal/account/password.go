package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"dais/internal/store"
)

// argon2id parameters: OWASP's 2024 baseline (19 MiB, 2 passes, 1 lane). On a 2-core
// server one hash costs ~25 ms, which bounds password guessing and keeps a login burst of
// a congress morning (1,600 delegates) under a minute of CPU.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// MinPasswordLen and MaxPasswordLen bound passwords (in characters). The maximum stops a
// megabyte "password" from costing hash time; passphrases fit easily.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// HashPassword returns a PHC-format argon2id hash.
func HashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword validates a new password's length.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return store.Invalid("password", "acct.pw_invalid", "password must be valid text")
	case n < MinPasswordLen:
		return store.Invalid("password", "acct.pw_short", "password must have at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return store.Invalid("password", "acct.pw_long", "password must have at most %d characters", MaxPasswordLen)
	}
	return nil
}

// VerifyPassword reports whether pw matches a PHC argon2id hash. Malformed hashes never match.
func VerifyPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || len(pw) > 4*MaxPasswordLen {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<21 || t == 0 || t > 16 || p == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when the user does not exist, so that an unknown
// username takes as long as a wrong password.
var dummyHash = func() string {
	h, err := HashPassword("dais-dummy-password-never-matches")
	if err != nil {
		panic(err)
	}
	return h
}()
