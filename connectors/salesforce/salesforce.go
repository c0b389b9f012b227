package salesforce

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autonomos/autonomos/connectors"
)

// Name is the connector type's registry name.
const Name = "salesforce"

// Version is the connector's own version.
const Version = "1.0.0"

// System is the SourceSchema.System of every object this connector
// discovers.
const System = "salesforce"

// DefaultLoginURL is where tokens come from when neither login_url nor
// instance_url is set.
const DefaultLoginURL = "https://login.salesforce.com"

// Spec describes the salesforce connector and its configuration parameters.
func Spec() connectors.Spec {
	return connectors.Spec{
		Name:         Name,
		Version:      Version,
		Description:  "Reads Salesforce sObjects through the REST API with SOQL, incrementally on SystemModstamp.",
		ChangeModels: []connectors.ChangeModel{connectors.ChangeIncremental, connectors.ChangeSnapshot},
		Params: []connectors.Param{
			{Name: "instance_url", Type: connectors.ParamURL, Description: "the org's URL (https://MyDomain.my.salesforce.com); the token response's instance_url is used for API calls"},
			{Name: "login_url", Type: connectors.ParamURL, Description: "OAuth server; defaults to instance_url, then " + DefaultLoginURL},
			{Name: "client_id", Type: connectors.ParamString, Required: true, Description: "connected app consumer key"},
			{Name: "client_secret", Type: connectors.ParamString, Required: true, Secret: true, Description: "connected app consumer secret"},
			{Name: "refresh_token", Type: connectors.ParamString, Secret: true, Description: "OAuth refresh token; the client-credentials flow is used when empty"},
			{Name: "api_version", Type: connectors.ParamString, Default: "v60.0", Description: "REST API version, e.g. v60.0"},
			{Name: "objects", Type: connectors.ParamString, Description: "comma-separated sObject names to read; every queryable sObject when empty"},
			{Name: "max_retries", Type: connectors.ParamInt, Default: "5", Description: "retries of a call refused for API limits (REQUEST_LIMIT_EXCEEDED, 429, 503)"},
			{Name: "retry_base", Type: connectors.ParamDuration, Default: "1s", Description: "first back-off delay; doubles on each retry"},
			{Name: "timeout", Type: connectors.ParamDuration, Default: "60s", Description: "timeout of one HTTP request"},
		},
	}
}

// Register adds the salesforce connector type to reg. It fails if the name
// is already registered.
func Register(reg *connectors.Registry) error {
	return reg.Register(Spec(), func(cfg connectors.Config) (connectors.Connector, error) {
		return New(cfg)
	})
}

var apiVersionRE = regexp.MustCompile(`^v[0-9]{2,3}\.[0-9]$`)

// Source reads the sObjects of one Salesforce org. A Source is safe for
// concurrent use.
type Source struct {
	connectors.UnimplementedConnector

	tokenURL     string
	instanceURL  string // configured; the token's instance_url wins
	clientID     string
	clientSecret string
	refreshToken string
	apiVersion   string
	objects      []string // nil means all
	maxRetries   int
	retryBase    time.Duration
	transport    *http.Transport
	http         *http.Client

	mu     sync.Mutex
	tok    token
	epoch  int                    // incremented on every new token
	access atomic.Pointer[string] // the latest access token, for scrubbing
}

var _ connectors.Connector = (*Source)(nil)

// New validates cfg against Spec and returns a Source. No request is made;
// use Check to verify the credentials. The error wraps
// connectors.ErrInvalidConfig and never contains a secret.
func New(cfg connectors.Config) (*Source, error) {
	spec := Spec()
	if err := spec.ValidateConfig(cfg); err != nil {
		return nil, err
	}
	get := func(name string) string { return spec.Get(cfg, name) }
	s := &Source{
		instanceURL:  strings.TrimRight(get("instance_url"), "/"),
		clientID:     get("client_id"),
		clientSecret: get("client_secret"),
		refreshToken: get("refresh_token"),
		apiVersion:   get("api_version"),
	}
	login := strings.TrimRight(get("login_url"), "/")
	if login == "" {
		login = s.instanceURL
	}
	if login == "" {
		login = DefaultLoginURL
	}
	s.tokenURL = login + "/services/oauth2/token"
	if !apiVersionRE.MatchString(s.apiVersion) {
		return nil, fmt.Errorf("%w: %s: parameter \"api_version\" = %q: want the form v60.0", connectors.ErrInvalidConfig, Name, s.apiVersion)
	}
	if o := strings.TrimSpace(get("objects")); o != "" {
		for _, name := range strings.Split(o, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if !identRE.MatchString(name) {
				return nil, fmt.Errorf("%w: %s: parameter \"objects\": %q is not an sObject name", connectors.ErrInvalidConfig, Name, name)
			}
			s.objects = append(s.objects, name)
		}
	}
	var err error
	if s.maxRetries, err = strconv.Atoi(get("max_retries")); err != nil || s.maxRetries < 0 {
		return nil, fmt.Errorf("%w: %s: parameter \"max_retries\" must not be negative", connectors.ErrInvalidConfig, Name)
	}
	if s.retryBase, err = time.ParseDuration(get("retry_base")); err != nil || s.retryBase <= 0 {
		return nil, fmt.Errorf("%w: %s: parameter \"retry_base\" must be positive", connectors.ErrInvalidConfig, Name)
	}
	timeout, err := time.ParseDuration(get("timeout"))
	if err != nil || timeout <= 0 {
		return nil, fmt.Errorf("%w: %s: parameter \"timeout\" must be positive", connectors.ErrInvalidConfig, Name)
	}
	s.transport = http.DefaultTransport.(*http.Transport).Clone()
	s.http = &http.Client{Transport: s.transport, Timeout: timeout}
	return s, nil
}

// identRE matches sObject and field API names; names are checked before
// they go into SOQL text.
var identRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// Spec returns the connector's spec (see the package-level Spec).
func (s *Source) Spec() connectors.Spec { return Spec() }

// Check gets an access token and lists the org's sObjects, verifying that
// every configured object exists. Refused credentials wrap
// connectors.ErrUnauthorized; a configured object the org lacks wraps
// connectors.ErrInvalidConfig.
func (s *Source) Check(ctx context.Context) error {
	list, err := s.sobjects(ctx)
	if err != nil {
		return err
	}
	for _, want := range s.objects {
		if _, ok := list[want]; !ok {
			return fmt.Errorf("%w: %s: parameter \"objects\": the org has no queryable sObject %q", connectors.ErrInvalidConfig, Name, want)
		}
	}
	return nil
}

// Close releases idle connections. It is safe to call more than once.
func (s *Source) Close() error {
	s.transport.CloseIdleConnections()
	return nil
}

func (s *Source) wanted(object string) bool {
	if s.objects == nil {
		return true
	}
	for _, o := range s.objects {
		if o == object {
			return true
		}
	}
	return false
}
