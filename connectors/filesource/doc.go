// Package filesource is a connector reading the CSV, JSON Lines and
// JSON-array files of one directory, one object per file.
//
// # Objects
//
// Every regular file directly in the root directory with a known extension
// is an object: .csv and .tsv (CSV), .jsonl and .ndjson (one JSON object per
// line), .json (an array of objects). Subdirectories and hidden files are not
// read. An object is named after its file without the extension; when two
// files share that name (a.csv, a.json) each is named by its whole file name.
//
// Discover looks at the first scan_rows records of each file (1000 by
// default) to infer each field's type (integer, number, boolean, date,
// datetime, string; object and array in JSON; mixed types are strings, a
// field with no value is unknown), up to 20 distinct samples, and a primary
// key: the first field named id (in any case) or <object>_id whose value is
// present and unique in every scanned record.
//
// # Reading
//
// Read streams a file with one record in memory at a time, so a file of any
// size reads in constant memory; a record longer than max_record_bytes
// (16 MiB by default) is a record error. A UTF-8 byte-order mark is skipped.
// CSV follows RFC 4180 (quoted fields may hold delimiters, doubled quotes and
// line breaks); the delimiter — ',', ';', tab or '|' — is detected from the
// header line unless configured. Empty header names become column_N and
// repeated ones get a _2, _3... suffix.
//
// CSV values are typed by their column's inferred type: integers as int64,
// numbers as float64, booleans as bool, empty values as nil; dates,
// datetimes and strings stay as written, and so does a value that does not
// fit its column's type. JSON values keep their JSON types, integers as int64
// and other numbers as float64, nested objects as map[string]any.
//
// A record's ID is its primary-key value when the object has a key; else its
// line number (CSV, JSON Lines) or element number (JSON array). A record with
// no key value, and a malformed record, is identified by its location, such
// as "accounts.csv:17".
//
// # Malformed records
//
// A record that cannot be read — a CSV row with the wrong number of fields,
// a stray or unclosed quote, a line that is not a JSON object — is emitted
// with Err set to its location, the reason and its raw text, and the read
// goes on with the next record. A CSV quote that is never closed costs only
// the line it opened on: reading resumes on the next line. A syntax error in
// a JSON array leaves no place to resume, so it is reported once and ends
// the read of that file.
//
// # Cursors
//
// A record's cursor holds the byte offset and line of the next record with
// checksums of the file's first line and of the bytes just before the offset.
// A resumed read seeks straight to the offset, whatever the file's size. A
// file that was only appended to keeps its cursors valid; one rewritten
// since, truncated, or a cursor of another file, is refused with an error
// wrapping connectors.ErrInvalidCursor.
//
// # Path safety
//
// Nothing outside the root is ever opened. Files are opened through an
// os.Root, which refuses any path leaving the directory. Object names that
// are absolute, contain ".." or a path separator, and symbolic links whose
// target is outside the root (or is absolute), are refused with an error
// wrapping both ErrOutsideRoot and connectors.ErrNotFound; Discover leaves
// such links out. Relative links inside the root are followed, and the root
// itself may be a link.
//
// # Concurrency
//
// A Source holds no open file between calls; its methods are safe for
// concurrent use.
package filesource
