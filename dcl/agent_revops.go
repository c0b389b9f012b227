package dcl

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// RevOps is the revenue-operations agent: open pipeline by stage, weighted
// pipeline (amount × probability), win rate over a period, stale deals and
// top accounts by open pipeline. Amounts are summed as given, whatever
// their currency. The zero value uses the defaults.
//
// A deal is closed when is_closed is true or, where is_closed has no value
// (not mapped), when its stage name says so ("Closed Won", "Closed/Won",
// "Closed Lost", "Won", "Lost", "Closed", in any case); won likewise from
// is_won or the stage name. The result counts the deals so judged
// (closed_from_stage_names) and its summary says so.
//
// A deal is open when it is not closed and it was created (created_at)
// by the end of the as-of day or has no creation time. The win rate is won
// / closed among deals closed (close_date) within WinRateDays up to the
// as-of date. A deal is stale when open and its last update (updated_at,
// else created_at, else the time it was materialized) is more than
// StaleDays days before the as-of date. Accounts are the unified accounts
// the deals point to.
type RevOps struct {
	// StaleDays: default 30.
	StaleDays int
	// WinRateDays: default 90.
	WinRateDays int
	// TopN accounts: default 5.
	TopN int
}

// StageTotal is the open pipeline of one stage.
type StageTotal struct {
	Stage    string          `json:"stage"`
	Deals    int64           `json:"deals"`
	Amount   decimal.Decimal `json:"amount"`
	Weighted decimal.Decimal `json:"weighted"`
}

// StaleDeal is an open deal without recent update.
type StaleDeal struct {
	OpportunityID   string          `json:"opportunity_id"`
	Name            string          `json:"name"`
	Stage           string          `json:"stage"`
	Amount          decimal.Decimal `json:"amount"`
	LastUpdate      string          `json:"last_update"`
	DaysSinceUpdate int64           `json:"days_since_update"`
}

// AccountPipeline is an account's open pipeline.
type AccountPipeline struct {
	UnifiedID   string          `json:"unified_id,omitempty"`
	AccountName string          `json:"account_name"`
	Deals       int64           `json:"deals"`
	Amount      decimal.Decimal `json:"amount"`
}

// RevOpsMetrics is the RevOps agent's result.
type RevOpsMetrics struct {
	OpenDeals        int64             `json:"open_deals"`
	OpenPipeline     decimal.Decimal   `json:"open_pipeline"`
	WeightedPipeline decimal.Decimal   `json:"weighted_pipeline"`
	PipelineByStage  []StageTotal      `json:"pipeline_by_stage"`
	WinRatePeriod    int               `json:"win_rate_period_days"`
	ClosedDeals      int64             `json:"closed_deals"`
	WonDeals         int64             `json:"won_deals"`
	WinRate          *decimal.Decimal  `json:"win_rate"`
	StaleAfterDays   int               `json:"stale_after_days"`
	StaleDeals       []StaleDeal       `json:"stale_deals"`
	TopAccounts      []AccountPipeline `json:"top_accounts"`
	// ClosedFromStageNames counts the deals whose closed state came from
	// their stage name, is_closed having no value.
	ClosedFromStageNames int64 `json:"closed_from_stage_names"`
}

// Stage names that mean closed, and closed-won, for deals without
// is_closed / is_won values.
const (
	stageClosedSQL = `regexp_matches(lower(coalesce(stage, '')), '^\s*(closed(\s*[/_-]?\s*(won|lost))?|won|lost)\s*$')`
	stageWonSQL    = `regexp_matches(lower(coalesce(stage, '')), '^\s*(closed\s*[/_-]?\s*)?won\s*$')`
	closedSQL      = `coalesce(is_closed, ` + stageClosedSQL + `)`
	wonSQL         = `coalesce(is_won, ` + stageWonSQL + `)`
)

// Name returns "revops".
func (a *RevOps) Name() string { return "revops" }

func (a *RevOps) settings() (stale, win, top int) {
	stale, win, top = a.StaleDays, a.WinRateDays, a.TopN
	if stale <= 0 {
		stale = 30
	}
	if win <= 0 {
		win = 90
	}
	if top <= 0 {
		top = 5
	}
	return
}

