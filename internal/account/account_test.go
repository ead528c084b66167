package account

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"dais/internal/store"
	"dais/internal/store/storetest"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash format %q", h)
	}
	cases := []struct {
		hash, pw string
		want     bool
	}{
		{h, "correct horse battery", true},
		{h, "correct horse batterY", false},
		{h, "", false},
		{"", "x", false},
		{"$argon2id$v=19$m=99999999,t=2,p=1$AAAA$AAAA", "x", false}, // absurd memory: refused, not run
		{"$argon2id$v=19$m=19456,t=2,p=1$!!$AAAA", "x", false},
		{"$bcrypt$whatever", "x", false},
	}
	for _, c := range cases {
		if got := VerifyPassword(c.hash, c.pw); got != c.want {
			t.Errorf("VerifyPassword(%q, %q) = %v", c.hash, c.pw, got)
		}
	}
	for pw, wantErr := range map[string]bool{"short": true, strings.Repeat("a", 257): true, "mười ký tự ok": false, "\xff\xfe invalid utf8": true} {
		if _, err := HashPassword(pw); (err != nil) != wantErr {
			t.Errorf("HashPassword(%q) err = %v", pw, err)
		}
	}
}

// fixture creates a unit and a user with a role on it.
func fixture(t *testing.T, db *store.DB, s *Service, username, role string) User {
	t.Helper()
	ctx := store.WithActor(context.Background(), "test")
	unitID := store.NewID()
	err := db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO units (id, code, name, type, path, depth, created_at) VALUES (?, ?, 'x', 'cell', ?, 0, ?)`,
			unitID, strings.ToUpper(username), "/"+unitID+"/", store.Now()); err != nil {
			return err
		}
		return tx.Audit(ctx, "unit.create", "unit", unitID, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, NewUser{Username: username, DisplayName: "Nguyễn Văn " + username, Password: "mật khẩu dài đủ"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Grant(ctx, u.ID, role, unitID); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestLoginFlows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := store.WithActor(context.Background(), "test")
		s := NewService(db)
		clock := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return clock }
		member := fixture(t, db, s, "dangvien", store.RoleMember)
		officer := fixture(t, db, s, "bithu", store.RoleSecretary)

		t.Run("member logs in with password only", func(t *testing.T) {
			res, err := s.Login(ctx, " DangVien ", "mật khẩu dài đủ", "", "10.0.0.1", "test")
			if err != nil || res.MFAPending {
				t.Fatalf("login: %+v %v", res, err)
			}
			sess, err := s.Authenticate(ctx, res.Token)
			if err != nil || !sess.MFADone || sess.Principal.UserID != member.ID || len(sess.Principal.Grants) != 1 {
				t.Fatalf("session: %+v %v", sess, err)
			}
			if err := s.Logout(ctx, res.Token); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Authenticate(ctx, res.Token); store.ErrorCode(err) != store.EUNAUTHORIZED {
				t.Fatalf("session after logout: %v", err)
			}
		})

		t.Run("wrong password, unknown user and wrong code fail alike", func(t *testing.T) {
			_, e1 := s.Login(ctx, "dangvien", "sai mật khẩu rồi", "", "10.0.0.2", "")
			_, e2 := s.Login(ctx, "khongco", "sai mật khẩu rồi", "", "10.0.0.2", "")
			if e1 != ErrLoginFailed || e2 != ErrLoginFailed {
				t.Fatalf("got %v / %v", e1, e2)
			}
		})

		var secret string
		t.Run("officer must enrol TOTP before the session is usable", func(t *testing.T) {
			res, err := s.Login(ctx, "bithu", "mật khẩu dài đủ", "", "10.0.0.3", "")
			if err != nil || !res.MFAPending {
				t.Fatalf("login: %+v %v", res, err)
			}
			sess, _ := s.Authenticate(ctx, res.Token)
			if sess.MFADone || !sess.NeedsMFA || sess.MFAEnabled {
				t.Fatalf("half session: %+v", sess)
			}
			e, err := s.PendingTOTP(ctx, officer.ID)
			if err != nil || e.Secret == "" || !strings.HasPrefix(e.QR, "data:image/png;base64,") {
				t.Fatalf("enrolment: %v", err)
			}
			again, _ := s.PendingTOTP(ctx, officer.ID)
			if again.Secret != e.Secret {
				t.Fatal("reloading the enrolment page changed the secret")
			}
			secret = e.Secret
			if _, err := s.ConfirmTOTP(ctx, officer.ID, res.Token, "000000"); store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("wrong enrolment code: %v", err)
			}
			code, _ := TOTPCode(secret, clock)
			codes, err := s.ConfirmTOTP(ctx, officer.ID, res.Token, code)
			if err != nil || len(codes) != 10 {
				t.Fatalf("confirm: %v %v", codes, err)
			}
			sess, _ = s.Authenticate(ctx, res.Token)
			if !sess.MFADone {
				t.Fatal("session not upgraded after enrolment")
			}
			// The code used to enrol cannot be replayed to log in.
			if _, err := s.Login(ctx, "bithu", "mật khẩu dài đủ", code, "10.0.0.3", ""); err != ErrLoginFailed {
				t.Fatalf("replayed code: %v", err)
			}
		})

		t.Run("second factor: TOTP once, recovery code once", func(t *testing.T) {
			clock = clock.Add(time.Minute)
			res, err := s.Login(ctx, "bithu", "mật khẩu dài đủ", "", "10.0.0.4", "")
			if err != nil || !res.MFAPending {
				t.Fatalf("login: %+v %v", res, err)
			}
			if _, err := s.SecondFactor(ctx, res.Token, "123456", "10.0.0.4", ""); err != ErrLoginFailed {
				t.Fatalf("wrong code: %v", err)
			}
			code, _ := TOTPCode(secret, clock)
			full, err := s.SecondFactor(ctx, res.Token, code, "10.0.0.4", "")
			if err != nil || full.Token == res.Token {
				t.Fatalf("second factor: %v (token must rotate)", err)
			}
			if _, err := s.Authenticate(ctx, res.Token); err == nil {
				t.Fatal("the pre-2FA token still works")
			}
			res2, _ := s.Login(ctx, "bithu", "mật khẩu dài đủ", "", "10.0.0.4", "")
			if _, err := s.SecondFactor(ctx, res2.Token, code, "10.0.0.4", ""); err != ErrLoginFailed {
				t.Fatalf("TOTP replay accepted: %v", err)
			}
			codes, err := s.NewRecoveryCodes(ctx, officer.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.SecondFactor(ctx, res2.Token, strings.ToUpper(codes[3]), "10.0.0.4", ""); err != nil {
				t.Fatalf("recovery code: %v", err)
			}
			res3, _ := s.Login(ctx, "bithu", "mật khẩu dài đủ", "", "10.0.0.4", "")
			if _, err := s.SecondFactor(ctx, res3.Token, codes[3], "10.0.0.4", ""); err != ErrLoginFailed {
				t.Fatalf("recovery code reused: %v", err)
			}
			if n, _ := s.RecoveryCodesLeft(ctx, officer.ID); n != 9 {
				t.Fatalf("recovery codes left %d", n)
			}
		})

		t.Run("concurrent use of one code succeeds once", func(t *testing.T) {
			clock = clock.Add(time.Minute)
			code, _ := TOTPCode(secret, clock)
			var wg sync.WaitGroup
			var mu sync.Mutex
			ok := 0
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := s.Login(ctx, "bithu", "mật khẩu dài đủ", code, "10.0.0.5", ""); err == nil {
						mu.Lock()
						ok++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			if ok != 1 {
				t.Fatalf("%d logins with one code, want 1", ok)
			}
		})

		t.Run("rate limit per account", func(t *testing.T) {
			clock = clock.Add(limitWindow + time.Second) // forget the failures of earlier subtests
			for i := range limitPerAccount {
				if _, err := s.Login(ctx, "dangvien", "sai mật khẩu rồi", "", "10.0.1.1", ""); err != ErrLoginFailed {
					t.Fatalf("failure %d: %v", i, err)
				}
			}
			// Locked now, even with the right password and from another address.
			_, err := s.Login(ctx, "dangvien", "mật khẩu dài đủ", "", "10.0.1.2", "")
			if store.ErrorCode(err) != store.ETOOMANY {
				t.Fatalf("want too many, got %v", err)
			}
			clock = clock.Add(limitWindow + time.Second)
			if _, err := s.Login(ctx, "dangvien", "mật khẩu dài đủ", "", "10.0.1.2", ""); err != nil {
				t.Fatalf("after the window: %v", err)
			}
		})

		t.Run("rate limit per IP", func(t *testing.T) {
			for i := range limitPerIP {
				s.Login(ctx, "khongco"+string(rune('a'+i%26)), "sai mật khẩu rồi", "", "10.9.9.9", "")
			}
			if _, err := s.Login(ctx, "dangvien", "mật khẩu dài đủ", "", "10.9.9.9", ""); store.ErrorCode(err) != store.ETOOMANY {
				t.Fatalf("want too many from a guessing IP, got %v", err)
			}
		})

		t.Run("password change ends other sessions", func(t *testing.T) {
			clock = clock.Add(time.Minute)
			a, _ := s.Login(ctx, "dangvien", "mật khẩu dài đủ", "", "10.0.2.1", "")
			b, _ := s.Login(ctx, "dangvien", "mật khẩu dài đủ", "", "10.0.2.2", "")
			if err := s.ChangePassword(ctx, member.ID, "sai", "mật khẩu mới dài", a.Token); store.ErrorCode(err) != store.EINVALID {
				t.Fatalf("wrong current password: %v", err)
			}
			if err := s.ChangePassword(ctx, member.ID, "mật khẩu dài đủ", "mật khẩu mới dài", a.Token); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Authenticate(ctx, a.Token); err != nil {
				t.Fatalf("own session ended: %v", err)
			}
			if _, err := s.Authenticate(ctx, b.Token); err == nil {
				t.Fatal("other session survived the password change")
			}
		})

		t.Run("sessions expire", func(t *testing.T) {
			res, _ := s.Login(ctx, "dangvien", "mật khẩu mới dài", "", "10.0.3.1", "")
			clock = clock.Add(s.SessionTTL + time.Second)
			if _, err := s.Authenticate(ctx, res.Token); err == nil {
				t.Fatal("expired session accepted")
			}
			if err := s.ExpireSessions(ctx); err != nil {
				t.Fatal(err)
			}
			var n int
			db.R().QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE expires_at <= ?`, clock).Scan(&n)
			if n != 0 {
				t.Fatalf("%d expired sessions left", n)
			}
		})

		t.Run("reset 2FA", func(t *testing.T) {
			if err := s.ResetTOTP(ctx, officer.ID); err != nil {
				t.Fatal(err)
			}
			u, _ := s.UserByID(ctx, officer.ID)
			if u.TOTPEnabled {
				t.Fatal("still enabled")
			}
		})

		t.Run("TOTP secret encrypted at rest", func(t *testing.T) {
			var raw []byte
			db.R().QueryRowContext(ctx, `SELECT totp_secret FROM users WHERE id = ?`, officer.ID).Scan(&raw)
			if secret != "" && strings.Contains(string(raw), secret) {
				t.Fatal("TOTP secret stored in clear")
			}
		})

		t.Run("validation", func(t *testing.T) {
			for _, in := range []NewUser{
				{Username: "A", DisplayName: "x", Password: "mật khẩu dài đủ"},
				{Username: "ok.name", DisplayName: "", Password: "mật khẩu dài đủ"},
				{Username: "ok.name", DisplayName: "x", Password: "ngắn"},
				{Username: "dangvien", DisplayName: "x", Password: "mật khẩu dài đủ"},
			} {
				if _, err := s.CreateUser(ctx, in); err == nil || store.ErrorCode(err) == store.EINTERNAL {
					t.Errorf("CreateUser(%+v) = %v, want a validation error", in, err)
				}
			}
			if err := s.Grant(ctx, member.ID, "emperor", "x"); store.ErrorCode(err) != store.EINVALID {
				t.Errorf("unknown role: %v", err)
			}
		})
	})
}
