package pgsource

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autonomos/autonomos/connectors"
)

// Name is the connector type's registry name.
const Name = "pgsource"

// Version is the connector's own version.
const Version = "1.0.0"

// System is the SourceSchema.System of every object this connector
// discovers.
const System = "postgres"

// Spec describes the pgsource connector and its configuration parameters.
func Spec() connectors.Spec {
	return connectors.Spec{
		Name:         Name,
		Version:      Version,
		Description:  "Reads the tables of a PostgreSQL (or Supabase) schema: full snapshots, commit-safe incremental reads, or change data capture by logical replication.",
		ChangeModels: []connectors.ChangeModel{connectors.ChangeSnapshot, connectors.ChangeIncremental, connectors.ChangeCDC},
		Params: []connectors.Param{
			{Name: "url", Type: connectors.ParamString, Secret: true, Description: "PostgreSQL connection string (postgres://user:password@host:port/db); replaces host, port, user, password and database"},
			{Name: "host", Type: connectors.ParamString, Description: "server host name or address, when url is not set"},
			{Name: "port", Type: connectors.ParamInt, Default: "5432", Description: "server port"},
			{Name: "user", Type: connectors.ParamString, Description: "role to connect as"},
			{Name: "password", Type: connectors.ParamString, Secret: true, Description: "the role's password"},
			{Name: "database", Type: connectors.ParamString, Description: "database name"},
			{Name: "sslmode", Type: connectors.ParamString, Default: "prefer", Description: "disable, prefer, require, verify-ca or verify-full"},
			{Name: "schema", Type: connectors.ParamString, Default: "public", Description: "schema whose tables are read"},
			{Name: "tables", Type: connectors.ParamString, Description: "comma-separated table names to read; all tables of the schema when empty"},
			{Name: "cursor_column", Type: connectors.ParamString, Description: "column incremental reads follow (e.g. updated_at), in the tables that have it; tables without it are read in full every sync"},
			{Name: "lookback", Type: connectors.ParamDuration, Default: "5m", Description: "look-back window of incremental reads on a date or time cursor column: rows whose cursor value is this much older than the last one read are read again"},
			{Name: "mode", Type: connectors.ParamString, Default: "auto", Description: "auto (incremental on tables with cursor_column, full snapshots otherwise) or cdc (logical replication: inserts, updates and deletes; needs wal_level=logical and the REPLICATION attribute)"},
			{Name: "slot", Type: connectors.ParamString, ConnectionUnique: true, Description: "mode=cdc: prefix of the replication slot and publication names (lower-case letters, digits, _; at most 40 characters); the platform sets one per connection (aos_ and the connection id's first 12 hex digits); outside it the default is aos_ and a hash of the server, database, schema and role"},
			{Name: "cdc_wait", Type: connectors.ParamDuration, Default: "5s", Description: "mode=cdc: how long a read waits for the server's next message before it ends"},
			{Name: "page_size", Type: connectors.ParamInt, Default: "1000", Description: "rows fetched per query"},
			{Name: "max_conns", Type: connectors.ParamInt, Default: "4", Description: "largest number of open connections"},
		},
	}
}

// Register adds the pgsource connector type to reg. It fails if the name is
// already registered.
func Register(reg *connectors.Registry) error {
	return reg.Register(Spec(), func(cfg connectors.Config) (connectors.Connector, error) {
		return New(cfg)
	})
}

// Source reads the tables of one PostgreSQL schema. It owns a connection
// pool, opened lazily and released by Close. A Source is safe for concurrent
// use.
type Source struct {
	connectors.UnimplementedConnector

	pool         *pgxpool.Pool
	schema       string
	tables       []string // nil means all
	cursorColumn string
	pageSize     int
	secrets      []string // values scrubbed from error messages

	mode     string        // modeAuto or modeCDC
	lookback time.Duration // incremental reads: look-back window
	slot     string        // mode=cdc: slot and publication name prefix
	cdcWait  time.Duration // mode=cdc: idle time that ends a read
	connCfg  *pgconn.Config
}

// Modes of the "mode" parameter.
const (
	modeAuto = "auto"
	modeCDC  = "cdc"
)

