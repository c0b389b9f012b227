package dcl

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/autonomos/autonomos/dcl/linkage"
)

// UnifyDecision is one recorded unification decision about a unified
// entity, kept so every merge can be explained:
//
//   - "new": a record started the unified entity;
//   - "join": a record joined it, matching MatchedRecord on MatchedKeys;
//   - "merge": another unified entity (AbsorbedID) was merged into it,
//     because Record matched MatchedRecord on MatchedKeys;
//   - "split": it was split off the unified entity AbsorbedID, after a
//     change or deletion of Record, a review decision or a new model;
//   - "leave": a record was deleted from it.
//
// A join or merge carries its explanation: the match Weight in bits, the
// match Probability and the level and weight of every Comparison made.
type UnifyDecision struct {
	Action              string                    `json:"action"`
	UnifiedID           string                    `json:"unified_id"`
	ConnectionID        string                    `json:"connection_id"`
	RecordID            string                    `json:"record_id"`
	MatchedConnectionID string                    `json:"matched_connection_id,omitempty"`
	MatchedRecordID     string                    `json:"matched_record_id,omitempty"`
	AbsorbedID          string                    `json:"absorbed_id,omitempty"`
	MatchedKeys         []string                  `json:"matched_keys,omitempty"`
	Offset              int64                     `json:"offset"`
	Weight              float64                   `json:"weight,omitempty"`
	Probability         float64                   `json:"probability,omitempty"`
	Comparisons         []linkage.ComparisonLevel `json:"comparisons,omitempty"`
}

// Explain returns the decisions that shaped a unified account or contact,
// in stream order, including those of entities merged into it. entity is
// "account" or "contact". An id without decisions wraps ErrNotFound.
func (e *Engine) Explain(ctx context.Context, entity, unifiedID string) ([]UnifyDecision, error) {
	if entity != "account" && entity != "contact" {
		return nil, fmt.Errorf("dcl: explain: %w: entity %q is not unified", ErrInvalid, entity)
	}
	db, done, err := e.reader()
	if err != nil {
		return nil, fmt.Errorf("dcl: explain: %w", err)
	}
	defer done()
	// the decisions of the id itself and of every id merged into it,
	// transitively
	q := `WITH RECURSIVE ids(id) AS (
		SELECT $2::VARCHAR
		UNION SELECT l.absorbed_id FROM dcl_unify_log l JOIN ids ON l.unified_id = ids.id
		WHERE l.entity = $1 AND l.action = 'merge')
	SELECT l.action, l.unified_id, l.member_connection_id, l.member_record_id, l.matched_connection_id, l.matched_record_id, l.absorbed_id, l.matched_keys, l.stream_offset,
		k.weight, k.probability, k.comparisons
	FROM dcl_unify_log l LEFT JOIN dcl_unify_links k ON k.seq = l.seq
	WHERE l.entity = $1 AND l.unified_id IN (SELECT id FROM ids) ORDER BY l.seq`
	rows, err := db.QueryContext(ctx, q, entity, unifiedID)
	if err != nil {
		return nil, queryErr(ctx, "explain", err)
	}
	defer rows.Close()
	var out []UnifyDecision
	for rows.Next() {
		var d UnifyDecision
		var mc, mr, abs, keys, cmps sql.NullString
		var w, p sql.NullFloat64
		if err := rows.Scan(&d.Action, &d.UnifiedID, &d.ConnectionID, &d.RecordID, &mc, &mr, &abs, &keys, &d.Offset, &w, &p, &cmps); err != nil {
			return nil, queryErr(ctx, "explain", err)
		}
		d.Weight, d.Probability = w.Float64, p.Float64
		if cmps.Valid {
			if err := json.Unmarshal([]byte(cmps.String), &d.Comparisons); err != nil {
				return nil, fmt.Errorf("%w: explain: stored comparisons: %v", ErrStorage, err)
			}
		}
		d.MatchedConnectionID, d.MatchedRecordID, d.AbsorbedID = mc.String, mr.String, abs.String
		if keys.Valid && keys.String != "" {
			d.MatchedKeys = strings.Split(keys.String, ",")
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, queryErr(ctx, "explain", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("dcl: explain: %w: %s %q", ErrNotFound, entity, unifiedID)
	}
	return out, nil
}
