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
// key.
//
// # Record identity
//
// The key is named by the "key" parameter — one field name for every
// object that has it, or object:field pairs ("contacts:contact_id,deals:opp_id";
// "object:" with no field identifies that object's records by position) —
// or else inferred from the field names: id (any case), then <object>_id or
// <singular object>_id (contact_id in contacts.csv, CompanyId in
// companies.csv), then an abbreviation of at least three letters that
// starts the object's name (opp_id in opportunities.csv); an integer or
// string field whose values are distinct in at least half the scanned
// records, one present and distinct in all of them preferred. A foreign key
// such as account_id in contacts.csv is not a candidate.
//
// A record's ID is its key value. A record whose key value is blank, and
// one whose key value appeared earlier in the file, is emitted with Err
// ("key field ... is blank", "duplicate key ... (first at accounts.csv:2)")
// so it is quarantined with that reason; the other records keep their
// identity. Duplicates are found across the whole file, resumed reads
// included, with an index of about 40 bytes per record. An object without
// a key identifies its records by line number (CSV, JSON Lines) or element
// number (JSON array). The key a read's cursor was made with is kept by
// the reads that resume from it.
//
// # Change model
//
// Every object is incremental (Object.ChangeModel): a read from a cursor
// returns the records appended after it. A cursor holds a checksum of the
// whole file before it; a resumed read reads the file from the start again
// (without emitting what lies before the cursor) and verifies it, so any
// edit before the cursor — a rewrite, a row inserted at the top or removed,
// an edit that keeps every length — refuses the cursor with
// connectors.ErrInvalidCursor, and the platform reads the file again from
// the start: a full pass, where only the records whose content changed
// become events and IDs that vanished become deletes.
//
// A last line without its line break may be a record a writer is still
// appending to. While the file's modification time is less than "settle"
// ago (default 10s) the read ends before that line; once the file has
// settled, the line is read as a record (a file may legitimately end
// without a line break), but its cursor stays before it, so the next read
// reads it again and sees what a writer appended since. The same holds for
// a JSON array that is not closed yet: while the file changes, the read
// ends at the last complete element.
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
// # Null texts
//
// The "null_values" parameter lists, comma-separated, the texts read as a
// missing value (default NULL,null,\N; "none" for no texts), compared after
// trimming white space; empty CSV text is always missing. Type inference
// skips them (a cost column holding 0.5 and n/a is a number), and Read emits
// them as nil: every CSV value, and the top-level string values of JSON
// records (nested values stay as written); a key holding one is a missing
// key. A mapping's own null_values
// (canonical.Mapping.NullValues) applies afterwards to what the connection
// leaves, so a value is missing when either lists it: the connection wins
// for the texts it lists, and a mapping cannot read them back as text — to
// keep a literal "NULL", leave it out of both lists (a mapping's default
// list holds it).
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
// A record's cursor holds the byte offset, line and record count of the
// next record, the key field, and a 64-bit checksum (two CRC-32s) of the
// file up to the offset. A cursor of another file, of an older format, or
// one the file no longer matches wraps connectors.ErrInvalidCursor.
//
// # Path safety
//
// Nothing outside the root is ever opened. Files are opened through an
// os.Root, which refuses any path leaving the directory. Object names that
// are absolute, contain ".." or a path separator, and symbolic links whose
// target is outside the root (or is absolute), are refused with an error
// wrapping both ErrOutsideRoot and connectors.ErrNotFound; Discover leaves
// such links out. Relative links inside the root are followed, and the root
// itself may be a link. A source made by NewConfined is confined to a
// directory holding its root: the root is opened through an os.Root of that
// directory on every call, so replacing the root or a directory above it by
// a link leading outside, after the source was made, is refused too.
//
// # Concurrency
//
// A Source holds no open file between calls; its methods are safe for
// concurrent use.
package filesource
