package salesforce_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/autonomos/autonomos/connectors/salesforce/sftest"
)

// orgMutator changes the Accounts of an sftest org for the conformance
// suite's Changes check.
type orgMutator struct {
	srv   *sftest.Server
	names map[string]string // Id -> Name as last written
}

func (m *orgMutator) Insert(context.Context) (string, error) {
	name := fmt.Sprintf("New %06d", rand.IntN(1_000_000))
	id, err := m.srv.Insert("Account", map[string]any{"Name": name, "Active__c": true})
	m.names[id] = name
	return id, err
}

// Update flips the case of the name: no length changes.
func (m *orgMutator) Update(_ context.Context, id string) error {
	name := m.names[id]
	flipped := strings.ToUpper(name)
	if flipped == name {
		flipped = strings.ToLower(name)
	}
	m.names[id] = flipped
	return m.srv.Update("Account", id, map[string]any{"Name": flipped})
}

func (m *orgMutator) Delete(_ context.Context, id string) error {
	return m.srv.Delete("Account", id)
}
