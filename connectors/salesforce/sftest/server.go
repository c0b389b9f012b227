package sftest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. The zero value is usable.
type Options struct {
	// ClientID and ClientSecret are the connected app's credentials.
	// Defaults: "test-client-id" and "test-client-secret".
	ClientID, ClientSecret string
	// RefreshToken is the refresh token the server accepts. Default:
	// "test-refresh-token".
	RefreshToken string
	// PageSize is the number of records per query page. Default: 2000, as
	// Salesforce.
	PageSize int
	// Start is the SystemModstamp of the first write. Default:
	// 2024-01-01T00:00:00Z.
	Start time.Time
	// Step is how far the clock moves after each write. Default: 1s.
	Step time.Duration
}

// Field describes one field of an sObject, as describe reports it.
type Field struct {
	Name string
	// Type is a describe field type: id, string, double, currency, percent,
	// int, boolean, date, datetime, picklist, reference, email, phone, url,
	// textarea, base64...
	Type     string
	Nillable bool
}

// Stats counts the requests a Server has answered.
type Stats struct {
	// TokenRequests counts token endpoint calls, successful or not.
	TokenRequests int
	// APIRequests counts REST calls under /services/data, including refused
	// ones.
	APIRequests int
	// Queries counts query calls (first pages and nextRecordsUrl pages).
	Queries int
}

// Server is a fake Salesforce org on an httptest server.
type Server struct {
	// URL is the server's base URL: both login URL and instance URL.
	URL string

	srv  *httptest.Server
	opts Options

	mu         sync.Mutex
	objects    map[string]*sobject
	order      []string
	tokens     map[string]bool
	refreshOK  bool
	clock      time.Time
	seq        int
	locators   map[string][]map[string]any
	failures   []failure
	stats      Stats
	instanceID string
}

type sobject struct {
	name    string
	prefix  string
	fields  []Field
	types   map[string]string
	records []map[string]any
}

type failure struct {
	path          string // substring of the paths it applies to
	status        int
	code, message string
}

