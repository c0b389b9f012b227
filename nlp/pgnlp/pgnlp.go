// Package pgnlp keeps the NLP gateway's data in PostgreSQL (production
// mode): the knowledge base's documents and chunks, with a full-text index
// as the lexical retriever (kb.Lexical and kb.Catalog), and the query
// history (nlp.HistoryStore). Every statement runs in a tenant transaction
// under row-level security (pgstore migration 0009).
//
// # Concurrency
//
// A Store is safe for concurrent use.
package pgnlp

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/nlp"
	"github.com/autonomos/autonomos/nlp/kb"
	"github.com/autonomos/autonomos/pgstore"
)

// Store is the PostgreSQL adapter. It borrows the pgstore.Store.
type Store struct {
	pg *pgstore.Store
}

var (
	_ kb.Lexical       = (*Store)(nil)
	_ kb.Catalog       = catalog{}
	_ nlp.HistoryStore = (*Store)(nil)
)

// New returns a Store on a migrated pgstore.Store.
func New(pg *pgstore.Store) (*Store, error) {
	if pg == nil {
		return nil, fmt.Errorf("pgnlp: %w: nil store", kb.ErrInvalid)
	}
	return &Store{pg: pg}, nil
}

const upsertChunk = `INSERT INTO nlp_chunks (tenant_id, id, document, heading, body) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (tenant_id, id) DO UPDATE SET document = EXCLUDED.document, heading = EXCLUDED.heading, body = EXCLUDED.body`

// Index upserts chunks (their text feeds the full-text index).
func (s *Store) Index(ctx context.Context, tenant uuid.UUID, chunks []kb.Chunk) error {
	return s.pg.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, c := range chunks {
			b.Queue(upsertChunk, tenant, c.ID, c.Document, c.Heading, c.Text)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// Delete removes chunks by id.
func (s *Store) Delete(ctx context.Context, tenant uuid.UUID, ids []string) error {
	return s.pg.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM nlp_chunks WHERE tenant_id = $1 AND id = ANY($2)`, tenant, ids)
		return err
	})
}

// searchSQL matches any of the question's words (a question's words are
// alternatives, not a conjunction) and ranks by cover density.
const searchSQL = `WITH q AS (
    SELECT CASE WHEN plainto_tsquery('english', $2)::text = '' THEN NULL
           ELSE to_tsquery('english', replace(plainto_tsquery('english', $2)::text, '&', '|')) END AS query)
SELECT c.id, ts_rank_cd(c.tsv, q.query) AS score
FROM nlp_chunks c, q
WHERE c.tenant_id = $1 AND q.query IS NOT NULL AND c.tsv @@ q.query
ORDER BY score DESC, c.id
LIMIT $3`

// Search runs a Postgres full-text query.
func (s *Store) Search(ctx context.Context, tenant uuid.UUID, query string, k int) ([]kb.Scored, error) {
	var out []kb.Scored
	err := s.pg.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, searchSQL, tenant, query, k)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var sc kb.Scored
			var score float32
			if err := rows.Scan(&sc.ID, &score); err != nil {
				return err
			}
			sc.Score = float64(score)
			out = append(out, sc)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("pgnlp: search: %w", err)
	}
	return out, nil
}

// Put replaces a document and its chunks.
func (s *Store) Put(ctx context.Context, tenant uuid.UUID, doc kb.DocumentInfo, chunks []kb.Chunk) error {
	return s.pg.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM nlp_chunks WHERE tenant_id = $1 AND document = $2`, tenant, doc.Name); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO nlp_documents (tenant_id, name, bytes, chunks, added_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (tenant_id, name) DO UPDATE SET bytes = EXCLUDED.bytes, chunks = EXCLUDED.chunks, added_at = EXCLUDED.added_at`,
			tenant, doc.Name, doc.Bytes, doc.Chunks, doc.AddedAt); err != nil {
			return err
		}
		b := &pgx.Batch{}
		for _, c := range chunks {
			b.Queue(upsertChunk, tenant, c.ID, c.Document, c.Heading, c.Text)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// Documents lists the documents by name.
func (s *Store) Documents(ctx context.Context, tenant uuid.UUID) ([]kb.DocumentInfo, error) {
	out := []kb.DocumentInfo{}
	err := s.pg.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT name, bytes, chunks, added_at FROM nlp_documents WHERE tenant_id = $1 ORDER BY name`, tenant)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d kb.DocumentInfo
			if err := rows.Scan(&d.Name, &d.Bytes, &d.Chunks, &d.AddedAt); err != nil {
				return err
			}
			d.AddedAt = d.AddedAt.UTC()
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// Chunks returns chunks by id.
func (s *Store) Chunks(ctx context.Context, tenant uuid.UUID, ids []string) (map[string]kb.Chunk, error) {
	out := map[string]kb.Chunk{}
	err := s.pg.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, document, heading, body FROM nlp_chunks WHERE tenant_id = $1 AND id = ANY($2)`, tenant, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c kb.Chunk
			if err := rows.Scan(&c.ID, &c.Document, &c.Heading, &c.Text); err != nil {
				return err
			}
			out[c.ID] = c
		}
		return rows.Err()
	})
	return out, err
}

// ChunkIDs returns a document's chunk ids; kb.ErrNotFound if no document.
func (s *Store) ChunkIDs(ctx context.Context, tenant uuid.UUID, name string) ([]string, error) {
	var ids []string
	err := s.pg.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM nlp_documents WHERE tenant_id = $1 AND name = $2`, tenant, name).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("pgnlp: %w: no document %q", kb.ErrNotFound, name)
		}
		rows, err := tx.Query(ctx, `SELECT id FROM nlp_chunks WHERE tenant_id = $1 AND document = $2 ORDER BY id`, tenant, name)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	return ids, err
}

