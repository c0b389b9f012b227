package salesforce

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/autonomos/autonomos/connectors"
)

// queryResult is one page of a SOQL query.
type queryResult struct {
	TotalSize      int               `json:"totalSize"`
	Done           bool              `json:"done"`
	NextRecordsURL string            `json:"nextRecordsUrl"`
	Records        []json.RawMessage `json:"records"`
}

// position is the decoded form of a Cursor.
type position struct {
	Object         string `json:"object"`
	SystemModstamp string `json:"systemModstamp,omitempty"`
	ID             string `json:"id"`
}

// idRE matches 15- and 18-character Salesforce IDs; cursor IDs are checked
// with it before they go into SOQL text.
var idRE = regexp.MustCompile(`^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$`)

const maxCursorBytes = 4096

// soqlTime is the SOQL datetime literal form.
const soqlTime = "2006-01-02T15:04:05Z" // SystemModstamp has second precision

func (p position) encode() connectors.Cursor {
	b, _ := json.Marshal(p) // strings only: cannot fail
	return connectors.Cursor(b)
}

// decodeCursor parses a cursor made by encode, checking every value that
// goes into SOQL. The error wraps connectors.ErrInvalidCursor.
func decodeCursor(c connectors.Cursor) (position, time.Time, error) {
	var p position
	bad := func(why string) (position, time.Time, error) {
		return position{}, time.Time{}, fmt.Errorf("%w: %s: %s", connectors.ErrInvalidCursor, Name, why)
	}
	if len(c) > maxCursorBytes {
		return bad("cursor too long")
	}
	dec := json.NewDecoder(strings.NewReader(string(c)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return bad("cursor is not a salesforce cursor: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("cursor has trailing data")
	}
	if !identRE.MatchString(p.Object) {
		return bad("cursor names no sObject")
	}
	if !idRE.MatchString(p.ID) {
		return bad("cursor id is not a Salesforce ID")
	}
	var ts time.Time
	if p.SystemModstamp != "" {
		t, err := time.Parse(time.RFC3339Nano, p.SystemModstamp)
		if err != nil {
			return bad("cursor systemModstamp is not an RFC 3339 time")
		}
		ts = t.UTC()
	}
	return p, ts, nil
}

// Read emits the records of sObject req.Object after req.Cursor, in
// (SystemModstamp, Id) order, or Id order for objects without
// SystemModstamp. From a cursor, records deleted since it (still in the
// recycle bin) are emitted with Deleted set. A record that cannot be
// decoded is emitted with Err set.
// An unknown object wraps connectors.ErrNotFound; a cursor made for another
// object or unparseable wraps connectors.ErrInvalidCursor. Read returns
// ctx.Err() when ctx is cancelled and the error of emit when emit fails.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.wanted(req.Object) {
		return fmt.Errorf("%w: %s: sObject %q is not among the configured objects", connectors.ErrNotFound, Name, req.Object)
	}
	var (
		pos    *position
		cursor time.Time
	)
	if req.Cursor != "" {
		p, t, err := decodeCursor(req.Cursor)
		if err != nil {
			return err
		}
		if p.Object != req.Object {
			return fmt.Errorf("%w: %s: cursor is for sObject %q, not %q", connectors.ErrInvalidCursor, Name, p.Object, req.Object)
		}
		pos, cursor = &p, t
	}
	d, err := s.describe(ctx, req.Object)
	if err != nil {
		return err
	}
	fields := queryFields(d)
	if !hasField(fields, "Id") {
		return fmt.Errorf("%w: %s: sObject %q has no Id field to read in order", connectors.ErrInvalidConfig, Name, req.Object)
	}
	incremental := hasField(fields, "SystemModstamp")
	if pos != nil && incremental != (pos.SystemModstamp != "") {
		return fmt.Errorf("%w: %s: cursor does not match how sObject %q is read (start over with an empty cursor)", connectors.ErrInvalidCursor, Name, req.Object)
	}

	// A read from a cursor uses queryAll, which also returns the records
	// deleted since (IsDeleted, still in the recycle bin): they become
	// Deleted records. A read from the start wants the live records only.
	withDeletes := incremental && pos != nil && hasField(fields, "IsDeleted")
	soql := buildQuery(req.Object, fields, incremental, pos, cursor, incremental && pos == nil && hasField(fields, "IsDeleted"))
	resource := "/query"
	if withDeletes {
		resource = "/queryAll"
	}
	path, query := s.apiPath(resource), url.Values{"q": {soql}}
	last := req.Cursor
	for {
		var page queryResult
		if err := s.get(ctx, path, query, &page); err != nil {
			return fmt.Errorf("sObject %q: %w", req.Object, err)
		}
		for i, raw := range page.Records {
			if err := ctx.Err(); err != nil {
				return err
			}
			rec := s.record(req.Object, raw, fields, incremental, last, i)
			last = rec.Cursor
			if err := emit(rec); err != nil {
				return err
			}
		}
		if page.Done || page.NextRecordsURL == "" {
			return nil
		}
		next, err := s.nextPath(page.NextRecordsURL)
		if err != nil {
			return err
		}
		path, query = next, nil
	}
}

