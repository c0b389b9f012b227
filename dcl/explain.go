package dcl

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// UnifyDecision is one recorded unification decision about a unified
// entity, kept so every merge can be explained:
//
//   - "new": a record started the unified entity;
//   - "join": a record joined it, matching MatchedRecord on MatchedKeys;
//   - "merge": another unified entity (AbsorbedID) was merged into it,
//     because Record matched MatchedRecord on MatchedKeys;
//   - "leave": a record was deleted from it.
type UnifyDecision struct {
	Action              string   `json:"action"`
	UnifiedID           string   `json:"unified_id"`
	ConnectionID        string   `json:"connection_id"`
	RecordID            string   `json:"record_id"`
	MatchedConnectionID string   `json:"matched_connection_id,omitempty"`
	MatchedRecordID     string   `json:"matched_record_id,omitempty"`
	AbsorbedID          string   `json:"absorbed_id,omitempty"`
	MatchedKeys         []string `json:"matched_keys,omitempty"`
	Offset              int64    `json:"offset"`
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
	SELECT action, unified_id, member_connection_id, member_record_id, matched_connection_id, matched_record_id, absorbed_id, matched_keys, stream_offset
	FROM dcl_unify_log WHERE entity = $1 AND unified_id IN (SELECT id FROM ids) ORDER BY seq`
	rows, err := db.QueryContext(ctx, q, entity, unifiedID)
	if err != nil {
		return nil, queryErr(ctx, "explain", err)
	}
	defer rows.Close()
	var out []UnifyDecision
	for rows.Next() {
		var d UnifyDecision
		var mc, mr, abs, keys sql.NullString
		if err := rows.Scan(&d.Action, &d.UnifiedID, &d.ConnectionID, &d.RecordID, &mc, &mr, &abs, &keys, &d.Offset); err != nil {
			return nil, queryErr(ctx, "explain", err)
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
