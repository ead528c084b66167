package account

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"dais/internal/store"
	"dais/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Templates are the account pages, registered under "account/".
func Templates() fs.FS {
	sub, _ := fs.Sub(templates, "templates")
	return sub
}

// Handlers are the account pages and API.
type Handlers struct {
	srv *web.Server
	svc *Service
}

// Routes registers the account pages and API on srv.
func Routes(srv *web.Server, svc *Service) {
	h := &Handlers{srv: srv, svc: svc}
	srv.Public("GET /login", h.loginForm)
	srv.Public("POST /login", h.login)
	srv.Public("GET /login/2fa", h.secondForm)
	srv.Public("POST /login/2fa", h.second)
	srv.Public("POST /login/2fa/enroll", h.enrollConfirm)
	srv.Public("POST /logout", h.logout)
	srv.Private("GET /account", h.account)
	srv.Private("POST /account/password", h.changePassword)
	srv.Private("POST /account/2fa/enroll", h.enrollConfirm)
	srv.Private("GET /account/2fa", h.enrollForm)
	srv.Private("POST /account/recovery-codes", h.recoveryCodes)

	srv.Public("POST /api/v1/session", h.apiLogin)
	srv.Private("DELETE /api/v1/session", h.apiLogout)
	srv.Private("GET /api/v1/me", h.apiMe)
}

type loginView struct {
	Next     string
	Username string
	Error    string
}