// New starts a Server. The caller must Close it.
func New(opts *Options) *Server {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.ClientID == "" {
		o.ClientID = "test-client-id"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "test-client-secret"
	}
	if o.RefreshToken == "" {
		o.RefreshToken = "test-refresh-token"
	}
	if o.PageSize <= 0 {
		o.PageSize = 2000
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	if o.Step <= 0 {
		o.Step = time.Second
	}
	s := &Server{
		opts:      o,
		objects:   map[string]*sobject{},
		tokens:    map[string]bool{},
		refreshOK: true,
		clock:     o.Start.UTC(),
		locators:  map[string][]map[string]any{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /services/oauth2/token", s.token)
	mux.HandleFunc("/services/data/", s.api)
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down. It is safe to call more than once.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Options returns the options in effect, defaults filled in.
func (s *Server) Options() Options { return s.opts }

// AddObject adds an sObject with the given fields plus the standard Id,
// IsDeleted, CreatedDate, LastModifiedDate and SystemModstamp fields
// (unless listed).
// It fails if the name is taken.
func (s *Server) AddObject(name string, fields ...Field) error {
	return s.addObject(name, true, fields)
}

// AddObjectWithoutModstamp adds an sObject with Id and the given fields
// only, like the few sObjects that have no SystemModstamp. It fails if the
// name is taken.
func (s *Server) AddObjectWithoutModstamp(name string, fields ...Field) error {
	return s.addObject(name, false, fields)
}

func (s *Server) addObject(name string, stamps bool, fields []Field) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.objects[name]; dup {
		return fmt.Errorf("sftest: sObject %q added twice", name)
	}
	o := &sobject{name: name, types: map[string]string{}}
	o.prefix = fmt.Sprintf("a%02d", len(s.objects))
	switch name {
	case "Account":
		o.prefix = "001"
	case "Contact":
		o.prefix = "003"
	case "Opportunity":
		o.prefix = "006"
	}
	std := []Field{{Name: "Id", Type: "id"}}
	if stamps {
		std = append(std, Field{Name: "IsDeleted", Type: "boolean"}, Field{Name: "CreatedDate", Type: "datetime"}, Field{Name: "LastModifiedDate", Type: "datetime"}, Field{Name: "SystemModstamp", Type: "datetime"})
	}
	for _, f := range append(std, fields...) {
		if _, dup := o.types[f.Name]; dup {
			continue
		}
		o.types[f.Name] = f.Type
		o.fields = append(o.fields, f)
	}
	s.objects[name] = o
	s.order = append(s.order, name)
	return nil
}

// Insert adds a record and returns its Id. Values are Go values: string,
// float64, int, int64, bool, time.Time, or nil; date and datetime fields
// also take strings (2024-01-31, RFC 3339). CreatedDate, LastModifiedDate
// and SystemModstamp default to the server clock, which then moves on by
// Options.Step. It fails on an unknown sObject or field or a malformed
// date.
func (s *Server) Insert(object string, fields map[string]any) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(object)
	if err != nil {
		return "", err
	}
	s.seq++
	id := o.prefix + fmt.Sprintf("%012d", s.seq) + "AAA"
	rec := map[string]any{"Id": id}
	if _, ok := o.types["IsDeleted"]; ok {
		rec["IsDeleted"] = false
	}
	now := s.tick()
	for _, f := range []string{"CreatedDate", "LastModifiedDate", "SystemModstamp"} {
		if _, ok := o.types[f]; ok {
			rec[f] = now
		}
	}
	if err := s.set(o, rec, fields); err != nil {
		return "", err
	}
	o.records = append(o.records, rec)
	return id, nil
}

// Update changes fields of a record and stamps LastModifiedDate and
// SystemModstamp with the server clock (unless given). It fails on an
// unknown sObject, record or field.
func (s *Server) Update(object, id string, fields map[string]any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(object)
	if err != nil {
		return err
	}
	for _, rec := range o.records {
		if rec["Id"] == id {
			now := s.tick()
			for _, f := range []string{"LastModifiedDate", "SystemModstamp"} {
				if _, ok := o.types[f]; ok {
					rec[f] = now
				}
			}
			return s.set(o, rec, fields)
		}
	}
	return fmt.Errorf("sftest: sObject %q has no record %q", object, id)
}

// Delete moves a record to the recycle bin, as Salesforce does: IsDeleted
// becomes true and LastModifiedDate and SystemModstamp take the server
// clock. The query resource no longer returns it; queryAll does, until
// EmptyRecycleBin. It fails on an unknown sObject or record, on a record
// already deleted and on an sObject without IsDeleted.
func (s *Server) Delete(object, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(object)
	if err != nil {
		return err
	}
	if _, ok := o.types["IsDeleted"]; !ok {
		return fmt.Errorf("sftest: sObject %q has no IsDeleted field", object)
	}
	for _, rec := range o.records {
		if rec["Id"] == id && rec["IsDeleted"] != true {
			now := s.tick()
			rec["IsDeleted"] = true
			rec["LastModifiedDate"], rec["SystemModstamp"] = now, now
			return nil
		}
	}
	return fmt.Errorf("sftest: sObject %q has no live record %q", object, id)
}

// EmptyRecycleBin removes the deleted records for good: queryAll no longer
// returns them.
func (s *Server) EmptyRecycleBin() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.objects {
		live := o.records[:0]
		for _, rec := range o.records {
			if rec["IsDeleted"] != true {
				live = append(live, rec)
			}
		}
		o.records = live
	}
}

func (s *Server) tick() time.Time {
	now := s.clock
	s.clock = s.clock.Add(s.opts.Step)
	return now
}

func (s *Server) object(name string) (*sobject, error) {
	o, ok := s.objects[name]
	if !ok {
		return nil, fmt.Errorf("sftest: no sObject %q", name)
	}
	return o, nil
}

func (s *Server) set(o *sobject, rec, fields map[string]any) error {
	for k, v := range fields {
		ty, ok := o.types[k]
		if !ok {
			return fmt.Errorf("sftest: sObject %q has no field %q", o.name, k)
		}
		switch x := v.(type) {
		case int:
			v = int64(x)
		case string:
			switch ty {
			case "datetime":
				tm, err := time.Parse(time.RFC3339Nano, x)
				if err != nil {
					return fmt.Errorf("sftest: field %q: %v", k, err)
				}
				v = tm.UTC()
			case "date":
				tm, err := time.Parse(time.DateOnly, x)
				if err != nil {
					return fmt.Errorf("sftest: field %q: %v", k, err)
				}
				v = tm
			}
		case time.Time:
			v = x.UTC()
		}
		rec[k] = v
	}
	return nil
}

// ExpireTokens invalidates every access token issued so far, as a session
// timeout does: the next API call gets 401 INVALID_SESSION_ID.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]bool{}
}

// RevokeRefreshToken makes the refresh-token flow fail with invalid_grant
// from now on.
func (s *Server) RevokeRefreshToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshOK = false
}

