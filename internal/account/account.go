// Package account holds users, passwords (argon2id), sessions kept in the store, roles
// granted on units, TOTP two-factor authentication with recovery codes, and login rate
// limits. Its Service is the web layer's Authenticator.
package account

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"dais/internal/store"
	"dais/internal/web"
)

// User is an account.
type User struct {
	ID          string    `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	TOTPEnabled bool      `json:"totp_enabled"`
	Locale      string    `json:"locale"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
}

// Service implements accounts over the store.
type Service struct {
	db  *store.DB
	now func() time.Time
	// SessionTTL is a session's absolute lifetime.
	SessionTTL time.Duration
	// MFAGrace is how long a half-logged-in session (password passed, second factor not
	// yet) stays usable for the second step.
	MFAGrace time.Duration
}

// NewService returns the account service.
func NewService(db *store.DB) *Service {
	return &Service{db: db, now: store.Now, SessionTTL: 12 * time.Hour, MFAGrace: 10 * time.Minute}
}

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,62}$`)

// ValidateUsername checks a username: 2–63 lower-case ASCII letters, digits, dot, dash, underscore.
func ValidateUsername(u string) error {
	if !usernameRE.MatchString(u) {
		return store.Invalid("username", "acct.username_invalid", "username must be 2–63 characters: a–z, 0–9, dot, dash or underscore")
	}
	return nil
}

// NewUser is the input of CreateUser.
type NewUser struct {
	Username    string
	DisplayName string
	Password    string
	Locale      string
}

// CreateUser adds an account.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (User, error) {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	if err := ValidateUsername(in.Username); err != nil {
		return User{}, err
	}
	if in.DisplayName == "" {
		return User{}, store.Invalid("display_name", "acct.name_required", "display name is required")
	}
	if utf8.RuneCountInString(in.DisplayName) > 200 || !utf8.ValidString(in.DisplayName) {
		return User{}, store.Invalid("display_name", "err.too_long", "display name too long (at most %d characters)", 200)
	}
	if in.Locale == "" {
		in.Locale = "vi"
	}
	if in.Locale != "vi" && in.Locale != "en" {
		return User{}, store.Invalid("locale", "acct.locale_invalid", "locale must be vi or en")
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	u := User{ID: store.NewID(), Username: in.Username, DisplayName: in.DisplayName, Locale: in.Locale, CreatedAt: now}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, username, display_name, password_hash, locale, created_at, password_changed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, u.ID, u.Username, u.DisplayName, hash, u.Locale, now, now); err != nil {
			if store.IsUniqueViolation(err) {
				return &store.Error{Code: store.ECONFLICT, Key: "acct.username_taken", Field: "username", Message: "username already taken"}
			}
			return fmt.Errorf("insert user: %w", err)
		}
		return tx.Audit(ctx, "user.create", "user", u.ID, u)
	})
	return u, err
}

const userCols = `id, username, display_name, totp_enabled, locale, disabled, created_at`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.TOTPEnabled, &u.Locale, &u.Disabled, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return u, store.NotFound("user")
	}
	return u, err
}

// UserByName returns a user by username.
func (s *Service) UserByName(ctx context.Context, username string) (User, error) {
	return scanUser(s.db.R().QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE username = ?`, strings.ToLower(username)))
}

// UserByID returns a user by ID.
func (s *Service) UserByID(ctx context.Context, id string) (User, error) {
	return scanUser(s.db.R().QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id))
}

