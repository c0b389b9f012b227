package salesforce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/autonomos/autonomos/connectors"
)

// token is an OAuth access token and the instance it is valid for.
type token struct {
	access      string
	instanceURL string
}

// tokenResponse is the body of a successful token request.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	InstanceURL string `json:"instance_url"`
	TokenType   string `json:"token_type"`
	IssuedAt    string `json:"issued_at"`
	Signature   string `json:"signature"`
}

// oauthError is the body of a refused token request.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// APIError is one entry of the error array the REST API answers with.
type APIError struct {
	// Status is the HTTP status code.
	Status int `json:"-"`
	// Code is the errorCode, e.g. INVALID_SESSION_ID.
	Code string `json:"errorCode"`
	// Message is the API's message.
	Message string `json:"message"`
}

// Error returns "salesforce: HTTP <status> <code>: <message>".
func (e *APIError) Error() string {
	return fmt.Sprintf("%s: HTTP %d %s: %s", Name, e.Status, e.Code, e.Message)
}

// maxBody bounds the bytes read from one API answer.
const maxBody = 64 << 20

// currentToken returns the token, getting one if there is none, with the
// epoch it belongs to.
func (s *Source) currentToken(ctx context.Context) (token, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok.access != "" {
		return s.tok, s.epoch, nil
	}
	tok, err := s.fetchToken(ctx)
	if err != nil {
		return token{}, 0, err
	}
	s.tok = tok
	s.access.Store(&tok.access)
	s.epoch++
	return s.tok, s.epoch, nil
}

// renewToken drops the token of the given epoch, unless another call has
// already replaced it, and gets a new one.
func (s *Source) renewToken(ctx context.Context, epoch int) (token, int, error) {
	s.mu.Lock()
	if s.epoch == epoch {
		s.tok = token{}
	}
	s.mu.Unlock()
	return s.currentToken(ctx)
}

