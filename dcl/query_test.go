package dcl_test

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/dcl"
)

// queryFixture holds 25 deals: deal-00..deal-24, amount 100×(i+1),
// stage by i%3 (Prospecting, Proposal, Closed Won), close date
// 2024-01-(i+1) for i < 20, 2024-02-01 for the others.
func queryFixture(t *testing.T) *fixture {
	t.Helper()
	f := setup(t, nil)
	stages := []string{"Prospecting", "Proposal", "Closed Won"}
	var batch []aam.StoredEvent
	for i := 0; i < 25; i++ {
		id := fmt.Sprintf("deal-%02d", i)
		close := canonical.CivilDate{Year: 2024, Month: 1, Day: i + 1}
		if i >= 20 {
			close = canonical.CivilDate{Year: 2024, Month: 2, Day: 1}
		}
		batch = append(batch, aam.StoredEvent{Offset: int64(i + 1), Event: event(f.tenant, "c1", "opportunity", id, map[string]any{
			"opportunity_id": id, "opportunity_name": "Deal " + id, "amount": decimal.NewFromInt(int64(100 * (i + 1))),
			"stage": stages[i%3], "close_date": close,
		})})
	}
	_, err := f.eng.Materialize(f.ctx, batch)
	require.NoError(t, err)
	return f
}

func ids(p dcl.Page) []string {
	var out []string
	for _, r := range p.Rows {
		out = append(out, r["opportunity_id"].(string))
	}
	return out
}

func TestQueryPagesFiltersAndSorts(t *testing.T) {
	t.Parallel()
	f := queryFixture(t)
	q := dcl.QueryOptions{Fields: []string{"opportunity_id", "amount"}, Sort: []dcl.SortKey{{Field: "amount", Desc: true}}, Limit: 10}
	p, err := f.eng.Query(f.ctx, "opportunities", q)
	require.NoError(t, err)
	require.Equal(t, []string{"opportunity_id", "amount"}, p.Fields)
	require.Len(t, p.Rows, 10)
	require.Len(t, p.Rows[0], 2)
	require.Equal(t, "deal-24", p.Rows[0]["opportunity_id"])
	require.True(t, decimal.NewFromInt(2500).Equal(p.Rows[0]["amount"].(decimal.Decimal)))
	require.NotEmpty(t, p.NextPageToken)
	var all []string
	all = append(all, ids(p)...)
	for p.NextPageToken != "" {
		q.PageToken = p.NextPageToken
		p, err = f.eng.Query(f.ctx, "opportunities", q)
		require.NoError(t, err)
		all = append(all, ids(p)...)
	}
	require.Len(t, all, 25)
	require.Equal(t, "deal-00", all[24])

	cases := []struct {
		name    string
		filters []dcl.Filter
		want    []string
	}{
		{"gt decimal as text", []dcl.Filter{{Field: "amount", Op: dcl.OpGt, Value: "2200"}}, []string{"deal-22", "deal-23", "deal-24"}},
		{"le date", []dcl.Filter{{Field: "close_date", Op: dcl.OpLe, Value: canonical.CivilDate{Year: 2024, Month: 1, Day: 2}}}, []string{"deal-00", "deal-01"}},
		{"in and eq", []dcl.Filter{{Field: "stage", Op: dcl.OpIn, Value: []string{"Proposal", "Closed Won"}}, {Field: "close_date", Op: dcl.OpEq, Value: "2024-02-01"}}, []string{"deal-20", "deal-22", "deal-23"}},
		{"prefix", []dcl.Filter{{Field: "opportunity_id", Op: dcl.OpPrefix, Value: "deal-1"}}, []string{"deal-10", "deal-11", "deal-12", "deal-13", "deal-14", "deal-15", "deal-16", "deal-17", "deal-18", "deal-19"}},
		{"contains", []dcl.Filter{{Field: "opportunity_name", Op: dcl.OpContains, Value: "l-0"}, {Field: "amount", Op: dcl.OpLt, Value: 300}}, []string{"deal-00", "deal-01"}},
		{"ne and ge int", []dcl.Filter{{Field: "amount", Op: dcl.OpGe, Value: int64(2400)}, {Field: "opportunity_id", Op: dcl.OpNe, Value: "deal-24"}}, []string{"deal-23"}},
		{"null", []dcl.Filter{{Field: "currency", Op: dcl.OpEq, Value: nil}, {Field: "amount", Op: dcl.OpEq, Value: decimal.NewFromInt(100)}}, []string{"deal-00"}},
		{"empty in", []dcl.Filter{{Field: "stage", Op: dcl.OpIn, Value: []string{}}}, nil},
		// injection attempts are plain values
		{"injection in value", []dcl.Filter{{Field: "stage", Op: dcl.OpEq, Value: "x' OR '1'='1"}}, nil},
		{"injection in prefix", []dcl.Filter{{Field: "stage", Op: dcl.OpPrefix, Value: "%' OR 1=1 --"}}, nil},
	}
	for _, tc := range cases {
		p, err := f.eng.Query(f.ctx, "opportunities", dcl.QueryOptions{Filters: tc.filters, Sort: []dcl.SortKey{{Field: "opportunity_id"}}})
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, ids(p), tc.name)
	}
}

