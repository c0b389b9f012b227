package connectors

import (
	"context"
	"errors"
	"fmt"

	"github.com/autonomos/autonomos/canonical"
)

// Connector reads records from one configured source system. It is the
// public extension point that built-in connectors and third-party plugins
// implement; embed UnimplementedConnector so later additions to the interface
// do not break an implementation.
//
// A Connector is configured when it is made (see Factory) and must be safe for
// use by one goroutine at a time per method call; Discover and Read may be
// called concurrently with each other only if Spec says so (built-in
// connectors allow it).
type Connector interface {
	// Spec describes the connector: name, version and configuration
	// parameters.
	Spec() Spec
	// Check verifies the configuration against the source (reachable,
	// credentials accepted). It returns an error wrapping ErrInvalidConfig or
	// ErrUnauthorized where that is the cause.
	Check(ctx context.Context) error
	// Discover lists the source's objects with their schemas.
	Discover(ctx context.Context) (*Catalog, error)
	// Read streams the records of one object, starting after req.Cursor,
	// calling emit once per record in order. A record that cannot be read
	// (a malformed row) is emitted with Err set and the read goes on. If emit
	// returns an error, Read stops and returns it. Read returns ctx.Err()
	// promptly when ctx is cancelled.
	Read(ctx context.Context, req ReadRequest, emit func(Record) error) error
	// Close releases the connector's resources. It is safe to call more than
	// once.
	Close() error
}

// Spec describes a connector type.
type Spec struct {
	// Name is the connector type's registry name, e.g. "filesource".
	Name string `json:"name"`
	// Version is the connector's own version (semver).
	Version string `json:"version"`
	// Description says in one line what the connector reads.
	Description string `json:"description,omitempty"`
	// Params lists the configuration parameters.
	Params []Param `json:"params"`
	// ChangeModels lists the change models the connector can read with
	// (see ChangeModel); the one an object is read with is in its
	// Object.ChangeModel. Empty means ChangeSnapshot only.
	ChangeModels []ChangeModel `json:"change_models,omitempty"`
}

// ParamType is the type of a configuration value. All values travel as
// strings in Config; the type says how they are parsed.
type ParamType string

// Configuration parameter types.
const (
	ParamString   ParamType = "string"
	ParamInt      ParamType = "int"
	ParamBool     ParamType = "bool"
	ParamDuration ParamType = "duration"
	ParamURL      ParamType = "url"
)

// Param describes one configuration parameter.
type Param struct {
	Name     string    `json:"name"`
	Type     ParamType `json:"type"`
	Required bool      `json:"required,omitempty"`
	// Secret marks values that must be encrypted at rest and never logged or
	// returned by reads (passwords, tokens, keys).
	Secret bool `json:"secret,omitempty"`
	// ConnectionUnique marks a value that must differ between connections
	// (a replication slot name): when a connection is created without it,
	// the platform sets it to "aos_" and the first 12 hex digits of the
	// connection's id.
	ConnectionUnique bool   `json:"connection_unique,omitempty"`
	Default          string `json:"default,omitempty"`
	Description      string `json:"description,omitempty"`
}

// Config is a connector's configuration: parameter name to value.
type Config map[string]string

// Catalog is what Discover returns: the source's objects.
type Catalog struct {
	Objects []Object `json:"objects"`
	// Skipped lists what the source found but cannot offer as an object
	// (an unreadable or empty file), with why; optional.
	Skipped []Skipped `json:"skipped,omitempty"`
}

// Skipped is a part of a source Discover left out, and why.
type Skipped struct {
	// File names it (a file name, table or API object).
	File string `json:"file"`
	// Reason says why, e.g. "empty file" or "not JSON records".
	Reason string `json:"reason"`
}

// Object returns the catalog object with the given name.
func (c *Catalog) Object(name string) (Object, bool) {
	for _, o := range c.Objects {
		if o.Schema.Object == name {
			return o, true
		}
	}
	return Object{}, false
}

// Object is one readable object of a source.
type Object struct {
	// Schema names the object and describes its fields, with up to
	// canonical.MaxSamples sample values per field.
	Schema canonical.SourceSchema `json:"schema"`
	// PrimaryKey lists the fields that identify a record, if the source
	// has one.
	PrimaryKey []string `json:"primary_key,omitempty"`
	// CursorField names the field incremental reads follow (an updated-at
	// like column), if any.
	CursorField string `json:"cursor_field,omitempty"`
	// ChangeModel is how reads of this object reflect source changes under
	// the connection's configuration; empty means ChangeSnapshot.
	ChangeModel ChangeModel `json:"change_model,omitempty"`
}

// Cursor is an opaque, connector-defined resume position. The empty cursor
// means "from the start". Cursors are stored by the platform between reads and
// must stay valid across connector restarts.
type Cursor string

// ReadRequest asks for the records of one object.
type ReadRequest struct {
	// Object is the name of the object to read (Object.Schema.Object).
	Object string
	// Cursor is where to resume: records at or before it are not emitted.
	Cursor Cursor
}

// Record is one record read from a source.
type Record struct {
	// ID is the record's identity in the source (its primary key value, or
	// a stable position such as a file line when the source has no key).
	ID string `json:"id"`
	// Fields holds the record's values, as the source types them; nested
	// objects are kept as map[string]any.
	Fields map[string]any `json:"fields,omitempty"`
	// Cursor is the position just after this record: reading again from it
	// continues with the next record.
	Cursor Cursor `json:"cursor"`
	// Err is set when this record could not be read; Fields is then nil.
	Err *RecordError `json:"error,omitempty"`
	// Deleted is true when the record was deleted at the source (a CDC
	// delete, a Salesforce IsDeleted row). ID identifies it; Fields may be
	// nil or hold only the key.
	Deleted bool `json:"deleted,omitempty"`
}

// RecordError describes a record that could not be read. The read goes on.
type RecordError struct {
	// Location says where the record is, e.g. "accounts.csv:17".
	Location string `json:"location"`
	// Reason says why it could not be read.
	Reason string `json:"reason"`
	// Raw is the raw record text, when there is one (truncated to 64 KiB).
	Raw string `json:"raw,omitempty"`
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("connectors: record at %s: %s", e.Location, e.Reason)
}

// Errors returned by connectors; test with errors.Is.
var (
	// ErrInvalidConfig: the configuration is missing a value or has a wrong
	// one.
	ErrInvalidConfig = errors.New("connectors: invalid configuration")
	// ErrUnauthorized: the source refused the credentials.
	ErrUnauthorized = errors.New("connectors: unauthorized")
	// ErrNotFound: the object, or the connector type, does not exist.
	ErrNotFound = errors.New("connectors: not found")
	// ErrInvalidCursor: the cursor was not made by this connector for this
	// object.
	ErrInvalidCursor = errors.New("connectors: invalid cursor")
	// ErrUnimplemented: the connector does not implement the method.
	ErrUnimplemented = errors.New("connectors: not implemented")
)