var _ connectors.Connector = (*Source)(nil)

// New validates cfg against Spec and returns a Source. No connection is made
// until the first call that needs one; use Check to verify the
// configuration against the server. The error wraps
// connectors.ErrInvalidConfig and never contains the password.
func New(cfg connectors.Config) (*Source, error) {
	spec := Spec()
	if err := spec.ValidateConfig(cfg); err != nil {
		return nil, err
	}
	get := func(name string) string { return spec.Get(cfg, name) }

	s := &Source{schema: get("schema"), cursorColumn: strings.TrimSpace(get("cursor_column"))}
	if p := get("password"); p != "" {
		s.secrets = append(s.secrets, p)
	}
	if t := strings.TrimSpace(get("tables")); t != "" {
		for _, name := range strings.Split(t, ",") {
			if name = strings.TrimSpace(name); name != "" {
				s.tables = append(s.tables, name)
			}
		}
	}
	var err error
	if s.pageSize, err = positive(get, "page_size"); err != nil {
		return nil, err
	}
	maxConns, err := positive(get, "max_conns")
	if err != nil {
		return nil, err
	}

	switch s.mode = strings.TrimSpace(get("mode")); s.mode {
	case modeAuto, modeCDC:
	default:
		return nil, fmt.Errorf("%w: %s: parameter \"mode\" = %q: want auto or cdc", connectors.ErrInvalidConfig, Name, s.mode)
	}
	if s.lookback, err = time.ParseDuration(get("lookback")); err != nil || s.lookback < 0 {
		return nil, fmt.Errorf("%w: %s: parameter \"lookback\" must be a duration of zero or more", connectors.ErrInvalidConfig, Name)
	}
	if s.cdcWait, err = time.ParseDuration(get("cdc_wait")); err != nil || s.cdcWait <= 0 {
		return nil, fmt.Errorf("%w: %s: parameter \"cdc_wait\" must be a positive duration", connectors.ErrInvalidConfig, Name)
	}

	dsn, err := s.connString(get)
	if err != nil {
		return nil, err
	}
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: parameter %q: %s", connectors.ErrInvalidConfig, Name, dsnParam(cfg), s.scrub(err.Error()))
	}
	if pw := pcfg.ConnConfig.Password; pw != "" {
		s.secrets = append(s.secrets, pw)
	}
	if s.slot, err = slotPrefix(get("slot"), pcfg.ConnConfig, s.schema); err != nil {
		return nil, err
	}
	s.connCfg = pcfg.ConnConfig.Config.Copy()
	pcfg.MaxConns = int32(min(maxConns, 1<<20))
	pcfg.ConnConfig.RuntimeParams["application_name"] = "autonomos-pgsource"
	s.pool, err = pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s", connectors.ErrInvalidConfig, Name, s.scrub(err.Error()))
	}
	return s, nil
}

func dsnParam(cfg connectors.Config) string {
	if cfg["url"] != "" {
		return "url"
	}
	return "host"
}

func positive(get func(string) string, name string) (int, error) {
	n, err := strconv.Atoi(get(name))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%w: %s: parameter %q must be a positive integer", connectors.ErrInvalidConfig, Name, name)
	}
	return n, nil
}

// connString builds the connection string from url or the discrete
// parameters.
func (s *Source) connString(get func(string) string) (string, error) {
	if u := get("url"); u != "" {
		if get("host") != "" || get("user") != "" || get("password") != "" || get("database") != "" {
			return "", fmt.Errorf("%w: %s: set either parameter \"url\" or host/user/password/database, not both", connectors.ErrInvalidConfig, Name)
		}
		return u, nil
	}
	host := get("host")
	if host == "" {
		return "", fmt.Errorf("%w: %s: parameter \"url\" or \"host\" is required", connectors.ErrInvalidConfig, Name)
	}
	if get("database") == "" {
		return "", fmt.Errorf("%w: %s: parameter \"database\" is required with \"host\"", connectors.ErrInvalidConfig, Name)
	}
	u := url.URL{Scheme: "postgres", Host: net.JoinHostPort(host, get("port")), Path: "/" + get("database")}
	switch user, pw := get("user"), get("password"); {
	case user != "" && pw != "":
		u.User = url.UserPassword(user, pw)
	case user != "":
		u.User = url.User(user)
	case pw != "":
		return "", fmt.Errorf("%w: %s: parameter \"password\" needs \"user\"", connectors.ErrInvalidConfig, Name)
	}
	u.RawQuery = url.Values{"sslmode": {get("sslmode")}}.Encode()
	return u.String(), nil
}

