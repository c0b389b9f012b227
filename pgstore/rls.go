package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Querier runs a query; *pgxpool.Pool, *pgx.Conn and pgx.Tx satisfy it.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// RLSProblem is one broken isolation rule found by CheckRLS.
type RLSProblem struct {
	// Table is the offending table, or "" for a problem of the role itself.
	Table string
	// Problem says which rule is broken.
	Problem string
}

// RLSError lists every problem CheckRLS found. It matches ErrUnprotected
// with errors.Is.
type RLSError struct {
	Problems []RLSProblem
}

// Error lists the problems on one line.
func (e *RLSError) Error() string {
	var b strings.Builder
	b.WriteString(ErrUnprotected.Error())
	for i, p := range e.Problems {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		if p.Table != "" {
			fmt.Fprintf(&b, "table %q: ", p.Table)
		}
		b.WriteString(p.Problem)
	}
	return b.String()
}

// Is reports whether target is ErrUnprotected.
func (e *RLSError) Is(target error) bool { return target == ErrUnprotected }

// Tables returns the names of the tables with a problem, in order, without
// repeats.
func (e *RLSError) Tables() []string {
	var out []string
	for _, p := range e.Problems {
		if p.Table != "" && (len(out) == 0 || out[len(out)-1] != p.Table) {
			out = append(out, p.Table)
		}
	}
	return out
}

// CheckRLS reads the catalog and verifies the isolation rules of the
// connection's current schema: AppRole exists and is neither superuser nor
// BYPASSRLS; and every tenant table — tenants, plus every table or
// partitioned table with a tenant_id column, so tables added by later
// migrations are covered without listing them — has row-level security
// enabled and forced, is not owned by AppRole (nor by a role whose
// privileges AppRole has), has at least one permissive policy for AppRole
// whose condition reads app.tenant_id, and no permissive policy that lets
// AppRole reach rows by a condition that does not read app.tenant_id.
//
// The policy test reads the policy text, so it catches omissions and
// copy-paste slips, not a policy written to defeat it. CheckRLS returns nil,
// an *RLSError (matching ErrUnprotected) listing every problem, or a query
// error. It only reads; it is safe for concurrent use.
func CheckRLS(ctx context.Context, q Querier) error {
	return checkRLS(ctx, q, AppRole)
}

const rlsRoleQuery = `SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`

// rlsTableQuery reports, per tenant table of the current schema, the facts
// CheckRLS judges. A policy applies to the role when it is for PUBLIC (0) or
// for a role whose privileges the role has.
const rlsTableQuery = `
WITH app AS (SELECT oid FROM pg_roles WHERE rolname = $1),
tbl AS (
    SELECT c.oid, c.relname, c.relrowsecurity, c.relforcerowsecurity, c.relowner
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
      AND (c.relname = 'tenants' OR EXISTS (
          SELECT 1 FROM pg_attribute a
          WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND a.attnum > 0 AND NOT a.attisdropped))
),
pol AS (
    SELECT p.polrelid, p.polname,
           coalesce(pg_get_expr(p.polqual, p.polrelid), '') AS qual,
           coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '') AS withcheck,
           p.polpermissive AND EXISTS (
               SELECT 1 FROM unnest(p.polroles) AS r(oid), app
               WHERE r.oid = 0 OR pg_has_role(app.oid, r.oid, 'USAGE')) AS for_app
    FROM pg_policy p
)
SELECT t.relname, t.relrowsecurity, t.relforcerowsecurity, pg_get_userbyid(t.relowner),
       coalesce(t.relowner = app.oid, false),
       coalesce(pg_has_role(app.oid, t.relowner, 'USAGE'), false),
       (SELECT count(*) FROM pol WHERE pol.polrelid = t.oid),
       (SELECT count(*) FROM pol WHERE pol.polrelid = t.oid AND pol.for_app
            AND pol.qual LIKE '%app.tenant_id%'),
       coalesce((SELECT array_agg(pol.polname::text ORDER BY pol.polname) FROM pol
            WHERE pol.polrelid = t.oid AND pol.for_app
              AND ((pol.qual <> '' AND pol.qual NOT LIKE '%app.tenant_id%')
                OR (pol.withcheck <> '' AND pol.withcheck NOT LIKE '%app.tenant_id%'))), '{}')
FROM tbl t LEFT JOIN app ON true
ORDER BY t.relname`

func checkRLS(ctx context.Context, q Querier, role string) error {
	var problems []RLSProblem
	add := func(table, format string, args ...any) {
		problems = append(problems, RLSProblem{Table: table, Problem: fmt.Sprintf(format, args...)})
	}

	rows, err := q.Query(ctx, rlsRoleQuery, role)
	if err != nil {
		return fmt.Errorf("pgstore: check rls: %w", interpretError(err))
	}
	type roleFacts struct{ Super, BypassRLS bool }
	facts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[roleFacts])
	if err != nil {
		return fmt.Errorf("pgstore: check rls: %w", interpretError(err))
	}
	switch {
	case len(facts) == 0:
		add("", "role %q does not exist", role)
	case facts[0].Super:
		add("", "role %q is superuser", role)
	case facts[0].BypassRLS:
		add("", "role %q has BYPASSRLS", role)
	}

	rows, err = q.Query(ctx, rlsTableQuery, role)
	if err != nil {
		return fmt.Errorf("pgstore: check rls: %w", interpretError(err))
	}
	type tableFacts struct {
		Name           string
		Enabled        bool
		Forced         bool
		Owner          string
		OwnedByApp     bool
		AppHasOwner    bool
		Policies       int64
		TenantPolicies int64
		LoosePolicies  []string
	}
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByPos[tableFacts])
	if err != nil {
		return fmt.Errorf("pgstore: check rls: %w", interpretError(err))
	}
	for _, t := range tables {
		if !t.Enabled {
			add(t.Name, "row level security is not enabled")
		}
		if !t.Forced {
			add(t.Name, "row level security is not forced")
		}
		if t.OwnedByApp {
			add(t.Name, "owned by %q", role)
		} else if t.AppHasOwner {
			add(t.Name, "%q has the privileges of the owner %q", role, t.Owner)
		}
		if t.Policies == 0 {
			add(t.Name, "has no policy")
		} else if t.TenantPolicies == 0 {
			add(t.Name, "no permissive policy for %q restricts rows to app.tenant_id", role)
		}
		for _, p := range t.LoosePolicies {
			add(t.Name, "policy %q lets %q reach rows without an app.tenant_id condition", p, role)
		}
	}
	if len(problems) > 0 {
		return &RLSError{Problems: problems}
	}
	return nil
}
