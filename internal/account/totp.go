package account

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP follows RFC 6238 with the parameters every authenticator app supports: SHA-1,
// 6 digits, 30-second steps, one step of clock skew either way. A code is accepted once:
// the last accepted step is stored and older or equal steps are refused (no replay).
const (
	totpPeriod = 30
	totpSkew   = 1
	totpIssuer = "Dais"
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTPKey generates a new secret for username.
func NewTOTPKey(username string) (*otp.Key, error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: username, Period: totpPeriod,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, SecretSize: 20})
	if err != nil {
		return nil, fmt.Errorf("generate totp secret: %w", err)
	}
	return k, nil
}

// TOTPURL is the otpauth:// URL an authenticator app reads from the QR code.
func TOTPURL(username, secret string) string {
	k, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=6&period=30",
		totpIssuer, username, secret, totpIssuer))
	if err != nil {
		return ""
	}
	return k.URL()
}

// TOTPCode returns the code for secret at time t (tests, and `dais user code` for demos).
func TOTPCode(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totpOpts)
}

// matchTOTP returns the time step at which code is valid for secret within the skew, or 0.
func matchTOTP(secret, code string, now time.Time) int64 {
	code = normalizeCode(code)
	if len(code) != 6 {
		return 0
	}
	step := now.Unix() / totpPeriod
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		s := step + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s
		}
	}
	return 0
}

// normalizeCode drops spaces and dashes people type or paste.
func normalizeCode(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
}

// Recovery codes: 10 one-time codes of 10 base32 characters (50 bits each), shown once,
// stored as SHA-256 (their entropy makes a slow hash unnecessary).
const recoveryCodes = 10

func newRecoveryCodes() []string {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	out := make([]string, recoveryCodes)
	for i := range out {
		b := make([]byte, 7)
		if _, err := rand.Read(b); err != nil {
			panic("crypto/rand: " + err.Error())
		}
		s := strings.ToLower(enc.EncodeToString(b))[:10]
		out[i] = s[:5] + "-" + s[5:]
	}
	return out
}

func hashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(normalizeCode(code))))
	return hex.EncodeToString(sum[:])
}