// Spec returns the connector's spec (see the package-level Spec).
func (s *Source) Spec() connectors.Spec { return Spec() }

// Check connects to the server and verifies that the schema and every
// configured table exist, and for mode=cdc that the server runs with
// wal_level = logical and the role may replicate. A refused role or password wraps
// connectors.ErrUnauthorized; an unknown database, schema or table wraps
// connectors.ErrInvalidConfig.
func (s *Source) Check(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return s.interpret(ctx, "connect", err)
	}
	defer conn.Release()
	var exists bool
	if err := conn.QueryRow(ctx, sqlSchemaExists, s.schema).Scan(&exists); err != nil {
		return s.interpret(ctx, "check schema", err)
	}
	if !exists {
		return fmt.Errorf("%w: %s: schema %q does not exist", connectors.ErrInvalidConfig, Name, s.schema)
	}
	if len(s.tables) > 0 {
		var missing []string
		if err := conn.QueryRow(ctx, sqlMissingTables, s.schema, s.tables).Scan(&missing); err != nil {
			return s.interpret(ctx, "check tables", err)
		}
		if len(missing) > 0 {
			return fmt.Errorf("%w: %s: schema %q has no table %q", connectors.ErrInvalidConfig, Name, s.schema, missing[0])
		}
	}
	if s.mode == modeCDC {
		var level string
		var replication bool
		if err := conn.QueryRow(ctx, `SELECT current_setting('wal_level'), rolreplication OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user`).Scan(&level, &replication); err != nil {
			return s.interpret(ctx, "check replication", err)
		}
		if level != "logical" {
			return fmt.Errorf("%w: %s: mode=cdc needs the server's wal_level = logical, it is %q", connectors.ErrInvalidConfig, Name, level)
		}
		if !replication {
			return fmt.Errorf("%w: %s: mode=cdc needs a role with the REPLICATION attribute", connectors.ErrUnauthorized, Name)
		}
	}
	return nil
}

// Close closes the connection pool. It is safe to call more than once.
func (s *Source) Close() error {
	s.pool.Close()
	return nil
}

// interpret translates a pgx error into the connectors' sentinel errors,
// with the password removed from the message.
func (s *Source) interpret(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %s: %w", Name, op, ctxErr)
	}
	msg := s.scrub(err.Error())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return fmt.Errorf("%w: %s: %s: %s", connectors.ErrUnauthorized, Name, op, msg)
		case "3D000": // invalid_catalog_name: no such database
			return fmt.Errorf("%w: %s: %s: %s", connectors.ErrInvalidConfig, Name, op, msg)
		case "42P01": // undefined_table
			return fmt.Errorf("%w: %s: %s: %s", connectors.ErrNotFound, Name, op, msg)
		case "42501": // insufficient_privilege
			return fmt.Errorf("%w: %s: %s: %s", connectors.ErrUnauthorized, Name, op, msg)
		}
	}
	return fmt.Errorf("%s: %s: %s", Name, op, msg)
}

func (s *Source) scrub(msg string) string {
	for _, sec := range s.secrets {
		if sec != "" {
			msg = strings.ReplaceAll(msg, sec, "xxxxx")
			msg = strings.ReplaceAll(msg, url.QueryEscape(sec), "xxxxx")
			msg = strings.ReplaceAll(msg, url.PathEscape(sec), "xxxxx")
		}
	}
	return msg
}

func (s *Source) wanted(table string) bool {
	if s.tables == nil {
		return true
	}
	for _, t := range s.tables {
		if t == table {
			return true
		}
	}
	return false
}
