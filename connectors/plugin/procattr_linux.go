package plugin

import (
	"os/exec"
	"syscall"
)

// setProcAttr asks the kernel to kill the plugin process when the host dies
// without a chance to Close it (SIGKILL, OOM kill), so no plugin outlives
// its host.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
