//go:build !linux

package plugin

import "os/exec"

// setProcAttr does nothing where the kernel cannot tie a child's life to its
// parent's; Manager.Shutdown is then the only guard against strays.
func setProcAttr(*exec.Cmd) {}
