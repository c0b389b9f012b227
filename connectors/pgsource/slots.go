package pgsource

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/autonomos/autonomos/connectors"
)

// slotPrefixRE is what a "slot" parameter may hold: replication slot names
// are lower-case letters, digits and underscores, at most 63 bytes; the
// prefix leaves room for "_" and the table's hash.
var slotPrefixRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// slotPrefix validates the "slot" parameter, or derives the default from
// the server, database, role and schema.
func slotPrefix(param string, cfg *pgx.ConnConfig, schema string) (string, error) {
	if param = strings.TrimSpace(param); param != "" {
		if !slotPrefixRE.MatchString(param) {
			return "", fmt.Errorf("%w: %s: parameter \"slot\" = %q: want a lower-case letter, then up to 39 lower-case letters, digits or _", connectors.ErrInvalidConfig, Name, param)
		}
		return param, nil
	}
	h := sha256.Sum256([]byte(strings.Join([]string{cfg.Host, strconv.Itoa(int(cfg.Port)), cfg.Database, cfg.User, schema}, "\x00")))
	return "aos_" + hex.EncodeToString(h[:8]), nil
}

// slotName is the replication slot (and publication) of one table: the
// prefix and a hash of the table name, so any table name fits.
func (s *Source) slotName(table string) string {
	h := sha256.Sum256([]byte(s.schema + "\x00" + table))
	return s.slot + "_" + hex.EncodeToString(h[:6])
}

// Provision prepares change data capture (mode=cdc): for every configured
// table with a primary key (all tables of the schema when "tables" is
// empty) it creates a publication and a logical replication slot, so the
// server keeps the changes from now on until the first read. It is
// idempotent, and does nothing in other modes. Tables created later get
// their slot on their first read. Deprovision drops them again.
func (s *Source) Provision(ctx context.Context) error {
	if s.mode != modeCDC {
		return nil
	}
	tables, err := s.loadTables(ctx, s.pool, s.tables)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if len(t.pk) == 0 {
			continue // not readable; Read says why
		}
		if err := s.ensurePublication(ctx, t.name); err != nil {
			return err
		}
		name := s.slotName(t.name)
		var exists bool
		if err := s.pool.QueryRow(ctx, sqlSlotExists, name).Scan(&exists); err != nil {
			return s.interpret(ctx, "look up replication slot", err)
		}
		if exists {
			continue
		}
		_, err := s.pool.Exec(ctx, `SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, name)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "42710" { // made meanwhile
			err = nil
		}
		if err != nil {
			return s.interpret(ctx, fmt.Sprintf("create replication slot %q for table %q", name, t.name), err)
		}
	}
	return nil
}

// Deprovision drops the replication slots and publications of this
// connection (every slot and publication whose name starts with the
// "slot" prefix, in this database), ending a replication session that
// still holds one. It is idempotent, and does nothing in other modes.
func (s *Source) Deprovision(ctx context.Context) error {
	if s.mode != modeCDC {
		return nil
	}
	like := likePrefix(s.slot)
	slots, err := s.names(ctx, "list replication slots", `SELECT slot_name FROM pg_catalog.pg_replication_slots WHERE database = current_database() AND slot_name LIKE $1`, like)
	if err != nil {
		return err
	}
	for _, name := range slots {
		if err := s.dropSlot(ctx, name); err != nil {
			return err
		}
	}
	pubs, err := s.names(ctx, "list publications", `SELECT pubname FROM pg_catalog.pg_publication WHERE pubname LIKE $1`, like)
	if err != nil {
		return err
	}
	for _, name := range pubs {
		if _, err := s.pool.Exec(ctx, "DROP PUBLICATION IF EXISTS "+pgx.Identifier{name}.Sanitize()); err != nil {
			return s.interpret(ctx, fmt.Sprintf("drop publication %q", name), err)
		}
	}
	return nil
}

// names runs a query of one text column and returns its values.
func (s *Source) names(ctx context.Context, op, sql string, args ...any) ([]string, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, s.interpret(ctx, op, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, s.interpret(ctx, op, err)
	}
	return out, nil
}

// likePrefix is a LIKE pattern for the names prefix_...
func likePrefix(prefix string) string {
	return strings.ReplaceAll(prefix, "_", `\_`) + `\_%`
}

// dropSlot drops a replication slot, ending the session that holds it.
func (s *Source) dropSlot(ctx context.Context, name string) error {
	for attempt := 0; ; attempt++ {
		_, err := s.pool.Exec(ctx, `SELECT pg_terminate_backend(active_pid) FROM pg_catalog.pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL`, name)
		if err == nil {
			_, err = s.pool.Exec(ctx, `SELECT pg_drop_replication_slot(slot_name) FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`, name)
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "55006" && attempt < 50 { // still active: the session is ending
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return s.interpret(ctx, fmt.Sprintf("drop replication slot %q", name), err)
		}
		return nil
	}
}

// ensurePublication creates the publication of one table if it is missing.
func (s *Source) ensurePublication(ctx context.Context, table string) error {
	name := s.slotName(table)
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = $1)`, name).Scan(&exists); err != nil {
		return s.interpret(ctx, "look up publication", err)
	}
	if exists {
		return nil
	}
	_, err := s.pool.Exec(ctx, "CREATE PUBLICATION "+pgx.Identifier{name}.Sanitize()+" FOR TABLE "+pgx.Identifier{s.schema, table}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42710" { // made meanwhile
		return nil
	}
	if err != nil {
		return s.interpret(ctx, fmt.Sprintf("create publication %q for table %q", name, table), err)
	}
	return nil
}

const sqlSlotExists = `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = $1 AND database = current_database())`
