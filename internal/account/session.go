package account

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"dais/internal/store"
	"dais/internal/web"
)

// Login rate limits, kept in the store so that every replica counts the same failures.
// Failures of the password and of the second factor count alike.
const (
	limitWindow      = 15 * time.Minute
	limitPerAccount  = 5
	limitPerIP       = 30
	maxUsernameBytes = 256
)

// ErrLoginFailed is the one answer to a wrong username, password or code: the caller
// cannot tell which was wrong.
var ErrLoginFailed = &store.Error{Code: store.EUNAUTHORIZED, Key: "acct.login_failed", Message: "wrong username, password or verification code"}

// LoginResult is a new session.
type LoginResult struct {
	Token   string
	Expires time.Time
	// MFAPending: the password was right, and the second factor must be passed (or, for
	// an officer without TOTP, enrolled) before the session is usable.
	MFAPending bool
}

// Login checks a username and password and opens a session. code, when not empty, is
// checked as the second factor in the same call (the JSON API does this).
func (s *Service) Login(ctx context.Context, username, password, code, ip, userAgent string) (LoginResult, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if len(username) > maxUsernameBytes {
		username = username[:maxUsernameBytes]
	}
	// No account has a name with NUL or invalid UTF-8, and PostgreSQL refuses both in
	// text: make it printable, so it is an unknown user (counted) rather than a 500.
	username = strings.ToValidUTF8(strings.ReplaceAll(username, "\x00", "\uFFFD"), "\uFFFD")
	if err := s.checkLimits(ctx, username, ip); err != nil {
		return LoginResult{}, err
	}
	var (
		id, hash  string
		enabled   bool
		disabled  bool
		roleNeeds bool
	)
	err := s.db.R().QueryRowContext(ctx, `SELECT id, password_hash, totp_enabled, disabled FROM users WHERE username = ?`, username).
		Scan(&id, &hash, &enabled, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		VerifyPassword(dummyHash, password) // same time as a wrong password
		return LoginResult{}, s.failed(ctx, username, ip, "no such user")
	}
	if err != nil {
		return LoginResult{}, fmt.Errorf("load user: %w", err)
	}
	if !VerifyPassword(hash, password) || disabled {
		return LoginResult{}, s.failed(ctx, username, ip, "wrong password or disabled")
	}
	grants, err := s.Grants(ctx, id)
	if err != nil {
		return LoginResult{}, err
	}
	roleNeeds = (&store.Principal{Grants: grants}).NeedsMFA()
	mfaDone := !enabled && !roleNeeds
	step := int64(0)
	if !mfaDone && code != "" {
		if step, err = s.checkCode(ctx, id, code); err != nil {
			return LoginResult{}, s.failed(ctx, username, ip, "wrong second factor")
		}
		mfaDone = true
	}
	// Only a complete login clears the account's failures: the password alone must not, or
	// whoever knows it could guess second-factor codes without ever being locked out.
	if mfaDone {
		if err := s.clearLimit(ctx, "user:"+username); err != nil {
			return LoginResult{}, err
		}
	}
	res := LoginResult{Token: web.RandomToken(32), Expires: s.now().Add(s.SessionTTL), MFAPending: !mfaDone}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if step > 0 {
			if err := s.consumeStep(ctx, tx, id, step); err != nil {
				return err
			}
		}
		return s.insertSession(ctx, tx, id, res, mfaDone, ip, userAgent)
	})
	return res, err
}

func (s *Service) insertSession(ctx context.Context, tx *store.Tx, userID string, res LoginResult, mfaDone bool, ip, ua string) error {
	var mfaAt any
	expires := res.Expires
	if mfaDone {
		mfaAt = s.now()
	} else {
		// A half-open session only lives long enough for the second step.
		if grace := s.now().Add(s.MFAGrace); grace.Before(expires) {
			expires = grace
		}
	}
	if len(ua) > 300 {
		ua = ua[:300]
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, mfa_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, hashToken(res.Token), userID, web.RandomToken(16), s.now(), expires, mfaAt, ip, strings.ToValidUTF8(ua, "?"))
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return tx.Audit(ctx, "session.create", "user", userID, map[string]any{"mfa": mfaDone, "ip": ip})
}