// Run computes the RevOps metrics as of asOf's date.
func (a *RevOps) Run(ctx context.Context, e *Engine, asOf time.Time) (Result, error) {
	staleDays, winDays, topN := a.settings()
	d := asOfDate(asOf)
	day := d.Time()
	end := day.AddDate(0, 0, 1)
	const open = `NOT ` + closedSQL + ` AND (created_at IS NULL OR created_at < $1)`
	m := RevOpsMetrics{WinRatePeriod: winDays, StaleAfterDays: staleDays, PipelineByStage: []StageTotal{}, StaleDeals: []StaleDeal{}, TopAccounts: []AccountPipeline{}}

	err := e.queryAll(ctx, `SELECT coalesce(stage, '(none)'), count(*), CAST(sum(amount) AS VARCHAR), CAST(sum(amount * CAST(coalesce(probability, 0) AS DECIMAL(10,4))) AS VARCHAR)
		FROM opportunities WHERE `+open+` GROUP BY 1 ORDER BY 1`, []any{end}, func(scan func(...any) error) error {
		var s StageTotal
		var amt, w *string
		if err := scan(&s.Stage, &s.Deals, &amt, &w); err != nil {
			return err
		}
		s.Amount, s.Weighted = dec(amt), dec(w).Shift(-2)
		m.PipelineByStage = append(m.PipelineByStage, s)
		m.OpenDeals += s.Deals
		m.OpenPipeline = m.OpenPipeline.Add(s.Amount)
		m.WeightedPipeline = m.WeightedPipeline.Add(s.Weighted)
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	from := day.AddDate(0, 0, -winDays)
	err = e.queryAll(ctx, `SELECT count(*) FILTER (WHERE is_closed IS NULL AND `+stageClosedSQL+`) FROM opportunities`, nil,
		func(scan func(...any) error) error { return scan(&m.ClosedFromStageNames) })
	if err != nil {
		return Result{}, err
	}
	err = e.queryAll(ctx, `SELECT count(*), count(*) FILTER (WHERE `+wonSQL+`) FROM opportunities
		WHERE `+closedSQL+` AND close_date > CAST($1 AS DATE) AND close_date <= CAST($2 AS DATE)`,
		[]any{from, day}, func(scan func(...any) error) error { return scan(&m.ClosedDeals, &m.WonDeals) })
	if err != nil {
		return Result{}, err
	}
	if m.ClosedDeals > 0 {
		r := decimal.NewFromInt(m.WonDeals).DivRound(decimal.NewFromInt(m.ClosedDeals), 4)
		m.WinRate = &r
	}
	err = e.queryAll(ctx, `SELECT opportunity_id, opportunity_name, coalesce(stage, ''), CAST(amount AS VARCHAR),
			CAST(CAST(coalesce(updated_at, created_at, _updated_at) AS DATE) AS VARCHAR),
			date_diff('day', CAST(coalesce(updated_at, created_at, _updated_at) AS DATE), CAST($2 AS DATE)) AS days
		FROM opportunities WHERE `+open+` AND coalesce(updated_at, created_at, _updated_at) IS NOT NULL
			AND date_diff('day', CAST(coalesce(updated_at, created_at, _updated_at) AS DATE), CAST($2 AS DATE)) > $3
		ORDER BY days DESC, opportunity_id`, []any{end, day, int64(staleDays)}, func(scan func(...any) error) error {
		var s StaleDeal
		var amt *string
		if err := scan(&s.OpportunityID, &s.Name, &s.Stage, &amt, &s.LastUpdate, &s.DaysSinceUpdate); err != nil {
			return err
		}
		s.Amount = dec(amt)
		m.StaleDeals = append(m.StaleDeals, s)
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	err = e.queryAll(ctx, `SELECT coalesce(a._unified_id, ''), coalesce(min(a.account_name), any_value(o.account_id), '(no account)'), count(*), CAST(sum(o.amount) AS VARCHAR) AS total
		FROM opportunities o LEFT JOIN accounts a ON a._connection_id = o._connection_id AND a._record_id = o.account_id
		WHERE `+strings.ReplaceAll(strings.ReplaceAll(open, "is_closed", "o.is_closed"), "created_at", "o.created_at")+`
		GROUP BY coalesce(a._unified_id, o._connection_id || '/' || coalesce(o.account_id, '')), a._unified_id
		ORDER BY sum(o.amount) DESC NULLS LAST, 2 LIMIT $2`, []any{end, int64(topN)}, func(scan func(...any) error) error {
		var p AccountPipeline
		var amt *string
		if err := scan(&p.UnifiedID, &p.AccountName, &p.Deals, &amt); err != nil {
			return err
		}
		p.Amount = dec(amt)
		m.TopAccounts = append(m.TopAccounts, p)
		return nil
	})
	if err != nil {
		return Result{}, err
	}

	var b strings.Builder
	fmt.Fprintf(&b, "As of %s there are %d open deals worth %s (weighted %s)", d, m.OpenDeals, money(m.OpenPipeline), money(m.WeightedPipeline))
	if len(m.PipelineByStage) > 0 {
		big := m.PipelineByStage[0]
		for _, s := range m.PipelineByStage {
			if s.Amount.GreaterThan(big.Amount) {
				big = s
			}
		}
		fmt.Fprintf(&b, ", the largest stage being %s with %s", big.Stage, money(big.Amount))
	}
	b.WriteString(". ")
	if m.WinRate != nil {
		fmt.Fprintf(&b, "Over the last %d days %d of %d closed deals were won (win rate %s%%). ", winDays, m.WonDeals, m.ClosedDeals, m.WinRate.Shift(2).StringFixed(1))
	} else {
		fmt.Fprintf(&b, "No deal closed in the last %d days. ", winDays)
	}
	fmt.Fprintf(&b, "%d open deals have had no update for more than %d days", len(m.StaleDeals), staleDays)
	if len(m.TopAccounts) > 0 {
		fmt.Fprintf(&b, "; the account with the most open pipeline is %s (%s)", m.TopAccounts[0].AccountName, money(m.TopAccounts[0].Amount))
	}
	b.WriteString(".")
	if m.ClosedFromStageNames > 0 {
		fmt.Fprintf(&b, " Closed and won were read from the stage names of %d deals (is_closed / is_won have no value).", m.ClosedFromStageNames)
	}
	return Result{Agent: a.Name(), AsOf: d.String(), Metrics: m, Summary: b.String()}, nil
}