// deleteDocument removes a document; kb.ErrNotFound if none.
func (s *Store) deleteDocument(ctx context.Context, tenant uuid.UUID, name string) error {
	return s.pg.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM nlp_documents WHERE tenant_id = $1 AND name = $2`, tenant, name)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("pgnlp: %w: no document %q", kb.ErrNotFound, name)
		}
		_, err = tx.Exec(ctx, `DELETE FROM nlp_chunks WHERE tenant_id = $1 AND document = $2`, tenant, name)
		return err
	})
}

// Record appends a history entry (already redacted by the gateway).
func (s *Store) Record(ctx context.Context, tenant uuid.UUID, e nlp.HistoryEntry) error {
	return s.pg.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO nlp_history (tenant_id, at, question, persona, kind, metric, confidence, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, tenant, e.At, e.Question, string(e.Persona), string(e.Kind), e.Metric, e.Confidence, e.Error)
		return err
	})
}

// Entries returns up to limit of the newest entries, oldest first.
func (s *Store) Entries(ctx context.Context, tenant uuid.UUID, limit int) ([]nlp.HistoryEntry, error) {
	if limit <= 0 || limit > 10000 {
		return nil, fmt.Errorf("pgnlp: %w: limit %d is outside 1..10000", kb.ErrInvalid, limit)
	}
	out := []nlp.HistoryEntry{}
	err := s.pg.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT at, question, persona, kind, metric, confidence, error FROM (
			SELECT * FROM nlp_history WHERE tenant_id = $1 ORDER BY seq DESC LIMIT $2) h ORDER BY seq`, tenant, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e nlp.HistoryEntry
			var persona, kind string
			if err := rows.Scan(&e.At, &e.Question, &persona, &kind, &e.Metric, &e.Confidence, &e.Error); err != nil {
				return err
			}
			e.At, e.Persona, e.Kind = e.At.UTC(), nlp.Persona(persona), nlp.Kind(kind)
			out = append(out, e)
		}
		return rows.Err()
	})
	return out, err
}

// Catalog returns the kb.Catalog view of the store (its Delete removes a
// document, where the kb.Lexical Delete removes chunks).
func (s *Store) Catalog() kb.Catalog { return catalog{s} }

type catalog struct{ *Store }

func (c catalog) Delete(ctx context.Context, tenant uuid.UUID, name string) error {
	return c.deleteDocument(ctx, tenant, name)
}
