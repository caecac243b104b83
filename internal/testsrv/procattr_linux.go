package testsrv

import "syscall"

// procAttr kills the server when the test process dies, so no server outlives a crashed test.
func procAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