// SecondFactor checks a TOTP or recovery code for a half-open session and, on success,
// replaces it with a new fully authenticated session (a new token: no fixation).
func (s *Service) SecondFactor(ctx context.Context, token, code, ip, userAgent string) (LoginResult, error) {
	sess, err := s.Authenticate(ctx, token)
	if err != nil {
		return LoginResult{}, err
	}
	username := sess.Principal.Username
	if err := s.checkLimits(ctx, username, ip); err != nil {
		return LoginResult{}, err
	}
	step, err := s.checkCode(ctx, sess.Principal.UserID, code)
	if err != nil {
		return LoginResult{}, s.failed(ctx, username, ip, "wrong second factor")
	}
	if err := s.clearLimit(ctx, "user:"+username); err != nil {
		return LoginResult{}, err
	}
	res := LoginResult{Token: web.RandomToken(32), Expires: s.now().Add(s.SessionTTL)}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if step > 0 {
			if err := s.consumeStep(ctx, tx, sess.Principal.UserID, step); err != nil {
				return err
			}
		} else if err := s.consumeRecovery(ctx, tx, sess.Principal.UserID, code); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, hashToken(token)); err != nil {
			return err
		}
		return s.insertSession(ctx, tx, sess.Principal.UserID, res, true, ip, userAgent)
	})
	return res, err
}

// checkCode returns the TOTP step that code matches (>0), or 0 with no error for an
// unused recovery code, or ErrLoginFailed.
func (s *Service) checkCode(ctx context.Context, userID, code string) (int64, error) {
	var (
		sealed   []byte
		enabled  bool
		lastStep int64
	)
	if err := s.db.R().QueryRowContext(ctx, `SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = ?`, userID).
		Scan(&sealed, &enabled, &lastStep); err != nil {
		return 0, fmt.Errorf("load totp: %w", err)
	}
	if !enabled || len(sealed) == 0 {
		return 0, ErrLoginFailed
	}
	code = normalizeCode(code)
	if len(code) == 6 {
		secret, err := s.db.Keys.Open(sealed, "users.totp_secret:"+userID)
		if err != nil {
			return 0, err
		}
		step := matchTOTP(string(secret), code, s.now())
		if step == 0 || step <= lastStep {
			return 0, ErrLoginFailed // wrong, or already used (replay)
		}
		return step, nil
	}
	var n int
	if err := s.db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		userID, hashRecoveryCode(code)).Scan(&n); err != nil {
		return 0, err
	}
	if n != 1 {
		return 0, ErrLoginFailed
	}
	return 0, nil
}

// consumeStep records the TOTP step as used; a concurrent use of the same code loses.
func (s *Service) consumeStep(ctx context.Context, tx *store.Tx, userID string, step int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrLoginFailed
	}
	return nil
}

func (s *Service) consumeRecovery(ctx context.Context, tx *store.Tx, userID, code string) error {
	res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
		s.now(), userID, hashRecoveryCode(code))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrLoginFailed
	}
	return tx.Audit(ctx, "user.recovery_code_used", "user", userID, nil)
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		var userID string
		err := tx.QueryRowContext(ctx, `DELETE FROM sessions WHERE token_hash = ? RETURNING user_id`, hashToken(token)).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return store.NotFound("session")
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, "session.delete", "user", userID, nil)
	})
}

// ExpireSessions deletes expired sessions and stale rate-limit rows (housekeeping).
func (s *Service) ExpireSessions(ctx context.Context) error {
	return s.db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, s.now()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_limits WHERE window_start < ?`, s.now().Add(-limitWindow))
		return err
	})
}

func (s *Service) checkLimits(ctx context.Context, username, ip string) error {
	for _, k := range []struct {
		key   string
		limit int
	}{{"user:" + username, limitPerAccount}, {"ip:" + ip, limitPerIP}} {
		var start time.Time
		var failures int
		err := s.db.R().QueryRowContext(ctx, `SELECT window_start, failures FROM login_limits WHERE key = ?`, k.key).Scan(&start, &failures)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("rate limit: %w", err)
		}
		if left := start.Add(limitWindow).Sub(s.now()); failures >= k.limit && left > 0 {
			mins := int(left/time.Minute) + 1
			return &store.Error{Code: store.ETOOMANY, Key: "acct.login_locked", Args: []any{mins}, Message: fmt.Sprintf("too many failed logins; retry in %d min", mins)}
		}
	}
	return nil
}

// failed counts a failure against the account and the IP and returns ErrLoginFailed.
func (s *Service) failed(ctx context.Context, username, ip, why string) error {
	slog.WarnContext(ctx, "login failed", "username", username, "ip", ip, "why", why)
	now := s.now()
	err := s.db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		for _, key := range []string{"user:" + username, "ip:" + ip} {
			// Start a new window when the old one is over; count within it otherwise.
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_limits (key, window_start, failures) VALUES (?, ?, 1)
				ON CONFLICT (key) DO UPDATE SET
				  failures = CASE WHEN login_limits.window_start < ? THEN 1 ELSE login_limits.failures + 1 END,
				  window_start = CASE WHEN login_limits.window_start < ? THEN excluded.window_start ELSE login_limits.window_start END`,
				key, now, now.Add(-limitWindow), now.Add(-limitWindow)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("count failed login: %w", err)
	}
	return ErrLoginFailed
}

func (s *Service) clearLimit(ctx context.Context, key string) error {
	return s.db.WriteUnaudited(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_limits WHERE key = ?`, key)
		return err
	})
}