// fetchToken runs the OAuth flow: refresh token when configured, client
// credentials otherwise. Called with s.mu held.
func (s *Source) fetchToken(ctx context.Context) (token, error) {
	form := url.Values{"client_id": {s.clientID}, "client_secret": {s.clientSecret}}
	if s.refreshToken != "" {
		form.Set("grant_type", "refresh_token")
		form.Set("refresh_token", s.refreshToken)
	} else {
		form.Set("grant_type", "client_credentials")
	}
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.tokenURL, strings.NewReader(form.Encode()))
		if err != nil {
			return token{}, fmt.Errorf("%w: %s: token URL: %v", connectors.ErrInvalidConfig, Name, err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := s.http.Do(req)
		if err != nil {
			return token{}, s.transportError(ctx, "get access token", err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		_ = resp.Body.Close()
		if err != nil {
			return token{}, s.transportError(ctx, "get access token", err)
		}
		if retryable(resp.StatusCode) && attempt < s.maxRetries {
			if err := s.backoff(ctx, attempt); err != nil {
				return token{}, err
			}
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return token{}, s.tokenError(resp.StatusCode, body)
		}
		var tr tokenResponse
		if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
			return token{}, fmt.Errorf("%s: get access token: the token endpoint answered without an access token", Name)
		}
		inst := strings.TrimRight(tr.InstanceURL, "/")
		if inst == "" {
			inst = s.instanceURL
		}
		if u, err := url.Parse(inst); err != nil || u.Scheme == "" || u.Host == "" {
			return token{}, fmt.Errorf("%w: %s: get access token: no usable instance_url (set parameter \"instance_url\")", connectors.ErrInvalidConfig, Name)
		}
		return token{access: tr.AccessToken, instanceURL: inst}, nil
	}
}

func (s *Source) tokenError(status int, body []byte) error {
	var oe oauthError
	_ = json.Unmarshal(body, &oe)
	if oe.Error == "" {
		return fmt.Errorf("%s: get access token: HTTP %d: %s", Name, status, s.scrub(snippet(body)))
	}
	msg := fmt.Sprintf("%s: get access token: %s: %s", Name, oe.Error, s.scrub(oe.Description))
	switch oe.Error {
	case "invalid_client", "invalid_client_id", "invalid_grant", "unauthorized_client", "inactive_user", "inactive_org":
		return fmt.Errorf("%w: %s", connectors.ErrUnauthorized, msg)
	case "unsupported_grant_type", "invalid_request":
		return fmt.Errorf("%w: %s", connectors.ErrInvalidConfig, msg)
	}
	return errors.New(msg)
}

func snippet(b []byte) string {
	const n = 200
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable
}

// backoff sleeps before retry attempt+1: retryBase doubled per attempt,
// with up to 50% jitter, cut short by ctx.
func (s *Source) backoff(ctx context.Context, attempt int) error {
	d := s.retryBase << min(attempt, 20)
	d += time.Duration(rand.Int64N(int64(d)/2 + 1))
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// get calls the REST API at pathOrURL (a path under the instance URL,
// such as a nextRecordsUrl) and decodes the JSON answer into out. It
// renews the token once on INVALID_SESSION_ID and backs off on limit
// errors.
func (s *Source) get(ctx context.Context, path string, query url.Values, out any) error {
	tok, epoch, err := s.currentToken(ctx)
	if err != nil {
		return err
	}
	renewed := false
	for attempt := 0; ; attempt++ {
		u := tok.instanceURL + path
		if len(query) > 0 {
			u += "?" + query.Encode()
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return fmt.Errorf("%s: GET %s: %v", Name, path, err)
		}
		req.Header.Set("Authorization", "Bearer "+tok.access)
		req.Header.Set("Accept", "application/json")
		resp, err := s.http.Do(req)
		if err != nil {
			return s.transportError(ctx, "GET "+path, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		_ = resp.Body.Close()
		if err != nil {
			return s.transportError(ctx, "GET "+path, err)
		}
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal(body, out); err != nil {
				return fmt.Errorf("%s: GET %s: decode answer: %v", Name, path, err)
			}
			return nil
		}
		apiErr := s.apiError(resp.StatusCode, body)
		switch {
		case apiErr.Code == "INVALID_SESSION_ID" || (resp.StatusCode == http.StatusUnauthorized && apiErr.Code == ""):
			if renewed {
				return fmt.Errorf("%w: %s: GET %s: a new access token was refused too: %v", connectors.ErrUnauthorized, Name, path, apiErr)
			}
			renewed = true
			if tok, epoch, err = s.renewToken(ctx, epoch); err != nil {
				return err
			}
			continue
		case apiErr.Code == "REQUEST_LIMIT_EXCEEDED" || retryable(resp.StatusCode):
			if attempt >= s.maxRetries {
				return fmt.Errorf("%s: GET %s: gave up after %d retries: %w", Name, path, attempt, apiErr)
			}
			if err := s.backoff(ctx, attempt); err != nil {
				return err
			}
			continue
		case resp.StatusCode == http.StatusNotFound || apiErr.Code == "NOT_FOUND" || apiErr.Code == "INVALID_TYPE":
			return fmt.Errorf("%w: %s: GET %s: %v", connectors.ErrNotFound, Name, path, apiErr)
		case resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusUnauthorized:
			return fmt.Errorf("%w: %s: GET %s: %v", connectors.ErrUnauthorized, Name, path, apiErr)
		}
		return fmt.Errorf("%s: GET %s: %w", Name, path, apiErr)
	}
}

// apiError decodes the REST API's error array (or a lone error object).
func (s *Source) apiError(status int, body []byte) *APIError {
	var list []APIError
	if err := json.Unmarshal(body, &list); err == nil && len(list) > 0 {
		e := list[0]
		e.Status, e.Message = status, s.scrub(e.Message)
		return &e
	}
	var one APIError
	if err := json.Unmarshal(body, &one); err == nil && (one.Code != "" || one.Message != "") {
		one.Status, one.Message = status, s.scrub(one.Message)
		return &one
	}
	return &APIError{Status: status, Message: s.scrub(snippet(body))}
}

func (s *Source) transportError(ctx context.Context, op string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s: %s: %w", Name, op, ctxErr)
	}
	return fmt.Errorf("%s: %s: %s", Name, op, s.scrub(err.Error()))
}

// scrub removes secrets from text that came from the server or the
// transport.
func (s *Source) scrub(msg string) string {
	secrets := []string{s.clientSecret, s.refreshToken}
	if a := s.access.Load(); a != nil {
		secrets = append(secrets, *a)
	}
	for _, sec := range secrets {
		if len(sec) >= 4 {
			msg = strings.ReplaceAll(msg, sec, "xxxxx")
			msg = strings.ReplaceAll(msg, url.QueryEscape(sec), "xxxxx")
		}
	}
	return msg
}
