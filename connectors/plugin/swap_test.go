package plugin_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors/plugin"
)

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err = io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// TestPluginSwappedDuringLoad swaps the plugin file between the verified
// binary and an impostor (which leaves a marker file when it runs) while
// Load runs again and again. Load must run exactly the bytes it verified:
// the impostor never runs, and each Load either serves the real plugin or
// fails with ErrChecksumMismatch.
func TestPluginSwappedDuringLoad(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "impostor-ran")
	impostor := filepath.Join(dir, "impostor")
	require.NoError(t, os.WriteFile(impostor, []byte("#!/bin/sh\necho ran >> "+marker+"\nsleep 5\n"), 0o755))
	good := filepath.Join(dir, "good")
	require.NoError(t, copyFile(testPlugin, good, 0o755))
	target := filepath.Join(dir, "plugin")
	require.NoError(t, copyFile(testPlugin, target, 0o755))

	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	swaps := 0
	var swapErr error
	stopped := false
	halt := func() {
		if !stopped {
			stopped = true
			close(stop)
			wg.Wait()
		}
	}
	defer halt()
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			src := good
			if i%2 == 0 {
				src = impostor
			}
			tmp := filepath.Join(dir, fmt.Sprintf("next-%d", i))
			if swapErr = os.Link(src, tmp); swapErr != nil {
				return
			}
			if swapErr = os.Rename(tmp, target); swapErr != nil {
				return
			}
			swaps++
			time.Sleep(time.Duration(i%3) * time.Millisecond)
		}
	}()
	ctx := context.Background()
	loads, mismatches := 0, 0
	var other []error
	for range 40 {
		c, err := plugin.Load(ctx, target, &plugin.LoadOptions{Checksum: testPluginSum, StartTimeout: 2 * time.Second})
		switch {
		case err == nil:
			loads++
			require.NoError(t, c.Close())
		case errors.Is(err, plugin.ErrChecksumMismatch):
			mismatches++
		default:
			other = append(other, err)
		}
	}
	halt()
	require.NoError(t, swapErr)
	t.Logf("%d loads served, %d refused as mismatched, %d other errors, %d swaps", loads, mismatches, len(other), swaps)
	time.Sleep(200 * time.Millisecond)
	_, err := os.Stat(marker)
	require.True(t, os.IsNotExist(err), "an unverified binary ran")
	require.Empty(t, other)
	require.Positive(t, loads)
	require.Positive(t, mismatches)
}