// nextPath checks that a nextRecordsUrl is a path under the API, so a
// malicious answer cannot send the token elsewhere.
func (s *Source) nextPath(next string) (string, error) {
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/services/data/") {
		return "", fmt.Errorf("%s: the API answered with an unusable nextRecordsUrl %q", Name, next)
	}
	return u.RequestURI(), nil
}

// buildQuery writes the SOQL of a read. Names were checked against identRE
// and cursor values against idRE and time.Parse, so nothing untrusted
// reaches the text unchecked.
func buildQuery(object string, fields []fieldInfo, incremental bool, pos *position, cursor time.Time, liveOnly bool) string {
	var b strings.Builder
	b.WriteString("SELECT " + fieldList(fields) + " FROM " + object)
	if incremental {
		if pos != nil {
			ts := cursor.Format(soqlTime)
			fmt.Fprintf(&b, " WHERE SystemModstamp > %s OR (SystemModstamp = %s AND Id > '%s')", ts, ts, pos.ID)
		} else if liveOnly {
			b.WriteString(" WHERE IsDeleted = false")
		}
		b.WriteString(" ORDER BY SystemModstamp, Id")
	} else {
		if pos != nil {
			fmt.Fprintf(&b, " WHERE Id > '%s'", pos.ID)
		}
		b.WriteString(" ORDER BY Id")
	}
	return b.String()
}

// record decodes one query record. A record that cannot be decoded keeps
// the previous cursor, so resuming from it reads the record again.
func (s *Source) record(object string, raw json.RawMessage, fields []fieldInfo, incremental bool, prev connectors.Cursor, i int) connectors.Record {
	fail := func(id, why string) connectors.Record {
		loc := object + ":" + id
		if id == "" {
			loc = fmt.Sprintf("%s:record %d of page", object, i+1)
		}
		r := string(raw)
		if len(r) > 64<<10 {
			r = r[:64<<10]
		}
		return connectors.Record{ID: id, Cursor: prev, Err: &connectors.RecordError{Location: loc, Reason: why, Raw: r}}
	}
	m, err := decodeRecord(bytes.Clone(raw), fields)
	if err != nil {
		return fail("", err.Error())
	}
	id, _ := m["Id"].(string)
	if !idRE.MatchString(id) {
		return fail("", "record has no valid Id")
	}
	p := position{Object: object, ID: id}
	if incremental {
		ts, ok := m["SystemModstamp"].(time.Time)
		if !ok {
			return fail(id, "record has no SystemModstamp")
		}
		p.SystemModstamp = ts.Format(time.RFC3339Nano)
	}
	if deleted, _ := m["IsDeleted"].(bool); deleted {
		return connectors.Record{ID: id, Deleted: true, Cursor: p.encode()}
	}
	return connectors.Record{ID: id, Fields: m, Cursor: p.encode()}
}
