// Package salesforce is the connector for Salesforce orgs through the REST
// API: it discovers queryable sObjects with their fields (sobjects and
// sobjects/{name}/describe), samples values, and reads records with SOQL,
// following nextRecordsUrl from page to page.
//
// # Authentication
//
// The connector gets an access token from {login_url}/services/oauth2/token
// (login_url defaults to instance_url, then https://login.salesforce.com):
// with the refresh-token flow when refresh_token is set, else with the
// client-credentials flow (which Salesforce serves on the org's My Domain
// URL). The token response's instance_url is used for API calls. When the
// API answers 401 INVALID_SESSION_ID (an expired or revoked token), the
// connector gets a new token once and retries the call; a token endpoint
// refusing the credentials (invalid_client, invalid_grant) wraps
// connectors.ErrUnauthorized.
//
// # Limits
//
// 403 REQUEST_LIMIT_EXCEEDED, 429 and 503 answers are retried with
// exponential back-off (retry_base, doubling, with jitter) at most
// max_retries times, and never past the context's deadline.
//
// # Reads
//
// Objects with a SystemModstamp field are read incrementally in
// (SystemModstamp, Id) order:
//
//	SELECT ... FROM Account
//	WHERE SystemModstamp > 2024-05-01T10:00:00Z
//	   OR (SystemModstamp = 2024-05-01T10:00:00Z AND Id > '001...')
//	ORDER BY SystemModstamp, Id
//
// The cursor is the JSON document {"object", "systemModstamp", "id"} of the
// last record read; a record modified after it is read again. Base64 fields
// are left out of queries (the API only returns them one record at a
// time).
//
// # Change models
//
// Objects with SystemModstamp are incremental (Object.ChangeModel). A read
// from the empty cursor uses the query resource with WHERE IsDeleted =
// false: the live records. A read from a cursor uses queryAll, which also
// returns the records deleted since (deleting a record sets IsDeleted and
// moves its SystemModstamp): they are emitted as Deleted records (ID set,
// Fields nil), in the same (SystemModstamp, Id) order as the changes.
// Salesforce keeps deleted records in the recycle bin for 15 days; a
// record purged from it before the next read is not reported, so a full
// pass from the empty cursor (whose missing IDs the platform turns into
// deletes) is still needed after a longer pause.
//
// Objects without SystemModstamp (a few system sObjects) are snapshot
// objects: read in Id order, in full every sync.
//
// Record.ID is the record's Id. Record.Fields holds the queried fields with
// the "attributes" entry removed: int fields as int64, double, currency and
// percent as float64, date and datetime fields as time.Time (UTC), other
// values as the JSON decodes them (string, bool, nil, map[string]any).
//
// # Errors
//
// Besides the errors above, an unknown object wraps connectors.ErrNotFound
// and a cursor not made for the object wraps connectors.ErrInvalidCursor.
// Other API errors carry the HTTP status, the errorCode and the message.
// Error messages never contain the client secret, refresh token or access
// token.
//
// # Concurrency
//
// A Source is safe for concurrent use; calls share one access token.
package salesforce
