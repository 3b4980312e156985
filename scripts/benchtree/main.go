// Command benchtree builds a synthetic file share for benchmarking
// gigascan against jdupes, rmlint and fdupes: nested folders, many small
// files, a few large ones, exact duplicates, files of equal size but other
// content, files sharing their first 64 KiB, empty files and folders. The
// same seed builds the same tree.
//
//	go run ./scripts/benchtree -dir /tmp/share -files 100000 -seed 1
//	go run ./scripts/benchtree -dir /tmp/small -files 1000000 -large 0 -max-size 16384   # 1 M small files, 4 GB
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("dir", "", "folder to create (must not exist)")
	files := flag.Int("files", 100_000, "number of files")
	large := flag.Int("large", 40, "number of large files (20–80 MB)")
	seed := flag.Uint64("seed", 1, "random seed")
	maxSize := flag.Int64("max-size", 768<<10, "largest ordinary file, in bytes (at least 1024)")
	flag.Parse()
	if *maxSize < 1024 {
		fmt.Fprintln(os.Stderr, "benchtree: -max-size must be at least 1024")
		os.Exit(2)
	}
	if err := build(*dir, *files, *large, *seed, *maxSize); err != nil {
		fmt.Fprintln(os.Stderr, "benchtree:", err)
		os.Exit(1)
	}
}

type file struct {
	path string
	size int64
	seed uint64
}

func build(dir string, n, large int, seed uint64, maxSize int64) error {
	if dir == "" {
		return fmt.Errorf("-dir is required")
	}
	if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("%s exists: remove it first", dir)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	// 1 000 folders, nested up to five levels.
	dirs := []string{dir}
	for i := range 1000 {
		parent := dirs[rng.IntN(len(dirs))]
		if depth(parent, dir) >= 5 {
			parent = dir
		}
		dirs = append(dirs, filepath.Join(parent, fmt.Sprintf("dossier-%04d", i)))
	}
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	var made []file
	var total int64
	var dups, sameSize, sameHead, empty int
	// pick draws an earlier ordinary file: copying the large ones would
	// make the tree's size depend on luck.
	pick := func() file { return made[large+rng.IntN(len(made)-large)] }
	for i := range n {
		path := filepath.Join(dirs[1+rng.IntN(len(dirs)-1)], fmt.Sprintf("fichier-%06d.dat", i))
		f := file{path: path, seed: rng.Uint64()}
		switch r := rng.Float64(); {
		case i < large:
			f.size = 20<<20 + rng.Int64N(60<<20)
		case r < 0.005:
			empty++
		case r < 0.15 && len(made) > large: // an exact copy of an earlier file
			src := pick()
			f.size, f.seed = src.size, src.seed
			dups++
		case r < 0.20 && len(made) > large: // same size, other content
			f.size = pick().size
			sameSize++
		case r < 0.21 && len(made) > large: // same size and first 64 KiB, other tail
			src := pick()
			if src.size > 128<<10 {
				f.size = src.size
				if err := writeFile(f.path, f.size, src.seed, f.seed); err != nil {
					return err
				}
				made = append(made, f)
				total += f.size
				sameHead++
				continue
			}
			f.size = logSize(rng, maxSize)
		default:
			f.size = logSize(rng, maxSize)
		}
		if err := writeFile(f.path, f.size, f.seed, f.seed); err != nil {
			return err
		}
		made = append(made, f)
		total += f.size
	}
	for i := range 200 { // empty folders, some nested
		d := filepath.Join(dirs[rng.IntN(len(dirs))], fmt.Sprintf("vide-%03d", i), "encore-vide")
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	fmt.Printf("%s: %d files, %d bytes (%.1f GB), %d folders + 400 empty; %d copies, %d same-size others, %d same-head others, %d empty files\n",
		dir, n, total, float64(total)/1e9, len(dirs), dups, sameSize, sameHead, empty)
	return nil
}

// logSize draws a size between 512 bytes and maxSize, log-uniformly: many
// small office files, fewer big ones.
func logSize(rng *rand.Rand, maxSize int64) int64 {
	return int64(math.Exp(math.Log(512) + rng.Float64()*(math.Log(float64(maxSize))-math.Log(512))))
}

func depth(path, root string) int {
	rel, _ := filepath.Rel(root, path)
	n := 0
	for _, c := range rel {
		if c == filepath.Separator {
			n++
		}
	}
	return n + 1
}

// writeFile writes size bytes: the first 64 KiB from headSeed, the rest from tailSeed.
func writeFile(path string, size int64, headSeed, tailSeed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	head := min(size, 64<<10)
	var seedBytes [32]byte
	put := func(s uint64) io.Reader {
		for i := range 4 {
			for j := range 8 {
				seedBytes[i*8+j] = byte(s >> (8 * j))
			}
		}
		return rand.NewChaCha8(seedBytes)
	}
	if _, err := io.CopyN(f, put(headSeed), head); err != nil {
		f.Close()
		return err
	}
	if size > head {
		if _, err := io.CopyN(f, put(tailSeed^0x5bd1e995), size-head); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}
