// Command slowfs mounts a folder elsewhere through FUSE, adding a fixed
// delay to every lookup, attribute read, folder listing and open: a
// network share's latency on a local disk, to measure how the number of
// gigascan's walkers copes with it. Requests are served in parallel, each
// delayed on its own, as by a file server whose round trip is the delay.
// Attributes and names stay cached 1 s, like a Linux CIFS mount's default
// (actimeo=1). It has its own module so that the bot's does not depend on
// go-fuse.
//
//	go run . -delay 1ms /tmp/share /mnt/slow &   # then: umount /mnt/slow
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// slowNode is a loopback node whose metadata requests wait delay first.
type slowNode struct {
	fs.LoopbackNode
	delay time.Duration
}

func (n *slowNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*fs.Inode, syscall.Errno) {
	time.Sleep(n.delay)
	return n.LoopbackNode.Lookup(ctx, name, out)
}

func (n *slowNode) Getattr(ctx context.Context, f fs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	time.Sleep(n.delay)
	return n.LoopbackNode.Getattr(ctx, f, out)
}

func (n *slowNode) OpendirHandle(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	time.Sleep(n.delay)
	return n.LoopbackNode.OpendirHandle(ctx, flags)
}

func (n *slowNode) Open(ctx context.Context, flags uint32) (fs.FileHandle, uint32, syscall.Errno) {
	time.Sleep(n.delay)
	return n.LoopbackNode.Open(ctx, flags)
}

func main() {
	delay := flag.Duration("delay", time.Millisecond, "added to every lookup, getattr, opendir and open")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: slowfs [-delay D] FOLDER MOUNTPOINT")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), flag.Arg(1), *delay); err != nil {
		fmt.Fprintln(os.Stderr, "slowfs:", err)
		os.Exit(1)
	}
}

func run(dir, mountpoint string, delay time.Duration) error {
	var st syscall.Stat_t
	if err := syscall.Stat(dir, &st); err != nil {
		return err
	}
	root := &fs.LoopbackRoot{Path: dir, Dev: uint64(st.Dev)}
	root.NewNode = func(r *fs.LoopbackRoot, _ *fs.Inode, _ string, _ *syscall.Stat_t) fs.InodeEmbedder {
		return &slowNode{LoopbackNode: fs.LoopbackNode{RootData: r}, delay: delay}
	}
	root.RootNode = root.NewNode(root, nil, "", &st)
	cached := time.Second
	server, err := fs.Mount(mountpoint, root.RootNode, &fs.Options{
		EntryTimeout: &cached, AttrTimeout: &cached,
		// DirectMount: as root, mount(2) itself, without fusermount.
		MountOptions: fuse.MountOptions{FsName: "slowfs", Name: "slowfs", MaxBackground: 64, DirectMount: true},
	})
	if err != nil {
		return err
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stop
		server.Unmount()
	}()
	server.Wait()
	return nil
}