func TestQueryWhitelist(t *testing.T) {
	t.Parallel()
	f := queryFixture(t)
	bad := []struct {
		view string
		q    dcl.QueryOptions
	}{
		{"users", dcl.QueryOptions{}},
		{"opportunities; DROP TABLE accounts", dcl.QueryOptions{}},
		{"opportunities", dcl.QueryOptions{Fields: []string{"password"}}},
		{"opportunities", dcl.QueryOptions{Fields: []string{`amount" FROM accounts --`}}},
		{"opportunities", dcl.QueryOptions{Filters: []dcl.Filter{{Field: "1=1 OR amount", Op: dcl.OpEq, Value: 1}}}},
		{"opportunities", dcl.QueryOptions{Filters: []dcl.Filter{{Field: "amount", Op: "regex", Value: 1}}}},
		{"opportunities", dcl.QueryOptions{Filters: []dcl.Filter{{Field: "amount", Op: "= 1 OR 1 =", Value: 1}}}},
		{"opportunities", dcl.QueryOptions{Filters: []dcl.Filter{{Field: "amount", Op: dcl.OpPrefix, Value: "1"}}}},
		{"opportunities", dcl.QueryOptions{Filters: []dcl.Filter{{Field: "amount", Op: dcl.OpIn, Value: 5}}}},
		{"opportunities", dcl.QueryOptions{Filters: []dcl.Filter{{Field: "amount", Op: dcl.OpLt, Value: nil}}}},
		{"opportunities", dcl.QueryOptions{Filters: []dcl.Filter{{Field: "amount", Op: dcl.OpLt, Value: struct{}{}}}}},
		{"opportunities", dcl.QueryOptions{Filters: []dcl.Filter{{Field: "close_date", Op: dcl.OpLt, Value: "yesterday"}}}},
		{"opportunities", dcl.QueryOptions{Sort: []dcl.SortKey{{Field: "amount DESC, (SELECT 1)"}}}},
		{"opportunities", dcl.QueryOptions{Limit: dcl.MaxQueryLimit + 1}},
		{"opportunities", dcl.QueryOptions{Limit: -1}},
		{"opportunities", dcl.QueryOptions{PageToken: "!!!"}},
	}
	for _, tc := range bad {
		_, err := f.eng.Query(f.ctx, tc.view, tc.q)
		require.ErrorIs(t, err, dcl.ErrInvalid, "%s %+v", tc.view, tc.q)
	}
	// a page token of one view is refused by another
	p, err := f.eng.Query(f.ctx, "opportunities", dcl.QueryOptions{Limit: 1})
	require.NoError(t, err)
	_, err = f.eng.Query(f.ctx, "accounts", dcl.QueryOptions{PageToken: p.NextPageToken})
	require.ErrorIs(t, err, dcl.ErrInvalid)
	// nothing was dropped
	p, err = f.eng.Query(f.ctx, "accounts", dcl.QueryOptions{})
	require.NoError(t, err)
	require.Empty(t, p.Rows)
}

func TestAggregate(t *testing.T) {
	t.Parallel()
	f := queryFixture(t)
	// by stage: i%3 == 0 -> Prospecting: i = 0,3,...,24 (9 deals),
	// amounts 100×(1+4+7+...+25) = 100×117 = 11700
	// Proposal: i = 1,4,...,22 (8 deals), 100×(2+5+...+23) = 100×100 = 10000
	// Closed Won: i = 2,5,...,23 (8 deals), 100×(3+6+...+24) = 100×108 = 10800
	rows, err := f.eng.Aggregate(f.ctx, "opportunities", dcl.AggregateOptions{Func: dcl.AggSum, Field: "amount", GroupBy: "stage"})
	require.NoError(t, err)
	require.Len(t, rows, 3)
	got := map[string]string{}
	for _, r := range rows {
		got[r.Group.(string)] = r.Value.String() + "/" + fmt.Sprint(r.Count)
	}
	require.Equal(t, map[string]string{"Closed Won": "10800/8", "Proposal": "10000/8", "Prospecting": "11700/9"}, got)

	// avg by month: January i = 0..19, amounts 100..2000, avg 1050;
	// February i = 20..24, amounts 2100..2500, avg 2300
	rows, err = f.eng.Aggregate(f.ctx, "opportunities", dcl.AggregateOptions{Func: dcl.AggAvg, Field: "amount", TimeBucket: dcl.BucketMonth, TimeField: "close_date"})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Equal(t, "2024-01-01", rows[0].Period)
	require.Equal(t, "1050", rows[0].Value.String())
	require.Equal(t, "2024-02-01", rows[1].Period)
	require.Equal(t, "2300", rows[1].Value.String())

	// count by week, filtered: deals closing 2024-01-01 (Mon) .. 2024-01-14:
	// two ISO weeks of 7
	rows, err = f.eng.Aggregate(f.ctx, "opportunities", dcl.AggregateOptions{Func: dcl.AggCount, TimeBucket: dcl.BucketWeek, TimeField: "close_date",
		Filters: []dcl.Filter{{Field: "close_date", Op: dcl.OpLt, Value: "2024-01-15"}}})
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Equal(t, "2024-01-08", rows[1].Period)
	require.Equal(t, int64(7), rows[1].Count)
	require.Equal(t, "7", rows[1].Value.String())

	for _, o := range []dcl.AggregateOptions{
		{Func: "median", Field: "amount"},
		{Func: dcl.AggSum, Field: "stage"},
		{Func: dcl.AggSum, Field: "nope"},
		{Func: dcl.AggCount, GroupBy: "stage; DROP TABLE x"},
		{Func: dcl.AggCount, TimeBucket: "year", TimeField: "close_date"},
		{Func: dcl.AggCount, TimeBucket: dcl.BucketDay, TimeField: "stage"},
		{Func: dcl.AggCount, TimeBucket: dcl.BucketDay},
	} {
		_, err := f.eng.Aggregate(f.ctx, "opportunities", o)
		require.ErrorIs(t, err, dcl.ErrInvalid, "%+v", o)
	}
}
