package mongosource

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/autonomos/autonomos/connectors"
)

// Name is the connector type's registry name.
const Name = "mongosource"

// Version is the connector's own version.
const Version = "1.0.0"

// System is the SourceSchema.System of every object this connector
// discovers.
const System = "mongodb"

// Spec describes the mongosource connector and its configuration
// parameters.
func Spec() connectors.Spec {
	return connectors.Spec{
		Name:         Name,
		Version:      Version,
		Description:  "Reads the collections of a MongoDB database in _id order, incrementally on a configured field.",
		ChangeModels: []connectors.ChangeModel{connectors.ChangeSnapshot},
		Params: []connectors.Param{
			{Name: "uri", Type: connectors.ParamString, Required: true, Secret: true, Description: "MongoDB connection string (mongodb:// or mongodb+srv://)"},
			{Name: "database", Type: connectors.ParamString, Required: true, Description: "database whose collections are read"},
			{Name: "collections", Type: connectors.ParamString, Description: "comma-separated collection names; every collection when empty"},
			{Name: "cursor_field", Type: connectors.ParamString, Description: "field (dotted path allowed) a pass is read in order of, e.g. updatedAt; every sync still reads the collection in full"},
			{Name: "sample_size", Type: connectors.ParamInt, Default: "100", Description: "documents sampled per collection by Discover"},
			{Name: "batch_size", Type: connectors.ParamInt, Default: "1000", Description: "documents fetched per round trip"},
			{Name: "connect_timeout", Type: connectors.ParamDuration, Default: "10s", Description: "how long to wait for a reachable server"},
		},
	}
}

// Register adds the mongosource connector type to reg. It fails if the
// name is already registered.
func Register(reg *connectors.Registry) error {
	return reg.Register(Spec(), func(cfg connectors.Config) (connectors.Connector, error) {
		return New(cfg)
	})
}

// Source reads the collections of one MongoDB database. A Source is safe
// for concurrent use.
type Source struct {
	connectors.UnimplementedConnector

	client      *mongo.Client
	db          *mongo.Database
	database    string
	collections []string // nil means all
	cursorField string
	sampleSize  int
	batchSize   int
	secrets     []string
}

var _ connectors.Connector = (*Source)(nil)

// New validates cfg against Spec and returns a Source. The driver connects
// in the background; use Check to verify the server and credentials. The
// error wraps connectors.ErrInvalidConfig and never contains the URI's
// password.
func New(cfg connectors.Config) (*Source, error) {
	spec := Spec()
	if err := spec.ValidateConfig(cfg); err != nil {
		return nil, err
	}
	get := func(name string) string { return spec.Get(cfg, name) }
	s := &Source{database: get("database"), cursorField: strings.TrimSpace(get("cursor_field"))}
	uri := get("uri")
	s.secrets = uriSecrets(uri)
	if err := checkName("database", s.database); err != nil {
		return nil, err
	}
	if c := strings.TrimSpace(get("collections")); c != "" {
		for _, name := range strings.Split(c, ",") {
			if name = strings.TrimSpace(name); name != "" {
				s.collections = append(s.collections, name)
			}
		}
	}
	if s.cursorField == "_id" {
		s.cursorField = ""
	}
	if s.cursorField != "" && (strings.HasPrefix(s.cursorField, "$") || strings.Contains(s.cursorField, "..") ||
		strings.HasPrefix(s.cursorField, ".") || strings.HasSuffix(s.cursorField, ".")) {
		return nil, fmt.Errorf("%w: %s: parameter \"cursor_field\" = %q is not a field path", connectors.ErrInvalidConfig, Name, s.cursorField)
	}
	var err error
	if s.sampleSize, err = positive(get, "sample_size"); err != nil {
		return nil, err
	}
	if s.batchSize, err = positive(get, "batch_size"); err != nil {
		return nil, err
	}
	timeout, err := time.ParseDuration(get("connect_timeout"))
	if err != nil || timeout <= 0 {
		return nil, fmt.Errorf("%w: %s: parameter \"connect_timeout\" must be positive", connectors.ErrInvalidConfig, Name)
	}
	opts := options.Client().ApplyURI(uri).
		SetServerSelectionTimeout(timeout).
		SetConnectTimeout(timeout).
		SetAppName("autonomos-mongosource")
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %s: parameter \"uri\": %s", connectors.ErrInvalidConfig, Name, s.scrub(err.Error()))
	}
	s.client, err = mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: parameter \"uri\": %s", connectors.ErrInvalidConfig, Name, s.scrub(err.Error()))
	}
	s.db = s.client.Database(s.database)
	return s, nil
}

