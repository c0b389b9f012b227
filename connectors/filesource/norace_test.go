//go:build !race

package filesource_test

// largeRows is the row count of the large-file test.
const largeRows = 200_000