// Users lists all accounts (CLI).
func (s *Service) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetPassword replaces a user's password and ends all their other sessions.
func (s *Service) SetPassword(ctx context.Context, userID, password, keepSessionToken string) error {
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`, hash, s.now(), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.NotFound("user")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, hashToken(keepSessionToken)); err != nil {
			return err
		}
		return tx.Audit(ctx, "user.password", "user", userID, nil)
	})
}

// ChangePassword checks the current password, then sets the new one.
func (s *Service) ChangePassword(ctx context.Context, userID, current, next, sessionToken string) error {
	var hash string
	if err := s.db.R().QueryRowContext(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash); err != nil {
		return fmt.Errorf("load user: %w", err)
	}
	if !VerifyPassword(hash, current) {
		return store.Invalid("current", "acct.pw_wrong", "the current password is wrong")
	}
	if current == next {
		return store.Invalid("password", "acct.pw_same", "the new password must differ from the current one")
	}
	return s.SetPassword(ctx, userID, next, sessionToken)
}

// Grant gives a user a role on a unit (and its subtree).
func (s *Service) Grant(ctx context.Context, userID, role, unitID string) error {
	if !slices.Contains(store.Roles, role) {
		return store.Invalid("role", "acct.role_invalid", "unknown role %q", role)
	}
	g := map[string]string{"id": store.NewID(), "user_id": userID, "unit_id": unitID, "role": role}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO grants (id, user_id, unit_id, role, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)`,
			g["id"], userID, unitID, role, s.now(), tx.Actor())
		if store.IsUniqueViolation(err) {
			return &store.Error{Code: store.ECONFLICT, Key: "acct.grant_exists", Message: "the user already has this role on this unit"}
		}
		if err != nil {
			return fmt.Errorf("insert grant: %w", err)
		}
		return tx.Audit(ctx, "grant.add", "grant", g["id"], g)
	})
}