// FailNext makes the next n API calls (not token calls) fail with the
// given status and error, e.g. 403 REQUEST_LIMIT_EXCEEDED.
func (s *Server) FailNext(n, status int, code, message string) {
	s.FailNextMatching("", n, status, code, message)
}

// FailNextMatching is FailNext for the API calls whose path contains
// substr only (all calls when substr is empty), e.g. "/query".
func (s *Server) FailNextMatching(substr string, n, status int, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, failure{substr, status, code, message})
	}
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, []map[string]any{{"message": message, "errorCode": code}})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.TokenRequests++
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "malformed form"})
		return
	}
	f := r.PostForm
	switch f.Get("grant_type") {
	case "client_credentials":
		if f.Get("client_id") != s.opts.ClientID || f.Get("client_secret") != s.opts.ClientSecret {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client", "error_description": "invalid client credentials"})
			return
		}
	case "refresh_token":
		if f.Get("client_id") != s.opts.ClientID {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client_id", "error_description": "client identifier invalid"})
			return
		}
		if f.Get("client_secret") != s.opts.ClientSecret {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_client", "error_description": "invalid client credentials"})
			return
		}
		if !s.refreshOK || f.Get("refresh_token") != s.opts.RefreshToken {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant", "error_description": "expired access/refresh token"})
			return
		}
	default:
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant type not supported"})
		return
	}
	tok := "00D000000000001!" + randomHex(24)
	s.tokens[tok] = true
	writeJSON(w, http.StatusOK, map[string]string{
		"access_token": tok,
		"instance_url": s.URL,
		"id":           s.URL + "/id/00D000000000001EAA/005000000000001AAA",
		"token_type":   "Bearer",
		"issued_at":    strconv.FormatInt(s.clock.UnixMilli(), 10),
		"signature":    base64.StdEncoding.EncodeToString([]byte(randomHex(16))),
	})
}

var versionRE = regexp.MustCompile(`^/services/data/(v[0-9]{2,3}\.[0-9])(/.*)?$`)

func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.APIRequests++
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") || !s.tokens[strings.TrimPrefix(auth, "Bearer ")] {
		apiError(w, http.StatusUnauthorized, "INVALID_SESSION_ID", "Session expired or invalid")
		return
	}
	m := versionRE.FindStringSubmatch(r.URL.Path)
	if m == nil || r.Method != http.MethodGet {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	version, rest := m[1], m[2]
	if strings.HasPrefix(rest, "/query") {
		s.stats.Queries++
	}
	for i, f := range s.failures {
		if strings.Contains(r.URL.Path, f.path) {
			s.failures = append(s.failures[:i:i], s.failures[i+1:]...)
			apiError(w, f.status, f.code, f.message)
			return
		}
	}
	switch {
	case rest == "/sobjects" || rest == "/sobjects/":
		s.listObjects(w, version)
	case strings.HasPrefix(rest, "/sobjects/") && strings.HasSuffix(rest, "/describe"):
		s.describe(w, strings.TrimSuffix(strings.TrimPrefix(rest, "/sobjects/"), "/describe"))
	case rest == "/query" || rest == "/query/":
		s.query(w, version, "query", r.URL.Query().Get("q"))
	case strings.HasPrefix(rest, "/query/"):
		s.nextPage(w, version, "query", strings.TrimPrefix(rest, "/query/"))
	case rest == "/queryAll" || rest == "/queryAll/":
		s.query(w, version, "queryAll", r.URL.Query().Get("q"))
	case strings.HasPrefix(rest, "/queryAll/"):
		s.nextPage(w, version, "queryAll", strings.TrimPrefix(rest, "/queryAll/"))
	default:
		apiError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
	}
}

