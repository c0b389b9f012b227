// Package sftest runs a fake Salesforce org behind a real HTTP server
// (httptest) for tests: OAuth 2.0 token issuance (client-credentials and
// refresh-token flows) with tokens that can be expired, the REST sobjects,
// describe, query and queryAll resources with nextRecordsUrl paging, a
// recycle bin (Delete sets IsDeleted; query leaves deleted records out,
// queryAll returns them until EmptyRecycleBin), a SOQL subset parser, and
// forced API errors, all with the documented response and error shapes.
//
// The SOQL subset is what the salesforce connector emits: SELECT of plain
// fields FROM one sObject, an optional WHERE of comparisons (=, !=, <, <=,
// >, >=) between a field and a string, datetime, date, number or boolean
// literal combined with AND, OR and parentheses, ORDER BY of fields (ASC or
// DESC) and LIMIT.
//
// A Server is safe for concurrent use.
package sftest
