package dcl

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"

	"github.com/autonomos/autonomos/canonical"
)

// Agent is a domain agent that reads a tenant's views and answers with
// structured metrics and a one-paragraph summary, evaluated as of a date.
// Implementations must be safe for concurrent use.
type Agent interface {
	// Name is the agent's short name ("revops", "finops", "cfo").
	Name() string
	// Run evaluates the agent on the engine's views as of the calendar
	// date of asOf (UTC).
	Run(ctx context.Context, e *Engine, asOf time.Time) (Result, error)
}

// Result is an agent's answer. Its JSON form is
// {"agent", "as_of", "metrics": {...}, "summary"}. Money is exact
// (decimal strings in JSON).
type Result struct {
	Agent string `json:"agent"`
	AsOf  string `json:"as_of"`
	// AsOfSource says where AsOf came from when the caller did not give
	// it (for example "the latest date in the tenant's data"); optional.
	AsOfSource string `json:"as_of_source,omitempty"`
	Metrics    any    `json:"metrics"`
	Summary    string `json:"summary"`
}

// Agents returns the built-in agents with their default settings:
// RevOps, FinOps and CFO.
func Agents() []Agent {
	return []Agent{&RevOps{}, &FinOps{}, &CFO{}}
}

// AgentByName returns the built-in agent named name; ErrNotFound if none.
func AgentByName(name string) (Agent, error) {
	for _, a := range Agents() {
		if a.Name() == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("dcl: agent: %w: no agent %q", ErrNotFound, name)
}

// RunAgent runs a as of asOf; a zero asOf means today (Options.Now, UTC).
// Errors are the agent's, wrapped with its name.
func (e *Engine) RunAgent(ctx context.Context, a Agent, asOf time.Time) (Result, error) {
	if a == nil {
		return Result{}, fmt.Errorf("dcl: agent: %w: nil agent", ErrInvalid)
	}
	if asOf.IsZero() {
		asOf = e.opts.Now()
	}
	r, err := a.Run(ctx, e, asOf)
	if err != nil {
		return Result{}, fmt.Errorf("dcl: agent %q: %w", a.Name(), err)
	}
	return r, nil
}

// asOfDate returns the calendar date of t in UTC.
func asOfDate(t time.Time) canonical.CivilDate {
	return canonical.CivilDateOf(t.UTC())
}

// queryAll runs a read query and calls scan for each row.
func (e *Engine) queryAll(ctx context.Context, q string, args []any, scan func(scan func(...any) error) error) error {
	db, done, err := e.reader()
	if err != nil {
		return err
	}
	defer done()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return queryErr(ctx, "agent", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows.Scan); err != nil {
			return queryErr(ctx, "agent", err)
		}
	}
	if err := rows.Err(); err != nil {
		return queryErr(ctx, "agent", err)
	}
	return nil
}

// dec parses a decimal produced by CAST(... AS VARCHAR); NULL is zero.
func dec(s *string) decimal.Decimal {
	if s == nil || *s == "" {
		return decimal.Zero
	}
	d, err := decimal.NewFromString(*s)
	if err != nil {
		return decimal.Zero
	}
	return d
}

// median returns the median of xs (the mean of the middle two for an even
// count); xs is not modified.
func median(xs []decimal.Decimal) decimal.Decimal {
	if len(xs) == 0 {
		return decimal.Zero
	}
	s := append([]decimal.Decimal(nil), xs...)
	sort.Slice(s, func(i, j int) bool { return s[i].LessThan(s[j]) })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1].Add(s[n/2]).Div(decimal.NewFromInt(2))
}

// money formats an amount with two decimals for summaries.
func money(d decimal.Decimal) string {
	return d.StringFixed(2)
}