// Grants returns a user's grants with their units' paths.
func (s *Service) Grants(ctx context.Context, userID string) ([]store.Grant, error) {
	rows, err := s.db.R().QueryContext(ctx, `SELECT g.id, g.role, u.id, u.path, u.code, u.name FROM grants g JOIN units u ON u.id = g.unit_id
		WHERE g.user_id = ? AND u.dissolved_at IS NULL ORDER BY u.depth, u.code, g.role`, userID)
	if err != nil {
		return nil, fmt.Errorf("load grants: %w", err)
	}
	defer rows.Close()
	var out []store.Grant
	for rows.Next() {
		var g store.Grant
		if err := rows.Scan(&g.ID, &g.Role, &g.UnitID, &g.UnitPath, &g.UnitCode, &g.UnitName); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// hashToken is how session tokens are kept: only their SHA-256.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Authenticate implements web.Authenticator: it loads the session behind token.
func (s *Service) Authenticate(ctx context.Context, token string) (*web.Session, error) {
	if len(token) != 64 {
		return nil, &store.Error{Code: store.EUNAUTHORIZED, Message: "malformed token"}
	}
	var (
		sess  web.Session
		p     store.Principal
		mfaAt sql.NullTime
	)
	err := s.db.R().QueryRowContext(ctx, `SELECT s.csrf, s.expires_at, s.mfa_at, u.id, u.username, u.display_name, u.locale, u.totp_enabled
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = ?`, hashToken(token), s.now(), false).
		Scan(&sess.CSRF, &sess.Expires, &mfaAt, &p.UserID, &p.Username, &p.Name, &p.Locale, &sess.MFAEnabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &store.Error{Code: store.EUNAUTHORIZED, Message: "no such session"}
	}
	if err != nil {
		return nil, fmt.Errorf("load session: %w", err)
	}
	if p.Grants, err = s.Grants(ctx, p.UserID); err != nil {
		return nil, err
	}
	sess.Principal = &p
	sess.NeedsMFA = p.NeedsMFA()
	// Fully authenticated when the second factor was passed, or when the user neither
	// needs nor has it.
	sess.MFADone = mfaAt.Valid || (!sess.NeedsMFA && !sess.MFAEnabled)
	return &sess, nil
}

// Messages are the account texts.
var Messages = web.Messages{
	"acct.login_title":      {"vi": "Đăng nhập", "en": "Log in"},
	"acct.username":         {"vi": "Tên đăng nhập", "en": "Username"},
	"acct.password":         {"vi": "Mật khẩu", "en": "Password"},
	"acct.login_button":     {"vi": "Đăng nhập", "en": "Log in"},
	"acct.login_failed":     {"vi": "Tên đăng nhập, mật khẩu hoặc mã xác thực không đúng.", "en": "Wrong username, password or verification code."},
	"acct.login_locked":     {"vi": "Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau %d phút.", "en": "Too many failed logins. Try again in %d minutes."},
	"acct.2fa_title":        {"vi": "Xác thực hai lớp", "en": "Two-factor authentication"},
	"acct.2fa_prompt":       {"vi": "Nhập mã 6 chữ số trong ứng dụng xác thực trên điện thoại của đồng chí.", "en": "Enter the 6-digit code from the authenticator app on your phone."},
	"acct.2fa_code":         {"vi": "Mã xác thực", "en": "Verification code"},
	"acct.2fa_recovery":     {"vi": "Mất điện thoại? Nhập một mã khôi phục (dạng xxxxx-xxxxx) vào ô trên.", "en": "Lost your phone? Enter a recovery code (xxxxx-xxxxx) in the box above."},
	"acct.2fa_button":       {"vi": "Xác nhận", "en": "Verify"},
	"acct.2fa_required":     {"vi": "Vai trò cán bộ của đồng chí bắt buộc xác thực hai lớp. Hãy cài đặt ngay để tiếp tục.", "en": "Your officer role requires two-factor authentication. Set it up now to continue."},
	"acct.enroll_title":     {"vi": "Cài đặt xác thực hai lớp", "en": "Set up two-factor authentication"},
	"acct.enroll_step1":     {"vi": "1. Mở ứng dụng xác thực (Google Authenticator, Microsoft Authenticator, FreeOTP…) và quét mã QR này.", "en": "1. Open an authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP…) and scan this QR code."},
	"acct.enroll_manual":    {"vi": "Không quét được? Nhập khóa này vào ứng dụng:", "en": "Cannot scan? Type this key into the app:"},
	"acct.enroll_step2":     {"vi": "2. Nhập mã 6 chữ số ứng dụng hiển thị để xác nhận.", "en": "2. Enter the 6-digit code the app shows to confirm."},
	"acct.enroll_qr_alt":    {"vi": "Mã QR để thêm tài khoản vào ứng dụng xác thực", "en": "QR code to add the account to an authenticator app"},
	"acct.enroll_wrong":     {"vi": "Mã chưa đúng. Kiểm tra giờ trên điện thoại rồi nhập mã mới.", "en": "The code is not right. Check your phone's clock and enter a new code."},
	"acct.recovery_title":   {"vi": "Mã khôi phục", "en": "Recovery codes"},
	"acct.recovery_intro":   {"vi": "Xác thực hai lớp đã bật. Hãy in hoặc chép lại 10 mã khôi phục này và cất nơi an toàn: mỗi mã dùng được một lần khi mất điện thoại. Các mã sẽ không hiển thị lại.", "en": "Two-factor authentication is on. Print or copy these 10 recovery codes and keep them safe: each works once if you lose your phone. They will not be shown again."},
	"acct.continue":         {"vi": "Tiếp tục", "en": "Continue"},
	"acct.account_title":    {"vi": "Tài khoản của tôi", "en": "My account"},
	"acct.display_name":     {"vi": "Họ và tên", "en": "Full name"},
	"acct.roles":            {"vi": "Vai trò được giao", "en": "Roles granted"},
	"acct.role_unit":        {"vi": "Đơn vị", "en": "Unit"},
	"acct.role":             {"vi": "Vai trò", "en": "Role"},
	"acct.no_roles":         {"vi": "Chưa được giao vai trò nào.", "en": "No roles granted yet."},
	"acct.2fa_on":           {"vi": "Xác thực hai lớp: đang bật.", "en": "Two-factor authentication: on."},
	"acct.2fa_off":          {"vi": "Xác thực hai lớp: đang tắt.", "en": "Two-factor authentication: off."},
	"acct.2fa_setup":        {"vi": "Bật xác thực hai lớp", "en": "Turn on two-factor authentication"},
	"acct.recovery_left":    {"vi": "Còn %d mã khôi phục chưa dùng.", "en": "%d unused recovery codes left."},
	"acct.recovery_new":     {"vi": "Tạo bộ mã khôi phục mới", "en": "Make new recovery codes"},
	"acct.pw_change":        {"vi": "Đổi mật khẩu", "en": "Change password"},
	"acct.pw_current":       {"vi": "Mật khẩu hiện tại", "en": "Current password"},
	"acct.pw_new":           {"vi": "Mật khẩu mới (ít nhất 10 ký tự)", "en": "New password (at least 10 characters)"},
	"acct.pw_changed":       {"vi": "Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất.", "en": "Password changed. Your other sessions were logged out."},
	"acct.pw_short":         {"vi": "Mật khẩu phải có ít nhất %d ký tự.", "en": "The password must have at least %d characters."},
	"acct.pw_long":          {"vi": "Mật khẩu dài quá %d ký tự.", "en": "The password must have at most %d characters."},
	"acct.pw_invalid":       {"vi": "Mật khẩu chứa ký tự không hợp lệ.", "en": "The password contains invalid characters."},
	"acct.pw_wrong":         {"vi": "Mật khẩu hiện tại không đúng.", "en": "The current password is wrong."},
	"acct.pw_same":          {"vi": "Mật khẩu mới phải khác mật khẩu hiện tại.", "en": "The new password must differ from the current one."},
	"acct.username_invalid": {"vi": "Tên đăng nhập gồm 2–63 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới.", "en": "Usernames have 2–63 characters: a–z, 0–9, dot, dash or underscore."},
	"acct.name_required":    {"vi": "Vui lòng nhập họ và tên.", "en": "The full name is required."},
	"acct.username_taken":   {"vi": "Tên đăng nhập đã có người dùng.", "en": "This username is taken."},
	"acct.locale_invalid":   {"vi": "Ngôn ngữ phải là vi hoặc en.", "en": "The language must be vi or en."},
	"acct.role_invalid":     {"vi": "Vai trò không hợp lệ.", "en": "Unknown role."},
	"acct.grant_exists":     {"vi": "Người dùng đã có vai trò này tại đơn vị này.", "en": "The user already has this role on this unit."},
	"acct.logged_out":       {"vi": "Đã đăng xuất.", "en": "Logged out."},
	"role.admin":            {"vi": "Quản trị hệ thống", "en": "System administrator"},
	"role.secretary":        {"vi": "Bí thư", "en": "Secretary"},
	"role.org_officer":      {"vi": "Cán bộ tổ chức", "en": "Organization officer"},
	"role.chair":            {"vi": "Chủ tọa", "en": "Chair"},
	"role.secretariat":      {"vi": "Thư ký", "en": "Secretariat"},
	"role.counting":         {"vi": "Ban kiểm phiếu", "en": "Counting committee"},
	"role.delegate":         {"vi": "Đại biểu", "en": "Delegate"},
	"role.member":           {"vi": "Đảng viên", "en": "Party member"},
	"role.citizen":          {"vi": "Công dân", "en": "Citizen"},
}

// MoverName names the grant rows in a unit merge's history.
func (s *Service) MoverName() string { return "grants" }

// MoveUnitData moves the roles granted on a merged unit to the target unit; a role the
// user already holds on the target is not duplicated (org.UnitMover).
func (s *Service) MoveUnitData(ctx context.Context, tx *store.Tx, fromUnitID, toUnitID string) (int, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM grants WHERE unit_id = ? AND EXISTS (
		SELECT 1 FROM grants g2 WHERE g2.unit_id = ? AND g2.user_id = grants.user_id AND g2.role = grants.role)`, fromUnitID, toUnitID); err != nil {
		return 0, fmt.Errorf("drop duplicate grants: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE grants SET unit_id = ? WHERE unit_id = ?`, toUnitID, fromUnitID)
	if err != nil {
		return 0, fmt.Errorf("move grants: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
