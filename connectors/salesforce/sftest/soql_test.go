package sftest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors/salesforce/sftest"
)

func TestParseSOQL(t *testing.T) {
	t.Parallel()
	q, err := sftest.ParseSOQL("SELECT Id, Name FROM Account WHERE SystemModstamp > 2024-01-01T00:00:00Z OR (SystemModstamp = 2024-01-01T00:00:00Z AND Id > '001') ORDER BY SystemModstamp, Id DESC LIMIT 20")
	require.NoError(t, err)
	require.Equal(t, []string{"Id", "Name"}, q.Fields)
	require.Equal(t, "Account", q.Object)
	require.NotNil(t, q.Where)
	require.Equal(t, []sftest.Order{{Field: "SystemModstamp"}, {Field: "Id", Desc: true}}, q.OrderBy)
	require.Equal(t, 20, q.Limit)

	for _, bad := range []string{
		"", "SELECT FROM Account", "SELECT Id Account", "SELECT Id FROM Account WHERE Id >",
		"SELECT Id FROM Account WHERE Id > 'x", "SELECT Id FROM Account LIMIT x", "SELECT Id FROM Account ORDER Id",
		"SELECT Id FROM Account WHERE (Id > 'a'", "SELECT Id FROM Account; DELETE",
	} {
		_, err := sftest.ParseSOQL(bad)
		require.Error(t, err, bad)
	}
}

func FuzzParseSOQL(f *testing.F) {
	f.Add("SELECT Id, Name FROM Account WHERE SystemModstamp > 2024-01-01T00:00:00Z OR (SystemModstamp = 2024-01-01T00:00:00Z AND Id > '001') ORDER BY SystemModstamp, Id LIMIT 20")
	f.Add("SELECT Id FROM Note WHERE Id > 'a02' ORDER BY Id")
	f.Fuzz(func(t *testing.T, q string) {
		_, _ = sftest.ParseSOQL(q) // must not panic
	})
}
