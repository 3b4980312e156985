package scanner

import (
	"io/fs"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// fileBasicInfo is Windows' FILE_BASIC_INFO: times in 100 ns since 1601.
type fileBasicInfo struct {
	CreationTime, LastAccessTime, LastWriteTime, ChangeTime int64
	FileAttributes                                          uint32
	_                                                       uint32
}

// statOpen reads an open file: its size, last-write time, change time and
// file ID (the volume's serial number and the file index), which only an
// open handle gives on Windows.
func statOpen(f *os.File) (fileStat, error) {
	h := windows.Handle(f.Fd())
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		return fileStat{}, &fs.PathError{Op: "GetFileInformationByHandle", Path: f.Name(), Err: err}
	}
	var basic fileBasicInfo
	if err := windows.GetFileInformationByHandleEx(h, windows.FileBasicInfo, (*byte)(unsafe.Pointer(&basic)), uint32(unsafe.Sizeof(basic))); err != nil {
		return fileStat{}, &fs.PathError{Op: "GetFileInformationByHandleEx", Path: f.Name(), Err: err}
	}
	kind := kindFile
	switch {
	case info.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0:
		kind = kindOther
	case info.FileAttributes&windows.FILE_ATTRIBUTE_DIRECTORY != 0:
		kind = kindDir
	}
	return fileStat{
		kind:  kind,
		size:  int64(info.FileSizeHigh)<<32 | int64(info.FileSizeLow),
		mtime: filetimeNano(basic.LastWriteTime),
		ctime: filetimeNano(basic.ChangeTime),
		id:    fileID{dev: uint64(info.VolumeSerialNumber), ino: uint64(info.FileIndexHigh)<<32 | uint64(info.FileIndexLow)},
		nlink: uint64(info.NumberOfLinks),
	}, nil
}

// filetimeNano converts a FILETIME as os.Lstat's modification times are
// (then read back by fromFileInfo), so that both agree.
func filetimeNano(ft int64) int64 {
	t := time.Unix(0, (&windows.Filetime{LowDateTime: uint32(ft), HighDateTime: uint32(ft >> 32)}).Nanoseconds())
	return unixNano(t.Unix(), int64(t.Nanosecond()))
}

// identify gives f, at path, the file ID and change time the hash cache
// keys on: Windows tells them from an open handle only, so the file is
// opened (not read). It fails when f cannot be opened or changed since the
// walk.
func identify(path string, f *fileRec) error {
	file, err := openNoAtime(path)
	if err != nil {
		return err
	}
	defer file.Close()
	st, err := statOpen(file)
	if err != nil {
		return err
	}
	if st.size != f.size || st.mtime != f.mtime {
		return errChanged
	}
	f.id, f.ctime = st.id, st.ctime
	return nil
}
