package tenancy

// Role is a user's role within its tenant.
type Role string

// The roles, from least to most privileged.
const (
	// RoleViewer reads.
	RoleViewer Role = "viewer"
	// RoleEditor also writes connections, mappings, syncs and reviews.
	RoleEditor Role = "editor"
	// RoleAdmin also manages users and reads the audit log.
	RoleAdmin Role = "admin"
)

// Valid reports whether r is one of the three roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// rank orders the roles; 0 is not a role.
func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Allows reports whether a user with role r may do what needs role need:
// admins may do everything editors may, editors everything viewers may. An
// invalid role allows nothing.
func (r Role) Allows(need Role) bool {
	return r.rank() > 0 && need.rank() > 0 && r.rank() >= need.rank()
}

// ParseRole returns the role named s; anything else wraps ErrInvalid.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", invalidf("role %q is not admin, editor or viewer", truncate(s, 40))
	}
	return r, nil
}