func (s *Server) listObjects(w http.ResponseWriter, version string) {
	list := make([]map[string]any, 0, len(s.order))
	for _, name := range s.order {
		o := s.objects[name]
		list = append(list, map[string]any{
			"name": name, "label": name, "keyPrefix": o.prefix,
			"queryable": true, "retrieveable": true, "createable": true, "custom": strings.HasSuffix(name, "__c"),
			"deprecatedAndHidden": false,
			"urls":                map[string]string{"sobject": "/services/data/" + version + "/sobjects/" + name, "describe": "/services/data/" + version + "/sobjects/" + name + "/describe"},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list})
}

func (s *Server) describe(w http.ResponseWriter, name string) {
	o, ok := s.objects[name]
	if !ok {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "The requested resource does not exist")
		return
	}
	fields := make([]map[string]any, 0, len(o.fields))
	for _, f := range o.fields {
		fields = append(fields, map[string]any{
			"name": f.Name, "label": f.Name, "type": f.Type, "nillable": f.Nillable,
			"custom": strings.HasSuffix(f.Name, "__c"), "filterable": f.Type != "textarea", "sortable": f.Type != "textarea",
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"name": name, "label": name, "keyPrefix": o.prefix, "queryable": true, "fields": fields})
}

// query answers the query resource, or queryAll (resource "queryAll"),
// which also returns the records in the recycle bin (IsDeleted true).
func (s *Server) query(w http.ResponseWriter, version, resource, soql string) {
	q, err := ParseSOQL(soql)
	if err != nil {
		apiError(w, http.StatusBadRequest, "MALFORMED_QUERY", err.Error())
		return
	}
	o, ok := s.objects[q.Object]
	if !ok {
		apiError(w, http.StatusBadRequest, "INVALID_TYPE", fmt.Sprintf("sObject type '%s' is not supported.", q.Object))
		return
	}
	used := append(append([]string{}, q.Fields...), fieldsUsed(q.Where, nil)...)
	for _, ob := range q.OrderBy {
		used = append(used, ob.Field)
	}
	for _, f := range used {
		ty, ok := o.types[f]
		if !ok {
			apiError(w, http.StatusBadRequest, "INVALID_FIELD", fmt.Sprintf("No such column '%s' on entity '%s'.", f, o.name))
			return
		}
		if ty == "base64" && slicesContains(q.Fields, f) {
			apiError(w, http.StatusBadRequest, "MALFORMED_QUERY", "Binary field can only be selected in a query that returns one row")
			return
		}
	}
	var rows []map[string]any
	for _, rec := range o.records {
		if rec["IsDeleted"] == true && resource != "queryAll" {
			continue
		}
		if q.Where == nil || q.Where.eval(rec, o.types) {
			rows = append(rows, rec)
		}
	}
	if len(q.OrderBy) > 0 {
		sort.SliceStable(rows, func(i, j int) bool {
			for _, ob := range q.OrderBy {
				c := compareValues(rows[i][ob.Field], rows[j][ob.Field])
				if ob.Desc {
					c = -c
				}
				if c != 0 {
					return c < 0
				}
			}
			return false
		})
	}
	if q.Limit > 0 && len(rows) > q.Limit {
		rows = rows[:q.Limit]
	}
	out := make([]map[string]any, len(rows))
	for i, rec := range rows {
		out[i] = s.render(o, rec, q.Fields, version)
	}
	s.page(w, version, resource, out, len(out))
}

func slicesContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// page answers with the first page of rows and keeps the rest under a
// query locator, reached at .../{resource}/{locator}.
func (s *Server) page(w http.ResponseWriter, version, resource string, rows []map[string]any, total int) {
	n := min(len(rows), s.opts.PageSize)
	ans := map[string]any{"totalSize": total, "done": n == len(rows), "records": rows[:n]}
	if n < len(rows) {
		loc := "01g" + randomHex(6) + "-" + strconv.Itoa(n)
		s.locators[resource+"/"+loc] = rows[n:]
		ans["nextRecordsUrl"] = "/services/data/" + version + "/" + resource + "/" + loc
	}
	writeJSON(w, http.StatusOK, ans)
}

func (s *Server) nextPage(w http.ResponseWriter, version, resource, loc string) {
	rows, ok := s.locators[resource+"/"+loc]
	if !ok {
		apiError(w, http.StatusBadRequest, "INVALID_QUERY_LOCATOR", "invalid query locator")
		return
	}
	delete(s.locators, resource+"/"+loc)
	s.page(w, version, resource, rows, len(rows))
}

// render writes a record the way the REST API does.
func (s *Server) render(o *sobject, rec map[string]any, fields []string, version string) map[string]any {
	out := map[string]any{"attributes": map[string]string{"type": o.name, "url": "/services/data/" + version + "/sobjects/" + o.name + "/" + rec["Id"].(string)}}
	for _, f := range fields {
		v := rec[f]
		if t, ok := v.(time.Time); ok {
			if o.types[f] == "date" {
				v = t.Format(time.DateOnly)
			} else {
				v = t.UTC().Format("2006-01-02T15:04:05.000-0700")
			}
		}
		out[f] = v
	}
	return out
}
