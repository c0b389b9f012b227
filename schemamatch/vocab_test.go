package schemamatch

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"
)

func TestVocabularyLoads(t *testing.T) {
	t.Parallel()
	v, err := loadVocab(vocabFS)
	require.NoError(t, err)
	require.NotEmpty(t, v.fields["account"]["account_name"])
	require.Equal(t, []string{"amount"}, v.terms["amt"])
}

func TestVocabularyRejectsConflicts(t *testing.T) {
	t.Parallel()
	base := fstest.MapFS{
		"vocab/fields.txt":      {Data: []byte("account.account_name: name\n")},
		"vocab/objects.txt":     {Data: []byte("account: account\n")},
		"vocab/context.txt":     {Data: []byte("")},
		"vocab/words.txt":       {Data: []byte("[weights]\nid: 0.6\n")},
		"vocab/countries.txt":   {Data: []byte("deutschland: DE\n")},
		"vocab/signatures.txt":  {Data: []byte("account: account_name\n")},
		"vocab/calibration.txt": {Data: []byte("slope: 1\nintercept: 0\n")},
	}
	base["vocab/terms/a.txt"] = &fstest.MapFile{Data: []byte("kunde: customer\n")}
	base["vocab/terms/b.txt"] = &fstest.MapFile{Data: []byte("Kunde: client\n")}
	_, err := loadVocab(base)
	require.ErrorContains(t, err, `"kunde" means`)

	base["vocab/terms/b.txt"] = &fstest.MapFile{Data: []byte("kunde customer\n")}
	_, err = loadVocab(base)
	require.ErrorContains(t, err, "b.txt:1")

	base["vocab/words.txt"] = &fstest.MapFile{Data: []byte("[weights]\nid: 7\n")}
	_, err = loadVocab(base)
	require.ErrorContains(t, err, "words.txt:2")
}
