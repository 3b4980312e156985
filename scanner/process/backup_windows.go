package process

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

var procAdjustTokenPrivileges = windows.NewLazySystemDLL("advapi32.dll").NewProc("AdjustTokenPrivileges")

// EnableBackup enables the "back up files and directories" privilege
// (SeBackupPrivilege) in the process's token: with it, a file or folder
// opened with backup semantics, as Go's os.Open always does on Windows,
// can be read whatever its ACL says. The account must hold the privilege
// (Backup Operators, or the "Back up files and directories" user right,
// which deploy/windows/register-gigascan.ps1 grants), else EnableBackup
// fails and what the account cannot read counts in the report's errors.
func EnableBackup() error {
	var luid windows.LUID
	if err := windows.LookupPrivilegeValue(nil, windows.StringToUTF16Ptr("SeBackupPrivilege"), &luid); err != nil {
		return fmt.Errorf("process: SeBackupPrivilege: %w", err)
	}
	var token windows.Token
	if err := windows.OpenProcessToken(windows.CurrentProcess(), windows.TOKEN_ADJUST_PRIVILEGES|windows.TOKEN_QUERY, &token); err != nil {
		return fmt.Errorf("process: OpenProcessToken: %w", err)
	}
	defer token.Close()
	privs := windows.Tokenprivileges{PrivilegeCount: 1}
	privs.Privileges[0] = windows.LUIDAndAttributes{Luid: luid, Attributes: windows.SE_PRIVILEGE_ENABLED}
	// AdjustTokenPrivileges succeeds without enabling a privilege the token
	// lacks: only the last error, taken on the same thread by Call, tells.
	ok, _, err := procAdjustTokenPrivileges.Call(uintptr(token), 0, uintptr(unsafe.Pointer(&privs)), 0, 0, 0)
	switch {
	case ok == 0:
		return fmt.Errorf("process: AdjustTokenPrivileges: %w", err)
	case errors.Is(err, windows.ERROR_NOT_ALL_ASSIGNED):
		return errors.New("process: this account does not hold SeBackupPrivilege (\"Back up files and directories\")")
	}
	return nil
}
