//go:build !linux

package testsrv

import "syscall"

func procAttr() *syscall.SysProcAttr { return nil }
