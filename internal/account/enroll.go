package account

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image/png"

	"github.com/pquerna/otp"

	"dais/internal/store"
)

// Enrollment is what the enrolment page shows: the secret as a QR code and as text.
type Enrollment struct {
	Secret string
	URL    string
	QR     string // data: URL of a PNG
}

// PendingTOTP returns the user's pending (not yet confirmed) TOTP secret, creating one
// if there is none, so that reloading the page does not invalidate a scanned code.
func (s *Service) PendingTOTP(ctx context.Context, userID string) (Enrollment, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return Enrollment{}, err
	}
	if u.TOTPEnabled {
		return Enrollment{}, &store.Error{Code: store.ECONFLICT, Key: "acct.2fa_on", Message: "two-factor authentication is already on"}
	}
	aad := "users.totp_secret:" + userID
	var sealed []byte
	if err := s.db.R().QueryRowContext(ctx, `SELECT totp_secret FROM users WHERE id = ?`, userID).Scan(&sealed); err != nil {
		return Enrollment{}, err
	}
	var secret string
	if len(sealed) > 0 {
		b, err := s.db.Keys.Open(sealed, aad)
		if err != nil {
			return Enrollment{}, err
		}
		secret = string(b)
	} else {
		k, err := NewTOTPKey(u.Username)
		if err != nil {
			return Enrollment{}, err
		}
		secret = k.Secret()
		err = s.db.Write(ctx, func(tx *store.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = ? WHERE id = ? AND totp_enabled = ?`, s.db.Keys.Seal([]byte(secret), aad), userID, false); err != nil {
				return err
			}
			return tx.Audit(ctx, "user.totp_begin", "user", userID, nil)
		})
		if err != nil {
			return Enrollment{}, err
		}
	}
	e := Enrollment{Secret: secret, URL: TOTPURL(u.Username, secret)}
	key, err := otp.NewKeyFromURL(e.URL)
	if err != nil {
		return Enrollment{}, fmt.Errorf("totp url: %w", err)
	}
	img, err := key.Image(256, 256)
	if err != nil {
		return Enrollment{}, fmt.Errorf("qr: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return Enrollment{}, fmt.Errorf("qr png: %w", err)
	}
	e.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
	return e, nil
}

// ConfirmTOTP turns two-factor authentication on when code matches the pending secret,
// marks the session (token) as having passed it, and returns fresh recovery codes.
func (s *Service) ConfirmTOTP(ctx context.Context, userID, token, code string) ([]string, error) {
	var sealed []byte
	var enabled bool
	if err := s.db.R().QueryRowContext(ctx, `SELECT totp_secret, totp_enabled FROM users WHERE id = ?`, userID).Scan(&sealed, &enabled); err != nil {
		return nil, err
	}
	if enabled || len(sealed) == 0 {
		return nil, &store.Error{Code: store.ECONFLICT, Key: "acct.enroll_wrong", Message: "no pending enrolment"}
	}
	secret, err := s.db.Keys.Open(sealed, "users.totp_secret:"+userID)
	if err != nil {
		return nil, err
	}
	step := matchTOTP(string(secret), code, s.now())
	if step == 0 {
		return nil, store.Invalid("code", "acct.enroll_wrong", "the code does not match")
	}
	codes := newRecoveryCodes()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_enabled = ?, totp_last_step = ? WHERE id = ?`, true, step, userID); err != nil {
			return err
		}
		if err := s.replaceRecoveryCodes(ctx, tx, userID, codes); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET mfa_at = ?, expires_at = ? WHERE token_hash = ?`,
			s.now(), s.now().Add(s.SessionTTL), hashToken(token)); err != nil {
			return err
		}
		return tx.Audit(ctx, "user.totp_enable", "user", userID, nil)
	})
	return codes, err
}

func (s *Service) replaceRecoveryCodes(ctx context.Context, tx *store.Tx, userID string, codes []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, c := range codes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, hashRecoveryCode(c)); err != nil {
			return err
		}
	}
	return nil
}

// NewRecoveryCodes replaces a user's recovery codes.
func (s *Service) NewRecoveryCodes(ctx context.Context, userID string) ([]string, error) {
	codes := newRecoveryCodes()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := s.replaceRecoveryCodes(ctx, tx, userID, codes); err != nil {
			return err
		}
		return tx.Audit(ctx, "user.recovery_codes", "user", userID, nil)
	})
	return codes, err
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (s *Service) RecoveryCodesLeft(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

// ResetTOTP turns two-factor authentication off for a user who lost both phone and
// recovery codes (an administrator does this, from the CLI), and ends their sessions.
func (s *Service) ResetTOTP(ctx context.Context, userID string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = NULL, totp_enabled = ?, totp_last_step = 0 WHERE id = ?`, false, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return tx.Audit(ctx, "user.totp_reset", "user", userID, nil)
	})
}

// EnableTOTPWithSecret sets and enables a known TOTP secret without a code (demo seeding
// only, so the printed demo secret works). Returns new recovery codes.
func (s *Service) EnableTOTPWithSecret(ctx context.Context, userID, secret string) ([]string, error) {
	codes := newRecoveryCodes()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET totp_secret = ?, totp_enabled = ? WHERE id = ?`,
			s.db.Keys.Seal([]byte(secret), "users.totp_secret:"+userID), true, userID); err != nil {
			return err
		}
		if err := s.replaceRecoveryCodes(ctx, tx, userID, codes); err != nil {
			return err
		}
		return tx.Audit(ctx, "user.totp_enable", "user", userID, nil)
	})
	return codes, err
}

// CurrentCode returns the user's current TOTP code (the CLI's `dais user code`, for demos
// and for an administrator holding the key file).
func (s *Service) CurrentCode(ctx context.Context, userID string) (string, error) {
	var sealed []byte
	if err := s.db.R().QueryRowContext(ctx, `SELECT totp_secret FROM users WHERE id = ? AND totp_enabled = ?`, userID, true).Scan(&sealed); err != nil || len(sealed) == 0 {
		return "", store.Errorf(store.ENOTFOUND, "the user has no two-factor authentication")
	}
	secret, err := s.db.Keys.Open(sealed, "users.totp_secret:"+userID)
	if err != nil {
		return "", err
	}
	return TOTPCode(string(secret), s.now())
}