func (h *Handlers) loginForm(w http.ResponseWriter, r *http.Request) error {
	if web.PrincipalFrom(r.Context()) != nil {
		http.Redirect(w, r, web.SafeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	return h.srv.Page(w, r, "account/login", loginView{Next: web.SafeNext(r.URL.Query().Get("next"))})
}

func (h *Handlers) login(w http.ResponseWriter, r *http.Request) error {
	next := web.SafeNext(r.PostFormValue("next"))
	username := r.PostFormValue("username")
	res, err := h.svc.Login(r.Context(), username, r.PostFormValue("password"), "", web.ClientIP(r), r.UserAgent())
	if err != nil {
		code := store.ErrorCode(err)
		if code != store.EUNAUTHORIZED && code != store.ETOOMANY {
			return err
		}
		if len(username) > 100 {
			username = username[:100]
		}
		return h.srv.PageStatus(w, r, web.Status(err), "account/login", loginView{Next: next, Username: username, Error: h.srv.ErrorMessage(r, err)})
	}
	h.srv.SetSessionCookie(w, res.Token, res.Expires)
	if res.MFAPending {
		http.Redirect(w, r, "/login/2fa?next="+next, http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

type secondView struct {
	Next     string
	Error    string
	Enroll   *Enrollment // set when an officer has no TOTP yet and must enrol now
	Required bool
}

func (h *Handlers) secondForm(w http.ResponseWriter, r *http.Request) error {
	next := web.SafeNext(r.URL.Query().Get("next"))
	sess := web.SessionFrom(r.Context())
	if sess == nil {
		http.Redirect(w, r, "/login?next="+next, http.StatusSeeOther)
		return nil
	}
	if sess.MFADone {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	v := secondView{Next: next}
	if !sess.MFAEnabled {
		e, err := h.svc.PendingTOTP(r.Context(), sess.Principal.UserID)
		if err != nil {
			return err
		}
		v.Enroll, v.Required = &e, true
	}
	return h.srv.Page(w, r, "account/second", v)
}

func (h *Handlers) second(w http.ResponseWriter, r *http.Request) error {
	next := web.SafeNext(r.PostFormValue("next"))
	sess := web.SessionFrom(r.Context())
	if sess == nil {
		http.Redirect(w, r, "/login?next="+next, http.StatusSeeOther)
		return nil
	}
	res, err := h.svc.SecondFactor(r.Context(), sess.Token, r.PostFormValue("code"), web.ClientIP(r), r.UserAgent())
	if err != nil {
		code := store.ErrorCode(err)
		if code != store.EUNAUTHORIZED && code != store.ETOOMANY {
			return err
		}
		return h.srv.PageStatus(w, r, web.Status(err), "account/second", secondView{Next: next, Error: h.srv.ErrorMessage(r, err)})
	}
	h.srv.SetSessionCookie(w, res.Token, res.Expires)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (h *Handlers) enrollForm(w http.ResponseWriter, r *http.Request) error {
	sess := web.SessionFrom(r.Context())
	e, err := h.svc.PendingTOTP(r.Context(), sess.Principal.UserID)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "account/second", secondView{Next: "/account", Enroll: &e})
}

// enrollConfirm serves both the forced enrolment during login and the voluntary one from
// the account page.
func (h *Handlers) enrollConfirm(w http.ResponseWriter, r *http.Request) error {
	sess := web.SessionFrom(r.Context())
	next := web.SafeNext(r.PostFormValue("next"))
	if sess == nil {
		http.Redirect(w, r, "/login?next="+next, http.StatusSeeOther)
		return nil
	}
	codes, err := h.svc.ConfirmTOTP(r.Context(), sess.Principal.UserID, sess.Token, r.PostFormValue("code"))
	if store.ErrorCode(err) == store.EINVALID {
		e, perr := h.svc.PendingTOTP(r.Context(), sess.Principal.UserID)
		if perr != nil {
			return perr
		}
		return h.srv.PageStatus(w, r, http.StatusUnprocessableEntity, "account/second",
			secondView{Next: next, Enroll: &e, Required: !sess.MFADone, Error: h.srv.ErrorMessage(r, err)})
	}
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "account/recovery", map[string]any{"Codes": codes, "Next": next})
}

func (h *Handlers) logout(w http.ResponseWriter, r *http.Request) error {
	if sess := web.SessionFrom(r.Context()); sess != nil {
		if err := h.svc.Logout(r.Context(), sess.Token); err != nil && store.ErrorCode(err) != store.ENOTFOUND {
			return err
		}
	}
	h.srv.ClearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

type accountView struct {
	User          User
	Grants        []store.Grant
	RecoveryLeft  int
	Error, Notice string
}

func (h *Handlers) accountView(r *http.Request) (accountView, error) {
	p := web.PrincipalFrom(r.Context())
	u, err := h.svc.UserByID(r.Context(), p.UserID)
	if err != nil {
		return accountView{}, err
	}
	left, err := h.svc.RecoveryCodesLeft(r.Context(), p.UserID)
	return accountView{User: u, Grants: p.Grants, RecoveryLeft: left}, err
}

func (h *Handlers) account(w http.ResponseWriter, r *http.Request) error {
	v, err := h.accountView(r)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "account/account", v)
}

func (h *Handlers) changePassword(w http.ResponseWriter, r *http.Request) error {
	sess := web.SessionFrom(r.Context())
	err := h.svc.ChangePassword(r.Context(), sess.Principal.UserID, r.PostFormValue("current"), r.PostFormValue("password"), sess.Token)
	v, verr := h.accountView(r)
	if verr != nil {
		return verr
	}
	if store.ErrorCode(err) == store.EINVALID {
		v.Error = h.srv.ErrorMessage(r, err)
		return h.srv.PageStatus(w, r, http.StatusUnprocessableEntity, "account/account", v)
	}
	if err != nil {
		return err
	}
	v.Notice = h.srv.Catalog().T(web.Lang(r), "acct.pw_changed")
	return h.srv.Page(w, r, "account/account", v)
}

func (h *Handlers) recoveryCodes(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	codes, err := h.svc.NewRecoveryCodes(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	return h.srv.Page(w, r, "account/recovery", map[string]any{"Codes": codes, "Next": "/account"})
}

// apiLoginRequest is the body of POST /api/v1/session.
type apiLoginRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Code     string `json:"code"` // TOTP or recovery code; required for officers and enrolled users
}

func (h *Handlers) apiLogin(w http.ResponseWriter, r *http.Request) error {
	var req apiLoginRequest
	if err := web.DecodeJSON(r, &req); err != nil {
		return err
	}
	if strings.TrimSpace(req.Username) == "" {
		return store.Invalid("username", "err.required", "%s is required", "username")
	}
	if req.Password == "" {
		return store.Invalid("password", "err.required", "%s is required", "password")
	}
	res, err := h.svc.Login(r.Context(), req.Username, req.Password, req.Code, web.ClientIP(r), r.UserAgent())
	if err != nil {
		return err
	}
	if res.MFAPending {
		// The API has no second step: without a valid code the answer is the same as for
		// a wrong password. The half-open session is closed at once.
		_ = h.svc.Logout(store.WithActor(r.Context(), "system"), res.Token)
		return ErrLoginFailed
	}
	web.WriteJSON(w, http.StatusCreated, map[string]any{"token": res.Token, "expires_at": res.Expires})
	return nil
}

func (h *Handlers) apiLogout(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Logout(r.Context(), web.SessionFrom(r.Context()).Token); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type apiGrant struct {
	Role     string `json:"role"`
	UnitCode string `json:"unit_code"`
	UnitName string `json:"unit_name"`
}

func (h *Handlers) apiMe(w http.ResponseWriter, r *http.Request) error {
	p := web.PrincipalFrom(r.Context())
	u, err := h.svc.UserByID(r.Context(), p.UserID)
	if err != nil {
		return err
	}
	grants := make([]apiGrant, 0, len(p.Grants))
	for _, g := range p.Grants {
		grants = append(grants, apiGrant{Role: g.Role, UnitCode: g.UnitCode, UnitName: g.UnitName})
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"user": u, "grants": grants})
	return nil
}
