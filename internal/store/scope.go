package store

import (
	"slices"
	"strings"
)

// Roles. A role is granted on a unit and covers the unit's whole subtree (DESIGN.md §4).
const (
	RoleAdmin       = "admin"       // quản trị hệ thống: accounts and grants
	RoleSecretary   = "secretary"   // bí thư
	RoleOrgOfficer  = "org_officer" // cán bộ tổ chức
	RoleChair       = "chair"       // chủ tọa / đoàn chủ tịch
	RoleSecretariat = "secretariat" // thư ký / ban thư ký
	RoleCounting    = "counting"    // ban kiểm phiếu
	RoleDelegate    = "delegate"    // đại biểu
	RoleMember      = "member"      // đảng viên
	RoleCitizen     = "citizen"     // công dân
)

// Roles lists every role in display order.
var Roles = []string{RoleAdmin, RoleSecretary, RoleOrgOfficer, RoleChair, RoleSecretariat, RoleCounting, RoleDelegate, RoleMember, RoleCitizen}

// OfficerRole reports whether a role requires two-factor authentication.
func OfficerRole(role string) bool {
	switch role {
	case RoleAdmin, RoleSecretary, RoleOrgOfficer, RoleChair, RoleSecretariat, RoleCounting:
		return true
	}
	return false
}

// Perm is something a role allows on a subtree.
type Perm string

const (
	PermUnitRead    Perm = "unit.read"
	PermUnitWrite   Perm = "unit.write"
	PermMemberRead  Perm = "member.read"
	PermMemberWrite Perm = "member.write"
	PermUserManage  Perm = "user.manage" // create accounts and grant roles inside the subtree
	PermAuditRead   Perm = "audit.read"
)

// rolePerms is the one table of what each role may do in its subtree.
var rolePerms = map[string][]Perm{
	RoleAdmin:       {PermUnitRead, PermUnitWrite, PermMemberRead, PermMemberWrite, PermUserManage, PermAuditRead},
	RoleSecretary:   {PermUnitRead, PermUnitWrite, PermMemberRead, PermMemberWrite, PermUserManage, PermAuditRead},
	RoleOrgOfficer:  {PermUnitRead, PermUnitWrite, PermMemberRead, PermMemberWrite},
	RoleChair:       {PermUnitRead, PermMemberRead},
	RoleSecretariat: {PermUnitRead, PermMemberRead},
	RoleCounting:    {PermUnitRead},
	RoleDelegate:    {PermUnitRead},
	RoleMember:      {PermUnitRead},
	RoleCitizen:     {},
}

// RoleAllows reports whether role grants perm.
func RoleAllows(role string, perm Perm) bool { return slices.Contains(rolePerms[role], perm) }

// Grant is a role on a unit, with the unit's materialized path for subtree checks.
type Grant struct {
	ID       string
	Role     string
	UnitID   string
	UnitPath string
	UnitCode string
	UnitName string
}

// Principal is the caller: who they are and what they were granted. Store functions take
// a Principal and scope every query by it, so that no page or API can reach past it.
type Principal struct {
	UserID   string
	Username string
	Name     string
	Locale   string
	Grants   []Grant
}

// Paths returns the subtree roots (unit paths) where p holds perm, without nested
// duplicates (a path inside another is dropped).
func (p *Principal) Paths(perm Perm) []string {
	if p == nil {
		return nil
	}
	var out []string
	for _, g := range p.Grants {
		if RoleAllows(g.Role, perm) {
			out = append(out, g.UnitPath)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	kept := out[:0]
	for _, path := range out {
		if len(kept) > 0 && strings.HasPrefix(path, kept[len(kept)-1]) {
			continue
		}
		kept = append(kept, path)
	}
	return kept
}

// Can reports whether p holds perm on the unit with the given path (in its subtree).
func (p *Principal) Can(perm Perm, unitPath string) bool {
	for _, root := range p.Paths(perm) {
		if strings.HasPrefix(unitPath, root) {
			return true
		}
	}
	return false
}

// HasRole reports whether p holds role anywhere.
func (p *Principal) HasRole(role string) bool {
	if p == nil {
		return false
	}
	return slices.ContainsFunc(p.Grants, func(g Grant) bool { return g.Role == role })
}

// NeedsMFA reports whether any of p's roles requires two-factor authentication.
func (p *Principal) NeedsMFA() bool {
	return p != nil && slices.ContainsFunc(p.Grants, func(g Grant) bool { return OfficerRole(g.Role) })
}

// ScopeSQL returns a WHERE fragment restricting pathColumn (a units.path value) to the
// subtrees where p holds perm, and its arguments. With no such subtree it returns "1=0":
// the query returns nothing rather than everything.
func (p *Principal) ScopeSQL(perm Perm, pathColumn string) (string, []any) {
	paths := p.Paths(perm)
	if len(paths) == 0 {
		return "1=0", nil
	}
	var b strings.Builder
	args := make([]any, 0, 2*len(paths))
	b.WriteByte('(')
	for i, path := range paths {
		if i > 0 {
			b.WriteString(" OR ")
		}
		// A range over the bytewise-ordered path column uses its index; '~' sorts after
		// every character an ID or '/' can hold.
		b.WriteString("(" + pathColumn + " >= ? AND " + pathColumn + " < ?)")
		args = append(args, path, path+"~")
	}
	b.WriteByte(')')
	return b.String(), args
}

// CanAny reports whether p holds perm anywhere (menus use it).
func (p *Principal) CanAny(perm Perm) bool { return len(p.Paths(perm)) > 0 }