func positive(get func(string) string, name string) (int, error) {
	n, err := strconv.Atoi(get(name))
	if err != nil || n <= 0 || n > 1<<30 {
		return 0, fmt.Errorf("%w: %s: parameter %q must be a positive integer", connectors.ErrInvalidConfig, Name, name)
	}
	return n, nil
}

func checkName(param, name string) error {
	if name == "" || strings.ContainsAny(name, "/\\. \"$\x00") {
		return fmt.Errorf("%w: %s: parameter %q = %q is not a database name", connectors.ErrInvalidConfig, Name, param, name)
	}
	return nil
}

// uriSecrets returns the password of a connection string, in the forms it
// may show up in messages.
func uriSecrets(uri string) []string {
	u, err := url.Parse(uri)
	if err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			return []string{p, url.QueryEscape(p), url.PathEscape(p)}
		}
	}
	// Unparseable: scrub whatever sits between "://user:" and "@".
	if i := strings.Index(uri, "://"); i >= 0 {
		rest := uri[i+3:]
		if at := strings.LastIndex(rest, "@"); at > 0 {
			if c := strings.Index(rest[:at], ":"); c >= 0 && c+1 < at {
				return []string{rest[c+1 : at]}
			}
		}
	}
	return nil
}

// Spec returns the connector's spec (see the package-level Spec).
func (s *Source) Spec() connectors.Spec { return Spec() }

// Check pings the server, lists the database's collections and verifies
// that every configured collection exists. Refused credentials wrap
// connectors.ErrUnauthorized; a missing collection wraps
// connectors.ErrInvalidConfig.
func (s *Source) Check(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.PrimaryPreferred()); err != nil {
		return s.interpret(ctx, "ping", err)
	}
	names, err := s.listCollections(ctx)
	if err != nil {
		return err
	}
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[n] = true
	}
	for _, want := range s.collections {
		if !have[want] {
			return fmt.Errorf("%w: %s: database %q has no collection %q", connectors.ErrInvalidConfig, Name, s.database, want)
		}
	}
	return nil
}

// listCollections returns the names of the database's collections, system
// collections and views left out, sorted.
func (s *Source) listCollections(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{{Key: "type", Value: "collection"}})
	if err != nil {
		return nil, s.interpret(ctx, "list collections", err)
	}
	out := names[:0]
	for _, n := range names {
		if !strings.HasPrefix(n, "system.") {
			out = append(out, n)
		}
	}
	sortStrings(out)
	return out, nil
}

// Close disconnects the driver client. It is safe to call more than once.
func (s *Source) Close() error {
	// Disconnect needs a context to bound its wait for in-use connections;
	// Close has none, so the wait is bounded here.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.client.Disconnect(ctx)
	if err != nil && !errors.Is(err, mongo.ErrClientDisconnected) {
		return fmt.Errorf("%s: close: %s", Name, s.scrub(err.Error()))
	}
	return nil
}

// interpret translates a driver error into the connectors' sentinel
// errors, with the password removed from the message.
func (s *Source) interpret(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %s: %w", Name, op, ctxErr)
	}
	msg := s.scrub(err.Error())
	var se mongo.ServerError
	if errors.As(err, &se) {
		switch {
		case se.HasErrorCode(18), se.HasErrorCode(13): // AuthenticationFailed, Unauthorized
			return fmt.Errorf("%w: %s: %s: %s", connectors.ErrUnauthorized, Name, op, msg)
		case se.HasErrorCode(26): // NamespaceNotFound
			return fmt.Errorf("%w: %s: %s: %s", connectors.ErrNotFound, Name, op, msg)
		}
	}
	if strings.Contains(msg, "auth error") || strings.Contains(msg, "AuthenticationFailed") {
		return fmt.Errorf("%w: %s: %s: %s", connectors.ErrUnauthorized, Name, op, msg)
	}
	return fmt.Errorf("%s: %s: %s", Name, op, msg)
}

func (s *Source) scrub(msg string) string {
	for _, sec := range s.secrets {
		if sec != "" {
			msg = strings.ReplaceAll(msg, sec, "xxxxx")
		}
	}
	return msg
}

func (s *Source) wanted(coll string) bool {
	if s.collections == nil {
		return true
	}
	for _, c := range s.collections {
		if c == coll {
			return true
		}
	}
	return false
}
