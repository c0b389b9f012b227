package redisqueue

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzJobFromMap feeds arbitrary job hashes (as another writer or a corrupted
// store could leave them) to the decoder: it must reject them with an error,
// never panic, and accept only jobs with an ID and a known state.
func FuzzJobFromMap(f *testing.F) {
	f.Add("j1", "queued", "0", "5", "1700000000000", "payload")
	f.Add("", "running", "x", "", "-5", "")
	f.Fuzz(func(t *testing.T, id, state, attempt, maxAttempts, created, payload string) {
		m := map[string]string{"id": id, "state": state, "attempt": attempt, "max": maxAttempts,
			"created": created, "payload": payload, "tenant": "t", "type": "x", "queue": "default"}
		j, err := jobFromMap(m)
		if err != nil {
			require.Nil(t, j)
			return
		}
		require.NotEmpty(t, j.ID)
		require.True(t, j.State.Valid())
		require.Equal(t, payload, string(j.Payload))
	})
}
